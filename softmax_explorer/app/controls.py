"""The controls: one per field of the state's table, plus the few that act; `Controls` builds them.

A field's control is derived from its `~softmax_explorer.settings.Setting`: a number gets a slider
(logarithmic where the setting says) over the slider's range, a flag a checkbox, a choice toggle
buttons (up to three options) or a dropdown, the x values a text field, theta one slider per
class, the target class a dropdown of the classes. The controls that act rather than set a field
(preset, n, the descent's buttons, Reset) are declared here. `CONTROLS` lists them all, in the
order of the column; each control's name is its attribute of `Controls` and its CSS class
``softmax-explorer-<name>``. Whoever builds `Controls` names the handler of each control that
acts; a field's control without one sets its field.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import ipywidgets as W

from ..settings import (
    INDEX_BASE,
    Choice,
    ClassIndex,
    Flag,
    Number,
    Optional,
    Setting,
    Values,
    Whole,
)
from ..state import CLASSES, PRESETS, SETTINGS, State
from .optional import OptionalSlider
from .safe import (
    BoundedIntText,
    Checkbox,
    Dropdown,
    FloatLogSlider,
    FloatSlider,
    Play,
    Rejected,
    Text,
    ToggleButtons,
)

__all__ = ["CONTROLS", "NO_TARGET", "Control", "Controls"]

NO_TARGET = -1  # the target dropdown's "none" (a Dropdown shows None as no selection)
#: The readout shown under a field's control, by field.
_NOTES = {"x": "x-error", "target": "loss"}
_STYLE = {"description_width": "110px"}
_WIDE = "330px"
_READOUT = "64px"  # a logarithmic slider's readout, beside it
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
#: A choice with up to this many options is shown as toggle buttons, else as a dropdown.
_TOGGLES = 3


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
        The `State` field it sets; None for a control that acts.
    options : dict
        Further keyword arguments of the widget.
    value : callable, optional
        ``value(state)``: the widget's value for a state (default: the field's value).
    choices : callable, optional
        ``choices(state)``: the widget's options for a state (dropdowns whose options change).
    setting : Setting, optional
        The field's row of the table (a number's slider widens to show a value beyond it).
    note : str, optional
        The CSS name of a readout shown under it (``preset-note``, ``x-error``, ``loss``).
    row : str, optional
        Consecutive controls of one row share a line.
    shown : callable, optional
        ``shown(state)``: whether the control is shown for a state (default: always).
    """

    name: str
    widget: type
    label: str
    tooltip: str
    state_field: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    value: Callable[[State], Any] | None = None
    choices: Callable[[State], list] | None = None
    setting: Setting | None = None
    note: str | None = None
    row: str | None = None
    shown: Callable[[State], bool] | None = None

    def build(self) -> W.Widget:
        """A new widget, named and labelled."""
        kwargs: dict[str, Any] = {"tooltip": self.tooltip, **self.options}
        if self.widget is W.Button:
            kwargs.setdefault("layout", W.Layout(width="80px"))
        else:
            kwargs.setdefault("style", _STYLE)
            # a logarithmic slider leaves room for its readout (`Controls.readouts`)
            width = f"calc({_WIDE} - {_READOUT})" if self.widget is FloatLogSlider else _WIDE
            kwargs.setdefault("layout", W.Layout(width=width))
        widget = self.widget(description=self.label, **kwargs)
        widget.add_class(f"softmax-explorer-{self.name.replace('_', '-')}")
        return widget

    @property
    def per_class(self) -> bool:
        """Whether it is one ``widget`` per class (theta's sliders, which `Controls` builds)."""
        return (
            self.setting is not None
            and isinstance(self.setting.kind, Values)
            and self.setting.slider is not None
        )

    def state_value(self, state: State) -> Any:
        """The widget's value for ``state`` (None for a control that acts)."""
        if self.value is not None:
            return self.value(state)
        return None if self.state_field is None else getattr(state, self.state_field)


def _readout(name: str) -> W.Label:
    label = W.Label(layout=W.Layout(width=_READOUT, flex="0 0 auto"))
    label.add_class(f"softmax-explorer-{name.replace('_', '-')}-readout")
    return label


def _targets(state: State) -> list[tuple[str, int]]:
    return [("none", NO_TARGET)] + [(f"class {k + INDEX_BASE}", k) for k in range(state.n)]


def _slider_options(setting: Setting) -> tuple[type, dict[str, Any]]:
    s = setting.slider
    if s.log:
        ends = {"base": 10, "min": math.log10(s.low), "max": math.log10(s.high)}
        # the readout is the kernel's (`Controls.readouts`): the browser's shows the value
        # snapped to the slider's grid, 0.501 for a lesson's T = 0.5
        return FloatLogSlider, {**ends, "step": s.step, "readout": False}
    return FloatSlider, {"min": s.low, "max": s.high, "step": s.step, "readout_format": s.readout}


def field_control(
    name: str, note: str | None = None, shown: Callable[[State], bool] | None = None
) -> Control:
    """The control of field ``name``, derived from its row of `SETTINGS`."""
    setting = SETTINGS[name]
    kind = setting.kind
    common = {"label": setting.label, "tooltip": setting.tooltip, "note": note, "shown": shown}
    if isinstance(kind, Optional) and setting.slider is not None:  # a cut that may be off
        s = setting.slider
        options = {"whole": isinstance(kind.kind, Whole), "on": kind.on, "min": s.low,
                   "max": s.high, "step": s.step, "readout_format": s.readout}  # fmt: skip
        return Control(
            name, OptionalSlider, state_field=name, options=options, setting=setting, **common
        )
    if isinstance(kind, Whole):
        options = {"min": kind.low, "max": kind.high}
        return Control(name, BoundedIntText, state_field=name, options=options, **common)
    if isinstance(kind, Number) and setting.slider is not None:
        widget, options = _slider_options(setting)
        return Control(name, widget, state_field=name, options=options, setting=setting, **common)
    if isinstance(kind, Flag):
        return Control(name, Checkbox, state_field=name, options={"indent": False}, **common)
    if isinstance(kind, Choice):
        labels = kind.labels or kind.options
        options: dict[str, Any] = {"options": list(zip(labels, kind.options, strict=True))}
        if len(kind.options) > _TOGGLES:
            return Control(name, Dropdown, state_field=name, options=options, **common)
        if kind.tips:
            options["tooltips"] = list(kind.tips)
        return Control(name, ToggleButtons, state_field=name, options=options, **common)
    if isinstance(kind, Values) and setting.slider is not None:  # one slider per class
        return Control(name, FloatSlider, state_field=name, setting=setting, **common)
    if isinstance(kind, Values):
        example = ", ".join(f"{v:g}" for v in State().x)
        return Control(
            name, Text, state_field=name,
            options={"placeholder": f"comma-separated, e.g. {example}",
                     "continuous_update": False},
            value=lambda s: ", ".join(f"{v:g}" for v in getattr(s, name)), **common,
        )  # fmt: skip
    if isinstance(kind, Optional) and isinstance(kind.kind, ClassIndex):
        return Control(
            name, Dropdown, state_field=name, choices=_targets,
            value=lambda s: NO_TARGET if getattr(s, name) is None else getattr(s, name), **common,
        )  # fmt: skip
    raise TypeError(f"no control for the setting {name!r} ({type(kind).__name__})")


def _fields(first: str, last: str) -> list[str]:
    """The fields of `SETTINGS` from ``first`` to ``last``, in the table's order."""
    names = list(SETTINGS)
    return names[names.index(first) : names.index(last) + 1]


def _sampling(state: State) -> bool:
    return state.sampling


CONTROLS: tuple[Control, ...] = (
    Control(
        "preset", Dropdown, "Preset", "A state that shows one phenomenon, with its explanation",
        options={
            "options": [("(choose a preset)", "")] + [(p.title, k) for k, p in PRESETS.items()],
            "value": "",
        },
        note="preset-note",
    ),
    Control(
        "n", BoundedIntText, CLASSES.label, CLASSES.tooltip,
        options={"min": CLASSES.kind.low, "max": CLASSES.kind.high}, value=lambda s: s.n,
    ),
    *(field_control(name, _NOTES.get(name)) for name in _fields("x", "learning_rate")),
    Control("step_button", W.Button, "Step", "One gradient-descent step on theta", row="descent"),
    Control(
        "play", Play, "descend", "Play: gradient descent, one step every 0.2 s",
        options={"value": 0, "min": 0, "max": 10**6, "step": 1, "interval": 200,
                 "show_repeat": False, "style": {}, "layout": {"width": "auto"}},
        row="descent",
    ),
    Control(
        "reset_button", W.Button, "Reset",
        "Back to the preset, the lesson's step or the seed's values", row="descent",
    ),
    field_control("sampling"),
    *(field_control(name, shown=_sampling) for name in _fields("top_k", "seed")),
    Control(
        "draw_button", W.Button, "Draw", "Draw N classes again, with the next seed",
        shown=_sampling,
    ),
)  # fmt: skip


def _note(css: str) -> W.HTML:
    note = W.HTML(layout=W.Layout(width=_WIDE))
    note.add_class(f"softmax-explorer-{css}")
    return note


def _widen(widget: W.Widget, setting: Setting, value: float | None) -> None:
    """Let a slider reach ``value`` beyond its declared range (a link's, a preset's)."""
    if isinstance(widget, OptionalSlider):
        widget = widget.slider
    if value is None:
        return
    low, high = setting.slider.low, setting.slider.high
    if setting.slider.log:
        low, high, value = math.log10(low), math.log10(high), math.log10(value)
    if (widget.min, widget.max) != (min(low, value), max(high, value)):
        with widget.hold_sync():
            widget.min, widget.max = min(low, value), max(high, value)


class Controls:
    """The widgets of `CONTROLS` and the theta sliders, in one column.

    Parameters
    ----------
    handlers : mapping of str to callable
        ``handlers[name](change)`` for a change of control ``name`` by the user (not while
        `sync` sets it); buttons call it with ``change=None``. Every control that sets no field
        must have one.
    on_field : callable
        ``on_field(name, change)`` for a change of field ``name``'s control without a handler.
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
    notes : SimpleNamespace of HTML
        The readouts under the controls, by control: ``notes.preset`` (the preset's
        explanation), ``notes.x`` (why x was refused), ``notes.target`` (the loss).
    readouts : dict of str to Label
        The value beside each logarithmic slider (``temperature``, ``h``), as the state holds
        it: the browser's own readout would show it snapped to the slider's grid.
    box : VBox
        The column to show.
    """

    def __init__(
        self,
        handlers: Mapping[str, Callable[[dict | None], None]],
        on_field: Callable[[str, dict], None],
        on_theta: Callable[[int, dict], None],
        on_rejected: Callable[[W.Widget, Rejected], None],
    ) -> None:
        self.syncing = False
        self._on_theta, self._on_rejected = on_theta, on_rejected
        self.controls = {c.name: c for c in CONTROLS}
        self.widgets: dict[str, W.Widget] = {}
        self.notes = SimpleNamespace()
        for control in CONTROLS:
            if control.note:
                setattr(self.notes, control.name, _note(control.note))
            if control.per_class:  # built for each n by `sync`
                self._per_class = control
                continue
            widget = self.widgets[control.name] = control.build()
            if control.name in handlers:
                handler = handlers[control.name]
            elif control.state_field is not None:
                handler = lambda change, f=control.state_field: on_field(f, change)  # noqa: E731
            else:
                raise KeyError(f"the control {control.name!r} has no handler")
            if isinstance(widget, W.Button):
                widget.on_click(lambda _b, handler=handler: handler(None))
                continue
            widget.on_rejected = on_rejected
            observed = lambda change, handler=handler: None if self.syncing else handler(change)  # noqa: E731
            if isinstance(widget, OptionalSlider):
                widget.observe_value(observed)
            else:
                widget.observe(observed, "value")
        self.readouts = {
            name: _readout(name)
            for name, widget in self.widgets.items()
            if isinstance(widget, W.FloatLogSlider)
        }
        self.thetas: list[W.FloatSlider] = []
        self.theta_box = W.GridBox(layout=W.Layout(grid_template_columns="1fr", width=_WIDE))
        self.box = W.VBox(self._column(), layout=W.Layout(width="350px", min_width="350px"))

    def _column(self) -> list[W.Widget]:
        """The controls in the order of `CONTROLS`: notes under theirs, rows on one line."""
        column: list[W.Widget] = []
        row: list[W.Widget] = []
        for control in CONTROLS:
            if control.per_class:
                column += [W.HTML(f"<b>{html.escape(control.label)}</b>"), self.theta_box]
                continue
            widget = self.widgets[control.name]
            if control.row:
                row.append(widget)
                continue
            if row:
                column.append(W.HBox(row))
                row = []
            readout = self.readouts.get(control.name)
            column.append(widget if readout is None else W.HBox([widget, readout]))
            if control.note:
                column.append(getattr(self.notes, control.name))
        return column + ([W.HBox(row)] if row else [])

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
                _widen(slider, self._per_class.setting, value)
                slider.value = value
            for control in CONTROLS:
                if control.per_class:
                    continue
                widget = self.widgets[control.name]
                if control.shown is not None:
                    widget.layout.display = "" if control.shown(state) else "none"
                if control.choices is not None:
                    choices = control.choices(state)
                    if list(widget.options) != choices:
                        with widget.hold_sync():
                            widget.options = choices
                if control.state_field is None and control.value is None:
                    continue  # a control that acts: no value of the state's
                value = control.state_value(state)
                if control.setting is not None:
                    _widen(widget, control.setting, value)
                if widget.value != value:
                    widget.value = value
                if control.name in self.readouts:
                    self.readouts[control.name].value = f"{value:{control.setting.slider.readout}}"
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

    def show_loss(self, loss: float | None, why_not: str = "") -> None:
        """The cross-entropy readout; ``why_not``: why a target class has no loss."""
        if loss is not None:
            self.notes.target.value = f"loss C = <b>{loss:.6g}</b>"
        elif why_not:
            self.notes.target.value = f"loss: <i>{html.escape(why_not)}</i>"
        else:
            self.notes.target.value = "loss: <i>choose a target class</i>"

    def _build_thetas(self, n: int) -> None:
        control = self._per_class
        slider = control.setting.slider
        sliders = []
        for k in range(n):
            theta = control.widget(
                value=0.5, min=slider.low, max=slider.high, step=slider.step,
                description=f"θ{str(k + INDEX_BASE).translate(_SUBSCRIPTS)}",
                tooltip=control.tooltip, readout_format=slider.readout, continuous_update=True,
                style={"description_width": "30px"}, layout=W.Layout(width="100%"),
            )  # fmt: skip
            theta.observe(
                lambda change, k=k: None if self.syncing else self._on_theta(k, change), "value"
            )
            theta.on_rejected = self._on_rejected
            theta.add_class(f"softmax-explorer-theta-{k + INDEX_BASE}")
            sliders.append(theta)
        for old in self.thetas:
            old.close()
        self.thetas = sliders
        self.theta_box.layout.grid_template_columns = "1fr" if n <= 8 else "1fr 1fr"
        self.theta_box.children = sliders
