"""Widgets that never raise on what a browser sends, and callbacks that never raise either.

A browser can send any value through the widget protocol; the widgets here put it back to the
kernel's value and report it instead (`safe`). A callback that fails logs the error and shows
one line (`guarded`). Imports ipywidgets.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from typing import Any

import ipywidgets as W

__all__ = [
    "BoundedIntText",
    "Checkbox",
    "Dropdown",
    "FloatLogSlider",
    "FloatSlider",
    "Play",
    "Text",
    "ToggleButtons",
    "from_browser",
    "guarded",
    "safe",
    "slider_rounding",
]

log = logging.getLogger("softmax_explorer.app")


def safe(cls: type[W.Widget]) -> type[W.Widget]:
    """``cls`` whose ``set_state`` (how the browser's messages arrive) never raises.

    A value outside the widget's range (NaN included; a slider would silently clamp it) or one
    its traits refuse (a string for a number, say) puts the browser back to the kernel's value
    and calls the widget's ``on_rejected(widget, error)``, if set.
    """

    class Safe(cls):
        on_rejected: Callable[[W.Widget, Exception], None] | None = None

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
                raise ValueError(f"{value!r} is outside {low:.3g}..{high:.3g}")

        def set_state(self, sync_data: dict) -> None:
            try:
                self._check_range(sync_data)
                super().set_state(sync_data)
            except Exception as err:  # traitlets' TraitError, or a validator's ValueError
                self.send_state()
                if self.on_rejected is not None:
                    self.on_rejected(self, err)

    Safe.__name__ = Safe.__qualname__ = cls.__name__
    return Safe


BoundedIntText = safe(W.BoundedIntText)
Checkbox = safe(W.Checkbox)
Dropdown = safe(W.Dropdown)
FloatLogSlider = safe(W.FloatLogSlider)
FloatSlider = safe(W.FloatSlider)
Play = safe(W.Play)
Text = safe(W.Text)
ToggleButtons = safe(W.ToggleButtons)


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


def slider_rounding(change: dict, current: object) -> bool:
    """Whether a browser's new slider value is only the slider snapping ``current`` to its grid.

    A slider shows the state's value rounded to its step and sends that back; a hand on the
    slider moves at least one whole step. Within half a step, the state keeps its exact value.
    """
    widget, new = change["owner"], change["new"]
    step = getattr(widget, "step", None)
    if not from_browser(change) or not step or not isinstance(current, float):
        return False
    if isinstance(widget, W.FloatLogSlider):
        if new <= 0 or current <= 0:
            return False
        return abs(math.log(new / current, widget.base)) <= step / 2
    return abs(new - current) <= step / 2
