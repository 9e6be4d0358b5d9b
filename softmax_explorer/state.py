"""Everything the user set, as one immutable, validated value; its JSON and URL forms; presets.

A `State` is what the dashboard shows: the app turns widget values into a new state, computes once
for it and redraws. States are frozen and hashable, so a computation can be cached per state.
Only numpy and the standard library are imported here.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any
from urllib.parse import parse_qs, urlencode

from .finite_diff import METHODS, STEP_RANGE

__all__ = [
    "DTYPES",
    "INDEX_BASE",
    "LIMITS",
    "LINK_FIELDS",
    "PRESETS",
    "WRT_CHOICES",
    "Preset",
    "State",
    "StateError",
    "query_fields",
]

#: The numbering a person reads. The Python API counts classes from 0, as numpy does; the page,
#: its formulas and its share links (``target=``) use the math's numbering, from this base.
INDEX_BASE = 1

DTYPES = ("float64", "float32")
WRT_CHOICES = ("theta", "x")

#: Accepted ranges: (low, high) inclusive. The sliders show a narrower range for theta and T;
#: presets and links may go further, up to these limits.
LIMITS: dict[str, tuple[float, float]] = {
    "n": (2, 32),
    "x": (-1e4, 1e4),
    "theta": (-1e3, 1e3),
    "temperature": (1e-3, 1e3),
    "h": STEP_RANGE,
    "learning_rate": (1e-4, 1e2),
}


class StateError(ValueError):
    """A value the dashboard cannot show; the message says which field and why."""


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(str(value).strip())
        except ValueError:
            raise StateError(f"{name}: {value!r} is not a number") from None
    value = float(value)
    if not math.isfinite(value):
        raise StateError(f"{name}: {value} is not a finite number")
    low, high = LIMITS[name]
    if not low <= value <= high:
        raise StateError(f"{name}: {value:g} is outside {low:g}..{high:g}")
    return value


def parse_values(name: str, value: Any) -> tuple[float, ...]:
    """Comma-separated text or a sequence of numbers -> a tuple of floats, checked and in range.

    Raises
    ------
    StateError
        Naming the first entry that is not a number (``x: 'two' (value 2) is not a number``).
    """
    if isinstance(value, str):
        parts = [p.strip() for p in value.replace(";", ",").split(",")]
        if parts and parts[-1] == "":  # a trailing comma
            parts.pop()
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        raise StateError(f"{name}: expected comma-separated numbers, got {value!r}")
    out = []
    for i, part in enumerate(parts, start=1):
        if isinstance(part, str) and not part:
            raise StateError(f"{name}: value {i} is empty")
        try:
            out.append(_number(name, part))
        except StateError as err:
            detail = str(err).split(": ", 1)[1]
            raise StateError(f"{name}: value {i}, {detail}") from None
    return tuple(out)


@dataclass(frozen=True)
class State:
    """The dashboard's whole state.

    Attributes
    ----------
    x, theta : tuple of float
        Inputs and coefficients, ``2 <= n <= 32`` each.
    temperature : float
        ``T``; the logits are ``x * theta / T``.
    stable : bool
        Whether the bars use the max-shift (turn off to see ``exp`` overflow).
    dtype : {"float64", "float32"}
        Precision of every computation.
    wrt : {"theta", "x"}
        The Jacobian shown and checked.
    scheme : {"forward", "backward", "central", "complex", "richardson"}
        Finite-difference scheme of the error panel.
    h : float
        Its step.
    target : int or None
        Target class of the cross-entropy and of gradient descent.
    learning_rate : float
        Gradient-descent step on theta.
    """

    x: tuple[float, ...] = (1.0, 4.0, 3.0, 2.0)
    theta: tuple[float, ...] = (0.3, 0.1, 0.9, 0.5)
    temperature: float = 1.0
    stable: bool = True
    dtype: str = "float64"
    wrt: str = "theta"
    scheme: str = "central"
    h: float = 1e-6
    target: int | None = None
    learning_rate: float = 0.5

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "x", parse_values("x", self.x))
        set_(self, "theta", parse_values("theta", self.theta))
        low, high = LIMITS["n"]
        if not low <= len(self.x) <= high:
            raise StateError(f"x: {len(self.x)} values; n must be between {low} and {high}")
        if len(self.theta) != len(self.x):
            raise StateError(
                f"theta: {len(self.theta)} values, x has {len(self.x)}: one theta per class"
            )
        for name in ("temperature", "h", "learning_rate"):
            set_(self, name, _number(name, getattr(self, name)))
        for name, choices in (("dtype", DTYPES), ("wrt", WRT_CHOICES), ("scheme", METHODS)):
            if getattr(self, name) not in choices:
                raise StateError(
                    f"{name}: {getattr(self, name)!r} is not one of {', '.join(choices)}"
                )
        if not isinstance(self.stable, bool):
            raise StateError(f"stable: {self.stable!r} is not true or false")
        if self.target is not None:
            if isinstance(self.target, bool) or not isinstance(self.target, int):
                raise StateError(f"target: {self.target!r} is not a class number")
            if not 0 <= self.target < self.n:
                first, last = INDEX_BASE, self.n - 1 + INDEX_BASE
                raise StateError(
                    f"target: class {self.target + INDEX_BASE} does not exist ({first}..{last})"
                )

    @property
    def n(self) -> int:
        """The number of classes."""
        return len(self.x)

    def replace(self, **changes: Any) -> State:
        """A validated copy with ``changes``; raises `StateError` and leaves ``self`` as it is."""
        return replace(self, **changes)

    def resized(self, n: int) -> State:
        """The same state with ``n`` classes: values kept, new classes x = k + 1, theta = 0.5."""
        low, high = LIMITS["n"]
        if isinstance(n, bool) or not isinstance(n, int) or not low <= n <= high:
            raise StateError(f"n: {n!r} is not a whole number between {low} and {high}")
        x = self.x[:n] + tuple(float(k + 1) for k in range(self.n, n))
        theta = self.theta[:n] + (0.5,) * max(0, n - self.n)
        target = self.target if self.target is not None and self.target < n else None
        return replace(self, x=x, theta=theta, target=target)

    def between(self, other: State, t: float) -> State:
        """The state a fraction ``0 <= t <= 1`` of the way to ``other`` (an animation's frame).

        x, theta and the learning rate move linearly, T and h geometrically (as their sliders
        do); the other fields are ``other``'s from the first frame.

        Raises
        ------
        StateError
            If the two have different numbers of classes.
        """
        if other.n != self.n:
            raise StateError(f"n: {self.n} and {other.n} classes have no states between them")

        def linear(a, b):
            return tuple(u + t * (v - u) for u, v in zip(a, b, strict=True))

        def geometric(a, b):
            return a * (b / a) ** t

        return replace(
            other,
            x=linear(self.x, other.x),
            theta=linear(self.theta, other.theta),
            learning_rate=linear((self.learning_rate,), (other.learning_rate,))[0],
            temperature=geometric(self.temperature, other.temperature),
            h=geometric(self.h, other.h),
        )

    # --- serialisation -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-compatible values (lists for x and theta)."""
        out = asdict(self)
        out["x"], out["theta"] = list(self.x), list(self.theta)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> State:
        """The inverse of `to_dict`; missing keys take the defaults, unknown keys are refused."""
        if not isinstance(data, dict):
            raise StateError(f"a state is a JSON object, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise StateError(f"unknown field(s): {', '.join(unknown)}")
        return cls(**data)

    def to_json(self) -> str:
        """The state as a JSON object."""
        return json.dumps(self.to_dict(), indent=1)

    @classmethod
    def from_json(cls, text: str) -> State:
        """The inverse of `to_json`."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise StateError(f"not valid JSON: {err}") from None
        return cls.from_dict(data)

    def to_query(self) -> str:
        """A URL query string that `from_query` turns back into this state (defaults omitted)."""
        default = State()
        params: dict[str, str] = {"n": str(self.n)}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("x", "theta"):
                params[f.name] = ",".join(_short(v) for v in value)
            elif value != getattr(default, f.name):
                if isinstance(value, bool):
                    params[f.name] = "true" if value else "false"
                elif isinstance(value, float):
                    params[f.name] = _short(value)
                elif f.name == "target":
                    params[f.name] = "none" if value is None else str(value + INDEX_BASE)
                else:
                    params[f.name] = str(value)
        return urlencode(params, safe=",")

    @classmethod
    def from_query(cls, query: str) -> State:
        """A state from a URL query string such as ``n=4&x=1,4,3,2&theta=0.3,0.1,0.9,0.5``.

        ``preset=NAME`` starts from a preset; ``n`` alone resizes it; other keys override it.
        ``target`` is a class number as the page shows it (from `INDEX_BASE`).
        Unknown keys (``voila-*`` and the like, which servers add) are ignored.
        """
        raw = query_fields(query)
        state = cls()
        if "preset" in raw:
            name = raw["preset"]
            if name not in PRESETS:
                raise StateError(f"preset: {name!r} is not one of {', '.join(PRESETS)}")
            state = PRESETS[name].state
        if "n" in raw and "x" not in raw and "theta" not in raw:
            state = state.resized(_whole("n", raw["n"]))
        changes: dict[str, Any] = {}
        for key in ("x", "theta"):
            if key in raw:
                changes[key] = parse_values(key, raw[key])
        if "n" in raw and ("x" in raw or "theta" in raw):
            n = _whole("n", raw["n"])
            for key in ("x", "theta"):
                if key in changes and len(changes[key]) != n:
                    raise StateError(f"{key}: {len(changes[key])} values, n is {n}")
        for key in ("temperature", "h", "learning_rate"):
            if key in raw:
                changes[key] = _number(key, raw[key])
        for key in ("dtype", "wrt", "scheme"):
            if key in raw:
                changes[key] = raw[key]
        if "stable" in raw:
            changes["stable"] = _boolean("stable", raw["stable"])
        if "target" in raw:  # numbered from INDEX_BASE, as the page shows the classes
            changes["target"] = (
                None
                if raw["target"] in ("", "none")
                else _whole("target", raw["target"]) - INDEX_BASE
            )
        return state.replace(**changes)


def query_fields(query: str) -> dict[str, str]:
    """A URL query string's fields, the last value of each (``?`` in front or not)."""
    return {k: v[-1] for k, v in parse_qs(query.lstrip("?"), keep_blank_values=True).items()}


#: The fields of a share link's query (`State.to_query`, `State.from_query`): a preset to start
#: from, n, and the state's own fields.
LINK_FIELDS: tuple[str, ...] = ("preset", "n", *(f.name for f in fields(State)))


def _short(value: float) -> str:
    """The shortest text that reads back as the same float."""
    return repr(float(value)).removesuffix(".0") if float(value).is_integer() else repr(value)


def _whole(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise StateError(f"{name}: {text!r} is not a whole number") from None


def _boolean(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise StateError(f"{name}: {text!r} is not true or false")


@dataclass(frozen=True)
class Preset:
    """A named state with the one line shown when it is chosen."""

    title: str
    explanation: str
    state: State


PRESETS: dict[str, Preset] = {
    "seed": Preset(
        "The seed notebook",
        "The seed's X = [1, 4, 3, 2], theta = [0.3, 0.1, 0.9, 0.5]: "
        "g = [0.066, 0.073, 0.728, 0.133].",
        State(),
    ),
    "uniform": Preset(
        "Uniform",
        "Equal logits give every class 1/n, and the Jacobian is (I - 1/n) / n scaled by x.",
        State(x=(1.0, 1.0, 1.0, 1.0), theta=(0.5, 0.5, 0.5, 0.5)),
    ),
    "dominant": Preset(
        "One class dominates",
        "One logit far above the rest: g is nearly one-hot and every derivative nearly vanishes.",
        State(x=(1.0, 4.0, 3.0, 2.0), theta=(0.3, 0.1, 3.0, 0.5)),
    ),
    "cold": Preset(
        "Temperature near 0",
        "T = 0.05 sharpens softmax into argmax: the largest x*theta takes all the mass.",
        State(temperature=0.05),
    ),
    "hot": Preset(
        "Temperature large",
        "T = 20 flattens softmax towards uniform: g_i -> 1/n and the Jacobian shrinks like 1/T.",
        State(temperature=20.0),
    ),
    "overflow": Preset(
        "Overflow without the max-shift",
        "x*theta = 800 > 709: exp overflows and the textbook formula gives inf/inf = NaN. "
        "Turn on 'stable' (the max-shift) to get the exact answer.",
        State(x=(800.0, 790.0, 3.0, 2.0), theta=(1.0, 1.0, 0.9, 0.5), stable=False),
    ),
    "float32": Preset(
        "float32 cancellation",
        "In float32 a forward difference with h = 1e-6 loses most digits to cancellation: "
        "the V of the error-vs-step plot moves right, its best step is near 3e-4.",
        State(dtype="float32", scheme="forward", h=1e-6),
    ),
    "negative": Preset(
        "Negative coefficients",
        "Negative theta turn large x into small logits: the largest input is the least likely.",
        State(theta=(-0.3, -0.8, 0.9, -1.5)),
    ),
}
