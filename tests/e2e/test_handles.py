"""Bars and the step line as handles in Chromium: dragged with the mouse, moved with the keys."""

from __future__ import annotations

import math

import numpy as np
import pytest

from harness.page import on_screen, panel, settled_pixels, wait_for_change, wait_for_link
from harness.server import running, start_app
from softmax_explorer import Explorer
from softmax_explorer.figures import Dashboard
from softmax_explorer.results import compute
from softmax_explorer.state import State

pytestmark = pytest.mark.browser


PANELS = Dashboard(compute(State())).panels  # laid out as the served figures are
CONTROLS = Explorer().controls
THETA_STEP, H_STEP = CONTROLS.thetas[0].step, CONTROLS["h"].step  # log10 units for h


def _screen(page, name: str, x: float, y: float) -> tuple[float, float]:
    return on_screen(page, PANELS, name, x, y)


def _drag(page, name: str, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*_screen(page, name, *start))
    page.mouse.down()
    page.mouse.move(*_screen(page, name, *end), steps=8)
    page.mouse.up()


def _g(state: State) -> np.ndarray:
    return compute(state).g


def test_a_student_drags_a_bar_and_the_step_line_and_uses_the_keys(tmp_path, open_page):
    with running(start_app(tmp_path)) as server:
        page, log = open_page(server.url)
        before = settled_pixels(page, "bars")
        _drag(page, "bars", (2, 0.7), (2, 0.3))  # bar 3, from g3 = 0.728 down to 0.3
        dragged = wait_for_link(page, lambda s: abs(_g(s)[2] - 0.3) < 0.01)
        assert dragged.theta[:2] == State().theta[:2]
        assert dragged.theta[3] == State().theta[3]
        wait_for_change(page, "bars", before)
        # the keys move the bar that was dragged, by one step of its slider
        panel(page, "bars").focus()
        page.keyboard.press("ArrowUp")
        up = wait_for_link(page, lambda s: s.theta[2] != dragged.theta[2])
        assert up.theta[2] == pytest.approx(dragged.theta[2] + THETA_STEP)
        page.keyboard.press("ArrowLeft")  # bar 2
        page.keyboard.press("ArrowDown")
        down = wait_for_link(page, lambda s: s.theta[1] != up.theta[1])
        assert down.theta[1] == pytest.approx(up.theta[1] - THETA_STEP)
        # the dashed step line, dragged from h = 1e-6 to 1e-3
        _drag(page, "steps", (1e-6, 1e-8), (1e-3, 1e-8))
        moved = wait_for_link(page, lambda s: abs(math.log10(s.h) + 3) < 0.1)
        panel(page, "steps").focus()
        page.keyboard.press("ArrowLeft")
        smaller = wait_for_link(page, lambda s: s.h < moved.h)
        assert math.log10(moved.h / smaller.h) == pytest.approx(H_STEP)
        assert log.console_errors == []
        assert log.page_errors == []
        assert "Traceback" not in server.log_text()
