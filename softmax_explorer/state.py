"""Everything the user set, as one immutable, validated value; its JSON and URL forms; presets.

A `State` is what the dashboard shows: the app turns widget values into a new state, computes once
for it and redraws. States are frozen and hashable, so a computation can be cached per state.

Each field is declared once, with its `~softmax_explorer.settings.Setting` (what it holds, its
label, its slider): `SETTINGS` is that table. The state's validation, its JSON and query forms,
the frames between two states and the app's controls are derived from it, so a new field is
one entry. Only the standard library is imported here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import parse_qs, urlencode

from .finite_diff import METHODS, STEP_RANGE
from .settings import (
    INDEX_BASE,
    Choice,
    ClassIndex,
    Flag,
    Number,
    Optional,
    Setting,
    Slider,
    StateError,
    Values,
    Whole,
)
from .special.sparse import MAPPINGS

__all__ = [
    "CLASSES",
    "INDEX_BASE",
    "LINK_FIELDS",
    "PRESETS",
    "SETTINGS",
    "Preset",
    "State",
    "StateError",
    "query_fields",
]

#: The number of classes: the length of x and theta, set by its own control and link key.
CLASSES = Setting(Whole(2, 32), "classes n", "The number of classes, 2 to 32")


def _setting(default: Any, kind, label: str, tooltip: str, slider: Slider | None = None):
    """A dataclass field of `State` with its `Setting` (the row of `SETTINGS`)."""
    return field(default=default, metadata={"setting": Setting(kind, label, tooltip, slider)})


@dataclass(frozen=True)
class State:
    """The dashboard's whole state.

    Attributes
    ----------
    x, theta : tuple of float
        Inputs and coefficients, ``2 <= n <= 32`` each.
    temperature : float
        ``T``; the logits are ``x * theta / T``.
    mapping : {"softmax", "sparsemax", "entmax15"}
        What turns the logits into probabilities (`softmax_explorer.special.MAPPINGS`).
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
    sampling : bool
        Whether the sampling view is shown.
    top_k : int or None
        The sampler keeps the k most probable classes (None: off).
    top_p, min_p : float or None
        Its nucleus and minimum-probability cuts, in (0, 1] (None: off).
    sampling_order : {"temperature_first", "temperature_last"}
        Whether the temperature divides the logits before the cuts (transformers, vLLM) or
        after them (llama.cpp).
    samples, seed : int
        How many classes to draw, and the seed of the draws.

    `SETTINGS` says what each accepts; the sliders show a narrower range for some, which
    presets and links may go beyond.
    """

    # fmt: off
    x: tuple[float, ...] = _setting(
        (1.0, 4.0, 3.0, 2.0), Values(-1e4, 1e4), "x values",
        "One number per class, separated by commas; press Enter to apply",
    )
    theta: tuple[float, ...] = _setting(
        (0.3, 0.1, 0.9, 0.5), Values(-1e3, 1e3), "coefficients θ", "θ_k multiplies x_k",
        Slider(-3.0, 3.0, 0.05),
    )
    # the temperature slider spans 0.05..20 on a log grid of 260 steps: T = 0.05, 1 and 20 (the
    # presets' temperatures) are exactly on it, so the slider shows them as they are
    temperature: float = _setting(
        1.0, Number(1e-3, 1e3), "temperature T", "T > 0: the logits are x·θ/T",
        Slider(0.05, 20.0, math.log10(20) / 130, log=True, readout=".3g"),
    )
    mapping: str = _setting(
        "softmax",
        Choice(MAPPINGS, labels=("softmax", "sparsemax", "1.5-entmax"),
               tips=("exp(z) normalised: never exactly 0",
                     "the projection onto the simplex: exact zeros below a threshold",
                     "between the two: exact zeros, smoother than sparsemax")),
        "mapping", "What turns the logits into probabilities",
    )
    stable: bool = _setting(
        True, Flag(), "max-shift (stable softmax)",
        "Subtract the largest logit before exponentiating; off shows exp overflowing",
    )
    dtype: str = _setting(
        "float64", Choice(("float64", "float32")), "dtype", "The precision of every computation",
    )
    wrt: str = _setting(
        "theta",
        Choice(("theta", "x"), labels=("∂g/∂θ", "∂g/∂x"),
               tips=("derivatives with respect to theta", "derivatives with respect to x")),
        "Jacobian", "The variable the Jacobian differentiates by",
    )
    scheme: str = _setting(
        "central", Choice(METHODS), "FD scheme", "The finite-difference scheme of the error panel",
    )
    h: float = _setting(
        1e-6, Number(*STEP_RANGE), "step h", "The finite-difference step",
        Slider(*STEP_RANGE, 0.25, log=True, readout=".1e"),
    )
    target: int | None = _setting(
        None, Optional(ClassIndex()), "target class",
        "The class of the cross-entropy and of the descent",
    )
    learning_rate: float = _setting(
        0.5, Number(1e-4, 1e2), "learning rate", "The length of a gradient-descent step",
        Slider(0.01, 5.0, 0.01),
    )
    sampling: bool = _setting(
        False, Flag(), "sampling view",
        "Show what a language model's sampler draws from g: temperature, top-k, top-p, min-p",
    )
    top_k: int | None = _setting(
        None, Optional(Whole(1, 32), on=3), "top-k", "Keep the k most probable classes",
        Slider(1, 32, 1, readout="d"),
    )
    top_p: float | None = _setting(
        None, Optional(Number(0.0, 1.0, open_low=True), on=0.9), "top-p",
        "Keep the most probable classes until their total reaches p",
        Slider(0.01, 1.0, 0.01),
    )
    min_p: float | None = _setting(
        None, Optional(Number(0.0, 1.0, open_low=True), on=0.1), "min-p",
        "Keep the classes at least p times as probable as the most probable",
        Slider(0.01, 1.0, 0.01),
    )
    sampling_order: str = _setting(
        "temperature_first",
        Choice(("temperature_first", "temperature_last"), labels=("T first", "T last"),
               tips=("the temperature divides the logits before the cuts (transformers, vLLM)",
                     "the cuts see T = 1, the temperature comes last (llama.cpp)")),
        "order", "When the temperature applies: before the cuts or after them",
    )
    samples: int = _setting(
        1000, Whole(0, 100_000), "draws N", "How many classes to draw from the sampler",
    )
    seed: int = _setting(
        0, Whole(0, 2**32 - 1), "seed", "The seed of the draws: the same seed, the same draws",
    )
    # fmt: on

    def __post_init__(self) -> None:
        for name, setting in SETTINGS.items():
            object.__setattr__(self, name, setting.kind.check(name, getattr(self, name)))
        n = CLASSES.kind
        if not n.low <= len(self.x) <= n.high:
            raise StateError("x", f"{len(self.x)} values; n must be between {n.low} and {n.high}")
        if len(self.theta) != len(self.x):
            raise StateError(
                "theta", f"{len(self.theta)} values, x has {len(self.x)}: one theta per class"
            )
        if self.target is not None and not 0 <= self.target < self.n:
            first, last = INDEX_BASE, self.n - 1 + INDEX_BASE
            raise StateError(
                "target", f"class {self.target + INDEX_BASE} does not exist ({first}..{last})"
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
        n = CLASSES.kind.check("n", n)
        x = self.x[:n] + tuple(float(k + 1) for k in range(self.n, n))
        theta = self.theta[:n] + (0.5,) * max(0, n - self.n)
        target = self.target if self.target is not None and self.target < n else None
        return replace(self, x=x, theta=theta, target=target)

    def between(self, other: State, t: float) -> State:
        """The state a fraction ``0 <= t <= 1`` of the way to ``other`` (an animation's frame).

        The numbers move as their sliders do: geometrically on a log slider (T, h), linearly
        otherwise (x, theta, the learning rate); the other fields are ``other``'s from the
        first frame.

        Raises
        ------
        StateError
            If the two have different numbers of classes.
        """
        if other.n != self.n:
            raise StateError("n", f"{self.n} and {other.n} classes have no states between them")

        def moved(a: float, b: float, log: bool) -> float:
            return a * (b / a) ** t if log else a + t * (b - a)

        changes = {}
        for name, setting in SETTINGS.items():
            a, b = getattr(self, name), getattr(other, name)
            log = setting.slider is not None and setting.slider.log
            if isinstance(setting.kind, Values):
                changes[name] = tuple(moved(u, v, log) for u, v in zip(a, b, strict=True))
            elif isinstance(setting.kind, Number):
                changes[name] = moved(a, b, log)
        return replace(other, **changes)

    # --- serialisation -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-compatible values (lists for x and theta)."""
        return {name: s.kind.to_json(getattr(self, name)) for name, s in SETTINGS.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> State:
        """The inverse of `to_dict`; missing keys take the defaults, unknown keys are refused."""
        if not isinstance(data, dict):
            raise StateError(None, f"a state is a JSON object, got {type(data).__name__}")
        unknown = sorted(set(data) - set(SETTINGS))
        if unknown:
            raise StateError(None, f"unknown field(s): {', '.join(unknown)}")
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
            raise StateError(None, f"not valid JSON: {err}") from None
        return cls.from_dict(data)

    def to_query(self) -> str:
        """A URL query string that `from_query` turns back into this state.

        n, x and theta always; the other fields where they differ from the defaults.
        """
        params: dict[str, str] = {"n": str(self.n)}
        for name, setting in SETTINGS.items():
            value = getattr(self, name)
            if isinstance(setting.kind, Values) or value != _DEFAULTS[name]:
                params[name] = setting.kind.to_text(value)
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
                raise StateError("preset", f"{name!r} is not one of {', '.join(PRESETS)}")
            state = PRESETS[name].state
        changes = {
            name: s.kind.from_text(name, raw[name]) for name, s in SETTINGS.items() if name in raw
        }
        if "n" in raw:
            n = CLASSES.kind.from_text("n", raw["n"])
            if "x" not in raw and "theta" not in raw:
                state = state.resized(n)
            for name in ("x", "theta"):
                if name in changes and len(changes[name]) != n:
                    raise StateError(name, f"{len(changes[name])} values, n is {n}")
        return state.replace(**changes)


#: The table of the state's fields: each one's `Setting`, in the order of `State`'s fields.
SETTINGS: dict[str, Setting] = {f.name: f.metadata["setting"] for f in fields(State)}
_DEFAULTS = {f.name: f.default for f in fields(State)}


def query_fields(query: str) -> dict[str, str]:
    """A URL query string's fields, the last value of each (``?`` in front or not)."""
    return {k: v[-1] for k, v in parse_qs(query.lstrip("?"), keep_blank_values=True).items()}


#: The fields of a share link's query (`State.to_query`, `State.from_query`): a preset to start
#: from, n, and the state's own fields.
LINK_FIELDS: tuple[str, ...] = ("preset", "n", *SETTINGS)


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
    "kink": Preset(
        "sparsemax on a kink",
        "z = (1, 0, -0.5, -1): sparsemax's threshold is tau = 0, and class 2 sits exactly on it. "
        "Its one-sided slopes differ: the gradient check says 'not differentiable here' and "
        "names the entries, instead of reporting a wrong derivative.",
        State(x=(1.0, 1.0, 1.0, 1.0), theta=(1.0, 0.0, -0.5, -1.0), mapping="sparsemax"),
    ),
    "near_kink": Preset(
        "sparsemax next to a kink",
        "theta_2 = 0.05: class 2 is just inside the support (g_2 = 0.025), 0.025 above tau. "
        "Steps below that are on one side of the kink and the check passes; a larger step "
        "reaches across it (watch the error-vs-step plot).",
        State(x=(1.0, 1.0, 1.0, 1.0), theta=(1.0, 0.05, -0.5, -1.0), mapping="sparsemax"),
    ),
    "greedy": Preset(
        "Sampling near T = 0",
        "At T = 0.05 class 3 takes all but 2e-15 of the probability: the sampler draws the "
        "argmax every time, as greedy decoding does, and the entropy is nearly 0.",
        State(sampling=True, temperature=0.05),
    ),
    "nucleus": Preset(
        "top-p 0.9",
        "top-p 0.9 keeps the most probable classes until they hold 90%: classes 3, 4 and 2 "
        "(93%); class 1 (6.6%) is never drawn, and the others share its probability.",
        State(sampling=True, top_p=0.9),
    ),
    "order": Preset(
        "The order of the cuts",
        "top-p 0.8 at T = 20: with the temperature first (transformers, vLLM) the cuts see an "
        "almost flat g and keep all four classes; with it last (llama.cpp) they see T = 1 and "
        "keep classes 3 and 4, which T = 20 then makes nearly equal. Switch the order to see it.",
        State(sampling=True, top_p=0.8, temperature=20.0),
    ),
}
