"""Widgets that never raise on what a browser sends, and callbacks that never raise either.

A browser can send any value through the widget protocol; the widgets here put it back to the
kernel's value and report it instead (`safe`); the sliders tell a hand from their own echo of a
value the kernel set (`SliderEchoes`). A callback that fails logs the error and shows one line
(`guarded`). Imports ipywidgets.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import ipywidgets as W

__all__ = [
    "ECHO_WAIT",
    "BoundedIntText",
    "Checkbox",
    "Dropdown",
    "FloatLogSlider",
    "FloatSlider",
    "IntSlider",
    "Play",
    "Rejected",
    "SliderEchoes",
    "Text",
    "ToggleButtons",
    "browser_echo",
    "from_browser",
    "guarded",
    "safe",
]

log = logging.getLogger("softmax_explorer.app")
#: Seconds within which a browser sends back a value the kernel set before its last one.
ECHO_WAIT = 3.0


class Rejected(ValueError):
    """A value a browser sent that a widget refused.

    Attributes
    ----------
    key : str
        The widget's property it was sent for (``value``, ``index``).
    value : object
        What was sent.
    reason : str
        Why it was refused, in words (``nan is outside -3..3``).
    """

    def __init__(self, key: str, value: Any, reason: str) -> None:
        self.key, self.value, self.reason = key, value, reason
        super().__init__(f"{key}: {reason}")


def safe(cls: type[W.Widget]) -> type[W.Widget]:
    """``cls`` whose ``set_state`` (how the browser's messages arrive) never raises.

    A value outside the widget's range (NaN included; a slider would silently clamp it) or one
    its traits refuse (a string for a number, say) puts the browser back to the kernel's value
    and calls the widget's ``on_rejected(widget, error)``, if set, with a `Rejected`.
    """

    class Safe(cls):
        on_rejected: Callable[[W.Widget, Rejected], None] | None = None

        def _check_range(self, sync_data: dict) -> None:
            value = sync_data.get("value")
            if not hasattr(self, "min") or isinstance(value, bool):
                return
            if not isinstance(value, int | float):
                return  # the traits themselves refuse other types
            low, high = self.min, self.max
            if isinstance(self, W.FloatLogSlider):
                low, high = self.base**low, self.base**high
            if not low <= value <= high:
                raise Rejected("value", value, f"{value!r} is outside {low:.3g}..{high:.3g}")

        def set_state(self, sync_data: dict) -> None:
            try:
                self._check_range(sync_data)
                super().set_state(sync_data)
            except Exception as err:  # ours, traitlets' TraitError, or a validator's ValueError
                self.send_state()
                if not isinstance(err, Rejected):
                    key, value = next(iter(sync_data.items()), ("value", None))
                    err = Rejected(key, value, f"{key} {value!r} is not one this control takes")
                if self.on_rejected is not None:
                    self.on_rejected(self, err)

    Safe.__name__ = Safe.__qualname__ = cls.__name__
    return Safe


def guarded(callback: Callable, report: Callable[[str], None]) -> Callable:
    """``callback``, made never to raise.

    An unexpected exception is logged and ``report``-ed in one line, never shown as a traceback.
    """

    @functools.wraps(callback)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except Exception as err:  # the last line of defence of a callback
            log.exception("softmax-explorer callback %s failed", callback.__name__)
            report(f"Something went wrong ({type(err).__name__}); the last state is kept.")
            return None

    return wrapper


def from_browser(change: dict) -> bool:
    """Whether a trait change came from the front-end (ipywidgets locks the property then)."""
    return bool(getattr(change.get("owner"), "_property_lock", None))


class SliderEchoes:
    """Tells a hand on a browser's slider from the slider sending back what the kernel set.

    The browser's slider snaps every value the kernel sets to its step grid and sends the
    snapped value back, one message per value, in order, and often after the kernel has moved
    on: while a bar is dragged or a change is animated, several are on their way at once. A hand
    moves the slider by whole steps from where it stands. So a browser's value within half a step
    of a value the kernel set since the browser's last answer is an echo; anything else is a hand,
    and the slider stands at it from then on. A value already on the grid may have no echo at
    all: the values set before the last one wait for theirs for `ECHO_WAIT` seconds only, so
    that a hand that later lands on one of them (a preset's value, then another preset's) is
    not taken for its echo.

    Parameters
    ----------
    slider : ipywidgets.FloatSlider or ipywidgets.FloatLogSlider
        Watched from now on; its present value is the first one the browser may send back.
    keep : int
        How many values set by the kernel wait for their echo at most.
    clock : callable, optional
        Seconds on a clock that only moves forward (default `time.monotonic`).
    """

    def __init__(
        self,
        slider: W.FloatSlider | W.FloatLogSlider,
        keep: int = 64,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.slider = slider
        self._clock = clock
        self._sent: deque[tuple[float, float]] = deque([(slider.value, clock())], maxlen=keep)
        slider.observe(self._on_value, "value")

    def _on_value(self, change: dict) -> None:
        if not from_browser(change):
            self._sent.append((change["new"], self._clock()))

    def _steps(self, a: float, b: float) -> float:
        """How many slider steps lie between values ``a`` and ``b``."""
        slider = self.slider
        if isinstance(slider, W.FloatLogSlider):
            if a <= 0 or b <= 0:
                return math.inf
            return abs(math.log(a / b, slider.base)) / slider.step
        return abs(a - b) / slider.step

    def is_echo(self, change: dict) -> bool:
        """Whether the browser's new value in ``change`` only sends back one the kernel set.

        Call it once for each change of the slider's value.
        """
        new = change["new"]
        if not from_browser(change) or not isinstance(new, float):
            return False
        now = self._clock()
        last = len(self._sent) - 1
        for i, (value, at) in enumerate(self._sent):
            waiting = i == last or now - at <= ECHO_WAIT
            if waiting and self._steps(new, value) <= 0.5:
                for _ in range(i):
                    self._sent.popleft()  # answered before this one, or never
                return True
        self._sent.clear()
        self._sent.append((new, now))
        return False


def echoing(cls: type[W.Widget]) -> type[W.Widget]:
    """Slider class ``cls`` whose instances carry their `SliderEchoes` as ``echoes``."""

    class Echoing(cls):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.echoes = SliderEchoes(self)

    Echoing.__name__ = Echoing.__qualname__ = cls.__name__
    return Echoing


def browser_echo(change: dict) -> bool:
    """Whether ``change`` is a slider sending back what the kernel set (see `SliderEchoes`)."""
    echoes = getattr(change["owner"], "echoes", None)
    return echoes is not None and echoes.is_echo(change)


BoundedIntText = safe(W.BoundedIntText)
Checkbox = safe(W.Checkbox)
Dropdown = safe(W.Dropdown)
FloatLogSlider = echoing(safe(W.FloatLogSlider))
FloatSlider = echoing(safe(W.FloatSlider))
IntSlider = safe(W.IntSlider)
Play = safe(W.Play)
Text = safe(W.Text)
ToggleButtons = safe(W.ToggleButtons)
