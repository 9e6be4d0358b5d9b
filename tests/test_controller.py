"""The app's controller without widgets: coalescing, refusals, the results cache, the descent."""

import itertools
import subprocess
import sys

import numpy as np
import pytest

import softmax_explorer as se
from softmax_explorer.app.controller import LOSS_TRACE_MAX, QUIET, THETA_RANGE, Controller
from softmax_explorer.finite_diff import STEP_RANGE
from softmax_explorer.state import PRESETS, State

from .clock import ManualClock


@pytest.fixture
def loop():
    return ManualClock()


@pytest.fixture
def controller(loop):
    controller = Controller(clock=loop)
    shown = []
    controller.on_render(lambda results, hand_moving: shown.append((results, hand_moving)))
    controller.shown = shown
    return controller


def test_the_controller_imports_without_widgets_or_figures():
    code = (
        "import sys, softmax_explorer.app.controller;"
        "bad = [m for m in ('ipywidgets', 'matplotlib', 'anywidget') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_change_shows_one_state_now(controller):
    assert controller.change(temperature=0.5) == ""
    ((results, hand_moving),) = controller.shown
    assert results.state == State(temperature=0.5) == controller.state
    assert not hand_moving
    assert controller.renders == 1


def test_changes_from_the_browser_coalesce_into_one_render_of_the_last(controller, loop):
    controller.show(State())  # drawn at time 0: changes within QUIET of it wait
    for t in (0.2, 0.3, 0.4):
        theta = (t, *controller.base.theta[1:])
        controller.change(coalesce=True, theta=theta)
    assert len(controller.shown) == 1  # nothing drawn while the messages are still coming
    assert controller.base.theta[0] == 0.4
    loop.advance()
    (_, (results, hand_moving)) = controller.shown
    assert results.state.theta[0] == 0.4
    assert hand_moving
    assert loop.pending == 0


def test_the_first_change_after_a_quiet_frame_is_drawn_at_once(controller, loop):
    """A hand's first step is not held back; the steps right behind it are coalesced."""
    theta = controller.base.theta
    controller.change(coalesce=True, theta=(0.2, *theta[1:]))  # nothing drawn yet: at once
    assert [r.state.theta[0] for r, _ in controller.shown] == [0.2]
    assert controller.shown[-1][1]  # a hand moving: the formulas wait for the pause
    loop.advance(QUIET / 2)
    controller.change(coalesce=True, theta=(0.3, *theta[1:]))  # within QUIET: waits
    controller.change(coalesce=True, theta=(0.4, *theta[1:]))
    assert len(controller.shown) == 1
    loop.advance()
    assert [r.state.theta[0] for r, _ in controller.shown] == [0.2, 0.4]
    loop.advance(QUIET)
    controller.change(coalesce=True, theta=(0.5, *theta[1:]))
    assert [r.state.theta[0] for r, _ in controller.shown] == [0.2, 0.4, 0.5]
    assert loop.pending == 0


def test_a_refused_change_keeps_the_state_and_says_why(controller, monkeypatch):
    from softmax_explorer.app import controller as module

    refusals = []
    controller.on_refusal(refusals.append)
    assert "outside" in controller.change(temperature=1e9)  # the state refuses it
    assert controller.state == State()

    def refuse(state):
        raise ValueError("x*theta/temperature overflows float32 at index 0")

    monkeypatch.setattr(module, "compute", refuse)  # as the numerics refuse a state
    assert not controller.show(State(temperature=0.5))
    assert refusals == ["Not applied: x*theta/temperature overflows float32 at index 0"]
    assert controller.state == State()
    assert controller.shown == []


def test_results_are_computed_once_per_state(controller, monkeypatch):
    from softmax_explorer.app import controller as module

    computed = []
    compute = module.compute
    monkeypatch.setattr(module, "compute", lambda s: computed.append(s) or compute(s))
    for name in ("cold", "hot", "cold", "hot"):
        controller.show(PRESETS[name].state)
    assert computed == [PRESETS["cold"].state, PRESETS["hot"].state]
    assert controller.results() is controller.shown[-1][0]


def test_descent_lowers_the_loss_within_the_sliders_range(controller):
    assert controller.descend() is None  # no target
    controller.show(State(target=0, learning_rate=5.0))
    losses = [controller.descend() for _ in range(20)]
    assert all(b < a for a, b in itertools.pairwise(losses))
    assert controller.losses[1:] == losses
    theta = np.array(controller.state.theta)
    assert np.all((THETA_RANGE[0] <= theta) & (theta <= THETA_RANGE[1]))
    assert controller.losses[0] == pytest.approx(se.cross_entropy((1, 4, 3, 2), State().theta, 0))
    controller.losses = [1.0] * LOSS_TRACE_MAX
    controller.descend(3)  # three steps, one loss: the trace keeps its newest LOSS_TRACE_MAX
    assert len(controller.losses) == LOSS_TRACE_MAX
    assert controller.losses[-1] < losses[-1]
    controller.clear_losses()
    assert controller.losses == []


def test_resize_starts_a_new_descent_and_a_refused_n_says_why(controller):
    controller.losses = [1.0, 0.5]
    assert controller.resize(6) == ""
    assert controller.state == State().resized(6)
    assert controller.losses == []
    controller.losses = [1.0]
    assert controller.resize(40) == "n: 40 is not a whole number between 2 and 32"
    assert controller.resize("six").startswith("invalid literal for int()")
    assert controller.state == State().resized(6)
    assert controller.losses == [1.0]


def test_x_is_read_from_text_with_one_number_per_class(controller, loop):
    assert controller.set_x("1, 2") == (
        "x: 2 values, but n is 4: give one per class (or change n first)"
    )
    assert "x" in controller.set_x("1, two, 3, 4")
    assert controller.state == State()
    controller.show(State())
    assert controller.set_x("4, 3, 2, 1", coalesce=True) == ""
    assert len(controller.shown) == 1  # a hand typing: shown once the messages have run
    loop.advance()
    assert controller.state == State(x=(4.0, 3.0, 2.0, 1.0))


@pytest.mark.parametrize(("k", "p"), [(0, 0.5), (2, 0.05), (3, 0.9)])
def test_a_bar_dragged_to_a_probability_gets_it_through_its_theta(controller, loop, k, p):
    assert controller.drag_bar(k, to=p) == ""
    loop.advance()
    state = controller.state
    assert state.x == State().x
    assert [t for i, t in enumerate(state.theta) if i != k] == [
        t for i, t in enumerate(State().theta) if i != k
    ]
    assert se.softmax(state.x, state.theta)[k] == pytest.approx(p, rel=1e-12)


def test_a_dragged_bar_stays_in_the_sliders_range_and_a_nudge_adds(controller, loop):
    controller.drag_bar(1, to=0.999999)  # beyond theta_1 = 3 at x_1 = 4
    loop.advance()
    assert controller.state.theta[1] == THETA_RANGE[1]
    controller.drag_bar(0, by=-0.05)
    loop.advance()
    assert controller.state.theta[0] == pytest.approx(State().theta[0] - 0.05)
    assert controller.drag_bar(0, to=1.5).startswith("Not applied: ")
    assert controller.state.theta[0] == pytest.approx(State().theta[0] - 0.05)


def test_the_dragged_step_stays_in_the_step_range_and_a_nudge_is_in_decades(controller, loop):
    controller.drag_step(to=1e-3)
    loop.advance()
    assert controller.state.h == 1e-3
    controller.drag_step(by=0.25)
    loop.advance()
    assert controller.state.h == pytest.approx(1e-3 * 10**0.25)
    for to, edge in ((1e-30, STEP_RANGE[0]), (10.0, STEP_RANGE[1])):
        controller.drag_step(to=to)
        loop.advance()
        assert controller.state.h == edge
