"""Predict, then reveal, in Chromium: a student's change held back, answered, then shown."""

from __future__ import annotations

import pytest

from harness.page import panel_pixels, settled_pixels, wait_for_change, wait_for_link
from harness.server import running, start_app
from softmax_explorer import Explorer
from softmax_explorer.state import State

pytestmark = pytest.mark.browser

QUESTION = ".softmax-explorer-predict-question"
END = State().theta[0] + 10 * Explorer().controls.thetas[0].step  # theta_1 after ten steps


def test_a_student_predicts_which_class_gains_then_sees_it(tmp_path, open_page):
    with running(start_app(tmp_path)) as server:
        page, log = open_page(server.url)
        page.locator(".softmax-explorer-predict-toggle input").check()
        page.locator(".softmax-explorer-predict-kind select").select_option(
            label="Which class gains most?"
        )
        before = settled_pixels(page, "bars")
        page.locator(".softmax-explorer-theta-1 .noUi-handle").focus()
        for _ in range(10):  # theta_1 up by ten steps of the slider
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "q => document.querySelector(q)?.innerText.includes('gains most')", arg=QUESTION
        )
        # the link follows the held change key by key: wait for the tenth
        moved = wait_for_link(page, lambda state: state.theta[0] == pytest.approx(END))
        # the question waits for an answer: the bars still show the old state
        page.wait_for_timeout(500)
        assert panel_pixels(page, "bars") == before
        choices = page.locator("button.softmax-explorer-predict-choice")
        assert choices.all_inner_texts() == ["class 1", "class 2", "class 3", "class 4"]
        choices.filter(has_text="class 1").click()
        verdict = page.locator(".softmax-explorer-predict-right")
        verdict.wait_for()
        assert verdict.inner_text().startswith("Right: class 1.")
        wait_for_change(page, "bars", before)
        revealed = settled_pixels(page, "bars")
        assert wait_for_link(page, lambda state: state == moved) == moved
        assert not page.locator(QUESTION).is_visible()
        # "Show" reveals the next change without an answer; the outline of the old bars goes
        # with the first change shown at once
        page.locator(".softmax-explorer-theta-1 .noUi-handle").focus()
        page.keyboard.press("ArrowLeft")
        page.locator(QUESTION).wait_for()
        page.locator("button.softmax-explorer-predict-show").click()
        page.locator(".softmax-explorer-predict-note").wait_for()
        shown = wait_for_change(page, "bars", revealed)
        page.locator(".softmax-explorer-predict-toggle input").uncheck()
        page.locator(".softmax-explorer-theta-1 .noUi-handle").focus()
        page.keyboard.press("ArrowLeft")
        wait_for_change(page, "bars", shown)
        assert log.console_errors == []
        assert log.page_errors == []
        assert "Traceback" not in server.log_text()
