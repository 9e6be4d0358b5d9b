"""Matplotlib figures drawn by the browser: a recording renderer, its canvas and its widget.

`DisplayListRenderer` records what a figure draws as display lists (its docstring states what is
drawn and what is refused); `DisplayListCanvas` keeps matplotlib's canvas and blitting protocol
over it; `softmax_explorer.canvas.widget.PanelCanvas` (imported on its own: it needs
ipywidgets) sends the lists to ``static/panel_canvas.js``, which replays them on an HTML canvas,
and `softmax_explorer.canvas.frames.Frames` sends the frames of several canvases drawn together
in one message.

Modules: `renderer` (the recording renderer and its contract), `shortcuts` (the commands of
one-line texts and small heatmaps built directly, as matplotlib would draw them), `fingerprint`
(an artist's data and looks: an animated artist whose fingerprint is unchanged is replayed,
not drawn again), `figure_canvas` (`DisplayListCanvas`), `frames` (`Frames`) and `widget`
(`PanelCanvas`).
"""

from .figure_canvas import DisplayListCanvas
from .renderer import Command, DisplayListRenderer, DisplayListWarning, draw_artists

__all__ = [
    "Command",
    "DisplayListCanvas",
    "DisplayListRenderer",
    "DisplayListWarning",
    "draw_artists",
]
