"""Browser tests of the web chat: the whole stack with its web server, and Chromium.

Chromium is Debian's (/usr/bin/chromium, from scripts/system-deps.sh), driven by
Playwright for Python. The widget must be built first: `cd webchat && npm ci && npm run build`.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest

from scripts.stack import MODEL, Stack, free_port
from tests.web.helpers import DESKTOP
from webchat.server import DIST, make_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "web"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The model the stack serves; WEBCHAT_TEST_MODEL points the tests at another one while developing.
TEST_MODEL = Path(os.environ.get("WEBCHAT_TEST_MODEL", MODEL))


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory) -> Iterator[Stack]:
    """Action server, Rasa server and the demo pages' web server, on free ports."""
    if not TEST_MODEL.exists():
        pytest.fail(f"no trained model at {TEST_MODEL}: run `make train` (make test does)")
    if not (DIST / "webchat.js").is_file():
        pytest.fail("the chat widget is not built: run `cd webchat && npm ci && npm run build`")
    with Stack(model=TEST_MODEL, web_port=free_port(), api=True, log_dir=tmp_path_factory.mktemp("web-stack-logs")) as running:
        yield running


class ExtraSite:
    """The demo pages served by another web server, in this process, for one test."""

    def __init__(self, rasa_url: str) -> None:
        self.server = make_server("127.0.0.1", 0, rasa_url)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def extra_site() -> Iterator:
    """Starts extra web servers: extra_site(rasa_url) -> ExtraSite."""
    sites: List[ExtraSite] = []

    def start(rasa_url: str) -> ExtraSite:
        site = ExtraSite(rasa_url)
        sites.append(site)
        return site

    yield start
    for site in sites:
        site.close()


def chromium_browser() -> Iterator:
    """Debian's Chromium under Playwright's sync API, closed when the generator ends.

    While it is open, Playwright keeps an event loop running in this thread, so
    `asyncio.run` fails in any test that runs meanwhile: other folders use it with a
    module scope, never a session one (the web tests run last)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/system-deps.sh` (as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def browser():
    yield from chromium_browser()


class Watched:
    """A page plus what it did that it should not have: dialogs, script errors."""

    def __init__(self, page) -> None:
        self.page = page
        self.dialogs: List[str] = []
        self.errors: List[str] = []
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


@pytest.fixture
def open_page(browser) -> Iterator:
    """open_page(url, viewport=DESKTOP) -> Watched, each in a fresh browser context."""
    contexts = []

    def open_(url: str, viewport: Optional[Dict[str, int]] = None) -> Watched:
        context = browser.new_context(viewport=viewport or DESKTOP, device_scale_factor=1, locale="en-GB")
        context.set_default_timeout(20_000)
        contexts.append(context)
        watched = Watched(context.new_page())
        watched.page.goto(url)
        return watched

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
