"""The dashboard's arrangement: the title, then the controls beside a two-column grid of plots.

The grid takes the width left beside the controls, down to two columns of `MIN_COLUMN`;
narrower than that, it goes below the controls. Its columns reach the figures' own width, and
are at least `MIN_COLUMN` times the context's scale wide (the canvases scale to fit): where two
of those do not fit (a phone; a projector's page with seaborn's "talk" sizes beside the
controls), every plot takes the grid's full width in one column, so that its text keeps the
size the context gives it. `TOUCH_CSS` gives slider handles a touch target of 24 px. Imports
ipywidgets.
"""

from __future__ import annotations

import ipywidgets as W

from ..canvas.widget import PanelCanvas
from ..figures import PANELS, SAMPLING
from ..figures.describe import NAMES
from ..figures.handles import DRAGGED

__all__ = ["MIN_COLUMN", "TITLE", "TOUCH_CSS", "SamplingSlot", "arrange", "name_canvas"]

#: The narrowest column (px, in the "notebook" context) a panel is scaled down to.
MIN_COLUMN = 300
_GAP = 4  # px between the grid's cells
#: The page's title, first on the page.
TITLE = "<h3 style='margin:0'>softmax explorer</h3>"
#: Slider handles (16 px) with a touch target of 24 px (WCAG 2.5.8): a transparent margin that
#: takes the pointer with the handle.
TOUCH_CSS = """<style>
.softmax-explorer .noUi-handle::after {
  content: "" !important; display: block !important; position: absolute !important;
  left: -4px !important; top: -4px !important; width: 24px !important; height: 24px !important;
  background: transparent !important;
}
</style>"""


def name_canvas(name: str, canvas: PanelCanvas) -> None:
    """Name a panel's canvas: its CSS class (``softmax-explorer-panel-<name>``), label, drags."""
    canvas.add_class(f"softmax-explorer-panel-{name}")
    canvas.label = NAMES[name]
    canvas.drags = name in DRAGGED


class SamplingSlot:
    """Where the sampling view goes: its two plots above the others, in the same columns.

    Parameters
    ----------
    scale : float
        The plotting context's sizes relative to the "notebook" context's (`MIN_COLUMN`'s).
    """

    def __init__(self, scale: float = 1.0) -> None:
        self.box = _grid([], scale, display="none", min_width="0")
        self.box.add_class("softmax-explorer-sampling-view")

    def show(self, canvases: dict[str, PanelCanvas] | None) -> None:
        """Show the view's canvases (`SAMPLING`'s, by name), or hide the slot with None."""
        if canvases is not None:
            shown = tuple(canvases[name] for name in SAMPLING)
            if self.box.children != shown:
                for name in SAMPLING:
                    name_canvas(name, canvases[name])
                self.box.children = shown
        self.box.layout.display = "none" if canvases is None else "grid"


def _columns(narrowest: float) -> str:
    """Two columns of at least ``narrowest`` px where they fit, else one as wide as the grid."""
    two = f"calc(50% - {_GAP / 2:g}px)"
    return f"repeat(auto-fit, minmax(min(100%, max({narrowest:g}px, {two})), 1fr))"


def _grid(children: list[W.Widget], scale: float, **layout: str) -> W.GridBox:
    """``children`` in `_columns` of `MIN_COLUMN` times ``scale`` (the plotting context's)."""
    columns = _columns(round(MIN_COLUMN * scale))
    return W.GridBox(
        children,
        layout=W.Layout(
            grid_template_columns=columns, grid_gap=f"{_GAP}px", width="100%", **layout
        ),
    )


def _plots(
    canvases: dict[str, PanelCanvas], formulas: W.Widget, sampling: SamplingSlot, scale: float
) -> W.VBox:
    """The sampling view, then the four panels, the formulas and the trace, two by two.

    Each canvas is named for the page; ``scale`` is the plotting context's (`MIN_COLUMN`'s).
    """
    for name, canvas in canvases.items():
        name_canvas(name, canvas)
    widest = max(canvas.width for canvas in canvases.values())
    grid = _grid([*(canvases[name] for name in PANELS), formulas, canvases["trace"]], scale)
    grid.add_class("softmax-explorer-plots")
    return W.VBox(
        [sampling.box, grid],
        layout=W.Layout(
            flex="1 1 0",
            min_width=f"min(100%, {2 * MIN_COLUMN + _GAP}px)",
            max_width=f"{2 * widest + _GAP}px",
            grid_gap=f"{_GAP}px",
        ),
    )


def arrange(
    canvases: dict[str, PanelCanvas],
    formulas: W.Widget,
    controls: list[W.Widget],
    above: list[W.Widget],
    below: list[W.Widget],
    sampling: SamplingSlot,
    scale: float = 1.0,
) -> W.VBox:
    """The page's root: the title, ``above``, the controls beside the plots, ``below``.

    ``scale`` is the plotting context's sizes relative to the "notebook" context's.
    """
    column = W.VBox(controls, layout=W.Layout(flex="0 0 auto", max_width="100%"))
    plots = _plots(canvases, formulas, sampling, scale)
    main = W.HBox([column, plots], layout=W.Layout(flex_flow="row wrap"))
    head = W.HTML(TITLE + TOUCH_CSS)
    root = W.VBox([head, *above, main, *below], layout=W.Layout(width="100%"))
    root.add_class("softmax-explorer")
    return root
