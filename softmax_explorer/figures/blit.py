"""Blitting: a panel's animated artists redrawn over a cached background."""

from __future__ import annotations

from matplotlib.artist import Artist
from matplotlib.figure import Figure

from ..canvas import draw_artists
from .panel import Panel

__all__ = ["Blitter"]


class Blitter:
    """Redraws a panel's animated artists over a cached background (matplotlib's blitting recipe).

    Every full draw of the figure (the first one, a resize, a theme or background change) fires
    ``draw_event``: the background is cached then, without the animated artists, and they are
    drawn on top. An update restores the background and draws only the animated artists, so tick
    labels and axes (most of a draw's cost) are not drawn again.
    """

    def __init__(self, fig: Figure, panel: Panel) -> None:
        self.fig, self.panel = fig, panel
        self.background = None
        self.renderer = None
        for artist in panel.animated:
            artist.set_animated(True)
        self.cid = fig.canvas.mpl_connect("draw_event", self._on_draw)

    def _on_draw(self, event) -> None:
        renderer = event.renderer
        if hasattr(renderer, "copy_from_bbox"):
            self.background = renderer.copy_from_bbox(self.fig.bbox)
            self.renderer = renderer
        self._draw_animated(renderer)

    def _draw_animated(self, renderer) -> None:
        draw_artists(renderer, self.panel.animated)

    def blit(self) -> None:
        """Show the animated artists' new state; a full draw if there is no usable background."""
        canvas = self.fig.canvas
        renderer = canvas.get_renderer()
        if self.background is None or renderer is not self.renderer:
            canvas.draw_idle()
            return
        renderer.restore_region(self.background)
        self._draw_animated(renderer)
        canvas.blit(self.fig.bbox)

    def redraw(self, part: Artist) -> None:
        """Show a change of the background confined to ``part`` (an Axes with a gid).

        A canvas that records display lists re-records only ``part`` within the cached
        background, then the animated artists over it; any other canvas, or one without a
        usable background, draws the whole figure.
        """
        canvas = self.fig.canvas
        renderer = canvas.get_renderer()
        usable = self.background is not None and renderer is self.renderer
        if not (usable and hasattr(canvas, "redraw") and canvas.redraw(part)):
            canvas.draw_idle()
            return
        self.background = renderer.background_size
        self._draw_animated(renderer)
        canvas.blit(self.fig.bbox)

    def disconnect(self) -> None:
        """Stop listening to the figure's draws."""
        self.fig.canvas.mpl_disconnect(self.cid)
