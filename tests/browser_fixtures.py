"""A real browser for the panel and report tests: Playwright driving Debian's Chromium.

No browser is downloaded: Playwright launches ``/usr/bin/chromium`` (apt: chromium).
Import where used: ``from browser_fixtures import browser``. The flags keep Chromium
from reaching out to the network (a clinic may have none; CI has none).
"""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


_SHARED: dict = {}     # one Playwright and one Chromium for the whole test session


@pytest.fixture(scope="session")
def browser():
    # Every test module that imports this fixture gets its own session-scoped instance,
    # and Playwright's sync API refuses a second instance while the first is open ("Sync
    # API inside the asyncio loop"): so the instances share one browser, counted, and the
    # last one to finish closes it.
    if shutil.which(CHROMIUM) is None:
        pytest.skip("Chromium is not installed (./run.sh test installs it)")
    if not _SHARED:
        from playwright.sync_api import sync_playwright
        pw = sync_playwright().start()
        _SHARED.update(pw=pw, users=0, browser=pw.chromium.launch(
            executable_path=CHROMIUM, args=FLAGS, headless=True))
    _SHARED["users"] += 1
    try:
        yield _SHARED["browser"]
    finally:
        _SHARED["users"] -= 1
        if _SHARED["users"] == 0:
            _SHARED["browser"].close()
            _SHARED["pw"].stop()
            _SHARED.clear()
