"""The Content-Security-Policy: on every response, strict, and nothing in the templates breaks it.

Every response of the test client is checked (tests/csp.py, the `client` fixture), so the
permission crawls check each URL for each persona; here are the policy itself, the report-only
switch, and the templates' scan for inline script and style.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
from django.urls import reverse

from tests.csp import PolicyCheckingClient, parse_policy

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
SETTINGS = ROOT / "studyhub" / "settings.py"

# A <script> element that runs inline: no src, and not a JSON data block (json_script).
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_STYLE = re.compile(r"<style\b|\sstyle=")
# onclick=, onchange=, … and javascript: URLs run inline too.
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=|javascript:", re.IGNORECASE)


def test_a_page_carries_the_whole_policy(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert parse_policy(response["Content-Security-Policy"]) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    assert "Content-Security-Policy-Report-Only" not in response


@pytest.mark.django_db
def test_errors_and_the_admin_carry_it_too(client, admin_client):
    assert admin_client.get("/no-such-page/").status_code == 404
    assert admin_client.get(reverse("admin:index")).status_code == 200


def test_the_checking_client_fails_a_response_without_the_policy(settings, db):
    settings.CONTENT_SECURITY_POLICY = None
    with pytest.raises(AssertionError, match="has no Content-Security-Policy"):
        PolicyCheckingClient().get(reverse("login"))


def test_report_only_sends_the_same_policy_without_enforcing_it(monkeypatch, settings, db):
    monkeypatch.setenv("DJANGO_CSP_REPORT_ONLY", "1")
    configured = runpy.run_path(str(SETTINGS))
    assert "CONTENT_SECURITY_POLICY" not in configured
    settings.CONTENT_SECURITY_POLICY = None
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = configured["CONTENT_SECURITY_POLICY_REPORT_ONLY"]
    response = PolicyCheckingClient().get(reverse("login"))
    assert "Content-Security-Policy" not in response
    policy = parse_policy(response["Content-Security-Policy-Report-Only"])
    assert policy["script-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]


def test_enforcing_is_the_default(monkeypatch):
    monkeypatch.delenv("DJANGO_CSP_REPORT_ONLY", raising=False)
    configured = runpy.run_path(str(SETTINGS))
    assert configured["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["script-src"] == ["'self'"]
    assert "CONTENT_SECURITY_POLICY_REPORT_ONLY" not in configured


def template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*.html"))


def test_the_scan_finds_what_it_looks_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/print.js"></script>')
    assert not INLINE_SCRIPT.search('<script id="x" type="application/json">{}</script>')
    assert INLINE_STYLE.search('<td style="width: 1mm">') and INLINE_STYLE.search("<style>")
    assert INLINE_HANDLER.search('<select onchange="this.form.submit()">')
    assert not INLINE_HANDLER.search('<select data-submit-on-change id="one">')


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_inline_script_or_style(path):
    text = path.read_text(encoding="utf-8")
    found = [
        f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}: {match.group(0)}"
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER)
        for match in pattern.finditer(text)
    ]
    assert found == []
