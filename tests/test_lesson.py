"""Lessons: the shipped one retells the seed, with numbers that are right; bad files are named."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from softmax_explorer.state import PRESETS, State, StateError
from softmax_explorer.teaching.lesson import (
    LESSONS,
    MAX_BYTES,
    Lesson,
    LessonError,
    load_lesson,
    open_link,
)

from . import reference as ref
from .test_model import SEED_SOFTMAX, SEED_THETA, SEED_X

EPS32 = float(np.finfo(np.float32).eps)
SHIPPED = ", ".join(LESSONS)  # how a message lists the shipped lessons
EPS64 = float(np.finfo(np.float64).eps)
OVERFLOW = PRESETS["overflow"].state
# printed by the seed notebook: its last cell (the derivative of g_1 when every x_k moves, which
# notebooks/tutorial.ipynb retells) and its forward difference's error for dg_1/dtheta_1 at
# h = 1e-6
SEED_DIRECTIONAL = -0.029638553568977453
SEED_FORWARD_ERROR = 2.6755783637255615e-08


@pytest.fixture(scope="module")
def seed():
    return load_lesson("seed")


def test_the_seed_lesson_ships_and_walks_through_the_seed_notebook(seed):
    assert "seed" in LESSONS
    assert seed.name == "seed"
    titles = [step.title for step in seed.steps]
    assert titles == [
        "The model", "The derivative with respect to θ", "The derivative with respect to x",
        "What the seed's last cells computed", "The cross-entropy's sign", "Overflow",
        "The max-shift", "The step size's V", "float32",
    ]  # fmt: skip
    states = [step.state for step in seed.steps]
    assert states[0] == State()
    assert states[1].wrt == "theta"
    assert states[2].wrt == states[3].wrt == "x"
    assert states[4].target == 2  # class 3, as the page numbers it
    assert states[5] == OVERFLOW
    assert not states[5].stable
    assert states[6] == OVERFLOW.replace(stable=True)
    assert (states[7].scheme, states[7].h) == ("forward", 1e-6)
    assert states[8] == PRESETS["float32"].state
    assert all(step.text for step in seed.steps)
    assert all(step.question != "" for step in seed.steps)


def _number(literal: str) -> float:
    """``4.54\\times10^{-5}`` or ``−0.0296`` as a float."""
    text = literal.replace("−", "-").replace("\\times10^{", "e").rstrip("}")
    return float(text)


def _significant(literal: str) -> int:
    mantissa = literal.replace("−", "").split("\\times")[0].split("e")[0].lstrip("-0.")
    return len(mantissa.replace(".", ""))


# (step, number as the text writes it, the reference it must equal when rounded the same way)
CITED = [
    (1, "0.066", SEED_SOFTMAX[0]), (1, "0.073", SEED_SOFTMAX[1]),
    (1, "0.728", SEED_SOFTMAX[2]), (1, "0.133", SEED_SOFTMAX[3]),
    (1, "2.7", SEED_X[2] * SEED_THETA[2]),
    (4, "−0.0296", SEED_DIRECTIONAL),
    (4, "-0.02964", float(sum(ref.jacobian(SEED_X, SEED_THETA, wrt="x")[0]))),
    (5, "0.317", float(ref.cross_entropy(SEED_X, SEED_THETA, 2))),
    (6, "709.8", math.log(np.finfo(np.float64).max)),
    (7, "4.54\\times10^{-5}", float(ref.softmax(OVERFLOW.x, OVERFLOW.theta)[1])),
    (8, "2.7e-8", SEED_FORWARD_ERROR),
    (8, "1.5\\times10^{-8}", math.sqrt(EPS64)),
    (8, "6.1\\times10^{-6}", EPS64 ** (1 / 3)),
    (9, "1.2\\times10^{-7}", EPS32),
    (9, "3.5\\times10^{-4}", math.sqrt(EPS32)),
    (9, "4.9\\times10^{-3}", EPS32 ** (1 / 3)),
]  # fmt: skip


@pytest.mark.parametrize(("number", "literal", "expected"), CITED)
def test_every_number_the_seed_lesson_cites_is_right(seed, number, literal, expected):
    text = seed.step(number).text
    assert literal in text
    digits = _significant(literal)
    assert f"{_number(literal):.{digits}g}" == f"{expected:.{digits}g}"


def test_the_row_sum_is_the_seeds_directional_derivative():
    """Step 4's identity: the Jacobian's row 1 sums to what the seed's last cell printed."""
    row = ref.jacobian(SEED_X, SEED_THETA, wrt="x")[0]
    assert float(sum(row)) == pytest.approx(SEED_DIRECTIONAL, rel=1e-15)


def test_step_numbers_count_from_one(seed):
    assert seed.step(1) is seed.steps[0]
    assert seed.query(4) == "lesson=seed&step=4"
    for bad in (0, len(seed) + 1, "2", True, 1.0):
        with pytest.raises(LessonError, match="is not a step of this lesson"):
            seed.step(bad)


GOOD_STEP = {"title": "One", "text": "Some text.", "state": {"preset": "cold"}}


def _with_step(**fields):
    return {"title": "A lesson", "steps": [GOOD_STEP, {**GOOD_STEP, **fields}]}


BAD_LESSONS = [
    ("{not json", "not valid JSON"),
    ([1, 2], "expected a JSON object, got list"),
    ({"title": "t"}, "steps missing"),
    ({"title": "t", "steps": []}, "steps: expected a list of steps"),
    ({"title": "t", "steps": [GOOD_STEP], "author": "me"}, "unknown field(s) author"),
    ({"title": "", "steps": [GOOD_STEP]}, "title: expected some text"),
    ({"title": "t", "steps": [GOOD_STEP, "text"]}, "step 2: expected a JSON object"),
    ({"title": "t", "steps": [GOOD_STEP, {"title": "x", "state": {}}]}, "step 2: text missing"),
    (_with_step(colour="red"), "step 2: unknown field(s) colour"),
    (_with_step(title=5), "step 2: title: expected some text, got 5"),
    (_with_step(question=" "), "step 2: question: expected some text"),
    (_with_step(predict="guess"), "step 2: predict: 'guess' is not a kind of question; expected"),
    (_with_step(predict=[3]), "step 2: predict: [3] is not a kind of question"),
    (_with_step(state="cold"), "step 2, state: expected a JSON object, got str"),
    (_with_step(state={"T": 2}), "step 2, state: unknown field(s) T; expected preset, n, x,"),
    (_with_step(state={"temperature": 0}), "step 2, state: temperature: 0 is outside"),
    (_with_step(state={"x": "1, two"}), "step 2, state: x: value 2, 'two' is not a number"),
    (_with_step(state={"x": [1, 2, 3]}), "step 2, state: theta: 4 values, x has 3"),
    (_with_step(state={"preset": "warm"}), "step 2, state: preset: 'warm' is not one of"),
    (_with_step(state={"target": 9}), "step 2, state: target: class 9 does not exist (1..4)"),
    (_with_step(state={"stable": "maybe"}), "step 2, state: stable: 'maybe' is not true or false"),
]


@pytest.mark.parametrize(("content", "message"), BAD_LESSONS)
def test_a_bad_lesson_file_is_refused_naming_the_file_step_and_field(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    with pytest.raises(LessonError) as err:
        load_lesson(path)
    assert str(err.value).startswith(str(path))
    assert message in str(err.value)


def test_files_that_are_not_lessons_are_refused(tmp_path):
    with pytest.raises(
        LessonError, match=f"no such file, and not a shipped lesson \\({SHIPPED}\\)"
    ):
        load_lesson(tmp_path / "missing.json")
    with pytest.raises(LessonError, match="no such file"):
        load_lesson(tmp_path)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(LessonError, match="cannot be read"):
        load_lesson(binary)
    big = tmp_path / "big.json"
    big.write_text(" " * (MAX_BYTES + 1))
    with pytest.raises(LessonError, match="not a lesson"):
        load_lesson(big)


def test_a_lesson_file_is_named_by_its_stem_and_reads_share_link_fields(tmp_path):
    path = tmp_path / "week3.json"
    step = {"title": "Hot", "text": "T = 5.", "question": "Flatter?",
            "state": {"n": 3, "x": [1, 2, 3], "theta": [0.5, 0.5, 0.5], "temperature": 5,
                      "stable": False, "target": 1, "h": 1e-4}}  # fmt: skip
    path.write_text(json.dumps({"title": "Week 3", "steps": [step]}))
    lesson = load_lesson(path)
    assert (lesson.name, lesson.title, len(lesson)) == ("week3", "Week 3", 1)
    assert lesson.step(1).question == "Flatter?"
    expected = State(x=(1, 2, 3), theta=(0.5,) * 3, temperature=5, stable=False, target=0, h=1e-4)
    assert lesson.step(1).state == expected


def test_a_link_opens_a_step_in_its_state_or_in_the_state_it_carries(seed):
    assert open_link("n=6") == (None, 0, State().resized(6))
    assert open_link("lesson=seed&step=6") == (seed, 6, OVERFLOW)
    assert open_link("?lesson=seed") == (seed, 1, State())
    changed = OVERFLOW.replace(temperature=2.0)
    assert open_link(f"lesson=seed&step=6&{changed.to_query()}") == (seed, 6, changed)
    # a state equal to the defaults in some field is not taken from the step's
    assert open_link(f"lesson=seed&step=9&{State().to_query()}")[2] == State()


def test_a_link_names_only_shipped_lessons_or_the_one_shown(tmp_path, seed):
    own = Lesson("week3", "Week 3", seed.steps[:2])
    assert open_link("lesson=week3&step=2", own) == (own, 2, seed.step(2).state)
    with pytest.raises(LessonError, match=f"lesson: 'week3' is not one of {SHIPPED}$"):
        open_link("lesson=week3")
    with pytest.raises(LessonError, match=rf"'/etc/passwd' is not one of {SHIPPED}, week3$"):
        open_link("lesson=/etc/passwd", own)
    with pytest.raises(LessonError, match="step: 'two' is not a whole number"):
        open_link("lesson=seed&step=two")
    with pytest.raises(LessonError, match=r"step: 10 is not a step of this lesson \(1\.\.9\)"):
        open_link("lesson=seed&step=10")
    with pytest.raises(StateError, match="temperature"):
        open_link("lesson=seed&step=2&temperature=0")


def test_the_teaching_guides_example_lesson_is_a_valid_lesson(tmp_path):
    guide = (Path(__file__).resolve().parents[1] / "docs" / "teaching.md").read_text()
    example = re.search(r"```json\n(.*?)```", guide, re.S).group(1)
    path = tmp_path / "week3.json"
    path.write_text(example)
    lesson = load_lesson(path)
    assert [s.state for s in lesson.steps] == [
        PRESETS["cold"].state,
        State().resized(6).replace(temperature=20.0, target=1),
    ]
    assert "$\\arg\\max$" in lesson.step(1).text
    assert lesson.step(1).predict == "sharper"
    bad = json.loads(example)
    bad["steps"][1]["state"]["temperature"] = 0
    path.write_text(json.dumps(bad))
    with pytest.raises(LessonError) as err:
        load_lesson(path)
    message = f"{path}: step 2, state: temperature: 0 is outside 0.001..1000"
    assert str(err.value) == message
    assert message.split("/")[-1] in guide


def test_a_refusal_carries_the_place_the_field_and_the_reason(tmp_path):
    path = tmp_path / "week3.json"
    path.write_text(json.dumps(_with_step(title=5)))
    with pytest.raises(LessonError) as refused:
        load_lesson(path)
    err = refused.value
    assert (err.place.source, err.place.step, err.place.part) == (str(path), 2, None)
    assert (err.field, err.reason) == ("title", "expected some text, got 5")
    path.write_text(json.dumps(_with_step(state={"temperature": 0})))
    with pytest.raises(LessonError) as refused:
        load_lesson(path)
    err = refused.value
    assert (err.place.step, err.place.part) == (2, "state")
    assert isinstance(err.__cause__, StateError)
    assert (err.__cause__.field, err.__cause__.reason) == (
        "temperature",
        "0 is outside 0.001..1000",
    )
    with pytest.raises(LessonError) as refused:
        open_link("lesson=seed&step=two")
    assert (refused.value.field, refused.value.reason) == ("step", "'two' is not a whole number")


def test_the_sampling_lesson_quotes_the_numbers_its_steps_show():
    """Every number the lesson's texts quote is computed here from the step's own state."""
    from softmax_explorer.results import compute

    lesson = load_lesson("sampling")
    results = [compute(step.state) for step in lesson.steps]
    sampled = [r.sampled for r in results]
    assert all(s is not None for s in sampled)  # every step shows the sampling view

    def says(number: int, *texts: str) -> None:
        for text in texts:
            assert text in lesson.step(number).text, (number, text)

    counts = ", ".join(str(c) for c in sampled[0].draws.counts)
    expected = ", ".join(f"{e:.0f}" for e in sampled[0].draws.expected)
    says(1, f"({counts})", f"({expected})", f"{100 * sampled[0].draws.distance:.0f}% of the draws")
    hot = compute(lesson.step(2).state.replace(temperature=1.0)).sampled
    dh_dt = results[1].model.entropy_gradient()
    says(2, f"{results[1].g.max():.0%}", f"$H = {sampled[1].entropy:.3f}$",
         f"{hot.entropy:.3f} at T = 1", f"= {dh_dt:.2f}$")  # fmt: skip
    says(3, "2\\times10^{-15}")
    assert 1 - sampled[2].probs.max() < 2e-15
    says(4, f"{sampled[3].probs[2]:.3f} and {sampled[3].probs[3]:.3f}")
    totals = ", ".join(f"{t:.3f}" for t in sampled[4].cumulative[:3])
    says(5, totals)
    says(6, f"0.15 × {results[5].g.max():.3f} = {sampled[5].min_p_level:.3f}")
    np.testing.assert_array_equal(sampled[5].kept, [False, False, True, True])
    np.testing.assert_array_equal(sampled[6].changed, [0, 1])  # classes 1 and 2 change
    says(7, f"{sampled[6].seen.min():.2f} to {sampled[6].seen.max():.2f}")
    counts = ", ".join(str(c) for c in sampled[7].draws.counts)
    says(8, f"({counts})", f"{100 * sampled[7].draws.distance:.0f}% of the draws")
    many = compute(lesson.step(8).state.replace(samples=10_000)).sampled
    says(8, f"{100 * many.draws.distance:.1f}% off")
