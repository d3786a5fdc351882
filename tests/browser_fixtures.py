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


@pytest.fixture(scope="session")
def browser():
    if shutil.which(CHROMIUM) is None:
        pytest.skip("Chromium is not installed (./run.sh test installs it)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()
