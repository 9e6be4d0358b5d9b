"""`OptionalSlider`: a slider that a checkbox switches off, for a setting that may be off (None).

The checkbox and the slider are the widgets the browser talks to (each refuses what it should
not take, see `softmax_explorer.app.safe`); their changes are reported as the change of the
setting, with the widget that changed as its owner, so that a change from the browser and a
slider's echo are told apart as for any other control. Imports ipywidgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as W

from .safe import Checkbox, FloatSlider, IntSlider

__all__ = ["OptionalSlider"]


class OptionalSlider(W.HBox):
    """A checkbox (on or off) beside a slider: its value is None, or the slider's.

    Parameters
    ----------
    description, tooltip : str
        The checkbox's label and both widgets' tooltip.
    whole : bool
        An integer slider (else a float one).
    on : float
        Where the slider starts (its value once switched on).
    **slider : Any
        The slider's ``min``, ``max``, ``step`` and ``readout_format``.
    """

    def __init__(
        self, description: str, tooltip: str, whole: bool, on: float, style=None, layout=None,
        **slider: Any,
    ) -> None:  # fmt: skip
        self.toggle = Checkbox(
            value=False, description=description, indent=False, tooltip=tooltip,
            layout=W.Layout(width="110px"),
        )  # fmt: skip
        self.slider = (IntSlider if whole else FloatSlider)(
            value=on, tooltip=tooltip, continuous_update=True, disabled=True,
            layout=W.Layout(width="210px"), **slider,
        )  # fmt: skip
        super().__init__([self.toggle, self.slider], layout=layout)
        self._on_rejected: Callable | None = None

    @property
    def value(self) -> Any:
        """None while switched off, else the slider's value."""
        return self.slider.value if self.toggle.value else None

    @value.setter
    def value(self, value: Any) -> None:
        with self.hold_sync():
            self.toggle.value = value is not None
            self.slider.disabled = value is None
            if value is not None:
                self.slider.value = value

    def observe_value(self, callback: Callable[[dict], None]) -> None:
        """Call ``callback(change)`` when either widget changes the value.

        ``change["owner"]`` is the widget that changed and ``change["new"]`` the new value.
        """

        def changed(change: dict) -> None:
            self.slider.disabled = not self.toggle.value
            callback({**change, "new": self.value})

        self.toggle.observe(changed, "value")
        self.slider.observe(lambda change: changed(change) if self.toggle.value else None, "value")

    @property
    def description(self) -> str:
        """Its label (the checkbox's)."""
        return self.toggle.description

    @property
    def tooltip(self) -> str:
        """Its tooltip."""
        return self.toggle.tooltip

    @property
    def on_rejected(self) -> Callable | None:
        """``on_rejected(self, error)``, called when either widget refuses a browser's value."""
        return self._on_rejected

    @on_rejected.setter
    def on_rejected(self, callback: Callable | None) -> None:
        self._on_rejected = callback
        refused = None if callback is None else (lambda _widget, error: callback(self, error))
        self.toggle.on_rejected = self.slider.on_rejected = refused
