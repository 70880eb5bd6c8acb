"""Browser test fixtures: a live ``nelmkg serve`` on 127.0.0.1 and headless Debian Chromium.

Chromium is ``/usr/bin/chromium`` (Debian packages ``chromium``/``chromium-driver``, installed
by ``.ci/run``), driven by Playwright's Python package; Playwright's own browser download is
never used. Every request the page makes is recorded, and a test fails if any goes to a host
other than the server (the pages must work offline). Screenshots go to
``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from nelmkg.testing import live

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def base_url(tmp_path_factory):
    """``nelmkg serve`` (gunicorn, 1 worker) on a free local port; its base URL."""
    port = live.free_port()
    log = tmp_path_factory.mktemp("browser") / "server.log"
    with live.running(live.serve_command(port, 1), port, log=log) as server:
        yield server.base


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian packages chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, base_url, request):
    """A fresh page; fails the test if it requested anything but the server, or had JS errors."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.on("pageerror", lambda e: errors.append(str(e)))
    yield tab
    SHOTS.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(Exception):
        tab.screenshot(path=str(SHOTS / f"{request.node.name}.png"))
    context.close()
    own = urlsplit(base_url).netloc
    elsewhere = [
        u for u in requests if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != own
    ]
    assert elsewhere == [], f"requests left the server: {elsewhere}"
    assert errors == [], f"JavaScript errors: {errors}"
