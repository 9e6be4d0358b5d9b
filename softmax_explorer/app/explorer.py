"""`Explorer`: the dashboard as one ipywidgets panel, composed of the controller and the views.

Data flows one way: a control's change becomes a new `State` through the `Controller`
(validated: a refused value shows its message and changes nothing else), the state is computed
once and every view shows the results. No exception escapes a callback.
"""

from __future__ import annotations

import contextlib
import io
import os
from typing import Any

import ipywidgets as W

from ..canvas.frames import Frames
from ..canvas.widget import PanelCanvas
from ..figures import Dashboard
from ..figures.describe import describe, describe_losses
from ..results import Results, compute
from ..state import PRESETS, SETTINGS, State, StateError, query_fields
from ..teaching.lesson import Lesson, LessonError, load_lesson, open_link
from .clock import Clock
from .controller import Controller
from .controls import NO_TARGET, Controls
from .host import HostPage
from .layout import SamplingSlot, arrange
from .lesson_view import LessonView
from .predict import Predict
from .safe import Rejected, browser_echo, from_browser, guarded
from .views import ExportView, FormulaView, ShareLink, StatusLine

__all__ = ["Explorer"]


class Explorer:
    """The softmax dashboard: controls, five live panels, formulas, gradient descent, export.

    Parameters
    ----------
    state : State, optional
        The state to start from (default: the seed notebook's values).
    query : str, optional
        A URL query string (``n=6&temperature=0.5``, ``preset=overflow``) to start from; an
        invalid one shows its message and the defaults.
    theme : {"light", "dark"}, optional
        Colours of the figures; by default they follow the page's theme (JupyterLab's, as it
        changes; Voila's), light until the page says.
    context : {"paper", "notebook", "talk", "poster"}
        seaborn's plotting context of the figures: "talk" for a projector (larger figures,
        scaled down to the columns the page has).
    link_base : str, optional
        The URL the share link starts with (the app's address when served).
    lesson : Lesson, str or path, optional
        A lesson to step through: a `Lesson`, the name of a shipped one (``"seed"``) or a lesson
        file; the dashboard starts at its step 1 (unless ``state`` or ``query`` say otherwise).
        An invalid one shows its message and the dashboard without it.
    clock : Clock, optional
        Runs what the dashboard defers (a coalesced render, the formulas once the hand pauses,
        a reveal's frames); default: the kernel's event loop.

    Attributes
    ----------
    controller : Controller
        The state, the pending changes and the results cache.
    controls : Controls
        The controls (``explorer.controls["temperature"]``, ``explorer.controls.thetas``).
    dashboard : Dashboard
        The panels.
    formula, export, link, status, lesson_view
        The formula panel, the export buttons, the share link, the status line and the lesson
        (``lesson_view.lesson``, ``lesson_view.number``: the lesson and the step shown).
    predict : Predict
        "Predict, then reveal" (``predict.view.on``: its checkbox).

    Examples
    --------
    >>> from softmax_explorer import Explorer
    >>> Explorer()  # doctest: +SKIP
    """

    def __init__(
        self,
        state: State | None = None,
        query: str | None = None,
        theme: str | None = None,
        link_base: str = "",
        context: str = "notebook",
        lesson: Lesson | str | os.PathLike | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.status = StatusLine()
        opened = None
        self._lesson_problem = ""  # why the lesson asked for is not shown: stays on the page
        if lesson is not None:
            try:
                opened = lesson if isinstance(lesson, Lesson) else load_lesson(lesson)
            except LessonError as err:
                self._lesson_problem = f"Lesson not shown: {err}"
        start = state or (opened.step(1).state if opened else State())
        if query:  # build in the link's state; an invalid link is reported after the build
            with contextlib.suppress(StateError):
                start = State.from_query(query)
        self.controller = Controller(start, clock, guard=self._guard)
        acts = {
            "preset": self._on_preset,
            "n": self._on_n,
            "x": self._on_x,
            "target": self._on_target,
            "step_button": self._on_step_button,
            "play": self._on_play,
            "reset_button": self._on_reset_button,
            "draw_button": self._on_draw_button,
        }
        self.controls = Controls(
            {name: self._guard(handler) for name, handler in acts.items()},
            self._guard(self._on_field),
            self._guard(self._on_theta),
            self._on_rejected,
        )
        self.formula = FormulaView(self._guard, self._on_rejected, clock)
        self.export = ExportView(self._exported, self.status.show)
        self.link = ShareLink(link_base)
        self.link.widget.on_rejected = self._on_rejected
        self.lesson_view = LessonView(self._guard(self.show_step))
        self.predict = Predict(compute, self._guard(self._frame), self._guard(self._reveal), clock)
        self.predict.view.on.on_rejected = self.predict.view.kind.on_rejected = self._on_rejected
        self.frames = Frames()  # a render's plots reach the page in one message
        self.dashboard = Dashboard(
            self.controller.results(),
            theme=theme or "light",
            context=context,
            canvas=lambda figure: PanelCanvas(figure, frames=self.frames),
        )
        self.host = HostPage()
        if theme is None:
            self.host.observe(self._guard(self._on_page_theme), "theme")
        self.dashboard.on_cell_click(self._guard(self.formula.select))
        self.dashboard.on_bar(self._guard(self._on_bar))
        self.dashboard.on_step(self._guard(self._on_step))
        self.formula.on_refresh(self._describe)
        self.controller.on_render(self._show)
        self.controller.on_refusal(self._refused)
        self.sampling = SamplingSlot(self.dashboard.look.scale)
        self.widget = arrange(
            self.dashboard.canvases, self.formula.box, [self.controls.box, self.export.box],
            above=[self.status.widget, self.lesson_view.box, self.predict.view.box],
            below=[self.link.widget, self.host], sampling=self.sampling,
            scale=self.dashboard.look.scale,
        )  # fmt: skip
        self.dashboard.canvases["trace"].description = describe_losses([])
        if opened:
            self._set_step(opened, 1)
        # the first render goes through the same path as every later one
        if query:
            self.apply_query(query)
        else:
            self._jump(start)
        if self._lesson_problem:
            self.status.show(self._lesson_problem)

    def _guard(self, callback):
        return guarded(callback, self.status.show)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        return self.widget._repr_mimebundle_(**kwargs)

    @property
    def state(self) -> State:
        """The state shown."""
        return self.controller.state

    @property
    def lesson(self) -> Lesson | None:
        """The lesson shown, if any."""
        return self.lesson_view.lesson

    # --- what the page shows for a state ------------------------------------------------------

    def _show(self, results: Results, hand_moving: bool) -> None:
        if self.predict.hold(self.dashboard.results, results):  # shown once the class answers
            self.controls.sync(results.state)
            self.link.show(results.state)
            return
        self._draw(results, hand_moving)

    def _draw(self, results: Results, hand_moving: bool, before: Results | None = None) -> None:
        with self.frames.together():  # the plots first: they are what the hand is waiting for
            self._frame(results)
            self.dashboard.show_before(None if before is None else before.g_shown)
        self.controls.sync(results.state)
        self.controls.show_loss(results.loss, results.loss_message)
        self.controls.show_x_error("")
        self.link.show(results.state)
        self.formula.show(results, later=hand_moving)

    def _frame(self, results: Results) -> None:
        # one message here too: the predict view's animation draws its frames through this alone
        with self.frames.together():
            self.dashboard.update(results)
        self.sampling.show(self.dashboard.canvases if results.sampled else None)

    def _reveal(self, new: Results, old: Results) -> None:
        self._draw(new, hand_moving=False, before=old)

    def _describe(self, results: Results) -> None:
        """The plots' descriptions for screen readers (with the formulas: once the hand pauses)."""
        for name, text in describe(results).items():
            self.dashboard.canvases[name].description = text

    def _on_page_theme(self, change: dict) -> None:
        if change["new"]:
            self.dashboard.set_theme(change["new"])

    def _show_losses(self) -> None:
        self.dashboard.show_losses(self.controller.losses)
        self.dashboard.canvases["trace"].description = describe_losses(self.controller.losses)

    def _refused(self, message: str) -> None:
        self.status.show(message)
        self.controls.sync(self.state)

    def apply_query(self, query: str) -> bool:
        """Show the state of a share link's query string (``preset=cold&n=6``, ...).

        ``lesson=seed&step=4`` opens a lesson's step (see
        `softmax_explorer.teaching.lesson.open_link`). An invalid one shows its message and the
        defaults (the lesson's step, in a lesson). Returns whether it was applied.
        """
        try:
            lesson, number, state = open_link(query, self.lesson)
        except (LessonError, StateError) as err:
            shown = "lesson's step" if self.lesson else "defaults"
            self.status.show(f"Link not applied: {err}. Showing the {shown}.")
            self._jump(self.lesson_view.state or State())
            return False
        if lesson is not None:
            self._set_step(lesson, number)
        self.controls.select_preset(query_fields(query).get("preset", ""))
        self.status.show(self._lesson_problem)
        return self._jump(state)

    def show_step(self, number: int) -> None:
        """Show step ``number`` (from 1, as the page counts) of the lesson, in its state."""
        if self.lesson is None:
            self.status.show("No lesson is open: start with Explorer(lesson='seed').")
            return
        try:
            step = self.lesson.step(number)
        except LessonError as err:
            self.status.show(str(err))
            return
        self._set_step(self.lesson, number)
        self.controls.select_preset("")
        self._restart(step.state)

    def _set_step(self, lesson: Lesson, number: int) -> None:
        self.lesson_view.show(lesson, number)
        self.link.set_step(lesson.query(number), self.lesson_view.state)

    def set_link_base(self, base: str) -> None:
        """The address the share link starts with (the served page's URL)."""
        self.link.set_base(base)

    def descend(self, steps: int = 1) -> float | None:
        """Take gradient-descent steps on theta toward the target class; return the new loss."""
        if self.state.target is None:
            self.status.show("Choose a target class first: descent lowers the loss toward it.")
            return None
        loss = self.controller.descend(steps)
        why_not = self.controller.results().loss_message
        if loss is None and why_not:
            self.controls["play"].playing = False
            self.status.show(f"No descent: {why_not}.")
        self._show_losses()
        return loss

    # --- what the user did ---------------------------------------------------------------------

    def _on_rejected(self, widget: W.Widget, error: Rejected) -> None:
        """A message from the browser that the widget itself refused (wrong type, say)."""
        name = getattr(widget, "description", "") or type(widget).__name__
        self.status.show(f"Ignored a value for {name}: {error.reason}.")

    def _change(self, coalesce: bool, **fields: Any) -> None:
        """Ask for the base state with ``fields``; a refusal's message resets the controls.

        ``coalesce``: the change came from a hand in the browser (see `Controller.show`).
        """
        self._report(self.controller.change(coalesce=coalesce, **fields))

    def _report(self, message: str) -> None:
        """Show why a change was refused (or no message), and the controls as they were."""
        self.status.show(message)
        if message:
            self.controls.sync(self.state)

    def _on_theta(self, k: int, change: dict) -> None:
        theta = list(self.controller.base.theta)
        if not browser_echo(change):
            theta[k] = change["new"]
            self._change(from_browser(change), theta=tuple(theta))

    def _on_field(self, name: str, change: dict) -> None:
        if not browser_echo(change):
            self._change(from_browser(change), **{name: change["new"]})

    def _on_preset(self, change: dict) -> None:
        if change["new"]:
            self.controls.select_preset(change["new"])
            self._restart(PRESETS[change["new"]].state)

    def _on_reset_button(self, _change: None) -> None:
        self.controls["play"].playing = False
        name = self.controls["preset"].value
        self._restart(PRESETS[name].state if name else self.lesson_view.state or State())

    def _clear_losses(self) -> None:
        self.controller.clear_losses()
        self._show_losses()

    def _restart(self, state: State) -> None:
        """Show ``state`` as a new start: a new descent, no message."""
        self._clear_losses()
        self.status.show("")
        self._jump(state)

    def _jump(self, state: State) -> bool:
        """Show ``state`` without a prediction; a lesson step's own state arms its question."""
        with self.predict.passing():
            shown = self.controller.show(state)
        step = self.lesson_view.step
        if step is not None and step.predict and step.state == state:
            self.predict.ask_next(step.predict)
        return shown

    def _on_n(self, change: dict) -> None:
        message = self.controller.resize(change["new"])
        self._report(message)
        if not message:
            self._show_losses()  # resized: a new descent

    def _on_x(self, change: dict) -> None:
        self.controls.show_x_error(
            self.controller.set_x(change["new"], coalesce=from_browser(change))
        )

    def _on_target(self, change: dict) -> None:
        self._clear_losses()
        self._change(
            from_browser(change), target=None if change["new"] == NO_TARGET else change["new"]
        )

    def _on_bar(self, k: int, to: float | None = None, by: int = 0) -> None:
        """A bar dragged to probability ``to``, or nudged ``by`` one theta slider step."""
        self._report(self.controller.drag_bar(k, to, by * self.controls.thetas[k].step))

    def _on_step(self, to: float | None = None, by: int = 0) -> None:
        """The step line dragged to ``to``, or nudged ``by`` one step of the h slider (decades)."""
        self._report(self.controller.drag_step(to, by * self.controls["h"].step))

    def _on_step_button(self, _change: None) -> None:
        self.descend()

    def _on_draw_button(self, _change: None) -> None:
        """Draw again: the next seed (a link keeps it, so the same draws come back)."""
        seeds = SETTINGS["seed"].kind
        self._change(False, seed=(self.state.seed + 1) % (seeds.high + 1))

    def _on_play(self, _change: dict) -> None:
        if self.state.target is None:
            self.controls["play"].playing = False
        self.descend()

    def _exported(self, kind: str) -> tuple[bytes, str]:
        if kind == "json":
            return self.state.to_json().encode(), "application/json"
        buffer = io.BytesIO()
        self.dashboard.save(buffer, format=kind)
        return buffer.getvalue(), "image/png" if kind == "png" else "image/svg+xml"
