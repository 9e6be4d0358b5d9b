"""Predict, then reveal, in the Explorer panel: a change held until answered, then animated."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest

from softmax_explorer import Explorer
from softmax_explorer.app.predict import FRAME_DELAY, FRAMES
from softmax_explorer.state import State
from softmax_explorer.teaching.questions import QUESTIONS

from . import reference as ref
from .clock import ManualClock
from .test_app import bar_heights, count_updates, from_browser

SEED_G = ref.to_float(ref.softmax(State().x, State().theta))
RAISED = (0.3, 0.1, 1.5, 0.5)  # theta_3 moved from 0.9 up to 1.5


@pytest.fixture
def explorer():
    panel = Explorer()
    panel.predict.view.on.value = True
    return panel


def choices(explorer) -> list[str]:
    return [button.description for button in explorer.predict.view.choices.children]


def click(explorer, answer: str) -> None:
    explorer.predict.view.choices.children[choices(explorer).index(answer)].click()


def text(widget) -> str:
    """What an HTML widget reads as: its text without the tags."""
    return html.unescape(re.sub("<[^>]+>", "", widget.value))


def verdict(explorer) -> str:
    return text(explorer.predict.view.verdict)


def ask_for(explorer, kind: str) -> None:
    explorer.predict.view.kind.value = kind


def test_a_change_is_held_while_the_question_is_asked(explorer):
    ask_for(explorer, "gains_most")
    formulas = explorer.formula.widget.value
    from_browser(explorer.controls.thetas[2], 1.5)
    np.testing.assert_allclose(bar_heights(explorer), SEED_G, rtol=1e-15)  # still the old bars
    assert explorer.formula.widget.value == formulas
    assert explorer.state.theta == RAISED  # the slider where the hand left it
    assert "theta=0.3,0.1,1.5,0.5" in explorer.link.widget.value
    assert text(explorer.predict.view.question) == "Predict: Which class's probability gains most?"
    assert choices(explorer) == ["class 1", "class 2", "class 3", "class 4"]
    assert explorer.predict.view.asking.layout.display == "flex"


def test_a_right_answer_is_marked_and_the_bars_move_with_the_old_ones_outlined(explorer):
    ask_for(explorer, "gains_most")
    from_browser(explorer.controls.thetas[2], 1.5)
    frames = count_updates(explorer)
    click(explorer, "class 3")
    new_g = ref.to_float(ref.softmax(State().x, RAISED))
    assert verdict(explorer).startswith("Right: class 3.")
    assert "softmax-explorer-predict-right" in explorer.predict.view.verdict.value
    assert f"from 0.728 to {new_g[2]:.3f}" in verdict(explorer)
    np.testing.assert_allclose(bar_heights(explorer), new_g, rtol=1e-14)
    np.testing.assert_allclose(explorer.dashboard.panels["bars"].before_heights, SEED_G)
    # the frames go from the old theta_3 to the new one, then the new state itself
    assert len(frames) == FRAMES
    assert frames[-1].theta == RAISED
    thetas = [state.theta[2] for state in frames]
    assert thetas == sorted(thetas)
    assert 0.9 < thetas[0] < thetas[-2] < 1.5
    assert explorer.predict.view.asking.layout.display == "none"


def test_a_wrong_answer_is_marked_with_the_right_one(explorer):
    ask_for(explorer, "top_class")
    from_browser(explorer.controls.thetas[0], 3.0)
    click(explorer, "class 1")  # z_1 = 1 * 3.0 passes z_3 = 3 * 0.9
    g = ref.to_float(ref.softmax(State().x, (3.0, 0.1, 0.9, 0.5)))
    assert int(np.argmax(g)) == 0
    assert verdict(explorer).startswith("Right: class 1.")
    ask_for(explorer, "sharper")
    from_browser(explorer.controls["temperature"], 0.5)
    click(explorer, "flatter")
    assert verdict(explorer).startswith("Not quite: sharper.")
    assert "softmax-explorer-predict-wrong" in explorer.predict.view.verdict.value


def test_further_changes_while_held_are_judged_at_their_latest(explorer):
    ask_for(explorer, "own_probability")
    from_browser(explorer.controls.thetas[2], 1.5)
    from_browser(explorer.controls.thetas[2], 0.2)  # then down, below 0.9
    np.testing.assert_allclose(bar_heights(explorer), SEED_G, rtol=1e-15)
    click(explorer, "down")
    assert verdict(explorer).startswith("Right: down.")
    assert explorer.state.theta[2] == 0.2


def test_show_reveals_without_marking(explorer):
    ask_for(explorer, "gains_most")
    from_browser(explorer.controls.thetas[2], 1.5)
    explorer.predict.view.show.click()
    assert verdict(explorer).startswith("The answer: class 3.")
    assert "softmax-explorer-predict-note" in explorer.predict.view.verdict.value
    assert explorer.dashboard.results.state == explorer.state


def test_with_predict_off_changes_show_at_once_and_the_outline_goes(explorer):
    from_browser(explorer.controls.thetas[2], 1.5)
    explorer.predict.view.show.click()
    assert explorer.dashboard.panels["bars"].before_heights is not None
    explorer.predict.view.on.value = False
    from_browser(explorer.controls.thetas[2], 1.0)
    assert explorer.dashboard.results.state == explorer.state
    assert explorer.dashboard.panels["bars"].before_heights is None
    assert explorer.predict.question is None


def test_turning_predict_off_while_held_reveals(explorer):
    from_browser(explorer.controls.thetas[2], 1.5)
    assert explorer.predict.question is not None
    explorer.predict.view.on.value = False
    assert explorer.dashboard.results.state == explorer.state
    assert verdict(explorer).startswith("The answer:")


def test_any_question_takes_turns_among_those_about_the_change(explorer):
    asked = set()
    for value in (1.2, 1.5, 1.8, 2.1, 2.4, 2.7):
        from_browser(explorer.controls["temperature"], value)
        asked.add(explorer.predict.question.kind)
        assert "temperature" in QUESTIONS[explorer.predict.question.kind].about
        explorer.predict.view.show.click()
    assert len(asked) >= 3
    from_browser(explorer.controls["h"], 1e-3)
    assert explorer.predict.question.kind in ("error", "best_scheme")


def test_a_chosen_question_without_an_answer_says_so_and_shows_at_once(explorer):
    ask_for(explorer, "loss")  # no target class: no loss
    from_browser(explorer.controls.thetas[2], 1.5)
    assert explorer.predict.question is None
    assert explorer.dashboard.results.state == explorer.state
    assert "has no single answer" in verdict(explorer)


def test_reset_presets_links_and_a_new_n_are_never_held(explorer):
    from_browser(explorer.controls.thetas[2], 1.5)
    assert explorer.predict.question is not None
    explorer.controls["reset_button"].click()
    assert explorer.predict.question is None
    assert explorer.dashboard.results.state == State()
    explorer.apply_query("temperature=2")
    assert explorer.dashboard.results.state == State(temperature=2.0)
    from_browser(explorer.controls["n"], 5)  # no question compares 4 classes with 5
    assert explorer.dashboard.results.state.n == 5
    assert explorer.predict.question is None


def test_a_new_n_while_a_change_is_held_is_shown_at_once(explorer):
    from_browser(explorer.controls.thetas[2], 1.5)
    assert explorer.predict.question is not None
    from_browser(explorer.controls["n"], 5)
    assert explorer.dashboard.results.state == explorer.state
    assert explorer.state.n == 5
    assert explorer.predict.question is None
    assert "no single answer" in verdict(explorer)


def test_a_lesson_step_asks_its_question_about_its_next_change_only():
    panel = Explorer(lesson="seed")
    assert panel.lesson.step(1).predict == "gains_most"
    from_browser(panel.controls.thetas[0], 0.8)
    assert panel.predict.question.kind == "gains_most"
    click(panel, "class 1")
    assert verdict(panel).startswith("Right: class 1.")
    from_browser(panel.controls.thetas[0], 1.0)
    assert panel.predict.question is None  # the checkbox is off: only the step's question
    panel.show_step(8)
    panel.controls["scheme"].set_state({"index": 2})  # a browser sends a dropdown's index
    assert panel.state.scheme == "central"
    assert panel.predict.question.kind == "best_step"
    click(panel, "1e-06")  # central in float64: eps ** (1/3) = 6e-6
    assert verdict(panel).startswith("Right: 1e-06.")


def test_values_a_browser_should_not_send_are_refused(explorer):
    explorer.predict.view.kind.set_state({"index": 99})
    assert explorer.predict.view.kind.value == ""
    assert "Ignored a value for ask" in explorer.status.widget.value
    from_browser(explorer.predict.view.on, "yes")
    assert explorer.predict.view.on.value is True
    assert "Ignored a value" in explorer.status.widget.value
    explorer.predict.answer(7)  # no question is waiting: nothing happens
    assert explorer.dashboard.results.state == explorer.state


def test_the_animation_runs_on_the_clock_and_a_new_change_ends_it():
    clock = ManualClock()
    panel = Explorer(clock=clock)
    panel.predict.view.on.value = True
    frames = count_updates(panel)
    from_browser(panel.controls.thetas[2], 1.5)
    clock.advance()  # the coalesced change is rendered: held
    click(panel, "class 3") if panel.predict.question.kind == "gains_most" else (
        panel.predict.view.show.click()
    )
    shown_at_once = len(frames)
    clock.advance(FRAMES * FRAME_DELAY)
    whole = list(frames)
    panel.predict.view.show.click()  # nothing held: nothing happens
    # a second reveal, interrupted by a change with predict off
    from_browser(panel.controls.thetas[2], 0.5)
    clock.advance()
    panel.predict.view.show.click()
    panel.predict.view.on.value = False
    from_browser(panel.controls.thetas[2], 2.0)
    clock.advance(FRAMES * FRAME_DELAY)
    frames = list(frames)
    assert clock.pending == 0  # every frame has run or was dropped

    assert shown_at_once == 1  # one frame now, the others later on the clock
    assert len(whole) == FRAMES
    assert whole[-1].theta == RAISED
    assert frames[-1].theta == (0.3, 0.1, 2.0, 0.5)  # the latest change, not the old animation's
    assert panel.dashboard.results.state == panel.state
    assert len(frames) < len(whole) + FRAMES + 1
