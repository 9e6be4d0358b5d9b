"""The state: validation messages, round trips through dict, JSON and query strings, presets."""

import dataclasses
import json

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import softmax_explorer as se
from softmax_explorer.results import compute
from softmax_explorer.state import PRESETS, SETTINGS, State, StateError

from .test_model import SEED_SOFTMAX


def test_default_is_the_seed():
    state = State()
    assert state.x == (1, 4, 3, 2)
    assert state.theta == (0.3, 0.1, 0.9, 0.5)
    assert state.n == 4
    np.testing.assert_allclose(compute(state).g, SEED_SOFTMAX, rtol=1e-15)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"x": (1.0,), "theta": (1.0,)}, r"x: 1 values; n must be between 2 and 32"),
        ({"x": tuple(range(33)), "theta": (1.0,) * 33}, r"n must be between 2 and 32"),
        ({"theta": (1.0, 2.0, 3.0)}, r"theta: 3 values, x has 4: one theta per class"),
        ({"x": "1, two, 3, 4"}, r"x: value 2, 'two' is not a number"),
        ({"x": "1, , 3, 4"}, r"x: value 2 is empty"),
        ({"theta": (np.nan, 1, 1, 1)}, r"theta: value 1, nan is not a finite number"),
        ({"x": (1e308, 1, 1, 1)}, r"x: value 1, 1e\+308 is outside -10000..10000"),
        ({"temperature": 0.0}, r"temperature: 0 is outside 0.001..1000"),
        ({"temperature": "hot"}, r"temperature: 'hot' is not a number"),
        ({"h": 1.0}, r"h: 1 is outside 1e-16..0.1"),
        ({"dtype": "float16"}, r"dtype: 'float16' is not one of float64, float32"),
        ({"wrt": "z"}, r"wrt: 'z' is not one of theta, x"),
        ({"scheme": "secant"}, r"scheme: 'secant' is not one of forward"),
        ({"target": 4}, r"target: class 5 does not exist \(1..4\)"),
        ({"target": True}, r"target: True is not a class number"),
        ({"stable": "yes"}, r"stable: 'yes' is not true or false"),
        ({"learning_rate": -1.0}, r"learning_rate: -1 is outside"),
    ],
)
def test_invalid_values_are_refused_with_their_message(changes, message):
    state = State()
    with pytest.raises(StateError, match=message):
        state.replace(**changes)
    assert state == State()  # unchanged


def test_values_accept_text_and_sequences():
    def parse_values(name, value):
        return SETTINGS[name].kind.check(name, value)

    assert parse_values("x", " 1, 4,3 ,2, ") == (1, 4, 3, 2)
    assert parse_values("x", "1; -2.5e1") == (1, -25)
    assert parse_values("theta", [0.5, "2"]) == (0.5, 2)
    with pytest.raises(StateError, match="expected comma-separated numbers"):
        parse_values("x", 3.0)


def test_resized_keeps_values_and_target():
    state = State(target=3)
    bigger = state.resized(6)
    assert bigger.x == (1, 4, 3, 2, 5, 6)
    assert bigger.theta == (0.3, 0.1, 0.9, 0.5, 0.5, 0.5)
    assert bigger.target == 3
    smaller = bigger.resized(2)
    assert smaller.x == (1, 4)
    assert smaller.target is None
    with pytest.raises(StateError, match="n: 1000000 is not a whole number between 2 and 32"):
        state.resized(1_000_000)


@st.composite
def states(draw):
    n = draw(st.integers(2, 32))
    values = st.floats(-1e3, 1e3, allow_nan=False)
    return State(
        x=tuple(draw(st.lists(values, min_size=n, max_size=n))),
        theta=tuple(draw(st.lists(values, min_size=n, max_size=n))),
        temperature=draw(st.floats(1e-3, 1e3)),
        stable=draw(st.booleans()),
        dtype=draw(st.sampled_from(["float64", "float32"])),
        wrt=draw(st.sampled_from(["theta", "x"])),
        scheme=draw(st.sampled_from(se.METHODS)),
        h=draw(st.floats(1e-16, 1e-1)),
        target=draw(st.none() | st.integers(0, n - 1)),
        learning_rate=draw(st.floats(1e-4, 1e2)),
    )


@given(states())
@example(State(x=(0.1, 1e-300), theta=(-0.0, 5e-324), h=1e-16))
def test_round_trips(state):
    assert State.from_dict(state.to_dict()) == state
    assert State.from_json(state.to_json()) == state
    assert State.from_query(state.to_query()) == state
    assert State.from_query("?" + state.to_query()) == state


def test_query_string_forms():
    state = State.from_query("?n=4&x=1,4,3,2&theta=0.3,0.1,0.9,0.5")
    assert state == State()
    assert State.from_query("n=6&temperature=0.5") == State(temperature=0.5).resized(6)
    assert State.from_query("preset=overflow") == PRESETS["overflow"].state
    assert State.from_query("preset=cold&n=3").n == 3
    # the page numbers classes from 1: the link's class 2 is the API's target 1
    assert State.from_query("target=2&stable=false&dtype=float32").target == 1
    assert "target=3" in State(target=2).to_query()
    assert State.from_query("target=none").target is None
    # keys a server adds are ignored
    assert State.from_query("voila-template=lab&theme=dark") == State()
    assert State().to_query() == "n=4&x=1,4,3,2&theta=0.3,0.1,0.9,0.5"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("preset=nope", r"preset: 'nope' is not one of seed, uniform"),
        ("n=abc", r"n: 'abc' is not a whole number"),
        ("n=100", r"n: 100 is not a whole number between 2 and 32"),
        ("n=3&x=1,2", r"x: 2 values, n is 3"),
        ("temperature=nan", r"temperature: nan is not a finite number"),
        ("x=1,2,3,4&theta=1,2", r"theta: 2 values, x has 4"),
        ("stable=maybe", r"stable: 'maybe' is not true or false"),
        ("target=9", r"target: class 9 does not exist"),
    ],
)
def test_invalid_queries(query, message):
    with pytest.raises(StateError, match=message):
        State.from_query(query)


def test_json_errors():
    with pytest.raises(StateError, match="not valid JSON"):
        State.from_json("{")
    with pytest.raises(StateError, match="unknown field"):
        State.from_json(json.dumps({"colour": "red"}))
    with pytest.raises(StateError, match="a state is a JSON object"):
        State.from_json("[1, 2]")


def test_presets_show_what_they_say():
    assert set(PRESETS) >= {
        "seed",
        "uniform",
        "dominant",
        "cold",
        "hot",
        "overflow",
        "float32",
        "negative",
    }
    for preset in PRESETS.values():
        assert preset.title
        assert len(preset.explanation) > 20
    results = {name: compute(p.state) for name, p in PRESETS.items()}
    np.testing.assert_allclose(results["seed"].g, SEED_SOFTMAX, rtol=1e-15)
    np.testing.assert_allclose(results["uniform"].g, 0.25)
    assert results["dominant"].g.max() > 0.95
    cold = results["cold"]
    assert cold.g[np.argmax(np.multiply(cold.state.x, cold.state.theta))] > 0.99
    assert np.max(np.abs(results["hot"].g - 0.25)) < 0.05
    overflow = results["overflow"]
    assert np.isnan(overflow.g_shown).any()
    assert overflow.overflow.startswith("exp(800) overflows float64")
    assert np.all(np.isfinite(overflow.g))
    f32 = results["float32"]
    assert f32.g.dtype == np.float32
    assert f32.check.max_abs_error > 1e-3  # forward difference at h=1e-6 in float32: digits lost
    assert 1e-4 < f32.sweep.best_step("forward") < 1e-2
    negative = results["negative"]
    assert np.argmin(negative.g) == np.argmax(negative.state.x)
    assert min(negative.state.theta) < 0


def test_between_moves_the_numbers_and_takes_the_other_fields_at_once():
    old = State(temperature=0.1, h=1e-8)
    new = State(theta=(0.3, 0.1, 1.5, 0.5), temperature=10.0, h=1e-2, dtype="float32")
    half = old.between(new, 0.5)
    assert half.theta == pytest.approx((0.3, 0.1, 1.2, 0.5))
    assert half.temperature == pytest.approx(1.0)  # geometric, as the log slider moves
    assert half.h == pytest.approx(1e-5)
    assert half.dtype == "float32"
    assert old.between(new, 0) == old.replace(dtype="float32")
    assert old.between(new, 1).temperature == pytest.approx(10.0)
    with pytest.raises(StateError, match="no states between"):
        old.between(old.resized(5), 0.5)


def test_every_field_has_one_row_in_the_table():
    assert list(SETTINGS) == [f.name for f in dataclasses.fields(State)]
    for name, setting in SETTINGS.items():
        assert setting.label
        assert setting.tooltip
        default = getattr(State(), name)
        assert setting.kind.check(name, default) == default  # the default is valid
        if setting.slider is not None:  # a slider never offers what the field refuses
            for end in (setting.slider.low, setting.slider.high):
                assert setting.kind.check(name, [end] if name == "theta" else end)


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"temperature": 0.0}, "temperature", "0 is outside 0.001..1000"),
        ({"x": "1, two, 3, 4"}, "x", "value 2, 'two' is not a number"),
        ({"target": 4}, "target", "class 5 does not exist (1..4)"),
        ({"wrt": "z"}, "wrt", "'z' is not one of theta, x"),
    ],
)
def test_a_refusal_carries_its_field_and_reason(changes, field, reason):
    with pytest.raises(StateError) as refused:
        State().replace(**changes)
    assert (refused.value.field, refused.value.reason) == (field, reason)
    assert str(refused.value) == f"{field}: {reason}"


def test_a_link_refusal_names_the_link_key():
    with pytest.raises(StateError) as refused:
        State.from_query("n=abc")
    assert (refused.value.field, refused.value.reason) == ("n", "'abc' is not a whole number")
    with pytest.raises(StateError) as refused:
        State.from_json("[1]")
    assert refused.value.field is None


def test_the_sampling_presets_show_what_they_say():
    greedy = compute(PRESETS["greedy"].state).sampled
    assert 1 - greedy.probs.max() < 2e-15
    assert int(np.argmax(greedy.probs)) == 2  # class 3
    assert greedy.entropy_sampler < 1e-12
    nucleus = compute(PRESETS["nucleus"].state).sampled
    np.testing.assert_array_equal(nucleus.kept, [False, True, True, True])
    assert nucleus.cumulative[2] == pytest.approx(0.934, abs=5e-4)  # classes 3, 4, 2: 93%
    assert nucleus.seen[0] == pytest.approx(0.066, abs=5e-4)
    order = compute(PRESETS["order"].state).sampled
    assert order.kept.all()  # T first: all four
    np.testing.assert_array_equal(order.kept_other, [False, False, True, True])  # T last: 3, 4
    last = compute(PRESETS["order"].state.replace(sampling_order="temperature_last")).sampled
    assert abs(last.probs[2] - last.probs[3]) < 0.05  # T = 20 makes the two nearly equal
