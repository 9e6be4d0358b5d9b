"""A lesson in the Explorer panel: Previous/Next, "step k of n", its text and links (no browser)."""

from __future__ import annotations

import html
import json

import numpy as np
import pytest

from softmax_explorer import Explorer
from softmax_explorer.state import PRESETS, State
from softmax_explorer.teaching.lesson import LESSONS, load_lesson

SEED = load_lesson("seed")


@pytest.fixture
def explorer():
    return Explorer(lesson="seed")


def shown_text(explorer) -> str:
    return html.unescape(explorer.lesson_view.text.value)


def test_a_lesson_starts_at_step_one_with_its_text_and_a_short_link(explorer):
    view = explorer.lesson_view
    assert explorer.lesson_view.number == 1
    assert explorer.state == SEED.step(1).state
    assert explorer.controller.renders == 1
    assert view.box.layout.display == "flex"
    assert view.counter.value == "step 1 of 9"
    assert "The model" in view.heading.value
    assert "The seed notebook, retold" in view.heading.value
    assert SEED.step(1).text in shown_text(explorer)
    assert f"Question: {SEED.step(1).question}" in html.unescape(
        view.text.value.replace("<b>", "").replace("</b> <i>", " ")
    )
    assert (view.previous.disabled, view.next.disabled) == (True, False)
    assert explorer.link.widget.value == "?lesson=seed&step=1"


def test_without_a_lesson_the_view_is_hidden():
    explorer = Explorer()
    assert explorer.lesson is None
    assert explorer.lesson_view.box.layout.display == "none"
    assert "lesson" not in explorer.link.widget.value


def test_next_and_previous_walk_the_steps_in_their_states(explorer):
    view = explorer.lesson_view
    explorer.controls["target"].value = 1
    explorer.controls["step_button"].click()
    assert explorer.controller.losses
    for number in range(2, len(SEED) + 1):
        view.next.click()
        assert explorer.lesson_view.number == number
        assert explorer.state == SEED.step(number).state
        assert view.counter.value == f"step {number} of 9"
        assert explorer.link.widget.value == f"?lesson=seed&step={number}"
    assert explorer.controller.losses == []  # a new step is a new start
    assert view.next.disabled
    assert not view.previous.disabled
    assert explorer.state == PRESETS["float32"].state
    np.testing.assert_array_equal(
        explorer.dashboard.panels["bars"].heights, explorer.controller.results().g
    )
    view.previous.click()
    assert explorer.lesson_view.number == 8
    assert explorer.state.scheme == "forward"


def test_a_changed_state_keeps_the_step_in_its_link_and_reopens_there(explorer):
    explorer.show_step(6)
    explorer.controls["stable"].value = True
    link = explorer.link.widget.value
    assert link.startswith("?lesson=seed&step=6&")
    assert "stable" not in link  # stable=True is the default
    other = Explorer(query=link[1:])
    assert (other.lesson_view.number, other.state) == (6, SEED.step(6).state.replace(stable=True))
    assert other.lesson_view.counter.value == "step 6 of 9"
    assert other.link.widget.value == link


def test_reset_returns_to_the_steps_state_and_a_preset_to_the_preset(explorer):
    explorer.show_step(5)
    explorer.controls.thetas[0].value = 2.0
    explorer.controls["reset_button"].click()
    assert explorer.state == SEED.step(5).state
    explorer.controls["preset"].value = "hot"
    assert explorer.state == PRESETS["hot"].state
    assert explorer.lesson_view.number == 5
    explorer.controls["reset_button"].click()
    assert explorer.state == PRESETS["hot"].state


def test_a_link_to_a_step_opens_it_and_a_bad_one_says_why(explorer):
    assert explorer.apply_query("lesson=seed&step=7")
    assert (explorer.lesson_view.number, explorer.state) == (7, SEED.step(7).state)
    assert not explorer.apply_query("lesson=seed&step=12")
    status = html.unescape(explorer.status.widget.value)
    assert "Link not applied: step: 12 is not a step of this lesson (1..9)" in status
    assert "Showing the lesson's step" in status
    assert (explorer.lesson_view.number, explorer.state) == (7, SEED.step(7).state)
    assert not explorer.apply_query("lesson=../../etc/passwd")
    assert f"is not one of {', '.join(LESSONS)}." in html.unescape(explorer.status.widget.value)
    explorer.show_step(0)
    assert "0 is not a step of this lesson" in explorer.status.widget.value
    assert explorer.lesson_view.number == 7


def test_a_link_opens_a_lesson_in_a_panel_built_without_one():
    explorer = Explorer(query="lesson=seed&step=3")
    assert (explorer.lesson_view.number, explorer.state.wrt) == (3, "x")
    assert explorer.lesson_view.box.layout.display == "flex"
    explorer.show_step(4)
    assert explorer.link.widget.value == "?lesson=seed&step=4"


def test_show_step_without_a_lesson_says_how_to_open_one():
    explorer = Explorer()
    explorer.show_step(2)
    assert "No lesson is open" in explorer.status.widget.value
    assert explorer.state == State()


def test_an_invalid_lesson_file_names_the_step_and_field_and_the_panel_still_works(tmp_path):
    path = tmp_path / "week3.json"
    steps = [{"title": "a", "text": "b", "state": {}}, {"title": "c", "text": "d",
             "state": {"temperature": -1}}]  # fmt: skip
    path.write_text(json.dumps({"title": "Week 3", "steps": steps}))
    explorer = Explorer(lesson=path)
    status = html.unescape(explorer.status.widget.value)
    assert f"Lesson not shown: {path}: step 2, state: temperature: -1 is outside" in status
    assert explorer.lesson is None
    assert explorer.state == State()
    explorer.controls["temperature"].value = 2.0
    assert explorer.state.temperature == 2.0


def test_lesson_text_is_shown_as_text_never_as_markup(tmp_path):
    path = tmp_path / "x.json"
    step = {"title": "<b>t</b>", "text": "<script>alert(1)</script>\n\nSecond $a<b$.",
            "state": {}}  # fmt: skip
    path.write_text(json.dumps({"title": "<i>L</i>", "steps": [step]}))
    explorer = Explorer(lesson=path)
    view = explorer.lesson_view
    assert "<script>" not in view.text.value
    assert view.text.value == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><p>Second $a&lt;b$.</p>"
    )
    assert "&lt;b&gt;t&lt;/b&gt;" in view.heading.value
    assert "&lt;i&gt;L&lt;/i&gt;" in view.heading.value
    assert view.next.disabled
    assert view.previous.disabled
