"""The files in deploy/ work as the README says: gunicorn's config, the nginx site, the units."""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
GUNICORN = Path(sys.executable).parent / "gunicorn"


def test_gunicorn_config_reads_its_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:8100")
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert (config["workers"], config["bind"]) == (3, "127.0.0.1:8100")
    assert config["wsgi_app"] == "studyhub.wsgi:application"
    assert config["timeout"] == 30 and config["graceful_timeout"] == 30
    assert config["max_requests"] == 1000 and config["max_requests_jitter"] == 100
    assert "request_id=%({x-request-id}o)s" in config["access_log_format"]
    monkeypatch.delenv("GUNICORN_WORKERS")
    assert runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["workers"] == os.cpu_count() * 2 + 1


def test_gunicorn_accepts_the_config():
    done = subprocess.run(
        [str(GUNICORN), "--check-config", "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_the_units_run_what_the_readme_says():
    web, worker, beat = (
        (DEPLOY / "systemd" / f"studyhub-{name}.service").read_text()
        for name in ("web", "worker", "beat")
    )
    assert "gunicorn -c deploy/gunicorn.conf.py" in web
    assert "celery -A studyhub worker" in worker
    assert "celery -A studyhub beat" in beat
    for unit in (web, worker, beat):
        assert "EnvironmentFile=/etc/studyhub/studyhub.env" in unit
    readme = (ROOT / "README.md").read_text()
    for path in DEPLOY.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert f"deploy/{path.relative_to(DEPLOY).as_posix()}" in readme, path


def test_nginx_accepts_the_site(tmp_path):
    if not shutil.which("nginx"):
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed (.ci/run installs it)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=studyhub.example.gov.cn", "-keyout", key, "-out", certificate],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (DEPLOY / "nginx" / "studyhub.conf").read_text()
    # The site as shipped, with this test's certificate and log folder.
    site = (
        site.replace("/etc/ssl/studyhub/fullchain.pem", str(certificate))
        .replace("/etc/ssl/studyhub/privkey.pem", str(key))
        .replace("/var/log/nginx/", f"{tmp_path}/")
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"error_log {tmp_path}/error.log;\npid {tmp_path}/nginx.pid;\nevents {{}}\n"
        f"http {{\n  access_log {tmp_path}/access.log;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    done = subprocess.run(
        ["nginx", "-t", "-c", tmp_path / "nginx.conf", "-p", tmp_path],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # The app's own body limit, so nginx refuses what the app would.
    assert f"client_max_body_size {settings.MAX_REQUEST_BYTES // 2**20}m;" in site
    assert "proxy_set_header X-Request-ID $request_id;" in site
