"""Drive Debian's Chromium through Playwright against the live test server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the live server's database
# calls from the test body are still synchronous, so Django's async guard must stand down.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Every page a browser test loads is checked with axe-core (WCAG 2.1 AA) once it has loaded;
# the page reports back through a binding, so a test that moves on quickly is still checked.
AXE_ON_LOAD = """
window.addEventListener("load", async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    // Its CSSOM preload copies @import-ed stylesheets into inline <style> elements, which the
    // Content-Security-Policy blocks (and CspWatch would report); it serves one rule only.
    preload: false,
  });
  const serious = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  await window.reportAxe(location.pathname + location.search, serious.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + ": " + n.failureSummary),
  })));
});
"""


@pytest.fixture(autouse=True)
def _cookies_without_expiry(settings):
    """Keep cookies for the browser's session: the server's frozen clock may lie weeks behind the
    browser's, and Chromium drops a cookie whose Expires is already past by its own clock."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """Launch one headless Chromium for the session, or skip (fail on CI) without it."""
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class AxeWatch:
    """Check every page a browser context loads with axe-core; ``check()`` fails on findings."""

    def __init__(self, context) -> None:
        self.checked: list[str] = []
        self.violations: list[tuple[str, list[dict]]] = []
        context.expose_binding("reportAxe", self._report)
        context.add_init_script(path=str(AXE))
        context.add_init_script(script=AXE_ON_LOAD)

    def _report(self, _source, path: str, found: list[dict]) -> None:
        self.checked.append(path)
        if found:
            self.violations.append((path, found))

    def wait(self, page, count: int, timeout_ms: int = 10_000) -> None:
        """Wait until ``count`` pages have reported (the binding is served while we wait)."""
        for _ in range(timeout_ms // 50):
            if len(self.checked) >= count:
                return
            page.wait_for_timeout(50)
        raise AssertionError(f"axe-core did not report on {page.url}")

    def check(self, page) -> None:
        # Let the last page's check report back before the tab closes.
        page.wait_for_function("() => document.readyState === 'complete'")
        page.wait_for_timeout(300)
        assert self.checked, "axe-core never ran: is node_modules/axe-core installed (make setup)?"
        assert self.violations == [], "serious or critical accessibility violations:\n" + "\n".join(
            f"{path} {v['id']} ({v['impact']}): {v['help']} — {'; '.join(v['nodes'])}"
            for path, found in self.violations
            for v in found
        )


# Every page reports each Content-Security-Policy violation (a blocked inline script or style, an
# eval) through a binding; the console's "Refused to …" messages are caught beside it.
CSP_ON_VIOLATION = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCsp(location.pathname, event.effectiveDirective, event.blockedURI,
    `${event.sourceFile}:${event.lineNumber} ${event.sample}`);
});
"""
# What any test's browser contexts saw; _no_csp_violations fails the test on any.
csp_violations: list[str] = []


class CspWatch:
    """Record every Content-Security-Policy violation in a browser context's pages."""

    def __init__(self, context) -> None:
        context.expose_binding("reportCsp", self._report)
        context.add_init_script(script=CSP_ON_VIOLATION)
        context.on("console", self._console)

    def _report(self, _source, path: str, directive: str, blocked: str, where: str) -> None:
        csp_violations.append(f"{path}: {directive} blocked {blocked or 'inline'} at {where}")

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            csp_violations.append(f"console: {message.text}")


@pytest.fixture(autouse=True)
def _no_csp_violations() -> Iterator:
    """Fail a browser test whose pages broke the Content-Security-Policy."""
    csp_violations.clear()
    yield
    found, csp_violations[:] = list(csp_violations), []
    assert found == [], "Content-Security-Policy violations:\n" + "\n".join(found)


@pytest.fixture
def browser_page(chromium) -> Iterator:
    """Open a fresh tab of an English-language browser; screenshots go to test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    axe = AxeWatch(context)
    CspWatch(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    axe.check(page)
    context.close()
