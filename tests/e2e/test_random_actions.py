"""200 random UI actions in the served page: no console error, no kernel exception, still alive."""

from __future__ import annotations

import random

import pytest

from harness.page import act, link_state, settled_pixels, wait_for_link
from harness.server import start_app
from softmax_explorer.state import State

pytestmark = pytest.mark.browser

ACTIONS = 200


def test_two_hundred_random_actions(tmp_path, open_page):
    server = start_app(tmp_path)
    try:
        page, log = open_page(server.url)
        rng = random.Random(20261129)
        done = [act(page, rng) for _ in range(ACTIONS)]
        assert len(done) == ACTIONS
        settled_pixels(page, "bars")
        # still alive: one more slider step is drawn and reported
        state = link_state(page)
        page.locator(".softmax-explorer-theta-1 .noUi-handle").focus()
        page.keyboard.press("ArrowLeft" if state.theta[0] > -2.9 else "ArrowRight")
        wait_for_link(page, lambda s: s.theta[0] != state.theta[0])
        assert isinstance(link_state(page), State)
        assert log.console_errors == []
        assert log.page_errors == []
        assert "Traceback" not in page.locator(".softmax-explorer").inner_text()
    finally:
        server.stop()
    server_log = server.log_text()
    assert "Traceback" not in server_log
    assert "callback" not in server_log
