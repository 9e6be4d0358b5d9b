"""`Explorer`: the interactive dashboard as an ipywidgets panel.

Data flows one way: a widget change becomes a new `State` (validated), the state is computed once
(`compute`, cached per state) and the figures are updated in place. Invalid input shows a message
next to its field and changes nothing else; no exception escapes a callback.

Changes that come from the browser while a redraw is pending are coalesced: the callback records
the newest state and schedules one render on the kernel's event loop, so a fast-moving slider is
drawn at its latest value and stale intermediate values are dropped instead of queued.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import html
import io
import logging
import math
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import ipywidgets as W

from .canvas.widget import PanelCanvas
from .figures import PANELS, Dashboard
from .finite_diff import METHODS, STEP_RANGE
from .formulas import formula_html
from .model import descent_step
from .results import Results, compute
from .state import PRESETS, State, StateError, parse_values

__all__ = ["Explorer"]

log = logging.getLogger(__name__)

THETA_RANGE = (-3.0, 3.0)
# log10 limits on a 0.01 grid that contains 0, so T = 1 is exactly on it (0.049 .. 20.4)
TEMPERATURE_LOG_RANGE = (-1.31, 1.31)
LOSS_TRACE_MAX = 500
#: The formula panel is typeset by MathJax in the browser, which costs more than redrawing all
#: four panels: while a slider moves, it is updated once the hand pauses for this long (seconds).
FORMULA_DELAY = 0.25
NO_TARGET = -1  # the target dropdown's "none" (a Dropdown shows None as no selection)


def _safe(cls: type[W.Widget]) -> type[W.Widget]:
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


BoundedIntText = _safe(W.BoundedIntText)
Checkbox = _safe(W.Checkbox)
Dropdown = _safe(W.Dropdown)
FloatLogSlider = _safe(W.FloatLogSlider)
FloatSlider = _safe(W.FloatSlider)
Play = _safe(W.Play)
Text = _safe(W.Text)
ToggleButtons = _safe(W.ToggleButtons)


def _guarded(method: Callable) -> Callable:
    """Run a callback; on an unexpected exception, log it and show one line, never a traceback."""

    @functools.wraps(method)
    def wrapper(self: Explorer, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as err:  # the last line of defence of a callback
            log.exception("softmax-explorer callback %s failed", method.__name__)
            self._show_status(
                f"Something went wrong ({type(err).__name__}); the last state is kept."
            )
            return None

    return wrapper


def _from_browser(change: dict) -> bool:
    """Whether a trait change came from the front-end (ipywidgets locks the property then)."""
    return bool(getattr(change.get("owner"), "_property_lock", None))


def _slider_rounding(change: dict, current: object) -> bool:
    """Whether a browser's new slider value is only the slider snapping ``current`` to its grid.

    A slider shows the state's value rounded to its step and sends that back; a hand on the
    slider moves at least one whole step. Within half a step, the state keeps its exact value.
    """
    widget, new = change["owner"], change["new"]
    step = getattr(widget, "step", None)
    if not _from_browser(change) or not step or not isinstance(current, float):
        return False
    if isinstance(widget, W.FloatLogSlider):
        if new <= 0 or current <= 0:
            return False
        return abs(math.log(new / current, widget.base)) <= step / 2
    return abs(new - current) <= step / 2


class Explorer(W.VBox):
    """The softmax dashboard: controls, four live panels, formulas, gradient descent, export.

    Parameters
    ----------
    state : State, optional
        The state to start from (default: the seed notebook's values).
    query : str, optional
        A URL query string (``n=6&temperature=0.5``, ``preset=overflow``) to start from; an
        invalid one shows its message and the defaults.
    theme : {"light", "dark"}
        Colours of the figures.
    link_base : str, optional
        The URL the share link starts with (the app's address when served); the link is
        ``link_base + "?" + query``.

    Examples
    --------
    >>> from softmax_explorer import Explorer
    >>> Explorer()  # doctest: +SKIP
    """

    def __init__(
        self,
        state: State | None = None,
        query: str | None = None,
        theme: str = "light",
        link_base: str = "",
    ) -> None:
        self.state = state or State()
        if query:  # build in the link's state; an invalid link is reported after the build
            with contextlib.suppress(StateError):
                self.state = State.from_query(query)
        self.link_base = link_base
        self.renders = 0
        self.losses: list[float] = []
        self.entry = (0, 0)
        self._cache: OrderedDict[State, Results] = OrderedDict()
        self._pending: State | None = None
        self._scheduled = False
        self._formula_timer: asyncio.TimerHandle | None = None
        self._syncing = False
        self._build_controls()
        results = self._compute(self.state)
        self.dashboard = Dashboard(results, theme=theme, canvas=PanelCanvas)
        self.dashboard.on_cell_click(self._on_cell)
        super().__init__(children=self._layout(), layout=W.Layout(width="100%"))
        self.add_class("softmax-explorer")
        # the first render goes through the same path as every later one
        if query:
            self.apply_query(query)
        else:
            self._render(self.state)

    def apply_query(self, query: str) -> bool:
        """Show the state of a share link's query string (``preset=cold&n=6``, ...).

        An invalid one shows its message and the defaults. Returns whether it was applied.
        """
        try:
            state = State.from_query(query)
        except StateError as err:
            self._show_status(f"Link not applied: {err}. Showing the defaults.")
            self._render(State())
            return False
        self._show_preset(parse_qs(query.lstrip("?")).get("preset", [""])[-1])
        self._show_status("")
        return self._render(state)

    # --- construction --------------------------------------------------------------------------

    def _build_controls(self) -> None:
        style = {"description_width": "110px"}
        wide = W.Layout(width="330px")
        self.preset = Dropdown(
            options=[("(choose a preset)", "")] + [(p.title, k) for k, p in PRESETS.items()],
            value="",
            description="Preset",
            style=style,
            layout=wide,
        )
        self.preset_note = W.HTML(layout=W.Layout(width="330px"))
        self.n = BoundedIntText(
            value=self.state.n, min=2, max=32, description="classes n", style=style, layout=wide
        )
        self.x = Text(
            description="x values",
            placeholder="comma-separated, e.g. 1, 4, 3, 2",
            continuous_update=False,
            style=style,
            layout=wide,
            tooltip="One number per class, separated by commas; press Enter to apply.",
        )
        self.x_error = W.HTML(layout=W.Layout(width="330px"))
        self.thetas = W.GridBox(layout=W.Layout(grid_template_columns="1fr", width="330px"))
        self.theta_sliders: list[W.FloatSlider] = []
        self.temperature = FloatLogSlider(
            value=1.0,
            base=10,
            min=TEMPERATURE_LOG_RANGE[0],
            max=TEMPERATURE_LOG_RANGE[1],
            step=0.01,
            description="temperature T",
            readout_format=".3g",
            style=style,
            layout=wide,
        )
        self.stable = Checkbox(
            value=True, description="max-shift (stable softmax)", indent=False, layout=wide
        )
        self.dtype = ToggleButtons(
            options=["float64", "float32"], description="dtype", style=style, layout=wide
        )
        self.dtype.style.button_width = "100px"
        self.wrt = ToggleButtons(
            options=[("∂g/∂θ", "theta"), ("∂g/∂x", "x")],
            description="Jacobian",
            style=style,
            layout=wide,
            tooltips=["derivatives with respect to theta", "derivatives with respect to x"],
        )
        self.wrt.style.button_width = "100px"
        self.scheme = Dropdown(
            options=list(METHODS), description="FD scheme", style=style, layout=wide
        )
        self.h = FloatLogSlider(
            value=1e-6,
            base=10,
            min=math.log10(STEP_RANGE[0]),
            max=math.log10(STEP_RANGE[1]),
            step=0.25,
            description="step h",
            readout_format=".1e",
            style=style,
            layout=wide,
        )
        self.target = Dropdown(description="target class", style=style, layout=wide)
        self.loss = W.HTML(layout=W.Layout(width="330px"))
        self.learning_rate = FloatSlider(
            value=0.5,
            min=0.01,
            max=5.0,
            step=0.01,
            description="learning rate",
            readout_format=".2f",
            style=style,
            layout=wide,
        )
        self.step_button = W.Button(
            description="Step", icon="", tooltip="One gradient-descent step on theta"
        )
        self.play = Play(value=0, min=0, max=10**6, step=1, interval=200, show_repeat=False)
        self.play.description = "descend"
        self.reset_button = W.Button(
            description="Reset", tooltip="Back to the preset (or the seed's values)"
        )
        self.export_png = W.Button(description="PNG", tooltip="Export the figures as PNG")
        self.export_svg = W.Button(description="SVG", tooltip="Export the figures as SVG")
        self.export_json = W.Button(description="JSON", tooltip="Export the state as JSON")
        for button in (self.step_button, self.reset_button, self.export_png, self.export_svg):
            button.layout = W.Layout(width="80px")
        self.export_json.layout = W.Layout(width="80px")
        self.download = W.HTML()
        self.link = Text(description="share link", style=style, layout=W.Layout(width="100%"))
        self.formulas = W.HTMLMath(layout=W.Layout(width="100%"))
        self.entry_i = Dropdown(
            description="entry i",
            style={"description_width": "60px"},
            layout=W.Layout(width="140px"),
        )
        self.entry_k = Dropdown(
            description="k", style={"description_width": "20px"}, layout=W.Layout(width="100px")
        )
        self.status = W.HTML()
        for widget in (
            self.preset, self.n, self.x, self.temperature, self.stable, self.dtype, self.wrt,
            self.scheme, self.h, self.target, self.learning_rate, self.play, self.link,
            self.entry_i, self.entry_k,
        ):  # fmt: skip
            widget.on_rejected = self._on_rejected
        for name in (
            "preset",
            "n",
            "x",
            "temperature",
            "stable",
            "dtype",
            "wrt",
            "scheme",
            "h",
            "target",
            "loss",
            "learning_rate",
            "step_button",
            "play",
            "reset_button",
            "export_png",
            "export_svg",
            "export_json",
            "download",
            "link",
            "formulas",
            "status",
            "x_error",
            "entry_i",
            "entry_k",
        ):  # fmt: skip  (CSS classes: stable hooks for styling and browser tests)
            getattr(self, name).add_class(f"softmax-explorer-{name.replace('_', '-')}")

        self.preset.observe(self._on_preset, "value")
        self.n.observe(self._on_n, "value")
        self.x.observe(self._on_x, "value")
        self.temperature.observe(self._on_field("temperature"), "value")
        self.stable.observe(self._on_field("stable"), "value")
        self.dtype.observe(self._on_field("dtype"), "value")
        self.wrt.observe(self._on_field("wrt"), "value")
        self.scheme.observe(self._on_field("scheme"), "value")
        self.h.observe(self._on_field("h"), "value")
        self.learning_rate.observe(self._on_field("learning_rate"), "value")
        self.target.observe(self._on_target, "value")
        self.entry_i.observe(self._on_entry, "value")
        self.entry_k.observe(self._on_entry, "value")
        self.step_button.on_click(self._on_step)
        self.play.observe(self._on_play, "value")
        self.reset_button.on_click(self._on_reset)
        self.export_png.on_click(lambda _: self._export("png"))
        self.export_svg.on_click(lambda _: self._export("svg"))
        self.export_json.on_click(lambda _: self._export("json"))

    def _layout(self) -> list[W.Widget]:
        canvases = [self.dashboard.canvases[name] for name in PANELS]
        for name, canvas in zip(PANELS, canvases, strict=True):
            canvas.add_class(f"softmax-explorer-panel-{name}")
        trace = self.dashboard.canvases["trace"]
        trace.add_class("softmax-explorer-panel-trace")
        column = canvases[0].layout.width
        plots = W.GridBox(
            canvases,
            layout=W.Layout(grid_template_columns=f"{column} {column}", grid_gap="4px"),
        )
        controls = W.VBox(
            [
                W.HTML("<h3 style='margin:0'>softmax explorer</h3>"),
                self.preset,
                self.preset_note,
                self.n,
                self.x,
                self.x_error,
                W.HTML("<b>coefficients θ</b>"),
                self.thetas,
                self.temperature,
                self.stable,
                self.dtype,
                self.wrt,
                self.scheme,
                self.h,
                self.target,
                self.loss,
                self.learning_rate,
                W.HBox([self.step_button, self.play, self.reset_button]),
                W.HBox([W.Label("export"), self.export_png, self.export_svg, self.export_json]),
                self.download,
            ],
            layout=W.Layout(width="350px", min_width="350px"),
        )
        lower = W.HBox(
            [
                W.VBox(
                    [W.HBox([self.entry_i, self.entry_k]), self.formulas],
                    layout=W.Layout(width="55%"),
                ),
                trace,
            ],
            layout=W.Layout(width="100%"),
        )
        width = f"calc(2 * {column} + 8px)"
        main = W.HBox(
            [controls, W.VBox([plots, lower], layout=W.Layout(width=width))],
            layout=W.Layout(flex_flow="row wrap"),
        )
        return [self.status, main, self.link]

    # --- state -> screen -----------------------------------------------------------------------

    def _compute(self, state: State) -> Results:
        """Results of ``state``, computed once (a small cache of recent states)."""
        if state in self._cache:
            self._cache.move_to_end(state)
            return self._cache[state]
        results = compute(state)
        self._cache[state] = results
        if len(self._cache) > 16:
            self._cache.popitem(last=False)
        return results

    def _render(self, state: State, hand_moving: bool = False) -> bool:
        """Compute ``state`` and show it; on refusal keep the last good state. One redraw.

        ``hand_moving`` (a change from the browser) defers the formula panel, see `FORMULA_DELAY`.
        """
        try:
            results = self._compute(state)
        except ValueError as err:
            self._show_status(f"Not applied: {err}")
            self._sync_controls(self.state)
            return False
        self.state = state
        self.dashboard.update(results)  # the plots first: they are what the hand is waiting for
        self._sync_controls(state)
        self._show_readouts(results, hand_moving)
        self.renders += 1
        return True

    def _request(self, state: State, change: dict | None = None) -> None:
        """Show ``state``: now, or, for a change from the browser, once pending messages ran."""
        if change is None or not _from_browser(change):
            self._pending = None
            self._render(state)
            return
        self._pending = state
        if self._scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (plain Python): render now
            self._flush()
            return
        self._scheduled = True
        loop.call_soon(self._flush)

    @_guarded
    def _flush(self) -> None:
        self._scheduled = False
        state, self._pending = self._pending, None
        if state is not None:
            self._render(state, hand_moving=True)

    def _sync_controls(self, state: State) -> None:
        """Set every control to ``state`` without triggering the observers (one batch each)."""
        self._syncing = True
        try:
            if len(self.theta_sliders) != state.n:
                self._build_theta_sliders(state.n)
            for slider, value in zip(self.theta_sliders, state.theta, strict=True):
                with slider.hold_sync():
                    slider.min = min(THETA_RANGE[0], value)
                    slider.max = max(THETA_RANGE[1], value)
                    slider.value = value
            targets = [("none", NO_TARGET)] + [(f"class {k + 1}", k) for k in range(state.n)]
            if list(self.target.options) != targets:
                with self.target.hold_sync():
                    self.target.options = targets
            classes = [(str(k + 1), k) for k in range(state.n)]
            for dropdown, value in ((self.entry_i, self.entry[0]), (self.entry_k, self.entry[1])):
                with dropdown.hold_sync():
                    if list(dropdown.options) != classes:
                        dropdown.options = classes
                    dropdown.value = min(value, state.n - 1)
            self.entry = (self.entry_i.value, self.entry_k.value)
            for widget, value in (
                (self.n, state.n),
                (self.x, ", ".join(f"{v:g}" for v in state.x)),
                (self.temperature, state.temperature),
                (self.stable, state.stable),
                (self.dtype, state.dtype),
                (self.wrt, state.wrt),
                (self.scheme, state.scheme),
                (self.h, state.h),
                (self.target, NO_TARGET if state.target is None else state.target),
                (self.learning_rate, state.learning_rate),
            ):
                if widget.value != value:
                    widget.value = value
        finally:
            self._syncing = False

    def _build_theta_sliders(self, n: int) -> None:
        columns = 1 if n <= 8 else 2
        sliders = []
        for k in range(n):
            slider = FloatSlider(
                value=0.5,
                min=THETA_RANGE[0],
                max=THETA_RANGE[1],
                step=0.05,
                description=f"θ{str(k + 1).translate(str.maketrans('0123456789', '₀₁₂₃₄₅₆₇₈₉'))}",
                readout_format=".2f",
                continuous_update=True,
                style={"description_width": "30px"},
                layout=W.Layout(width="100%"),
            )
            slider.observe(self._on_theta(k), "value")
            slider.on_rejected = self._on_rejected
            slider.add_class(f"softmax-explorer-theta-{k + 1}")
            sliders.append(slider)
        for slider in self.theta_sliders:
            slider.close()
        self.theta_sliders = sliders
        self.thetas.layout.grid_template_columns = " ".join(["1fr"] * columns)
        self.thetas.children = sliders

    def _show_readouts(self, results: Results, hand_moving: bool = False) -> None:
        state = results.state
        if results.loss is None:
            self.loss.value = "loss: <i>choose a target class</i>"
        else:
            self.loss.value = f"loss C = <b>{results.loss:.6g}</b>"
        self.link.value = f"{self.link_base}?{state.to_query()}"
        self.x_error.value = ""
        if self._formula_timer is not None:
            self._formula_timer.cancel()
            self._formula_timer = None
        if hand_moving:
            with contextlib.suppress(RuntimeError):  # no event loop: show it now
                loop = asyncio.get_running_loop()
                self._formula_timer = loop.call_later(FORMULA_DELAY, self._show_formulas, results)
                return
        self._show_formulas(results)

    @_guarded
    def _show_formulas(self, results: Results) -> None:
        self._formula_timer = None
        if results.state == self.state:
            self.formulas.value = formula_html(results, self.entry)

    def _show_status(self, message: str) -> None:
        if message:
            self.status.value = (
                "<div class='softmax-explorer-message' style='color:#b00020'>"
                f"{html.escape(message)}</div>"
            )
        else:
            self.status.value = ""

    # --- callbacks -----------------------------------------------------------------------------

    def _on_rejected(self, widget: W.Widget, error: Exception) -> None:
        """A message from the browser that the widget itself refused (wrong type, say)."""
        name = getattr(widget, "description", "") or type(widget).__name__
        first = str(error).split(". ")[0]
        self._show_status(f"Ignored a value for {name}: {first}.")

    def _apply(self, change: dict | None = None, **changes: Any) -> None:
        """A new state with ``changes``, or the message why not (controls reset to the state)."""
        base = self._pending or self.state
        try:
            state = base.replace(**changes)
        except StateError as err:
            self._show_status(str(err))
            self._sync_controls(self.state)
            return
        self._show_status("")
        self._request(state, change)

    def _on_field(self, name: str) -> Callable[[dict], None]:
        @_guarded
        def observer(self: Explorer, change: dict) -> None:
            current = getattr(self._pending or self.state, name)
            if not self._syncing and not _slider_rounding(change, current):
                self._apply(change, **{name: change["new"]})

        return functools.partial(observer, self)

    def _on_theta(self, k: int) -> Callable[[dict], None]:
        @_guarded
        def observer(self: Explorer, change: dict) -> None:
            theta = list((self._pending or self.state).theta)
            if self._syncing or _slider_rounding(change, theta[k]):
                return
            theta[k] = change["new"]
            self._apply(change, theta=tuple(theta))

        return functools.partial(observer, self)

    @_guarded
    def _on_x(self, change: dict) -> None:
        if self._syncing:
            return
        base = self._pending or self.state
        try:
            values = parse_values("x", change["new"])
            if len(values) != base.n:
                raise StateError(
                    f"x: {len(values)} values, but n is {base.n}: give one per class "
                    "(or change n first)"
                )
            state = base.replace(x=values)
        except StateError as err:
            self.x_error.value = (
                "<span class='softmax-explorer-error' style='color:#b00020'>"
                f"{html.escape(str(err))}</span>"
            )
            return
        self.x_error.value = ""
        self._request(state, change)

    @_guarded
    def _on_n(self, change: dict) -> None:
        if self._syncing:
            return
        try:
            state = (self._pending or self.state).resized(int(change["new"]))
        except (StateError, TypeError, ValueError) as err:
            self._show_status(str(err))
            self._sync_controls(self.state)
            return
        self._clear_trace()
        self._request(state)

    @_guarded
    def _on_target(self, change: dict) -> None:
        if self._syncing:
            return
        self._clear_trace()
        self._apply(change, target=None if change["new"] == NO_TARGET else change["new"])

    @_guarded
    def _on_entry(self, change: dict) -> None:
        if self._syncing:
            return
        self.entry = (self.entry_i.value, self.entry_k.value)
        self.formulas.value = formula_html(self._compute(self.state), self.entry)

    def _on_cell(self, i: int, k: int) -> None:
        """Clicking a Jacobian cell selects that entry for the formula panel."""
        self.entry = (i, k)
        self._sync_controls(self.state)
        self.formulas.value = formula_html(self._compute(self.state), self.entry)

    def _show_preset(self, name: str) -> None:
        """Select preset ``name`` in the dropdown and show its explanation (no state change)."""
        if name not in PRESETS:
            return
        self._syncing = True
        try:
            self.preset.value = name
        finally:
            self._syncing = False
        self.preset_note.value = f"<i>{html.escape(PRESETS[name].explanation)}</i>"

    @_guarded
    def _on_preset(self, change: dict) -> None:
        if self._syncing or not change["new"]:
            return
        preset = PRESETS[change["new"]]
        self._show_preset(change["new"])
        self._clear_trace()
        self._show_status("")
        self._request(preset.state)

    @_guarded
    def _on_reset(self, _button: W.Button) -> None:
        self.play.playing = False
        self._clear_trace()
        name = self.preset.value
        self._show_status("")
        self._request(PRESETS[name].state if name else State())

    @_guarded
    def _on_step(self, _button: W.Button | None = None) -> None:
        self.descend()

    @_guarded
    def _on_play(self, change: dict) -> None:
        if self.state.target is None:
            self.play.playing = False
        self.descend()

    def _clear_trace(self) -> None:
        """Start a new descent: empty the loss trace."""
        self.losses = []
        self.dashboard.show_losses(self.losses)

    def descend(self, steps: int = 1) -> float | None:
        """Take gradient-descent steps on theta toward the target class; return the new loss.

        theta stays within the sliders' range [-3, 3].
        """
        if self.state.target is None:
            self._show_status("Choose a target class first: descent lowers the loss toward it.")
            return None
        state = self.state
        for _ in range(steps):
            results = self._compute(state)
            if not self.losses:
                self.losses.append(results.loss)
            theta = descent_step(results.model, state.target, state.learning_rate, THETA_RANGE)
            state = state.replace(theta=tuple(float(t) for t in theta))
        if not self._render(state):
            return None
        loss = self._compute(state).loss
        self.losses.append(loss)
        del self.losses[:-LOSS_TRACE_MAX]
        self.dashboard.show_losses(self.losses)
        return loss

    def _export(self, kind: str) -> None:
        """A download link for the figures (PNG/SVG) or the state (JSON)."""
        try:
            if kind == "json":
                data = self.state.to_json().encode()
                mime = "application/json"
            else:
                buffer = io.BytesIO()
                self.dashboard.save(buffer, format=kind)
                data = buffer.getvalue()
                mime = "image/png" if kind == "png" else "image/svg+xml"
        except Exception as err:
            log.exception("export failed")
            self._show_status(f"Export failed ({type(err).__name__}).")
            return
        payload = base64.b64encode(data).decode()
        name = f"softmax-explorer.{kind}"
        self.download.value = (
            f"<a download='{name}' href='data:{mime};base64,{payload}' "
            f"class='softmax-explorer-download'>Download {name}</a>"
        )
