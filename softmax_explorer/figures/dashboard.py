"""`Dashboard`: the panels, one figure each, updated in place; and its export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..results import Results
from .bars import BarsPanel
from .blit import Blitter
from .handles import Handles
from .heatmaps import ErrorPanel, JacobianPanel
from .panel import Panel
from .sampling import SAMPLING_PANELS
from .steps import StepsPanel
from .style import DPI, PANEL_SIZE, Look
from .trace import TracePanel

__all__ = ["PANELS", "Dashboard"]

_RESULTS_PANELS = {
    "bars": BarsPanel,
    "jacobian": JacobianPanel,
    "error": ErrorPanel,
    "steps": StepsPanel,
}
#: The panels of one state, in the order the page and the export show them.
PANELS = tuple(_RESULTS_PANELS)
#: The sampling view's panels (made once a state shows it), in the page's order.
SAMPLING = tuple(SAMPLING_PANELS)
# Axes rectangles (left, bottom, width, height) in figure fractions: fixed, so nothing jumps.
_MAIN_RECT = {
    "bars": (0.13, 0.14, 0.70, 0.74),  # room on the right for the logit axis
    "jacobian": (0.13, 0.15, 0.66, 0.73),
    "error": (0.13, 0.15, 0.66, 0.73),
    "steps": (0.14, 0.15, 0.58, 0.73),
    "trace": (0.13, 0.25, 0.82, 0.6),
    "cuts": (0.13, 0.15, 0.82, 0.73),
    "sampler": (0.13, 0.15, 0.82, 0.73),
}
_CBAR_RECT = (0.84, 0.15, 0.03, 0.73)
_TRACE_SIZE = (PANEL_SIZE[0], 2.2)


def _add_panel(fig: Figure, name: str, results: Results, look: Look, frame=(0, 0, 1, 1)) -> Panel:
    """Create panel ``name`` in the sub-rectangle ``frame`` of ``fig``."""

    def place(rect):
        fx, fy, fw, fh = frame
        x, y, w, h = rect
        return (fx + x * fw, fy + y * fh, w * fw, h * fh)

    ax = fig.add_axes(place(_MAIN_RECT[name]))
    cax = fig.add_axes(place(_CBAR_RECT)) if name in ("jacobian", "error") else None
    return (_RESULTS_PANELS | SAMPLING_PANELS)[name](ax, results, cax, look)


class Dashboard:
    """The four panels of a state and the loss trace, one figure each, updated in place.

    Parameters
    ----------
    results : Results
        What to show first.
    theme : {"light", "dark"}
        Colours; dark suits Voila's dark theme.
    context : {"paper", "notebook", "talk", "poster"}
        seaborn's plotting context; "talk" for a projector. The figures grow with its sizes.
    canvas : callable, optional
        ``canvas(figure)`` attaches a canvas to each new figure; default Agg (static). The app
        passes `~softmax_explorer.canvas.widget.PanelCanvas`, a widget. What it returns is kept
        in `canvases`.
    dpi : float, optional
        Resolution of the figures.

    Attributes
    ----------
    figures, canvases, panels : dict
        Per panel name (`PANELS` and ``"trace"``; `SAMPLING` once a state shows it).
    """

    def __init__(
        self,
        results: Results,
        theme: str = "light",
        canvas: Callable[[Figure], object] = FigureCanvasAgg,
        dpi: float = DPI,
        context: str = "notebook",
    ) -> None:
        self.look = Look(theme, context)
        self.dpi = dpi
        self._canvas = canvas
        self._rc = self.look.rc
        self.results = results
        self.figures: dict[str, Figure] = {}
        self.canvases: dict[str, object] = {}
        self.panels: dict[str, Panel] = {}
        self._blitters: dict[str, Blitter] = {}
        self._on_cell: list[Callable[[int, int], None]] = []
        self._wishes: dict[str, list[Callable[..., None]]] = {"bar": [], "step": []}
        self._losses: list[float] = []
        self._stale_sampling = False
        with mpl.rc_context(self._rc):
            for name in (*PANELS, "trace"):
                size = self.look.size(_TRACE_SIZE if name == "trace" else PANEL_SIZE)
                fig = Figure(figsize=size, dpi=dpi, label=name)
                self.canvases[name] = canvas(fig)
                self.figures[name] = fig
                self._build(name, results)
                fig.canvas.draw_idle()
            if results.sampled is not None:
                self._show_sampling(results)
        self.figures["jacobian"].canvas.mpl_connect("button_press_event", self._on_press)
        self.handles = Handles(
            self.figures, self.panels.get, self._wish("bar"), self._wish("step"), self._select
        )

    @property
    def theme(self) -> str:
        """The theme the panels are drawn in."""
        return self.look.theme

    def _attach(self, name: str, panel: Panel) -> None:
        self.panels[name] = panel
        self._blitters[name] = Blitter(self.figures[name], panel)

    def _build(self, name: str, results: Results) -> None:
        fig = self.figures[name]
        if name in self._blitters:
            self._blitters[name].disconnect()
            fig.clear()
        if name == "trace":
            panel = TracePanel(fig.add_axes(_MAIN_RECT[name]), self._losses, look=self.look)
        else:
            panel = _add_panel(fig, name, results, self.look)
        self._attach(name, panel)

    def set_theme(self, theme: str) -> None:
        """Redraw every panel in ``theme``'s colours (when the page's theme changes)."""
        if theme == self.theme:
            return
        self.look = Look(theme, self.look.context)
        self._rc = self.look.rc
        with mpl.rc_context(self._rc):
            for name, fig in self.figures.items():
                fig.set_facecolor(self._rc["figure.facecolor"])
                if name in SAMPLING and self.results.sampled is None:
                    self._stale_sampling = True  # rebuilt when it is shown again
                    continue
                self._build(name, self.results)
                fig.canvas.draw_idle()

    def _show(self, name: str, data: object) -> bool:
        """Update one panel in place and redraw it (a blit unless its background changed)."""
        changed, background = self.panels[name].update(data)
        if background is self.figures[name]:
            self.figures[name].canvas.draw_idle()
        elif background is not None:
            self._blitters[name].redraw(background)
        elif changed:
            self._blitters[name].blit()
        return changed

    def update(self, results: Results) -> list[str]:
        """Show ``results``: change artists in place and redraw each changed figure once.

        Only a panel's animated artists are redrawn (blitted) unless its background changed
        (wrt, dtype) or n changed (then the panel is rebuilt and fully drawn).

        Returns
        -------
        list of str
            The panels that changed.
        """
        changed = []
        rebuild = results.state.n != self.results.state.n
        with mpl.rc_context(self._rc):
            for name in PANELS:
                if rebuild and name != "steps":  # the step plot's shape does not depend on n
                    self._build(name, results)
                    self.figures[name].canvas.draw_idle()
                    changed.append(name)
                elif self._show(name, results):
                    changed.append(name)
            if results.sampled is not None:
                changed += self._show_sampling(results)
        self.results = results
        return changed

    def _show_sampling(self, results: Results) -> list[str]:
        """Show the sampling view, making its figures the first time (and for a new n).

        Returns the names of its panels that changed.
        """
        first = self.panels.get(SAMPLING[0])
        if first is not None and first.n == results.state.n and not self._stale_sampling:
            return [name for name in SAMPLING if self._show(name, results)]
        self._stale_sampling = False
        for name in SAMPLING:
            if name not in self.figures:
                fig = Figure(figsize=self.look.size(PANEL_SIZE), dpi=self.dpi, label=name)
                self.canvases[name] = self._canvas(fig)
                self.figures[name] = fig
            self._build(name, results)
            self.figures[name].canvas.draw_idle()
        return list(SAMPLING)

    def draw_pending(self) -> None:
        """Draw now the frames the figures' canvases deferred (``Figure.canvas.flush_events``).

        A canvas widget defers its draws until the kernel's cell returns; a kernel that waits
        before returning (in Voila's pool) draws them first this way.
        """
        for fig in self.figures.values():
            fig.canvas.flush_events()

    def show_before(self, g: np.ndarray | None = None) -> None:
        """Outline bars of heights ``g`` (the probabilities before a change); None hides it.

        The outline stays until the next call; a new number of classes removes it.
        """
        bars = self.panels["bars"]
        if g is not None and len(g) != bars.n:
            g = None
        if g is None and bars.before_heights is None:
            return
        with mpl.rc_context(self._rc):
            bars.show_before(g)
            self._blitters["bars"].blit()

    def show_losses(self, losses: Sequence[float]) -> bool:
        """Show the losses of a descent in the trace panel; returns whether it changed."""
        self._losses = list(losses)
        with mpl.rc_context(self._rc):
            return self._show("trace", self._losses)

    def on_cell_click(self, callback: Callable[[int, int], None]) -> None:
        """Call ``callback(i, k)`` when a Jacobian cell is clicked (0-based row and column)."""
        self._on_cell.append(callback)

    def on_bar(self, callback: Callable[..., None]) -> None:
        """Call ``callback(k, to=p)`` for a drag of bar ``k`` (0-based) to probability ``p``.

        And ``callback(k, by=+1 or -1)`` when the Up or Down key nudges it.
        """
        self._wishes["bar"].append(callback)

    def on_step(self, callback: Callable[..., None]) -> None:
        """Call ``callback(to=h)`` for a drag of the step line to ``h``.

        And ``callback(by=+1 or -1)`` when the Right or Left key nudges it.
        """
        self._wishes["step"].append(callback)

    def _wish(self, name: str) -> Callable[..., None]:
        def wish(*args, **kwargs) -> None:
            for callback in self._wishes[name]:
                callback(*args, **kwargs)

        return wish

    def _select(self, k: int) -> None:
        with mpl.rc_context(self._rc):
            self.panels["bars"].show_selected(k)
            self._blitters["bars"].blit()

    def _on_press(self, event) -> None:
        if event.inaxes is not self.panels["jacobian"].ax or event.xdata is None:
            return
        i, k = round(event.ydata), round(event.xdata)
        if 0 <= i < self.results.state.n and 0 <= k < self.results.state.n:
            for callback in self._on_cell:
                callback(i, k)

    def cell_position(self, i: int, k: int) -> tuple[float, float]:
        """Where Jacobian cell ``(i, k)`` is in its figure, in pixels from the top left."""
        x, y = self.panels["jacobian"].ax.transData.transform((k, i))
        return float(x), float(self.figures["jacobian"].bbox.height - y)

    def save(self, path: str | Path | BinaryIO, format: str | None = None) -> str | Path | BinaryIO:
        """Write the current state's four panels as one image, PNG or SVG.

        Parameters
        ----------
        path : str, path or binary file
            Where to write.
        format : {"png", "svg"}, optional
            Default: from the file name's suffix (PNG for a file object).

        The export is a fresh 2 x 2 figure built by the same panel code, so it shows exactly what
        the panels show.
        """
        suffix = Path(path).suffix.lstrip(".") if isinstance(path, str | Path) else ""
        fmt = (format or suffix or "png").lower()
        if fmt not in ("png", "svg"):
            raise ValueError(f"save writes png or svg, not {fmt!r}")
        with mpl.rc_context(self._rc):
            self.composite().savefig(path, format=fmt, dpi=self.dpi)
        return path

    def composite(self) -> Figure:
        """A single 2 x 2 figure of the current state (Agg canvas), for export."""
        width, height = self.look.size(PANEL_SIZE)
        with mpl.rc_context(self._rc):
            fig = Figure(figsize=(2 * width, 2 * height), dpi=self.dpi)
            FigureCanvasAgg(fig)
            frames = [
                (0, 0.5, 0.5, 0.5),
                (0.5, 0.5, 0.5, 0.5),
                (0, 0, 0.5, 0.5),
                (0.5, 0, 0.5, 0.5),
            ]
            for name, frame in zip(PANELS, frames, strict=True):
                _add_panel(fig, name, self.results, self.look, frame)
        return fig
