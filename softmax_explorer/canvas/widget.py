"""`PanelCanvas`: a matplotlib figure shown as a widget that the browser draws.

The kernel records what the figure draws (`DisplayListCanvas`) and sends the commands; the
browser replays them on an HTML canvas (``static/panel_canvas.js``, an anywidget module). An
update costs the kernel a few milliseconds of recording instead of rasterising and PNG-encoding
the figure, and the canvas is sharp at any device pixel ratio. Pointer presses, drags and
releases and the arrow keys on a focused plot come back as matplotlib events
(``button_press_event``, ``motion_notify_event``, ``button_release_event``,
``key_press_event``), so ``figure.canvas.mpl_connect`` works as usual. Canvases that join a
`Frames` group send the frames drawn within ``group.together()`` in one message.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets as W
import traitlets
from matplotlib.backend_bases import KeyEvent, MouseEvent
from matplotlib.figure import Figure

from .figure_canvas import DisplayListCanvas
from .frames import Frames
from .renderer import Command

__all__ = ["PanelCanvas"]

#: The browser's messages and the matplotlib events they become; the keys a focused plot sends.
_EVENTS = {
    "button_press": "button_press_event",
    "motion_notify": "motion_notify_event",
    "button_release": "button_release_event",
    "key_press": "key_press_event",
}
_KEYS = ("left", "right", "up", "down")


class PanelCanvas(anywidget.AnyWidget):
    """A widget showing ``figure``; becomes the figure's canvas.

    Parameters
    ----------
    figure : Figure
        The figure to show. Its ``draw_idle`` and blits send the new commands to the browser.
    frames : Frames, optional
        The group whose message carries the frames drawn within its ``together()``.
    """

    _esm = Path(__file__).with_name("static") / "panel_canvas.js"
    width = traitlets.Int().tag(sync=True)
    height = traitlets.Int().tag(sync=True)
    #: The display lists as JSON text: one string is cheaper to compare, send and receive than
    #: nested lists, which ipywidgets walks looking for binary buffers.
    background = traitlets.Unicode("[]").tag(sync=True)
    foreground = traitlets.Unicode("[]").tag(sync=True)
    #: The plot's accessible name and the description of its current numbers (screen readers).
    label = traitlets.Unicode("").tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    #: Whether a pointer drags something in the plot: a finger on it then drags, and neither
    #: scrolls nor zooms the page (CSS ``touch-action: none``).
    drags = traitlets.Bool(False).tag(sync=True)

    def __init__(self, figure: Figure, frames: Frames | None = None, **kwargs: Any) -> None:
        width, height = (round(v) for v in figure.bbox.size)
        # as wide as its column up to the figure's own width; the browser scales it to fit
        layout = W.Layout(width="100%", max_width=f"{width}px", min_width="0")
        kwargs.setdefault("label", figure.get_label())
        super().__init__(width=width, height=height, layout=layout, **kwargs)
        self.figure = figure
        self.frames = frames
        self._carried = False  # the state being set goes in the group's message
        self.canvas = DisplayListCanvas(figure, show=self._show)
        self.on_msg(self._on_browser_message)

    def _show(self, background: list[Command] | None, foreground: list[Command]) -> None:
        state = {"foreground": json.dumps(foreground, allow_nan=False)}
        if background is not None:
            state["background"] = json.dumps(background, allow_nan=False)
        state = {name: text for name, text in state.items() if text != getattr(self, name)}
        if not state:
            return
        self._carried = self.frames is not None and self.frames.hold(self.model_id, state)
        try:
            with self.hold_sync():
                for name, value in state.items():
                    setattr(self, name, value)
        finally:
            self._carried = False

    def _should_send_property(self, key: str, value: Any) -> bool:
        """Send as ipywidgets would, except a frame that the group's message carries."""
        return not self._carried and super()._should_send_property(key, value)

    def _on_browser_message(self, _widget, content: Any, _buffers) -> None:
        """A pointer or key event from the browser: checked, then a matplotlib event."""
        if not isinstance(content, dict):
            return
        name = _EVENTS.get(content.get("event"))
        if name == "key_press_event":
            if content.get("key") in _KEYS:
                event = KeyEvent(name, self.canvas, content["key"])
                self.canvas.callbacks.process(name, event)
            return
        x, y, button = content.get("x"), content.get("y"), content.get("button")
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (x, y))
        if name is None or not numbers or not (math.isfinite(x) and math.isfinite(y)):
            return
        if name != "motion_notify_event" and button not in (1, 2, 3):
            return
        if 0 <= x <= self.width and 0 <= y <= self.height:
            button = None if name == "motion_notify_event" else button
            event = MouseEvent(name, self.canvas, x, self.height - y, button)
            self.canvas.callbacks.process(name, event)

    def set_state(self, sync_data: dict) -> None:
        """Ignore state sent by a browser: the kernel owns all of this widget's state."""
