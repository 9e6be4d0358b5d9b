"""The controls, each declared once; `Controls` builds, names, observes and syncs them all.

A `Control` says everything about one control: its name (attribute and CSS class
``softmax-explorer-<name>``), its widget class and options, its label and tooltip, the state
field it sets, and how a state's value becomes the widget's. The widgets, their CSS classes,
their rejection hooks, their observers and their sync with a state are derived from
`CONTROLS`; nothing else lists them.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as W

from ..finite_diff import METHODS, STEP_RANGE
from ..state import INDEX_BASE, PRESETS, State
from .controller import THETA_RANGE
from .safe import (
    BoundedIntText,
    Checkbox,
    Dropdown,
    FloatLogSlider,
    FloatSlider,
    Play,
    Text,
    ToggleButtons,
)

__all__ = ["CONTROLS", "NO_TARGET", "Control", "Controls"]

NO_TARGET = -1  # the target dropdown's "none" (a Dropdown shows None as no selection)
# The temperature slider spans 0.05 .. 20 on a log10 grid of 260 steps: T = 0.05, 1 and 20 (the
# presets' temperatures) are exactly on it, so the slider shows them as they are.
_T_EDGE = math.log10(20)
TEMPERATURE_LOG_RANGE = (-_T_EDGE, _T_EDGE)
_STYLE = {"description_width": "110px"}
_WIDE = "330px"
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass(frozen=True)
class Control:
    """One control.

    Attributes
    ----------
    name : str
        Its name: the attribute of `Controls` and the CSS class ``softmax-explorer-<name>``.
    widget : type
        The widget class (one of `softmax_explorer.app.safe`'s, or a button).
    label, tooltip : str
        What the page shows next to it and on hover.
    state_field : str or None
        The `State` field it sets; None for a control with its own handler.
    options : dict
        Further keyword arguments of the widget.
    value : callable, optional
        ``value(state)``: the widget's value for a state (default: the field's value).
    choices : callable, optional
        ``choices(state)``: the widget's options for a state (dropdowns whose options change).
    """

    name: str
    widget: type
    label: str
    tooltip: str
    state_field: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    value: Callable[[State], Any] | None = None
    choices: Callable[[State], list] | None = None

    def build(self) -> W.Widget:
        """A new widget, named and labelled."""
        kwargs: dict[str, Any] = {"tooltip": self.tooltip, **self.options}
        if self.widget is W.Button:
            kwargs.setdefault("layout", W.Layout(width="80px"))
        else:
            kwargs.setdefault("style", _STYLE)
            kwargs.setdefault("layout", W.Layout(width=_WIDE))
        widget = self.widget(description=self.label, **kwargs)
        widget.add_class(f"softmax-explorer-{self.name.replace('_', '-')}")
        return widget

    def state_value(self, state: State) -> Any:
        """The widget's value for ``state`` (None for a control without one)."""
        if self.value is not None:
            return self.value(state)
        return None if self.state_field is None else getattr(state, self.state_field)


def _targets(state: State) -> list[tuple[str, int]]:
    return [("none", NO_TARGET)] + [(f"class {k + INDEX_BASE}", k) for k in range(state.n)]


CONTROLS: tuple[Control, ...] = (
    Control(
        "preset", Dropdown, "Preset", "A state that shows one phenomenon, with its explanation",
        options={
            "options": [("(choose a preset)", "")] + [(p.title, k) for k, p in PRESETS.items()],
            "value": "",
        },
    ),
    Control(
        "n", BoundedIntText, "classes n", "The number of classes, 2 to 32",
        options={"min": 2, "max": 32}, value=lambda s: s.n,
    ),
    Control(
        "x", Text, "x values", "One number per class, separated by commas; press Enter to apply",
        options={"placeholder": "comma-separated, e.g. 1, 4, 3, 2", "continuous_update": False},
        value=lambda s: ", ".join(f"{v:g}" for v in s.x),
    ),
    Control(
        "temperature", FloatLogSlider, "temperature T", "T > 0: the logits are x·θ/T",
        state_field="temperature",
        options={"base": 10, "min": TEMPERATURE_LOG_RANGE[0], "max": TEMPERATURE_LOG_RANGE[1],
                 "step": _T_EDGE / 130, "readout_format": ".3g"},
    ),
    Control(
        "stable", Checkbox, "max-shift (stable softmax)",
        "Subtract the largest logit before exponentiating; off shows exp overflowing",
        state_field="stable", options={"indent": False},
    ),
    Control(
        "dtype", ToggleButtons, "dtype", "The precision of every computation", state_field="dtype",
        options={"options": ["float64", "float32"]},
    ),
    Control(
        "wrt", ToggleButtons, "Jacobian", "The variable the Jacobian differentiates by",
        state_field="wrt",
        options={"options": [("∂g/∂θ", "theta"), ("∂g/∂x", "x")],
                 "tooltips": ["derivatives with respect to theta",
                              "derivatives with respect to x"]},
    ),
    Control(
        "scheme", Dropdown, "FD scheme", "The finite-difference scheme of the error panel",
        state_field="scheme", options={"options": list(METHODS)},
    ),
    Control(
        "h", FloatLogSlider, "step h", "The finite-difference step", state_field="h",
        options={"base": 10, "min": math.log10(STEP_RANGE[0]), "max": math.log10(STEP_RANGE[1]),
                 "step": 0.25, "readout_format": ".1e"},
    ),
    Control(
        "target", Dropdown, "target class", "The class of the cross-entropy and of the descent",
        value=lambda s: NO_TARGET if s.target is None else s.target, choices=_targets,
    ),
    Control(
        "learning_rate", FloatSlider, "learning rate", "The length of a gradient-descent step",
        state_field="learning_rate",
        options={"min": 0.01, "max": 5.0, "step": 0.01, "readout_format": ".2f"},
    ),
    Control("step_button", W.Button, "Step", "One gradient-descent step on theta"),
    Control(
        "play", Play, "descend", "Play: gradient descent, one step every 0.2 s",
        options={"value": 0, "min": 0, "max": 10**6, "step": 1, "interval": 200,
                 "show_repeat": False, "style": {}, "layout": {"width": "auto"}},
    ),
    Control(
        "reset_button", W.Button, "Reset",
        "Back to the preset, the lesson's step or the seed's values",
    ),
)  # fmt: skip


def _note(css: str) -> W.HTML:
    note = W.HTML(layout=W.Layout(width=_WIDE))
    note.add_class(f"softmax-explorer-{css}")
    return note


@dataclass
class _Notes:
    """The one-line readouts under the controls."""

    preset: W.HTML = field(default_factory=lambda: _note("preset-note"))
    x: W.HTML = field(default_factory=lambda: _note("x-error"))
    loss: W.HTML = field(default_factory=lambda: _note("loss"))


class Controls:
    """The widgets of `CONTROLS` and the theta sliders, in one column.

    Parameters
    ----------
    on_change : callable
        ``on_change(control, change)`` for every change of a control's value by the user (not
        while `sync` sets them); buttons call it with ``change=None``.
    on_theta : callable
        ``on_theta(k, change)`` for a change of theta slider ``k`` (0-based).
    on_rejected : callable
        ``on_rejected(widget, error)`` for a value the widget itself refused.

    Attributes
    ----------
    widgets : dict of str to Widget
        Per control name.
    thetas : list of FloatSlider
        One per class.
    notes : _Notes
        The readouts of the preset, the x field and the loss.
    box : VBox
        The column to show.
    """

    def __init__(
        self,
        on_change: Callable[[Control, dict | None], None],
        on_theta: Callable[[int, dict], None],
        on_rejected: Callable[[W.Widget, Exception], None],
    ) -> None:
        self.syncing = False
        self._on_theta, self._on_rejected = on_theta, on_rejected
        self.controls = {c.name: c for c in CONTROLS}
        self.widgets: dict[str, W.Widget] = {}
        for control in CONTROLS:
            widget = self.widgets[control.name] = control.build()
            if isinstance(widget, W.Button):
                widget.on_click(lambda _b, c=control: on_change(c, None))
                continue
            widget.on_rejected = on_rejected
            widget.observe(
                lambda change, c=control: None if self.syncing else on_change(c, change), "value"
            )
        self.thetas: list[W.FloatSlider] = []
        self.theta_box = W.GridBox(layout=W.Layout(grid_template_columns="1fr", width=_WIDE))
        self.notes = _Notes()
        w = self.widgets
        self.box = W.VBox(
            [
                W.HTML("<h3 style='margin:0'>softmax explorer</h3>"),
                w["preset"], self.notes.preset, w["n"], w["x"], self.notes.x,
                W.HTML("<b>coefficients θ</b>"), self.theta_box,
                *(w[name] for name in ("temperature", "stable", "dtype", "wrt", "scheme", "h")),
                w["target"], self.notes.loss, w["learning_rate"],
                W.HBox([w["step_button"], w["play"], w["reset_button"]]),
            ],
            layout=W.Layout(width="350px", min_width="350px"),
        )  # fmt: skip

    def __getitem__(self, name: str) -> W.Widget:
        """The widget of control ``name``."""
        return self.widgets[name]

    def sync(self, state: State) -> None:
        """Set every control to ``state`` without calling the observers."""
        self.syncing = True
        try:
            if len(self.thetas) != state.n:
                self._build_thetas(state.n)
            for slider, value in zip(self.thetas, state.theta, strict=True):
                with slider.hold_sync():
                    slider.min = min(THETA_RANGE[0], value)
                    slider.max = max(THETA_RANGE[1], value)
                    slider.value = value
            for control in CONTROLS:
                widget = self.widgets[control.name]
                if control.choices is not None:
                    choices = control.choices(state)
                    if list(widget.options) != choices:
                        with widget.hold_sync():
                            widget.options = choices
                value = control.state_value(state)
                if value is not None and widget.value != value:
                    widget.value = value
        finally:
            self.syncing = False

    def select_preset(self, name: str) -> None:
        """Show preset ``name`` in the dropdown with its explanation (no state change)."""
        if name not in PRESETS:
            return
        self.syncing = True
        try:
            self.widgets["preset"].value = name
        finally:
            self.syncing = False
        self.notes.preset.value = f"<i>{html.escape(PRESETS[name].explanation)}</i>"

    def show_x_error(self, message: str) -> None:
        """The message under the x field, or none."""
        self.notes.x.value = (
            "<span class='softmax-explorer-error' style='color:#b00020'>"
            f"{html.escape(message)}</span>"
            if message
            else ""
        )

    def show_loss(self, loss: float | None) -> None:
        """The cross-entropy readout."""
        self.notes.loss.value = (
            "loss: <i>choose a target class</i>" if loss is None else f"loss C = <b>{loss:.6g}</b>"
        )

    def _build_thetas(self, n: int) -> None:
        sliders = []
        for k in range(n):
            slider = FloatSlider(
                value=0.5, min=THETA_RANGE[0], max=THETA_RANGE[1], step=0.05,
                description=f"θ{str(k + INDEX_BASE).translate(_SUBSCRIPTS)}", readout_format=".2f",
                continuous_update=True, style={"description_width": "30px"},
                layout=W.Layout(width="100%"),
            )  # fmt: skip
            slider.observe(
                lambda change, k=k: None if self.syncing else self._on_theta(k, change), "value"
            )
            slider.on_rejected = self._on_rejected
            slider.add_class(f"softmax-explorer-theta-{k + INDEX_BASE}")
            sliders.append(slider)
        for slider in self.thetas:
            slider.close()
        self.thetas = sliders
        self.theta_box.layout.grid_template_columns = "1fr" if n <= 8 else "1fr 1fr"
        self.theta_box.children = sliders
