"""The dashboard's arrangement: the controls beside a two-column grid of the plots.

The grid takes the width left beside the controls, its columns up to the figures' own width and
down to `MIN_COLUMN` (the canvases scale to fit); narrower than that, it goes below the controls.
Imports ipywidgets.
"""

from __future__ import annotations

import ipywidgets as W

from ..canvas.widget import PanelCanvas
from ..figures import PANELS
from ..figures.describe import NAMES

__all__ = ["MIN_COLUMN", "SamplingSlot", "arrange", "name_canvas"]

#: The narrowest column (px) a panel is scaled down to before the plots go below the controls.
MIN_COLUMN = 300
_GAP = 4  # px between the grid's cells


def name_canvas(name: str, canvas: PanelCanvas) -> None:
    """Give a panel's canvas its CSS class (``softmax-explorer-panel-<name>``) and its name."""
    canvas.add_class(f"softmax-explorer-panel-{name}")
    canvas.label = NAMES[name]


class SamplingSlot:
    """Where the sampling view goes: above the plots, as wide as both columns, until hidden."""

    def __init__(self) -> None:
        self.box = W.Box(layout=W.Layout(display="none", min_width="0", width="100%"))
        self.box.add_class("softmax-explorer-sampling-view")

    def show(self, canvas: PanelCanvas | None) -> None:
        """Show ``canvas`` (the sampling figure's), or hide the slot with None."""
        if canvas is not None and self.box.children != (canvas,):
            name_canvas("sampling", canvas)
            self.box.children = (canvas,)
        self.box.layout.display = "none" if canvas is None else "flex"


def _plots(canvases: dict[str, PanelCanvas], formulas: W.Widget, sampling: SamplingSlot) -> W.VBox:
    """The sampling view, then the four panels, the formulas and the trace, two by two.

    Each canvas is named for the page.
    """
    for name, canvas in canvases.items():
        name_canvas(name, canvas)
    widest = max(canvas.width for canvas in canvases.values())
    grid = W.GridBox(
        [*(canvases[name] for name in PANELS), formulas, canvases["trace"]],
        layout=W.Layout(
            grid_template_columns="repeat(2, minmax(0, 1fr))", grid_gap=f"{_GAP}px", width="100%"
        ),
    )
    grid.add_class("softmax-explorer-plots")
    return W.VBox(
        [sampling.box, grid],
        layout=W.Layout(
            flex="1 1 0",
            min_width=f"{2 * MIN_COLUMN + _GAP}px",
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
) -> W.VBox:
    """The page's root: ``above``, the ``controls`` column beside the plots, then ``below``."""
    column = W.VBox(controls, layout=W.Layout(flex="0 0 auto"))
    plots = _plots(canvases, formulas, sampling)
    main = W.HBox([column, plots], layout=W.Layout(flex_flow="row wrap"))
    root = W.VBox([*above, main, *below], layout=W.Layout(width="100%"))
    root.add_class("softmax-explorer")
    return root
