"""The kinds of value a setting holds, and `Setting`: one row of the state's table of fields.

A kind checks a value (from Python, JSON or a widget), writes it in a share link and reads it
back; a `Setting` adds what a person sees (label, tooltip) and, for a number, the range and step
of its slider. `softmax_explorer.state` declares one `Setting` per field of `State`, and the
state's validation, its JSON and query forms, its animation frames and the app's controls are
all derived from those rows. A refused value raises `StateError` carrying the setting's name
and the reason. Only the standard library is imported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = [
    "INDEX_BASE",
    "Choice",
    "ClassIndex",
    "Flag",
    "Kind",
    "Number",
    "Optional",
    "Setting",
    "Slider",
    "StateError",
    "Values",
    "Whole",
    "parse_values",
    "short",
]

#: The numbering a person reads. The Python API counts classes from 0, as numpy does; the page,
#: its formulas and its share links (``target=``) use the math's numbering, from this base.
INDEX_BASE = 1


class StateError(ValueError):
    """A value the dashboard cannot show.

    Attributes
    ----------
    field : str or None
        The setting refused (``"temperature"``, ``"n"``, ``"preset"``), or None for the state
        as a whole (not JSON, unknown fields).
    reason : str
        Why, in words (``"0 is outside 0.001..1000"``).
    """

    def __init__(self, field: str | None, reason: str) -> None:
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}" if field else reason)


def short(value: float) -> str:
    """The shortest text that reads back as the same float (``1`` for 1.0)."""
    value = float(value)
    return repr(value).removesuffix(".0") if value.is_integer() else repr(value)


class Kind:
    """What a setting holds: how a value is checked, written in a link and read back."""

    def check(self, name: str, value: Any) -> Any:
        """``value`` in its canonical form; `StateError` (for ``name``) if it is refused."""
        raise NotImplementedError

    def to_text(self, value: Any) -> str:
        """The value as a share link writes it."""
        return str(value)

    def from_text(self, name: str, text: str) -> Any:
        """A value from a share link's text (checked)."""
        return self.check(name, text)

    def to_json(self, value: Any) -> Any:
        """The value as JSON holds it."""
        return value


@dataclass(frozen=True)
class Number(Kind):
    """A finite float within ``low..high`` (inclusive; ``low`` excluded if ``open_low``).

    Numeric text is read.
    """

    low: float
    high: float
    open_low: bool = False

    def check(self, name: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            try:
                value = float(str(value).strip())
            except ValueError:
                raise StateError(name, f"{value!r} is not a number") from None
        value = float(value)
        if not math.isfinite(value):
            raise StateError(name, f"{value} is not a finite number")
        above = value > self.low if self.open_low else value >= self.low
        if not (above and value <= self.high):
            low = f"({self.low:g}" if self.open_low else f"{self.low:g}"
            raise StateError(name, f"{value:g} is outside {low}..{self.high:g}")
        return value

    def to_text(self, value: float) -> str:
        return short(value)


@dataclass(frozen=True)
class Whole(Kind):
    """A whole number within ``low..high`` (inclusive)."""

    low: int
    high: int

    def check(self, name: str, value: Any) -> int:
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise StateError(name, f"{value!r} is not a whole number") from None
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not self.low <= value <= self.high
        ):
            raise StateError(
                name, f"{value!r} is not a whole number between {self.low} and {self.high}"
            )
        return value


@dataclass(frozen=True)
class Choice(Kind):
    """One of ``options``; ``labels`` and ``tips`` are what a control shows for each."""

    options: tuple[str, ...]
    labels: tuple[str, ...] | None = None
    tips: tuple[str, ...] | None = None

    def check(self, name: str, value: Any) -> str:
        if not isinstance(value, str) or value not in self.options:
            raise StateError(name, f"{value!r} is not one of {', '.join(self.options)}")
        return value


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class Flag(Kind):
    """True or false; a link writes ``true`` or ``false`` and reads yes/no, on/off, 1/0 too."""

    def check(self, name: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise StateError(name, f"{value!r} is not true or false")
        return value

    def to_text(self, value: bool) -> str:
        return "true" if value else "false"

    def from_text(self, name: str, text: str) -> bool:
        lowered = text.strip().lower()
        if lowered in _TRUE + _FALSE:
            return lowered in _TRUE
        raise StateError(name, f"{text!r} is not true or false")


class ClassIndex(Kind):
    """A class, counted from 0; a link and the page count from `INDEX_BASE`.

    Whether the class exists depends on n: `softmax_explorer.state.State` checks that.
    """

    def check(self, name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise StateError(name, f"{value!r} is not a class number")
        return value

    def to_text(self, value: int) -> str:
        return str(value + INDEX_BASE)

    def from_text(self, name: str, text: str) -> int:
        try:
            return int(text) - INDEX_BASE
        except ValueError:
            raise StateError(name, f"{text!r} is not a whole number") from None


@dataclass(frozen=True)
class Optional(Kind):
    """None (off), or a value of ``kind``; a link writes ``none`` for off.

    ``on`` is the value a control starts from when it is switched on (None: the kind's own).
    """

    kind: Kind
    off: str = "none"
    on: Any = None

    def check(self, name: str, value: Any) -> Any:
        return None if value is None else self.kind.check(name, value)

    def to_text(self, value: Any) -> str:
        return self.off if value is None else self.kind.to_text(value)

    def from_text(self, name: str, text: str) -> Any:
        return None if text in ("", self.off) else self.kind.from_text(name, text)


def parse_values(name: str, value: Any, number: Number) -> tuple[float, ...]:
    """Comma-separated text or a sequence of numbers -> a tuple of floats, each a ``number``.

    Raises
    ------
    StateError
        Naming the first entry that is not a number (``x: value 2, 'two' is not a number``).
    """
    if isinstance(value, str):
        parts = [p.strip() for p in value.replace(";", ",").split(",")]
        if parts and parts[-1] == "":  # a trailing comma
            parts.pop()
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        raise StateError(name, f"expected comma-separated numbers, got {value!r}")
    out = []
    for i, part in enumerate(parts, start=1):
        if isinstance(part, str) and not part:
            raise StateError(name, f"value {i} is empty")
        try:
            out.append(number.check(name, part))
        except StateError as err:
            raise StateError(name, f"value {i}, {err.reason}") from None
    return tuple(out)


@dataclass(frozen=True)
class Values(Kind):
    """One number per class, each a `Number` of ``low..high``; text is comma-separated."""

    low: float
    high: float

    def check(self, name: str, value: Any) -> tuple[float, ...]:
        return parse_values(name, value, Number(self.low, self.high))

    def to_text(self, value: tuple[float, ...]) -> str:
        return ",".join(short(v) for v in value)

    def to_json(self, value: tuple[float, ...]) -> list[float]:
        return list(value)


@dataclass(frozen=True)
class Slider:
    """The range and step of a number's slider, which may be narrower than what the setting takes.

    A state beyond the slider (from a link, a preset or a lesson) widens it to show its value.

    Attributes
    ----------
    low, high : float
        The slider's ends.
    step : float
        Its step; for a ``log`` slider, in decades.
    log : bool
        A logarithmic slider (the value moves geometrically: an animation's frames too).
    readout : str
        The format of the value shown beside it.
    """

    low: float
    high: float
    step: float
    log: bool = False
    readout: str = ".2f"


@dataclass(frozen=True)
class Setting:
    """One row of the state's table: what a field holds and how a person sets it.

    Attributes
    ----------
    kind : Kind
        What it holds: checks, link text, JSON.
    label, tooltip : str
        What the page shows beside its control and on hover.
    slider : Slider or None
        For a number (or one per class), its slider; None for another control.
    """

    kind: Kind
    label: str
    tooltip: str
    slider: Slider | None = None
