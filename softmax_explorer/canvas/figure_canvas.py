"""`DisplayListCanvas`: a figure canvas that records each frame as display lists.

It keeps matplotlib's blitting protocol (``copy_from_bbox`` / ``restore_region`` / ``blit``): a
full draw records the *background*, and a blit records only the animated artists drawn over it,
the *foreground*. Each frame goes to the canvas's ``show(background, foreground)`` (background
None when unchanged). This module imports matplotlib, never ipywidgets.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable

import matplotlib as mpl
from matplotlib.backend_bases import FigureCanvasBase

from .renderer import Command, DisplayListRenderer, DisplayListWarning

__all__ = ["DisplayListCanvas"]

log = logging.getLogger(__name__)


class DisplayListCanvas(FigureCanvasBase):
    """A figure canvas that draws into a `DisplayListRenderer` and shows each frame.

    Parameters
    ----------
    figure : Figure
        The figure; the canvas attaches itself to it.
    show : callable, optional
        ``show(background, foreground)`` receives each frame's command lists; ``background`` is
        None when only the foreground changed (a blit).
    """

    def __init__(
        self, figure, show: Callable[[list[Command] | None, list[Command]], None] | None = None
    ) -> None:
        super().__init__(figure)
        self.show = show
        self.warned: set[str] = set()  # features refused once for this figure
        self._renderer: DisplayListRenderer | None = None
        self._draw_pending = False
        self._pending_rc: dict = {}
        self.background: list[Command] = []
        self.foreground: list[Command] = []
        self._background_changed = False  # by `redraw`, not yet shown

    def get_renderer(self) -> DisplayListRenderer:
        """The renderer, new when the figure's size or dpi changed."""
        width, height = self.figure.bbox.size
        dpi = self.figure.dpi
        r = self._renderer
        if r is None or (r.width, r.height, r.dpi) != (width, height, dpi):
            name = self.figure.get_label()
            self._renderer = DisplayListRenderer(width, height, dpi, name, self.warned)
        return self._renderer

    def draw_idle(self, *args, **kwargs) -> None:
        """Draw once the event loop is free (at once if none runs); requests made before coalesce.

        In a kernel, the first draws of a new dashboard then happen after its cell returns, while
        the page loads, instead of delaying the page. The draw uses the rcParams in effect at the
        request (a theme's ``rc_context`` has ended by then; fonts are looked up at draw time).
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.draw()
            return
        self._pending_rc = dict(mpl.rcParams.copy())
        del self._pending_rc["backend"]  # as rc_context does: never switch backends
        if not self._draw_pending:
            self._draw_pending = True
            loop.call_soon(self._draw_pending_frame)

    def flush_events(self) -> None:
        """Draw now the frame `draw_idle` deferred, if any (matplotlib's pending-events call)."""
        self._draw_pending_frame()

    def _draw_pending_frame(self) -> None:
        """The deferred draw, unless already drawn; an error becomes a warning naming the figure.

        An exception in the event loop's callback would be lost, and the next frame too.
        """
        if not self._draw_pending:
            return
        self._draw_pending = False
        try:
            with mpl.rc_context(self._pending_rc):
                self.draw()
        except Exception as err:
            log.exception("deferred draw of figure %r failed", self.figure.get_label())
            warnings.warn(
                f"figure {self.figure.get_label() or '(unnamed)'}: its draw failed ({err!r}); "
                "it shows its last frame",
                DisplayListWarning,
                stacklevel=1,
            )

    def draw(self) -> None:
        """Record the whole figure and show it."""
        renderer = self.get_renderer()
        renderer.clear()
        self.figure.draw(renderer)
        split = renderer.background_size
        split = len(renderer.commands) if split is None else split
        self.background = renderer.commands[:split]
        self._show(self.background, renderer.commands[split:])

    def redraw(self, artist) -> bool:
        """Record ``artist`` again within the background, shown with the next `blit`.

        See `DisplayListRenderer.redraw`: False (nothing changed) if ``artist`` was not recorded
        as a group of the background; draw the figure instead.
        """
        renderer = self.get_renderer()
        if not renderer.redraw(artist):
            return False
        self.background = renderer.commands[: renderer.background_size]
        self._background_changed = True
        return True

    def blit(self, bbox=None) -> None:
        """Show the commands recorded after the background (the animated artists).

        The background goes too if `redraw` changed it since it was last shown.
        """
        renderer = self.get_renderer()
        split = renderer.background_size or 0
        background = self.background if self._background_changed else None
        self._show(background, renderer.commands[split:])

    def _show(self, background: list[Command] | None, foreground: list[Command]) -> None:
        self._background_changed = False
        self.foreground = foreground
        if self.show is not None:
            self.show(background, foreground)
