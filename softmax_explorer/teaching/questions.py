"""Questions a class answers before it sees a change: "predict, then reveal".

A question compares two states' `Results`: the one shown (``old``) and the one a change asks for
(``new``). Its answer is computed from the numerics of the two states, never written by hand, so
it is right for any state. A kind of question fits a change when the change is about what the
question asks (a new temperature, say, for "sharper or flatter?") and has a single answer (no
tie). Only numpy is imported here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from ..finite_diff import METHODS
from ..results import Results
from ..state import INDEX_BASE, State

__all__ = ["QUESTIONS", "STEP_CHOICES", "Kind", "Question", "ask", "changed_fields", "fitting"]

#: The steps offered by "where is the best step?": two decades apart, within the sweep's range.
STEP_CHOICES = (1e-2, 1e-4, 1e-6, 1e-8, 1e-10)
UP, DOWN, SAME = "up", "down", "no change"
DIRECTIONS = (UP, DOWN, SAME)


@dataclass(frozen=True)
class Question:
    """One question about one change, with its answer.

    Attributes
    ----------
    kind : str
        Its kind, a key of `QUESTIONS`.
    text : str
        The question as the page asks it.
    choices : tuple of str
        The answers offered.
    answer : int
        The index of the right one in ``choices``.
    because : str
        The numbers behind the answer, shown with the verdict.
    """

    kind: str
    text: str
    choices: tuple[str, ...]
    answer: int
    because: str

    def verdict(self, choice: int) -> str:
        """What the page says to ``choice`` (an index into ``choices``)."""
        right = self.choices[self.answer]
        if choice == self.answer:
            return f"Right: {right}. {self.because}"
        return f"Not quite: {right}. {self.because}"


# An asker returns (text, choices, answer, because), or None when the change has no single answer.
Asker = Callable[[Results, Results], tuple[str, tuple[str, ...], int, str] | None]


@dataclass(frozen=True)
class Kind:
    """A kind of question: its name on the page, the state fields it is about, its asker."""

    name: str
    label: str
    about: frozenset[str]
    asker: Asker


QUESTIONS: dict[str, Kind] = {}


def _kind(name: str, label: str, about: str) -> Callable[[Asker], Asker]:
    def register(asker: Asker) -> Asker:
        QUESTIONS[name] = Kind(name, label, frozenset(about.split()), asker)
        return asker

    return register


def changed_fields(old: State, new: State) -> frozenset[str]:
    """The names of the `State` fields that differ between ``old`` and ``new``."""
    return frozenset(f.name for f in fields(State) if getattr(old, f.name) != getattr(new, f.name))


def ask(kind: str, old: Results, new: Results) -> Question | None:
    """The question ``kind`` about the change from ``old`` to ``new``; None if it has no answer.

    Raises
    ------
    KeyError
        If ``kind`` is not one of `QUESTIONS`.
    """
    if old.state.n != new.state.n:
        return None
    asked = QUESTIONS[kind].asker(old, new)
    return None if asked is None else Question(kind, *asked)


def fitting(old: Results, new: Results) -> list[str]:
    """The kinds of question about what changed from ``old`` to ``new`` that have an answer."""
    changed = changed_fields(old.state, new.state)
    return [
        name
        for name, kind in QUESTIONS.items()
        if kind.about & changed and ask(name, old, new) is not None
    ]


# --- helpers ----------------------------------------------------------------------------------


def _f64(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def _classes(n: int) -> tuple[str, ...]:
    return tuple(f"class {k + INDEX_BASE}" for k in range(n))


def _single(values, largest: bool = True) -> int | None:
    """The index of the largest (smallest) finite value, or None if another is within rounding."""
    values = _f64(values) if largest else -_f64(values)
    values = np.where(np.isfinite(values), values, -np.inf)
    k = int(np.argmax(values))
    if not np.isfinite(values[k]):
        return None
    others = np.delete(values, k)
    margin = 1e-9 * max(float(np.max(np.abs(values[np.isfinite(values)]))), 1e-300)
    return k if others.size == 0 or values[k] - float(np.max(others)) > margin else None


def _direction(before: float, after: float, dtype: str) -> int:
    """The index in `DIRECTIONS` of the change from ``before`` to ``after``."""
    scale = max(abs(before), abs(after))
    if abs(after - before) <= 8 * np.finfo(dtype).eps * scale:
        return DIRECTIONS.index(SAME)
    return DIRECTIONS.index(UP if after > before else DOWN)


def _one_class(old: State, new: State) -> int | None:
    """The class whose theta or x alone changed, or None."""
    moved = {k for k in range(new.n) if (old.theta[k], old.x[k]) != (new.theta[k], new.x[k])}
    return moved.pop() if len(moved) == 1 else None


def _textbook_fails(results: Results) -> bool:
    """Whether ``exp(z) / sum(exp(z))`` without the max-shift fails (inf, NaN, no longer sums 1)."""
    g = _f64(results.model.softmax(stable=False))
    return not (np.all(np.isfinite(g)) and abs(float(np.sum(g)) - 1) < 1e-3)


# --- the kinds --------------------------------------------------------------------------------


def _most_moved(sign: int) -> Asker:
    """The class whose probability moves most up (``sign`` 1) or down (-1)."""
    verb = "gains" if sign > 0 else "loses"

    def asker(old, new):
        change = _f64(new.g) - _f64(old.g)
        k = _single(sign * change)
        if k is None or sign * change[k] <= 0:
            return None
        a = k + INDEX_BASE
        because = f"g{a} goes from {old.g[k]:.3f} to {new.g[k]:.3f} ({change[k]:+.3f})."
        return f"Which class's probability {verb} most?", _classes(new.state.n), k, because

    return asker


_kind("gains_most", "Which class gains most?", "x theta temperature")(_most_moved(1))
_kind("loses_most", "Which class loses most?", "x theta temperature")(_most_moved(-1))


@_kind("top_class", "Which class will be most probable?", "x theta temperature")
def _top_class(old, new):
    k = _single(new.g)
    if k is None:
        return None
    because = f"g{k + INDEX_BASE} = {new.g[k]:.3f} is the largest."
    return "Which class will be the most probable?", _classes(new.state.n), k, because


@_kind("own_probability", "Does the moved class's g go up or down?", "x theta")
def _own_probability(old, new):
    k = _one_class(old.state, new.state)
    if k is None:
        return None
    name = f"g{k + INDEX_BASE}"
    answer = _direction(float(old.g[k]), float(new.g[k]), new.state.dtype)
    because = f"{name} goes from {old.g[k]:.4g} to {new.g[k]:.4g}."
    text = f"Does {name}, the probability of the class you moved, go up or down?"
    return text, DIRECTIONS, answer, because


@_kind("sharper", "Sharper or flatter?", "x theta temperature")
def _sharper(old, new):
    before, after = old.model.entropy(), new.model.entropy()
    if abs(after - before) <= 1e-9 * max(before, after, 1e-300):
        return None
    answer = 0 if after < before else 1
    because = f"The entropy of g goes from {before:.3f} to {after:.3f} nats."
    return "Will the distribution get sharper or flatter?", ("sharper", "flatter"), answer, because


@_kind("loss", "Does the loss go up or down?", "x theta temperature target")
def _loss(old, new):
    if old.loss is None or new.loss is None or old.state.target != new.state.target:
        return None
    answer = _direction(old.loss, new.loss, new.state.dtype)
    because = f"C goes from {old.loss:.4g} to {new.loss:.4g}."
    return "Does the cross-entropy C go up or down?", DIRECTIONS, answer, because


@_kind("loss_grad", "Does dC/dθk go up or down?", "x theta temperature")
def _loss_grad(old, new):
    if old.loss_grad is None or new.loss_grad is None or old.state.target != new.state.target:
        return None
    k = _one_class(old.state, new.state)
    k = new.state.target if k is None else k
    before, after = float(old.loss_grad[k]), float(new.loss_grad[k])
    name = f"dC/dθ{k + INDEX_BASE}"
    answer = _direction(before, after, new.state.dtype)
    because = f"{name} goes from {before:.4g} to {after:.4g}."
    return f"Does {name} go up or down?", DIRECTIONS, answer, because


@_kind("error", "Does the numeric error go up or down?", "h scheme dtype wrt")
def _error(old, new):
    if old.check is None or new.check is None:
        return None
    before, after = old.check.max_abs_error, new.check.max_abs_error
    answer = _direction(before, after, "float64")
    because = f"The largest |numeric - analytic| goes from {before:.3g} to {after:.3g}."
    s = new.state
    text = f"With the {s.scheme} scheme at h = {s.h:.3g}, does the error go up or down?"
    return text, DIRECTIONS, answer, because


@_kind("best_step", "Where is the best step?", "scheme dtype wrt")
def _best_step(old, new):
    s = new.state
    errors = [new.sweep.error_at(s.scheme, h) for h in STEP_CHOICES]
    k = _single(np.log10(errors), largest=False)
    if k is None:
        return None
    because = f"At h = {STEP_CHOICES[k]:.0e} the {s.scheme} error is {errors[k]:.2g}, the least."
    text = f"Where is the best step h for the {s.scheme} scheme in {s.dtype}?"
    return text, tuple(f"{h:.0e}" for h in STEP_CHOICES), k, because


@_kind("best_scheme", "Which scheme is most accurate?", "h dtype wrt")
def _best_scheme(old, new):
    h = new.state.h
    errors = [new.sweep.error_at(m, h) for m in METHODS]
    k = _single(np.log10(errors), largest=False)
    if k is None:
        return None
    because = f"At h = {h:.3g} the {METHODS[k]} error is {errors[k]:.2g}, the least."
    return f"At h = {h:.3g}, which scheme has the smallest error?", METHODS, k, because


@_kind("overflow", "Will the textbook formula fail?", "x theta temperature dtype")
def _overflow(old, new):
    fails = _textbook_fails(new)
    z = _f64(new.model.z)
    dtype = np.finfo(new.state.dtype)
    because = (
        f"The logits run from {np.min(z):.4g} to {np.max(z):.4g}; in {new.state.dtype} exp "
        f"overflows past {np.log(dtype.max):.4g} and every exp is 0 (0/0) when all are below "
        f"{np.log(dtype.smallest_subnormal):.4g}."
    )
    text = "Without the max-shift, will exp(z) / Σ exp(z) overflow (or underflow to 0/0)?"
    return text, ("yes", "no"), 0 if fails else 1, because


@_kind("most_sensitive", "Which class is most sensitive?", "x theta temperature wrt")
def _most_sensitive(old, new):
    wrt = "θ" if new.state.wrt == "theta" else "x"
    diagonal = np.abs(_f64(np.diagonal(new.jacobian)))
    k = _single(diagonal)
    if k is None:
        return None
    a = k + INDEX_BASE
    because = f"|dg{a}/d{wrt}{a}| = {diagonal[k]:.3g} is the largest."
    text = f"Which class's probability is most sensitive to its own {wrt} (largest |dgk/d{wrt}k|)?"
    return text, _classes(new.state.n), k, because


# --- the sampler (when the sampling view is shown) -------------------------------------------

#: The most classes "which classes survive" offers to choose from.
SURVIVOR_CHOICES = 6
_CUTS = "top_k top_p min_p sampling_order"


def _names(classes) -> str:
    return ", ".join(str(int(k) + INDEX_BASE) for k in classes)


@_kind("survivors", "Which classes will the sampler keep?", f"{_CUTS} temperature sampling")
def _survivors(old, new):
    r = new.sampled
    kept = 0 if r is None else int(np.sum(r.kept))
    if r is None or kept > SURVIVOR_CHOICES:
        return None
    # every cut keeps the most probable classes first: the kept ones lead `order`
    order = r.order[: min(SURVIVOR_CHOICES, new.state.n)]
    choices = tuple(
        f"class{'es' if m > 1 else ''} {_names(order[:m])}" for m in range(1, order.size + 1)
    )
    removed = {by for by in r.removed_by if by}
    because = f"The sampler keeps classes {_names(np.flatnonzero(r.kept))}" + (
        f"; {' and '.join(sorted(removed))} removed the others." if removed else "."
    )
    return "Which classes will the sampler keep?", choices, kept - 1, because


@_kind("entropy", "Does the entropy go up or down with T?", "temperature")
def _entropy_with_t(old, new):
    if changed_fields(old.state, new.state) != {"temperature"}:
        return None
    before, after = old.model.entropy(), new.model.entropy()
    answer = _direction(before, after, new.state.dtype)
    because = (
        f"H goes from {before:.4g} to {after:.4g} nats: dH/dT = Var_g(x·θ)/T³ is never "
        "negative, so raising T never lowers the entropy."
    )
    return "Does the entropy H of g go up or down?", DIRECTIONS, answer, because


@_kind("order_matters", "Does the order change what is kept?", f"{_CUTS} temperature sampling")
def _order_matters(old, new):
    r = new.sampled
    s = new.state
    if r is None or (s.top_k, s.top_p, s.min_p) == (None, None, None):  # no cut: nothing to keep
        return None
    first = r.kept if new.state.sampling_order == "temperature_first" else r.kept_other
    last = r.kept_other if new.state.sampling_order == "temperature_first" else r.kept
    because = (
        f"With the temperature first the cuts keep classes {_names(np.flatnonzero(first))}; "
        f"with it last (T = 1 for the cuts), classes {_names(np.flatnonzero(last))}."
    )
    text = "Here, would the two orders (temperature first or last) keep different classes?"
    return text, ("yes", "no"), 0 if r.changed.size else 1, because


# --- the sparse mappings ----------------------------------------------------------------------

_SPARSE_ABOUT = "mapping x theta temperature"


@_kind("zeros", "How many classes will be exactly 0?", _SPARSE_ABOUT)
def _zeros(old, new):
    if new.state.mapping == "softmax":
        return None  # softmax is never exactly 0
    zeros = int(np.sum(_f64(new.g) == 0))
    cut = new.model.tau() * (1 if new.state.mapping == "sparsemax" else 2)
    because = (
        f"{zeros} of {new.state.n} classes have a logit at or below "
        f"{'τ' if new.state.mapping == 'sparsemax' else '2τ'} = {cut:.4g}, and get exactly 0."
    )
    choices = tuple(str(k) for k in range(new.state.n))  # at least one class is kept
    return (
        f"Under {new.state.mapping}, how many classes will get exactly 0?",
        choices,
        zeros,
        because,
    )


@_kind("enters", "Will the moved class be in the support?", "x theta")
def _enters(old, new):
    k = _one_class(old.state, new.state)
    if new.state.mapping == "softmax" or k is None:
        return None
    inside = bool(new.g[k] > 0)
    a = k + INDEX_BASE
    cut = new.model.tau() * (1 if new.state.mapping == "sparsemax" else 2)
    name = "τ" if new.state.mapping == "sparsemax" else "2τ"
    because = (
        f"z{a} goes from {float(old.model.z[k]):.4g} to {float(new.model.z[k]):.4g}, "
        f"and {name} is now {cut:.4g}: g{a} = {float(new.g[k]):.4g}."
    )
    text = f"After this change, will class {a} have a probability above 0?"
    return text, ("yes", "no"), 0 if inside else 1, because
