"""End-to-end fixtures: Debian's headless Chromium driven by Playwright against live_server.

The tests skip only when no Chromium binary exists and CI is unset; in CI a
missing browser fails the run. Screenshots for the README are written only
with CMS_SCREENSHOTS=1, so a normal run leaves the tree clean.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would refuse
# ORM calls from the test body without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
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
VIEWPORTS = {
    "phone": {"width": 375, "height": 812},
    "desktop": {"width": 1280, "height": 800},
}
# The workspace's sizes: a desk screen and a tablet. Its test modules override the
# `viewport` fixture with params=WORKSPACE_VIEWPORTS.
SIZES = {**VIEWPORTS, "tablet": {"width": 768, "height": 1024}}
WORKSPACE_VIEWPORTS = ["desktop", "tablet"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _chromium_path() -> str | None:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium():
    path = _chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but no Chromium at {CHROMIUM}: apt-get install chromium")
        pytest.skip(f"no Chromium binary at {CHROMIUM} (apt-get install chromium to run these)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def page(chromium, live_server, viewport, settings):
    """A fresh browser context (no cookies) at the viewport, pointed at live_server."""
    settings.SMS_BACKEND = "clinic.notifications.backends.sms_locmem.LocmemSmsBackend"
    from django.core.cache import cache

    from clinic.notifications.backends import sms_locmem

    cache.clear()
    sms_locmem.outbox.clear()
    context = chromium.new_context(
        viewport=SIZES[viewport],
        base_url=live_server.url,
        accept_downloads=True,
        is_mobile=viewport == "phone",
        has_touch=viewport in ("phone", "tablet"),
    )
    context.set_default_timeout(10_000)
    # Anything that tries to leave the machine is a bug: block it loudly.
    context.route(
        lambda url: not url.startswith(live_server.url) and not url.startswith("blob:"),
        lambda route: route.abort(),
    )
    page = context.new_page()
    page.viewport_name = viewport
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, name): save docs/screenshots/<name>.png when CMS_SCREENSHOTS=1."""

    def take(page, name: str) -> None:
        if os.environ.get("CMS_SCREENSHOTS") != "1":
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / f"{name}.png"), full_page=True, animations="disabled"
        )

    return take
