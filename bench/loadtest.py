"""`make loadtest`: throughput under load, beside the floor, on gunicorn and PostgreSQL.

Builds the bench's larger 党委 (bench/data.py: 200 branches, 6,000 members, three years of
history) in a database of its own (LOADTEST_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/studyhub_loadtest), serves it with gunicorn
(2 workers, production settings), logs a member and a secretary in, and drives each page
with wrk at 10 and 50 concurrent clients. Each page's floor is the bare page of the same
size (bench/floor.py) driven the same way in the same run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/studyhub_loadtest"
)
PORT = 8765
SECONDS = int(os.environ.get("LOADTEST_SECONDS", "8"))
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench.loadtest_settings",
    "DATABASE_URL": DATABASE_URL,
    "DATABASE_CONN_MAX_AGE": "60",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "loadtest-" + "k" * 60,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_HSTS_SECONDS": "0",
    "PYTHONPATH": str(ROOT),
}
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def manage(*args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(done.stderr)
    return done.stdout


def prepare() -> dict[str, str]:
    """Create and fill the database; return the pages to drive and the two session cookies."""
    subprocess.run(
        ["psql", DATABASE_URL.rsplit("/", 1)[0] + "/postgres", "-qc",
         f"DROP DATABASE IF EXISTS {DATABASE_URL.rsplit('/', 1)[1]}"],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        ["psql", DATABASE_URL.rsplit("/", 1)[0] + "/postgres", "-qc",
         f"CREATE DATABASE {DATABASE_URL.rsplit('/', 1)[1]}"],
        check=True, capture_output=True,
    )  # fmt: skip
    manage("migrate", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    out = manage("shell", "-c", GENERATE)
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


# Run inside the project (manage.py shell): the bench's generator, then one session each.
GENERATE = """
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from bench.data import grow_committee
committee = grow_committee("压测党委", branches=200, members=6000)
session, section = committee.session, committee.section
def cookie(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key
print("member=" + cookie(committee.reader.user))
print("secretary=" + cookie(committee.secretary))
print("section=" + section.get_absolute_url())
print("session=" + session.get_absolute_url())
print("report=" + reverse("groups:report-members") + f"?branch={committee.root.pk}")
"""


def wrk(url: str, cookie: str, clients: int) -> dict[str, float]:
    done = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{SECONDS}s", "--latency", "--timeout", "10s",
         "-H", f"Cookie: sessionid={cookie}", url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    text = done.stdout

    def latency(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def page_bytes(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 200, url
        return len(response.read())


def floor_url(base: str, size: int, cookie: str) -> str:
    empty = page_bytes(f"{base}/bench/floor/0/", cookie)
    per_row = (page_bytes(f"{base}/bench/floor/100/", cookie) - empty) / 100
    return f"{base}/bench/floor/{max(0, round((size - empty) / per_row))}/"


def drain(base: str) -> None:
    """Wait until the workers have answered what wrk left queued (sync workers finish
    requests whose client has gone), so the next run starts on idle workers."""
    for _ in range(120):
        start = time.perf_counter()
        page_bytes(f"{base}/accounts/login/", "")
        if time.perf_counter() - start < 0.2:
            return
        time.sleep(0.5)


def main() -> None:
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    found = prepare()
    base = f"http://127.0.0.1:{PORT}"
    server = subprocess.Popen(
        # The production config (deploy/gunicorn.conf.py), with 2 workers and no access log.
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env={**ENV, "GUNICORN_WORKERS": "2", "GUNICORN_BIND": f"127.0.0.1:{PORT}",
             "GUNICORN_ACCESS_LOG": "", "GUNICORN_LOG_LEVEL": "warning"},
    )  # fmt: skip
    try:
        for _ in range(50):
            try:
                page_bytes(f"{base}/accounts/login/", "")
                break
            except OSError:
                time.sleep(0.2)
        static = "/static/" + next(
            p.relative_to(ROOT / "staticfiles").as_posix()
            for p in (ROOT / "staticfiles" / "css").glob("studyhub.*.css")
        )
        pages = [
            ("member home", "/", "member"),
            ("section page", found["section"], "member"),
            ("session list", "/groups/sessions/", "secretary"),
            ("session page (6,000 expected)", found["session"], "secretary"),
            ("members report (a year)", found["report"], "secretary"),
            ("static file", static, "member"),
        ]
        print(f"{'page':32} clients  req/s   p50 ms  p99 ms  errors  floor req/s  vs floor")
        for label, path, who in pages:
            cookie = found[who]
            floor = floor_url(base, page_bytes(base + path, cookie), cookie)
            for clients in (10, 50):
                page = wrk(base + path, cookie, clients)
                drain(base)
                bare = wrk(floor, cookie, clients)
                drain(base)
                ratio = page["rps"] / bare["rps"] if bare["rps"] else 0.0
                verdict = "ok" if ratio >= 0.5 and not page["errors"] else "MISS"
                print(
                    f"{label:32} {clients:7}  {page['rps']:6.1f}  {page['p50']:6.1f}  "
                    f"{page['p99']:6.1f}  {page['errors']:6}  {bare['rps']:11.1f}  "
                    f"{ratio:4.2f}× (≥ 0.5×, 0 errors: {verdict})"
                )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
