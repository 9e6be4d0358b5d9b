"""Browser tests: a real `softmax-explorer` server on a free loopback port, a real Chromium.

A missing browser fails the test under CI (``CI=true``) and skips it, with the reason, elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness.chromium import CHROMIUM_ARGS, find_chromium
from harness.page import wait_for_dashboard
from harness.server import Server, running, start_app

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PAGE_TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    """One server for a module's tests (each page load still gets its own kernel)."""
    with running(start_app(tmp_path_factory.mktemp("server"))) as srv:
        yield srv


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        message = "no Chromium found (run `python -m harness.chromium`)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def playwright():
    """Playwright for one module: its sync API holds an event loop while it is open, which must
    not outlive the browser tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright, chromium_path):
    """Chromium for one module."""
    browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def devices(playwright) -> dict[str, dict]:
    """Playwright's device descriptors (viewport, scale, touch, user agent) for Chromium."""
    return {
        name: {k: v for k, v in device.items() if k != "default_browser_type"}
        for name, device in playwright.devices.items()
    }


@dataclass
class PageLog:
    """Console errors, page errors and every requested URL of one page."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        return [
            url
            for url in self.requests
            if not url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))
        ]


@pytest.fixture
def open_page(browser):
    """``open_page(url, viewport=(w, h))`` -> (page, log): a fresh context, loaded until the
    dashboard shows (1400 x 1000 unless told; ``device``: a `devices` descriptor instead)."""
    contexts = []

    def opener(url: str, viewport: tuple[int, int] = (1400, 1000), device: dict | None = None):
        options = device or {"viewport": {"width": viewport[0], "height": viewport[1]}}
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        log = PageLog()
        page.on(
            "console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None
        )
        page.on("pageerror", lambda e: log.page_errors.append(str(e)))
        page.on("request", lambda r: log.requests.append(r.url))
        page.goto(url)
        wait_for_dashboard(page)
        return page, log

    yield opener
    for context in contexts:
        context.close()


#: The height of the page's content: Voila's page scrolls inside its ``#rendered_cells``.
_CONTENT_HEIGHT = (
    "Math.max(document.documentElement.scrollHeight,"
    " document.getElementById('rendered_cells')?.scrollHeight ?? 0)"
)


def save_screenshot(page, name: str) -> Path:
    """The whole page as a PNG in test-artifacts/ (the viewport grown to its content's height)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": page.evaluate(_CONTENT_HEIGHT)})
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


@pytest.fixture(scope="module")
def blank_page(browser):
    """An empty page at device scale 1, and the errors it logs."""
    context = browser.new_context(device_scale_factor=1)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page, errors
    context.close()
