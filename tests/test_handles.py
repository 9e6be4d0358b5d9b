"""Bars and the step line as handles: drags and arrow keys, as the browser sends them."""

from __future__ import annotations

import math

import ipywidgets as W
import numpy as np
import pytest

from softmax_explorer import Explorer
from softmax_explorer.app.controller import THETA_RANGE
from softmax_explorer.app.safe import ECHO_WAIT, SliderEchoes, from_browser
from softmax_explorer.figures.handles import P_RANGE
from softmax_explorer.finite_diff import STEP_RANGE
from softmax_explorer.model import Model, theta_for_probability
from softmax_explorer.state import State

from . import reference as ref
from .test_app import bar_heights

SEED = State()


@pytest.fixture
def explorer():
    return Explorer()


def pixels(explorer, name: str, x: float, y: float) -> tuple[float, float]:
    """Where data point (x, y) of panel ``name`` is, in pixels from the canvas's top left."""
    ax = explorer.dashboard.panels[name].ax
    px, py = ax.transData.transform((x, y))
    return float(px), float(explorer.dashboard.figures[name].bbox.height - py)


def send(explorer, name: str, kind: str, data_x: float, data_y: float, **extra) -> None:
    """A pointer message, as panel_canvas.js sends it, at data point (data_x, data_y)."""
    px, py = pixels(explorer, name, data_x, data_y)
    message = {"event": kind, "x": px, "y": py, "button": 1, **extra}
    explorer.dashboard.canvases[name]._handle_custom_msg(message, [])


def key(explorer, name: str, which: str) -> None:
    explorer.dashboard.canvases[name]._handle_custom_msg({"event": "key_press", "key": which}, [])


def pixel_in_probability(explorer) -> float:
    ax = explorer.dashboard.panels["bars"].ax
    return 1 / ax.bbox.height  # the y axis runs from 0 to 1


# --- the numerics: theta_k for a probability ------------------------------------------------


@pytest.mark.parametrize("p", [1e-12, 0.01, 0.3, 0.5, 0.97, 1 - 1e-9])
@pytest.mark.parametrize("k", [0, 2])
def test_theta_for_probability_gives_that_probability(k, p):
    x, theta, t = (1.0, 4.0, 3.0, 2.0), (0.3, 0.1, 0.9, 0.5), 0.7
    solved = theta_for_probability(Model.at(np.array(x), np.array(theta), t), k, p)
    moved = list(theta)
    moved[k] = solved
    g = ref.softmax(x, moved, t)  # 60 digits
    assert float(g[k]) == pytest.approx(p, rel=1e-12)
    assert [float(v) for v in moved[:k] + moved[k + 1 :]] == [
        v for i, v in enumerate(theta) if i != k
    ]


def test_theta_for_probability_refuses_what_cannot_be():
    model = Model.at(np.array([1.0, 4.0, 0.0]), np.array([0.3, 0.1, 0.9]))
    for k, p, message in [(2, 0.5, "x3 is 0"), (0, 0.0, "strictly between"),
                          (0, math.nan, "strictly between"), (3, 0.5, "class 3 does not exist"),
                          (True, 0.5, "does not exist")]:  # fmt: skip
        with pytest.raises(ValueError, match=message):
            theta_for_probability(model, k, p)


# --- the bars -------------------------------------------------------------------------------


def test_dragging_a_bar_sets_its_probability_through_theta(explorer):
    send(explorer, "bars", "button_press", 2, 0.5)
    assert explorer.state.theta[:2] == SEED.theta[:2]
    assert explorer.state.theta[3] == SEED.theta[3]
    assert bar_heights(explorer)[2] == pytest.approx(0.5, abs=pixel_in_probability(explorer))
    send(explorer, "bars", "motion_notify", 2, 0.2)
    assert bar_heights(explorer)[2] == pytest.approx(0.2, abs=pixel_in_probability(explorer))
    np.testing.assert_allclose(
        bar_heights(explorer), ref.to_float(ref.softmax(SEED.x, explorer.state.theta)), rtol=1e-14
    )
    send(explorer, "bars", "button_release", 2, 0.2)
    send(explorer, "bars", "motion_notify", 2, 0.9)  # released: the pointer moves freely
    assert bar_heights(explorer)[2] == pytest.approx(0.2, abs=pixel_in_probability(explorer))
    assert explorer.dashboard.handles.selected == 2
    assert explorer.dashboard.panels["bars"].selected.get_visible()


def test_a_drag_past_the_slider_range_stops_at_its_end(explorer):
    send(explorer, "bars", "button_press", 0, 0.3)
    send(explorer, "bars", "motion_notify", 0, 1.1)  # above the axes: p clamps to P_RANGE
    assert P_RANGE[1] == 0.999
    assert explorer.state.theta[0] == THETA_RANGE[1]  # g1 = 0.999 needs theta1 = 9.8
    assert explorer.status.widget.value == ""


def test_a_press_beside_the_bars_or_with_another_button_moves_nothing(explorer):
    send(explorer, "bars", "button_press", 1.5, 0.5)  # between bars 2 and 3
    send(explorer, "bars", "motion_notify", 1.5, 0.9)
    send(explorer, "bars", "button_press", 2, 0.5, button=3)
    assert explorer.state == SEED
    assert explorer.dashboard.handles.selected is None


def test_a_bar_of_x_zero_says_why_it_cannot_move():
    panel = Explorer(state=State(x=(1, 0, 3, 2)))
    send(panel, "bars", "button_press", 1, 0.5)
    assert "x2 is 0: theta2 does not change the probabilities" in panel.status.widget.value
    assert panel.state == State(x=(1, 0, 3, 2))


def test_the_arrow_keys_choose_a_bar_and_move_its_theta_by_a_slider_step(explorer):
    step = explorer.controls.thetas[0].step
    key(explorer, "bars", "up")  # the first bar until another is chosen
    assert explorer.state.theta[0] == pytest.approx(SEED.theta[0] + step)
    key(explorer, "bars", "left")  # wraps round to the last bar
    key(explorer, "bars", "down")
    key(explorer, "bars", "down")
    assert explorer.state.theta[3] == pytest.approx(SEED.theta[3] - 2 * step)
    assert explorer.dashboard.handles.selected == 3
    assert explorer.dashboard.panels["bars"].selected.get_xdata()[0] == 3
    np.testing.assert_allclose(
        bar_heights(explorer), ref.to_float(ref.softmax(SEED.x, explorer.state.theta)), rtol=1e-14
    )
    for bad in ("pageup", "a", None, 3):
        explorer.dashboard.canvases["bars"]._handle_custom_msg(
            {"event": "key_press", "key": bad}, []
        )
    assert explorer.state.theta[3] == pytest.approx(SEED.theta[3] - 2 * step)


@pytest.mark.parametrize(
    "changes", [{"x": "12"}, {"y": math.inf}, {"x": -5}, {"event": "drag"}, {"y": None}]
)
def test_malformed_drags_change_nothing(explorer, changes):
    send(explorer, "bars", "button_press", 2, 0.5, **changes)
    send(explorer, "bars", "motion_notify", 2, 0.2, **changes)
    assert explorer.state == SEED


def test_with_predict_on_a_drag_waits_for_the_answer(explorer):
    explorer.predict.view.on.value = True
    send(explorer, "bars", "button_press", 2, 0.5)
    send(explorer, "bars", "motion_notify", 2, 0.3)
    assert explorer.predict.question is not None
    np.testing.assert_allclose(bar_heights(explorer), ref.to_float(ref.softmax(SEED.x, SEED.theta)))
    explorer.predict.view.show.click()
    assert bar_heights(explorer)[2] == pytest.approx(0.3, abs=pixel_in_probability(explorer))


# --- the step line --------------------------------------------------------------------------


def test_dragging_the_step_line_sets_h(explorer):
    send(explorer, "steps", "button_press", 1e-3, 1e-5)
    assert explorer.state.h == pytest.approx(1e-3, rel=0.15)  # a pixel is 13% on the log axis
    send(explorer, "steps", "motion_notify", 1e-9, 1e-2)
    assert explorer.state.h == pytest.approx(1e-9, rel=0.15)
    line = explorer.dashboard.panels["steps"].step_line
    assert line.get_xdata()[0] == explorer.state.h
    send(explorer, "steps", "motion_notify", 0.3, 1e-2)  # past the axis: h stops at its end
    assert explorer.state.h == pytest.approx(STEP_RANGE[1])
    send(explorer, "steps", "button_release", 0.3, 1e-2)


def test_left_and_right_move_the_step_by_one_slider_step(explorer):
    slider = explorer.controls["h"]
    key(explorer, "steps", "right")
    assert explorer.state.h == pytest.approx(SEED.h * slider.base**slider.step)
    key(explorer, "steps", "left")
    key(explorer, "steps", "left")
    assert explorer.state.h == pytest.approx(SEED.h * slider.base ** (-slider.step))
    key(explorer, "steps", "up")  # not a step key
    assert explorer.state.h == pytest.approx(SEED.h * slider.base ** (-slider.step))
    assert slider.value == pytest.approx(explorer.state.h)


# --- what the sliders send back while a handle moves ----------------------------------------


def snapped(slider, value: float) -> float:
    """``value`` on the browser slider's grid, as its noUiSlider reports it (off by a few ulp)."""
    if hasattr(slider, "base"):
        exponent = math.log(value, slider.base)
        steps = round((exponent - slider.min) / slider.step)
        return slider.base ** (slider.min + steps * slider.step) * (1 + 4e-16)
    steps = round((value - slider.min) / slider.step)
    return slider.min + steps * slider.step * (1 + 4e-16)


def set_by_kernel(slider) -> list[float]:
    """The values the kernel sets on ``slider`` from now on, in order."""
    values = []
    slider.observe(lambda c: None if from_browser(c) else values.append(c["new"]), "value")
    return values


@pytest.mark.parametrize(
    ("panel", "slider", "path"),
    [
        ("bars", lambda c: c.thetas[2], [(2, p) for p in (0.7, 0.62, 0.55, 0.47, 0.4, 0.33)]),
        ("steps", lambda c: c["h"], [(h, 1e-8) for h in (1e-6, 3e-6, 1e-5, 4e-5, 2e-4, 1e-3)]),
    ],
)
def test_late_echoes_of_a_drag_leave_the_dragged_state(explorer, panel, slider, path):
    """The browser answers every value the kernel set during a drag, after the drag ended."""
    slider = slider(explorer.controls)
    kernel_set = set_by_kernel(slider)
    send(explorer, panel, "button_press", *path[0])
    for point in path[1:]:
        send(explorer, panel, "motion_notify", *point)
    send(explorer, panel, "button_release", *path[-1])
    dragged = explorer.state
    assert len(kernel_set) == len(path)
    for value in kernel_set:  # each snapped to the grid, most more than half a step from the end
        slider.set_state({"value": snapped(slider, value)})
    assert explorer.state == dragged
    # a hand then moves the slider one step from where it stands, and back
    for hand in (1, -1):
        stands = slider.value
        if hasattr(slider, "base"):
            slider.set_state({"value": stands * slider.base ** (hand * slider.step)})
        else:
            slider.set_state({"value": stands + hand * slider.step})
        assert explorer.state != dragged
        assert explorer.state.replace(theta=dragged.theta, h=dragged.h) == dragged


@pytest.mark.parametrize(
    ("kernel", "waited", "browser", "echo"),
    [
        ((0.25, 0.3), 0.0, 0.25, True),  # at once: a late echo of 0.25, as a drag's are
        ((0.25, 0.31), ECHO_WAIT + 0.1, 0.3, True),  # the last value's echo, however late
        ((0.25, 0.3), ECHO_WAIT + 0.1, 0.25, False),  # a hand, a step from where it stands
    ],
)
def test_a_hand_that_lands_on_an_older_value_of_the_kernel_is_a_hand_after_the_wait(
    kernel, waited, browser, echo
):
    """Two presets set theta (0.25 on the grid has no echo); then the browser sends a value."""
    now = [0.0]
    slider = W.FloatSlider(value=0.5, min=-3.0, max=3.0, step=0.05)
    echoes = SliderEchoes(slider, clock=lambda: now[0])
    verdicts = []
    slider.observe(lambda change: verdicts.append(echoes.is_echo(change)), "value")
    for value in kernel:
        slider.value = value
    now[0] += waited
    slider.set_state({"value": browser})
    assert verdicts[-1] is echo


def test_a_hand_can_go_back_to_a_value_the_kernel_set(explorer):
    """0.5 from the kernel has no echo (on the grid); the hand goes to 0.55 and back to 0.5."""
    slider = explorer.controls.thetas[0]
    explorer.apply_query("theta=0.5,0.1,0.9,0.5")
    slider.set_state({"value": 0.55})
    assert explorer.state.theta[0] == 0.55
    slider.set_state({"value": 0.5})
    assert explorer.state.theta[0] == 0.5
