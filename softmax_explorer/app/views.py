"""The views next to the controls: status line, formula panel, export, share link.

Each owns its widgets (its ``box`` or ``widget`` is what the layout shows) and offers methods to
show things; none reaches into another. Imports ipywidgets.
"""

from __future__ import annotations

import base64
import html
import logging
from collections.abc import Callable
from typing import ClassVar

import ipywidgets as W

from ..figures.formulas import formula_html
from ..results import Results
from ..state import INDEX_BASE, State
from .clock import Clock, LoopClock, Timer
from .safe import Dropdown, Rejected, Text

__all__ = ["FORMULA_DELAY", "ExportView", "FormulaView", "ShareLink", "StatusLine"]

log = logging.getLogger("softmax_explorer.app")

#: The formula panel is typeset by MathJax in the browser, which costs more than redrawing all
#: the plots: while a slider moves, it is updated once the hand pauses for this long (seconds).
FORMULA_DELAY = 0.25


class StatusLine:
    """One line of status or error over the dashboard."""

    def __init__(self) -> None:
        self.widget = W.HTML()
        self.widget.add_class("softmax-explorer-status")

    def show(self, message: str) -> None:
        """Show ``message`` (as text, never markup); an empty one clears the line."""
        self.widget.value = (
            "<div class='softmax-explorer-message' style='color:#b00020'>"
            f"{html.escape(message)}</div>"
            if message
            else ""
        )


class FormulaView:
    """The formula panel: the selected Jacobian entry worked out with the current numbers.

    Parameters
    ----------
    guard : callable
        ``guard(callback)``: the callback, made safe to run from the browser or a timer.
    on_rejected : callable
        As for `softmax_explorer.app.controls.Controls`.
    clock : Clock, optional
        Runs the typesetting once the hand pauses (default: the event loop's).

    Attributes
    ----------
    entry : (int, int)
        The selected entry ``(i, k)``, 0-based.
    """

    def __init__(
        self,
        guard: Callable[[Callable], Callable],
        on_rejected: Callable[[W.Widget, Rejected], None],
        clock: Clock | None = None,
    ) -> None:
        self.entry = (0, 0)
        self._clock = clock or LoopClock()
        self.widget = W.HTMLMath()
        self.widget.add_class("softmax-explorer-formulas")
        self.entry_i = Dropdown(
            description="entry i", style={"description_width": "60px"},
            layout=W.Layout(width="140px"),
        )  # fmt: skip
        self.entry_k = Dropdown(
            description="k", style={"description_width": "20px"}, layout=W.Layout(width="100px")
        )
        self._syncing = False
        self._timer: Timer | None = None
        self._results: Results | None = None
        self._listeners: list[Callable[[Results], None]] = []
        self._refresh = guard(self.refresh)
        picked = guard(self._picked)
        for name, dropdown in (("entry-i", self.entry_i), ("entry-k", self.entry_k)):
            dropdown.add_class(f"softmax-explorer-{name}")
            dropdown.on_rejected = on_rejected
            dropdown.observe(lambda _change: None if self._syncing else picked(), "value")
        # its lines wrap within the column; anything still wider scrolls there, never cut
        self.box = W.VBox(
            [W.HBox([self.entry_i, self.entry_k]), self.widget],
            layout=W.Layout(min_width="0", overflow="auto"),
        )

    def _picked(self) -> None:
        self.entry = (self.entry_i.value, self.entry_k.value)
        self.refresh()

    def select(self, i: int, k: int) -> None:
        """Select entry ``(i, k)`` (0-based) and show it."""
        self.entry = (i, k)
        self.sync(self._results.state.n if self._results else max(i, k) + 1)
        self.refresh()

    def sync(self, n: int) -> None:
        """Offer the classes 1..n and keep the selected entry within them."""
        classes = [(str(k + INDEX_BASE), k) for k in range(n)]
        self._syncing = True
        try:
            for dropdown, value in ((self.entry_i, self.entry[0]), (self.entry_k, self.entry[1])):
                with dropdown.hold_sync():
                    if list(dropdown.options) != classes:
                        dropdown.options = classes
                    dropdown.value = min(value, n - 1)
        finally:
            self._syncing = False
        self.entry = (self.entry_i.value, self.entry_k.value)

    def show(self, results: Results, later: bool = False) -> None:
        """Typeset ``results`` now, or, with ``later``, once no newer results came for a while."""
        self._results = results
        self.sync(results.state.n)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if later:
            self._timer = self._clock.call_later(FORMULA_DELAY, self._refresh)
        else:
            self.refresh()

    def on_refresh(self, listener: Callable[[Results], None]) -> None:
        """Call ``listener(results)`` whenever the panel is typeset (once the hand pauses)."""
        self._listeners.append(listener)

    def refresh(self) -> None:
        """Typeset the last results shown."""
        self._timer = None
        if self._results is not None:
            self.widget.value = formula_html(self._results, self.entry)
            for listener in self._listeners:
                listener(self._results)


class ExportView:
    """PNG, SVG and JSON export buttons and the download link they fill.

    Parameters
    ----------
    render : callable
        ``render(kind)`` -> ``(bytes, mime type)`` for ``kind`` in png, svg, json.
    report : callable
        ``report(message)`` when an export fails.
    """

    KINDS: ClassVar[dict[str, str]] = {
        "png": "the figures as PNG", "svg": "the figures as SVG", "json": "the state as JSON",
    }  # fmt: skip

    def __init__(
        self, render: Callable[[str], tuple[bytes, str]], report: Callable[[str], None]
    ) -> None:
        self._render, self._report = render, report
        self.download = W.HTML()
        self.download.add_class("softmax-explorer-download")
        self.buttons = {}
        for kind, what in self.KINDS.items():
            button = W.Button(
                description=kind.upper(), tooltip=f"Export {what}", layout=W.Layout(width="80px")
            )
            button.add_class(f"softmax-explorer-export-{kind}")
            button.on_click(lambda _b, kind=kind: self.export(kind))
            self.buttons[kind] = button
        self.box = W.VBox([W.HBox([W.Label("export"), *self.buttons.values()]), self.download])

    def export(self, kind: str) -> None:
        """Fill the download link with ``kind``'s data."""
        try:
            data, mime = self._render(kind)
        except Exception as err:
            log.exception("export failed")
            self._report(f"Export failed ({type(err).__name__}).")
            return
        payload = base64.b64encode(data).decode()
        name = f"softmax-explorer.{kind}"
        self.download.value = (
            f"<a download='{name}' href='data:{mime};base64,{payload}' "
            f"class='softmax-explorer-download'>Download {name}</a>"
        )


class ShareLink:
    """The link that reopens the current state: ``base + "?" + state.to_query()``.

    In a lesson it begins with the step's query (``lesson=seed&step=4``), which alone is the
    link while the step's own state is shown.
    """

    def __init__(self, base: str = "") -> None:
        self.base = base
        self._state: State | None = None
        self._step: tuple[str, State] | None = None
        self.widget = Text(
            description="share link", style={"description_width": "110px"},
            layout=W.Layout(width="100%"),
            tooltip="Copy this link to reopen the same state on any machine",
        )  # fmt: skip
        self.widget.add_class("softmax-explorer-link")

    def set_base(self, base: str) -> None:
        """The address the link starts with (the served page's), and the link anew."""
        self.base = base
        if self._state is not None:
            self.show(self._state)

    def set_step(self, query: str, state: State) -> None:
        """Links begin with a lesson step's ``query``; its ``state`` is the step's own."""
        self._step = (query, state)

    def show(self, state: State) -> None:
        """The link of ``state``."""
        self._state = state
        query = state.to_query()
        if self._step is not None:
            step_query, step_state = self._step
            query = step_query if state == step_state else f"{step_query}&{query}"
        self.widget.value = f"{self.base}?{query}"
