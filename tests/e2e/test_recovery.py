"""What a class sees when a kernel or the zygote dies under open pages, in Chromium."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from harness.page import link_state, wait_for_dashboard, wait_for_link
from harness.server import fetch, parent_pid, running, start_app, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

#: Seconds within which a page says its kernel died: the server's check (1 s) and the message.
TOLD_WITHIN = 10


def _moved(page):
    """Press a key on the first theta slider; the state once the kernel has answered with it."""
    before = link_state(page)
    page.locator(".softmax-explorer-theta-1 .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    return wait_for_link(page, lambda s: s.theta[0] != before.theta[0])


def _kernel_id(page) -> str:
    """The id of the page's kernel, from the page's configuration."""
    return page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )


def _answers_quickly(url: str) -> None:
    """The server answers a static request within a fraction of a second."""
    started = time.monotonic()
    fetch(url + "voila/static/voila.js", timeout=5)
    assert time.monotonic() - started < 0.5


def test_a_dead_kernel_is_said_and_its_state_reopens_the_zygote_is_no_single_point(
    tmp_path, open_page
):
    with running(start_app(tmp_path)) as server:
        first, first_log = open_page(server.url + "?preset=cold")
        _moved(first)
        second, second_log = open_page(server.url + "?preset=hot")
        (oldest, _, _), _second = sorted(server.kernels(), key=lambda k: k[1])
        zygote = parent_pid(oldest)

        # the zygote dies under two open pages: both go on, and the next page gets a new zygote
        os.kill(zygote, signal.SIGKILL)
        _answers_quickly(server.url)
        _moved(first)
        _moved(second)
        third, _ = open_page(server.url)
        third.close()
        assert server.log_text().count(f"the zygote (pid {zygote}) ended (signal 9 (SIGKILL))") == 1

        # a page's kernel dies: that page says so, the other goes on, one click reopens its state
        state = link_state(first)
        os.kill(oldest, signal.SIGKILL)
        _answers_quickly(server.url)
        alert = first.locator(".softmax-explorer-lost[role=alert]")
        alert.wait_for(timeout=TOLD_WITHIN * 1000)
        assert "kernel has stopped" in alert.inner_text()
        assert first.evaluate("document.activeElement.className") == "softmax-explorer-reload"
        assert second.locator(".softmax-explorer-lost").count() == 0
        _moved(second)
        wait_until(
            lambda: f"kernel {_kernel_id(first)} ended (" in server.log_text(),
            10,
            "the log line naming the dead kernel",
        )
        assert "its zygote had ended before it" in server.log_text()  # its code is unknown
        assert oldest not in [pid for pid, _, _ in server.kernels()]  # not restarted
        first.keyboard.press("Enter")  # the focused button
        wait_for_dashboard(first)
        assert link_state(first) == state
        assert first.locator(".softmax-explorer-lost").count() == 0
        _moved(first)
        assert first_log.page_errors == second_log.page_errors == []


def test_a_pooled_kernel_that_dies_is_replaced(tmp_path):
    with running(start_app(tmp_path, "--preheat=1")) as server:
        (pooled, _, _), *others = wait_until(server.kernels, 60, "the pool's kernel")
        assert not others
        wait_until(lambda: "is filled" in server.log_text(), 60, "the pool filled")
        os.kill(pooled, signal.SIGKILL)
        wait_until(lambda: "the pool refills" in server.log_text(), 10, "the pool emptied")
        assert "ended (signal 9 (SIGKILL)); the pool refills" in server.log_text()
        replaced = wait_until(
            lambda: [pid for pid, _, _ in server.kernels() if pid != pooled], 60, "a new kernel"
        )
        wait_until(lambda: server.log_text().count("is filled") == 2, 60, "the pool refilled")
        page = fetch(server.url, timeout=60)
        assert "softmax-explorer" in page
        assert "page opened (pooled kernel" in server.log_text()
        assert [pid for pid, _, _ in server.kernels()] == replaced
