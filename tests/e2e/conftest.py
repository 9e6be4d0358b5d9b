"""Browser tests: a real `softmax-explorer` server on a free loopback port, a real Chromium.

A missing browser fails the test under CI (``CI=true``) and skips it, with the reason, elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
sys.path.insert(0, str(ROOT / "tools"))
from ensure_chromium import CHROMIUM_ARGS, find_chromium  # noqa: E402

PAGE_TIMEOUT_MS = 90_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running `softmax-explorer` process."""

    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(tmp_path: Path, *options: str, timeout: float = 90) -> Server:
    """Start ``softmax-explorer --no-browser`` on a free port; return once it answers."""
    port = free_port()
    log = tmp_path / f"server-{port}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "softmax_explorer", "--no-browser", f"--port={port}", *options],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
        start_new_session=True,
    )
    server = Server(f"http://127.0.0.1:{port}/", process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"softmax-explorer exited early:\n{server.log_text()}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"softmax-explorer did not listen within {timeout}s:\n{server.log_text()}")


def fetch(url: str, timeout: float) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    """One server for a module's tests (each page load still gets its own kernel)."""
    srv = start_server(tmp_path_factory.mktemp("server"))
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        message = "no Chromium found (run `python tools/ensure_chromium.py`)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Chromium for one module: Playwright's sync API holds an event loop while it is open,
    which must not outlive the browser tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
    """``open_page(url)`` -> (page, log): a fresh context, loaded until the dashboard shows."""
    contexts = []

    def opener(url: str):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
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


def wait_for_dashboard(page) -> None:
    """Until the five plots are painted and the formula panel is filled."""
    page.wait_for_selector(".softmax-explorer")
    page.wait_for_function(  # five canvases, each painted (its corner opaque)
        "(() => { const c = [...document.querySelectorAll('.softmax-explorer-canvas canvas')];"
        " return c.length >= 5 && c.every((e) => e.width > 0 &&"
        " e.getContext('2d').getImageData(1, 1, 1, 1).data[3]); })()"
    )
    page.wait_for_function(
        "document.querySelector('.softmax-explorer').innerText.includes('gradcheck')"
    )
    page.wait_for_timeout(300)


def save_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
