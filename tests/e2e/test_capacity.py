"""The cap on live kernels, the pool behind a path prefix, a class arriving at once and the log,
on the real server."""

from __future__ import annotations

import urllib.error

import pytest

from harness.page import DASHBOARD_READY, bars_follow_a_key, link_state, share_link
from harness.server import fetch, running, start_app, wait_until
from softmax_explorer.state import PRESETS

pytestmark = pytest.mark.browser

FILLED = "Kernel pool of app.ipynb is filled with 2 kernel(s)"


def refusal(url: str) -> urllib.error.HTTPError:
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(url, timeout=30)
    return refused.value


def test_a_full_class_is_told_so_and_the_open_pages_keep_working(tmp_path, browser, open_page):
    server = start_app(tmp_path, "--base_url=/softmax/", "--preheat=2", "--max-kernels=2")
    url = f"{server.url}softmax/"
    with running(server):
        wait_until(lambda: FILLED in server.log_text(), 120, "the pool of 2 filling")
        # both pooled kernels get their page's query string behind the prefix (Voila issue 1140)
        first, log = open_page(f"{url}?preset=overflow")
        assert link_state(first) == PRESETS["overflow"].state
        assert share_link(first).startswith(f"{url}?")  # the prefix kept
        second, _ = open_page(url)
        held = {pid for pid, _, _ in server.kernels()}
        assert len(held) == 2

        refused = refusal(url)
        assert refused.code == 503
        assert refused.headers["Retry-After"] == "30"
        assert "All 2 places on this server are taken" in refused.read().decode()
        visitor = browser.new_context().new_page()
        requests = []
        visitor.on("request", lambda r: requests.append(r.url))
        response = visitor.goto(url)
        assert response.status == 503
        assert visitor.get_by_role("heading").inner_text() == "The class is full"
        assert requests == [url]  # nothing else fetched, from any host
        visitor.context.close()
        assert {pid for pid, _, _ in server.kernels()} == held  # no kernel started for them

        # the open pages keep working
        bars_follow_a_key(first)
        assert log.console_errors == []
        assert log.page_errors == []

        # a page closed frees its place: the pool refills it, and the next visitor is served
        second.goto("about:blank")  # unloading the page shuts its kernel down
        wait_until(lambda: FILLED in server.log_text().split(FILLED, 1)[1], 120, "a refill")
        open_page(url)  # served
        assert len(server.kernels()) == 2
        text = server.log_text()

    assert text.count("softmax-explorer: page opened (pooled kernel") == 3
    assert text.count("softmax-explorer: page refused, the class is full (2 of 2") == 2
    # nothing a user cannot act on, and no second line per refusal
    quiet = ("not trusted", "without encryption", "websocket_ping", "503 GET", "Traceback")
    per_page = ("Connecting to kernel", "Using pre-heated", "Adapting from protocol", "buffering")
    for noise in quiet + per_page:
        assert noise not in text


ARRIVING = 16  # pages opened at once, each on a kernel started for it


def test_a_class_arriving_at_once_on_new_kernels_sees_every_dashboard(tmp_path, browser):
    """Their kernels, forked together, send the dashboard's widgets together: none may be lost."""
    with running(start_app(tmp_path)) as server:
        contexts = [browser.new_context() for _ in range(ARRIVING)]
        try:
            pages = [context.new_page() for context in contexts]
            for page in pages:
                page.goto(server.url, wait_until="commit")
            for page in pages:
                page.wait_for_function(DASHBOARD_READY, timeout=240_000)
            assert len(server.kernels()) == ARRIVING
        finally:
            for context in contexts:
                context.close()
        assert "Timeout waiting for IOPub output" not in server.log_text()
