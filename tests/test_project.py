"""Project-wide behaviour: settings safety, login and its throttling, language, migrations."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse, reverse_lazy

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], capture_output=True, text=True, cwd=ROOT,
        env=environment,
    )  # fmt: skip


def test_debug_off_refuses_to_start_without_a_real_secret_key():
    result = run_manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr

    weak = run_manage("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="short")
    assert weak.returncode != 0


def test_deploy_check_is_clean_with_production_settings():
    secret = "a-real-looking-secret-key-0123456789-abcdefghijklmnop"
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secret
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_pages_need_a_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_login_page_speaks_chinese_by_default_and_english_on_request(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()
    assert "登录" in response.content.decode()

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in english and "Log in" in english


@pytest.mark.django_db
def test_logging_in_with_the_form(client, member):
    response = client.post(reverse("login"), {"username": "member", "password": "pw-member"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_repeated_failed_logins_are_throttled(client, member, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "member", "password": "wrong"})
    # Even the right password is refused while the account is paused.
    response = client.post(reverse("login"), {"username": "member", "password": "pw-member"})
    assert response.status_code == 429
    assert "登录" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client, member, settings):
    settings.DEBUG = False
    client.force_login(member)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_the_user_switches(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-hans"' in page.content.decode()


def test_the_site_has_a_favicon_for_pages_and_for_whoever_asks_for_favicon_ico(client, member):
    redirect = client.get("/favicon.ico")
    assert redirect.status_code == 301 and redirect.url.endswith("favicon.svg")
    client.force_login(member)
    page = client.get(reverse("home")).content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    assert (ROOT / "static" / "favicon.svg").read_text().startswith("<svg")


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("groups:session-list", "groups:session-list"),
        ("groups:calendar-month", "groups:calendar-month"),
        ("lessons:lecture-list", "lessons:lecture-list"),
        ("groups:report-ledger", "groups:report-index"),
        ("groups:rules", "groups:session-list"),
        ("groups:leave-pending", "groups:session-list"),
    ],
)
def test_the_top_navigation_shows_where_you_are(staff_client, url, current):
    navbar = staff_client.get(reverse(url)).content.decode().split('<main id="main"')[0]
    marked = [
        line
        for line in navbar.splitlines()
        if 'class="nav-link active" aria-current="page"' in line
    ]
    assert len(marked) == 1 and f'href="{reverse(current)}"' in marked[0]


def test_a_request_over_the_size_limit_is_refused_unread_with_the_limit_named(
    client, member, settings
):
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    client.force_login(member)
    # The body is never read: a declared 200 MB is refused on its header alone.
    response = client.post(
        reverse("lessons:lecture-import"), data=b"x", content_type="application/octet-stream",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )  # fmt: skip
    assert response.status_code == 413
    assert "1.0" in response.content.decode() and "MB" in response.content.decode()
    small = client.post(reverse("lessons:lecture-import"), {})
    assert small.status_code != 413


@pytest.mark.parametrize(
    ("url", "limit"),
    [
        (reverse_lazy("lessons:lecture-import"), "2.0 MB"),
        (reverse_lazy("groups:roster-import", args=[1]), "1.0 MB"),
        (reverse_lazy("groups:minutes-attachment-add", args=[1]), "10.0 MB"),
    ],
)
def test_an_upload_over_its_own_limit_is_refused_unread_with_that_limit_named(
    staff_client, url, limit
):
    # 3 MB and 12 MB are under the site-wide 12 MB; each page's own limit refuses them first.
    declared = {"2.0 MB": 3, "1.0 MB": 2, "10.0 MB": 11}[limit] * 1024 * 1024
    response = staff_client.post(
        url, data=b"x", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(declared),
    )  # fmt: skip
    assert response.status_code == 413
    assert limit in response.content.decode().replace("\xa0", " ")


@pytest.mark.django_db
def test_responses_carry_the_security_headers_the_readme_lists(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
