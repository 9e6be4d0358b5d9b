"""The questions' answers, for random changes of random states, against the closed forms.

Every reference here is independent of `softmax_explorer.teaching.questions`: the softmax, the loss
and their derivatives in 60-digit mpmath (tests/reference.py), and the finite differences' errors
against the closed-form Jacobian. A change whose reference is too close to call (a near tie) is not
judged: the question may then be left out, and is asserted only where the answer is clear.
"""

from __future__ import annotations

import math
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest

from softmax_explorer.finite_diff import METHODS, numerical_jacobian
from softmax_explorer.results import compute
from softmax_explorer.state import State
from softmax_explorer.teaching.questions import (
    DIRECTIONS,
    QUESTIONS,
    STEP_CHOICES,
    ask,
    changed_fields,
    fitting,
)

from . import reference as ref


def _tol(state: State) -> float:
    """A reference gap below this is a near tie, not judged: the logits' own rounding in the
    state's dtype (``eps * |z|``), far above it."""
    z = max(abs(float(v)) for v in ref.logits(state.x, state.theta, state.temperature))
    return 1e3 * float(np.finfo(state.dtype).eps) * max(1.0, z)


def _random_state(rng: np.random.Generator) -> State:
    n = int(rng.integers(2, 7))
    scale = 150.0 if rng.random() < 0.15 else 1.0  # some states whose textbook formula overflows
    return State(
        x=tuple(float(v) for v in rng.uniform(-5, 5, n) * scale),
        theta=tuple(float(v) for v in rng.uniform(-2, 2, n)),
        temperature=float(10 ** rng.uniform(-0.5, 1)),
        dtype=str(rng.choice(["float64", "float32"])),
        wrt=str(rng.choice(["theta", "x"])),
        scheme=str(rng.choice(METHODS)),
        h=float(10 ** rng.uniform(-9, -2)),
        target=int(rng.integers(n)) if rng.random() < 0.6 else None,
    )


def _random_change(rng: np.random.Generator, state: State) -> State:
    k = int(rng.integers(state.n))
    kind = rng.choice(["theta", "x", "temperature", "h", "scheme", "dtype", "wrt"])
    if kind in ("theta", "x"):
        values = list(getattr(state, kind))
        values[k] = float(np.clip(values[k] + rng.uniform(-1.5, 1.5), -1e3, 1e3))
        return state.replace(**{kind: tuple(values)})
    if kind in ("temperature", "h"):
        value = getattr(state, kind) * 10 ** rng.uniform(-1, 1)
        return state.replace(**{kind: float(min(value, 1e-1 if kind == "h" else 1e3))})
    choices = {"scheme": METHODS, "dtype": ("float64", "float32"), "wrt": ("theta", "x")}[kind]
    return state.replace(
        **{kind: str(rng.choice([c for c in choices if c != getattr(state, kind)]))}
    )


def _pairs(count: int = 150, seed: int = 20261202):
    rng = np.random.default_rng(seed)
    pairs = []
    while len(pairs) < count:
        old = _random_state(rng)
        try:
            pairs.append((compute(old), compute(_random_change(rng, old))))
        except ValueError:  # a logit the dtype cannot hold: the app refuses such a state
            continue
    return pairs


PAIRS = _pairs()


def _g(state: State) -> list:
    return ref.softmax(state.x, state.theta, state.temperature)


TINY = 1e-30  # values below float32's normal range are not compared relatively


def _clear_argmax(values: list, tol: float, relative: bool = False) -> int | None:
    order = sorted(range(len(values)), key=lambda i: values[i], reverse=True)
    scale = max(abs(v) for v in values)
    if relative and scale < TINY:
        return None
    tol *= scale if relative else 1
    if len(order) > 1 and values[order[0]] - values[order[1]] <= tol:
        return None
    return order[0]


def _clear_direction(before, after, tol: float, relative: bool = False) -> str | None:
    scale = max(abs(before), abs(after))
    if relative and scale < TINY:
        return None
    if abs(after - before) <= tol * (scale if relative else 1):
        return None
    return "up" if after > before else "down"


def _answer(kind: str, old, new):
    question = ask(kind, old, new)
    return None if question is None else question.choices[question.answer]


def _moved(old: State, new: State) -> int | None:
    moved = [k for k in range(new.n) if (old.x[k], old.theta[k]) != (new.x[k], new.theta[k])]
    return moved[0] if len(moved) == 1 else None


def _judged(kind: str, check) -> int:
    """Run ``check(old, new)`` over the pairs; it returns whether the pair was judged."""
    judged = sum(bool(check(old, new)) for old, new in PAIRS)
    assert judged >= 10, f"{kind}: only {judged} changes were clear enough to judge"
    return judged


def test_there_are_at_least_ten_kinds_and_each_has_a_label_and_a_topic():
    assert len(QUESTIONS) >= 10
    for name, kind in QUESTIONS.items():
        assert kind.name == name
        assert kind.label
        assert kind.about


@pytest.mark.parametrize(("kind", "sign"), [("gains_most", 1), ("loses_most", -1)])
def test_the_class_that_gains_or_loses_most(kind, sign):
    def check(old, new):
        gain = [sign * (b - a) for a, b in zip(_g(old.state), _g(new.state), strict=True)]
        k = _clear_argmax(gain, max(_tol(old.state), _tol(new.state)))
        if k is None or gain[k] <= 0:
            return False
        assert _answer(kind, old, new) == f"class {k + 1}"
        return True

    _judged(kind, check)


def test_the_most_probable_class():
    def check(old, new):
        k = _clear_argmax(_g(new.state), _tol(new.state))
        if k is None:
            return False
        assert _answer("top_class", old, new) == f"class {k + 1}"
        return True

    _judged("top_class", check)


def test_the_moved_class_own_probability():
    def check(old, new):
        k = _moved(old.state, new.state)
        if k is None:
            assert ask("own_probability", old, new) is None
            return False
        tol = max(_tol(old.state), _tol(new.state))
        expected = _clear_direction(_g(old.state)[k], _g(new.state)[k], tol)
        if expected is None:
            return False
        assert _answer("own_probability", old, new) == expected
        return True

    _judged("own_probability", check)


def _entropy(g):
    return -mp.fsum(p * mp.log(p) for p in g if p > 0)


def test_sharper_or_flatter_is_the_entropy_going_down_or_up():
    def check(old, new):
        tol = max(_tol(old.state), _tol(new.state))
        direction = _clear_direction(_entropy(_g(old.state)), _entropy(_g(new.state)), tol)
        if direction is None:
            return False
        assert _answer("sharper", old, new) == {"down": "sharper", "up": "flatter"}[direction]
        return True

    _judged("sharper", check)


def _loss(state):
    return ref.cross_entropy(state.x, state.theta, state.target, state.temperature)


def test_the_loss_going_up_or_down():
    def check(old, new):
        if old.state.target is None or new.state.target != old.state.target:
            assert ask("loss", old, new) is None
            return False
        tol = max(_tol(old.state), _tol(new.state))
        expected = _clear_direction(_loss(old.state), _loss(new.state), tol, relative=True)
        if expected is None:
            return False
        assert _answer("loss", old, new) == expected
        return True

    _judged("loss", check)


def test_the_loss_gradient_of_the_moved_or_target_class():
    def check(old, new):
        s = new.state
        if old.state.target is None:
            return False
        k = _moved(old.state, s)
        k = s.target if k is None else k
        grad = [
            ref.cross_entropy_grad(state.x, state.theta, state.target, "theta", state.temperature)[
                k
            ]
            for state in (old.state, s)
        ]
        expected = _clear_direction(*grad, max(_tol(old.state), _tol(s)), relative=True)
        if expected is None:
            return False
        question = ask("loss_grad", old, new)
        assert f"dC/dθ{k + 1}" in question.text
        assert question.choices[question.answer] == expected
        return True

    _judged("loss_grad", check)


def _fd_error(state: State, method: str, h: float) -> float:
    """max |finite difference - closed form| at step ``h``, in the state's dtype."""
    x, theta = (np.array(v, dtype=state.dtype) for v in (state.x, state.theta))
    t = state.temperature

    def f(v):
        pair = (v, theta) if state.wrt == "x" else (x, v)
        z = pair[0] * pair[1] / np.asarray(t, dtype=v.dtype)
        e = np.exp(z - np.max(z.real))
        return e / np.sum(e)

    v = x if state.wrt == "x" else theta
    closed = ref.to_float(ref.jacobian(state.x, state.theta, state.wrt, t))
    try:
        with np.errstate(all="ignore"):
            numeric = numerical_jacobian(f, v, method, h)
    except ValueError:  # a step below the dtype's resolution
        return math.nan
    return float(np.max(np.abs(numeric - closed)))


def _floor(state: State) -> float:
    """Errors below this are the dtype's round-off, where the numeric and analytic agree."""
    return 64 * float(np.finfo(state.dtype).eps)


def test_the_error_at_the_step_going_up_or_down():
    def check(old, new):
        if old.check is None or new.check is None:
            return False
        before = _fd_error(old.state, old.state.scheme, old.state.h)
        after = _fd_error(new.state, new.state.scheme, new.state.h)
        if not max(before, after) > max(2 * min(before, after), TINY):  # noise: not judged
            return False
        if before < _floor(old.state) or after < _floor(new.state):  # round-off noise
            return False
        assert _answer("error", old, new) == ("up" if after > before else "down")
        return True

    _judged("error", check)


@pytest.mark.parametrize("kind", ["best_step", "best_scheme"])
def test_the_best_step_and_scheme_are_within_a_factor_of_the_least_error(kind):
    def check(old, new):
        question = ask(kind, old, new)
        s = new.state
        if kind == "best_step":
            errors = [_fd_error(s, s.scheme, h) for h in STEP_CHOICES]
        else:
            errors = [_fd_error(s, m, s.h) for m in METHODS]
        finite = [e for e in errors if math.isfinite(e)]
        if question is None or not finite:
            return False
        # the sweep the plot shows is interpolated between its steps (4.6 apart), where the
        # V's arms are as steep as h**4: within a factor of 10, or both at the round-off floor
        assert errors[question.answer] <= max(10 * min(finite), _floor(s)), (question, errors)
        return True

    _judged(kind, check)


def test_the_textbook_formula_fails_past_the_dtype_range_of_exp():
    def check(old, new):
        s = new.state
        z = ref.logits(s.x, s.theta, s.temperature)
        info = np.finfo(s.dtype)
        over = mp.log(mp.mpf(float(info.max)))
        under = mp.log(mp.mpf(float(info.smallest_subnormal)))
        log_sum = mp.log(mp.fsum(mp.exp(v) for v in z))
        near_over = min(abs(log_sum - over), abs(max(z) - over)) < 1
        subnormal = under - 1 < max(z) < mp.log(mp.mpf(float(info.tiny))) + 1
        if near_over or subnormal:  # at the edges: not judged
            return False
        expected = "yes" if max(log_sum, max(z)) > over or max(z) < under else "no"
        assert _answer("overflow", old, new) == expected
        return True

    _judged("overflow", check)
    answers = {_answer("overflow", old, new) for old, new in PAIRS}
    assert answers == {"yes", "no"}


def test_the_most_sensitive_class_is_the_largest_diagonal_entry():
    def check(old, new):
        s = new.state
        jacobian = ref.jacobian(s.x, s.theta, s.wrt, s.temperature)
        diagonal = [abs(jacobian[i][i]) for i in range(s.n)]
        k = _clear_argmax(diagonal, _tol(s), relative=True)
        if k is None:
            return False
        assert _answer("most_sensitive", old, new) == f"class {k + 1}"
        return True

    _judged("most_sensitive", check)


def test_only_kinds_about_what_changed_fit_and_each_has_an_answer():
    for old, new in PAIRS:
        changed = changed_fields(old.state, new.state)
        for name in fitting(old, new):
            assert QUESTIONS[name].about & changed
            question = ask(name, old, new)
            assert 0 <= question.answer < len(question.choices)


def test_a_change_of_h_asks_about_the_error_not_the_bars():
    old = compute(State())
    new = compute(State(h=1e-3))
    assert set(fitting(old, new)) == {"error", "best_scheme"}
    assert _answer("error", old, new) == "up"  # past the central V's bottom near 6e-6
    assert _answer("gains_most", old, new) is None  # g did not move


def test_no_question_compares_states_of_different_sizes():
    old, new = compute(State()), compute(State().resized(5))
    assert fitting(old, new) == []
    assert all(ask(name, old, new) is None for name in QUESTIONS)


def test_the_verdict_names_the_right_answer_and_the_numbers():
    old = compute(State())
    new = compute(State().replace(theta=(0.3, 0.1, 1.5, 0.5)))
    question = ask("gains_most", old, new)
    assert question.choices[question.answer] == "class 3"
    assert question.verdict(question.answer).startswith("Right: class 3.")
    assert question.verdict(0).startswith("Not quite: class 3.")
    # the seed's g3 = 0.728 (its printed softmax), and the new value from mpmath
    g3 = float(ref.softmax(new.state.x, new.state.theta)[2])
    assert f"from 0.728 to {g3:.3f}" in question.because


def test_directions_are_up_down_or_no_change():
    old = compute(State(target=2))
    same = compute(State(target=2, h=1e-5))
    assert _answer("loss", old, same) == "no change"
    assert DIRECTIONS == ("up", "down", "no change")


def test_the_teaching_guide_names_every_kind_of_question():
    guide = (Path(__file__).resolve().parents[1] / "docs" / "teaching.md").read_text()
    assert all(f"(`{name}`)" in guide for name in QUESTIONS)


def _sampling_pairs(count: int = 80, seed: int = 20261206):
    """Random states with the sampling view shown, and a change of a cut, the order or T."""
    rng = np.random.default_rng(seed)
    pairs = []
    while len(pairs) < count:
        n = int(rng.integers(2, 8))
        old = State(
            x=tuple(float(v) for v in rng.uniform(-3, 3, n)),
            theta=tuple(float(v) for v in rng.uniform(-2, 2, n)),
            temperature=float(10 ** rng.uniform(-0.5, 0.7)),
            sampling=True,
            top_k=int(rng.integers(1, n + 1)) if rng.random() < 0.3 else None,
            top_p=float(rng.uniform(0.3, 1.0)) if rng.random() < 0.6 else None,
            min_p=float(rng.uniform(0.05, 0.5)) if rng.random() < 0.3 else None,
            sampling_order=str(rng.choice(["temperature_first", "temperature_last"])),
        )
        kind = rng.choice(["top_p", "temperature", "sampling_order"])
        if kind == "top_p":
            new = old.replace(top_p=float(rng.uniform(0.2, 1.0)))
        elif kind == "temperature":
            new = old.replace(temperature=float(old.temperature * 10 ** rng.uniform(-0.7, 0.7)))
        else:
            other = "temperature_last" if old.sampling_order == "temperature_first" else (
                "temperature_first")  # fmt: skip
            new = old.replace(sampling_order=other)
        pairs.append((compute(old), compute(new)))
    return pairs


def _reference_kept(state: State, order: str | None = None):
    probs, margin = ref.sampling_probs(
        np.multiply(state.x, state.theta), state.temperature, state.top_k, state.top_p,
        state.min_p, (order or state.sampling_order) == "temperature_last",
    )  # fmt: skip
    return [k for k, p in enumerate(probs) if p > 0], margin


def test_the_sampler_questions_are_answered_as_the_definitions_say():
    asked = {"survivors": 0, "order_matters": 0, "entropy": 0}
    for old, new in _sampling_pairs():
        kept, margin = _reference_kept(new.state)
        if margin < 1e-9:
            continue  # rounding could decide it
        question = ask("survivors", old, new)
        if question is not None:
            asked["survivors"] += 1
            assert question.answer == len(kept) - 1
            assert sorted(question.choices[question.answer].split(" ", 1)[1].split(", ")) == sorted(
                str(k + 1) for k in kept
            )  # fmt: skip
        question = ask("order_matters", old, new)
        if question is not None:
            asked["order_matters"] += 1
            other = "temperature_last" if new.state.sampling_order == "temperature_first" else (
                "temperature_first")  # fmt: skip
            kept_other, other_margin = _reference_kept(new.state, other)
            if other_margin > 1e-9:
                assert question.choices[question.answer] == ("yes" if kept != kept_other else "no")
        question = ask("entropy", old, new)
        if question is not None:
            asked["entropy"] += 1
            before, after = (
                ref.entropy(np.multiply(r.state.x, r.state.theta) / r.state.temperature)
                for r in (old, new)
            )  # fmt: skip
            assert question.choices[question.answer] == ("up" if after > before else "down")
            # dH/dT >= 0: the entropy follows the temperature
            assert (after > before) == (new.state.temperature > old.state.temperature)
    assert min(asked.values()) >= 10, asked  # each kind was asked, and judged, often enough


def test_the_sparse_questions_are_answered_as_bisection_says():
    rng = np.random.default_rng(20261207)
    asked = {"zeros": 0, "enters": 0}
    for _ in range(120):
        n = int(rng.integers(2, 7))
        old = State(
            x=tuple(float(v) for v in rng.uniform(-3, 3, n)),
            theta=tuple(float(v) for v in rng.uniform(-2, 2, n)),
            temperature=float(10 ** rng.uniform(-0.5, 0.5)),
            mapping=str(rng.choice(["sparsemax", "entmax15"])),
        )
        k = int(rng.integers(n))
        theta = list(old.theta)
        theta[k] = float(np.clip(theta[k] + rng.uniform(-1, 1), -3, 3))
        new = old.replace(theta=tuple(theta))
        z = [float(v) for v in ref.logits(new.x, new.theta, new.temperature)]
        g = getattr(ref, new.mapping)(z)
        if min((abs(v) for v in g if v != 0), default=1) < 1e-9:
            continue  # a class within rounding of the edge: not judged
        old_results, new_results = compute(old), compute(new)
        question = ask("zeros", old_results, new_results)
        if question is not None:
            asked["zeros"] += 1
            assert question.answer == sum(v == 0 for v in g)
        question = ask("enters", old_results, new_results)
        if question is not None:
            asked["enters"] += 1
            assert question.choices[question.answer] == ("yes" if g[k] > 0 else "no")
    assert min(asked.values()) >= 30, asked
    softmax = compute(State())
    assert ask("zeros", softmax, compute(State(temperature=0.5))) is None  # never exactly 0
