"""`Panel`: one Axes whose artists are created once and changed in place.

A panel separates what changes with every slider move (its *animated* artists: bars, images,
value texts, lines) from what changes rarely (axes, ticks, labels, legend). `data_key` and
`static_key` say which of the two new data touch; the dashboard redraws only the animated
artists over a cached background (blitting) unless the static part changed.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import matplotlib as mpl
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.text import Text

from ..results import Results
from .style import Look, palette

__all__ = ["Panel", "ResultsPanel"]

Data = TypeVar("Data")


class Panel(Generic[Data]):
    """One panel on one Axes, showing data of one type (`Results`, or a list of losses).

    Parameters
    ----------
    ax : Axes
        Where to draw.
    data : Data
        What to show first.
    cax : Axes, optional
        A colourbar's Axes.
    look : Look, optional
        The theme's colour maps (the rc settings are the caller's ``rc_context``).
    """

    def __init__(
        self, ax: Axes, data: Data, cax: Axes | None = None, look: Look | None = None
    ) -> None:
        self.ax, self.cax = ax, cax
        self.look = look or Look()
        self.colours = palette()
        self.text_colour = mpl.rcParams["text.color"]
        self.animated: list[Artist] = []
        self._data_key: object = None
        self._static_key: object = None
        self.build(data)
        self.update(data)

    def title(self, text: str = "") -> Text:
        """An animated title at the top left (``Axes.set_title`` texts are part of the axes)."""
        return self.ax.text(0, 1.03, text, transform=self.ax.transAxes, ha="left", va="bottom",
                            fontsize=mpl.rcParams["axes.titlesize"])  # fmt: skip

    def build(self, data: Data) -> None:
        """Create the artists (once per shape)."""
        raise NotImplementedError

    def data_key(self, data: Data) -> object:
        """The values the panel shows: an unchanged key means nothing to redraw."""
        raise NotImplementedError

    def static_key(self, data: Data) -> object:
        """The values the background (axes, ticks, labels) shows."""
        return None

    def refresh(self, data: Data) -> None:
        """Change the animated artists in place to show ``data``."""
        raise NotImplementedError

    def refresh_static(self, data: Data) -> None:
        """Change the background's artists (called only when `static_key` changed)."""

    def static_part(self, old: object, new: object) -> Artist | None:
        """What of the background a change of `static_key` from ``old`` to ``new`` touches.

        One part (an Axes with a gid, which `Blitter.redraw` records again alone), or None if
        it may touch any of it.
        """
        return None

    def update(self, data: Data) -> tuple[bool, Artist | None]:
        """Show ``data``.

        Returns
        -------
        changed : bool
            Whether anything shown changed.
        background : Artist or None
            What of the background changed: None, the one part `static_part` names, or the
            figure.
        """
        static = self.static_key(data)
        background = None
        if static != self._static_key:
            background = self.static_part(self._static_key, static) or self.ax.figure
            self.refresh_static(data)
            self._static_key = static
        key = self.data_key(data)
        if key == self._data_key and background is None:
            return False, None
        self.refresh(data)
        self._data_key = key
        return True, background


class ResultsPanel(Panel[Results]):
    """A panel of one state's `Results`; ``n`` is the number of classes it was built for."""

    def __init__(
        self, ax: Axes, results: Results, cax: Axes | None = None, look: Look | None = None
    ) -> None:
        self.n = results.state.n
        super().__init__(ax, results, cax, look)
