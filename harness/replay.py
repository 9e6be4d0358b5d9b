"""The browser's replay of a display list: ``panel_canvas.js`` given a stand-in widget model."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
from matplotlib.image import imread

import softmax_explorer
from softmax_explorer.canvas import DisplayListCanvas

#: The module the widget loads.
MODULE = Path(softmax_explorer.__file__).parent / "canvas" / "static" / "panel_canvas.js"

REPLAY = """
async ([source, state]) => {
  const url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
  const widget = (await import(url)).default;
  const el = document.createElement('div');
  document.body.replaceChildren(el);
  const model = {get: (name) => state[name], on() {}, off() {}, send() {}};
  widget.render({model, el});
  await new Promise((resolve) => requestAnimationFrame(resolve));
  return el.querySelector('canvas').toDataURL();
}
"""


def replayed(page, canvas: DisplayListCanvas) -> np.ndarray:
    """What the browser draws for ``canvas``'s last frame: RGBA pixels."""
    width, height = (round(v) for v in canvas.figure.bbox.size)
    state = {
        "width": width,
        "height": height,
        "background": json.dumps(canvas.background),
        "foreground": json.dumps(canvas.foreground),
    }
    url = page.evaluate(REPLAY, [MODULE.read_text(), state])
    png = base64.b64decode(url.split(",", 1)[1])
    return (imread(io.BytesIO(png), format="png") * 255).round().astype(np.uint8)


def differ(got: np.ndarray, want: np.ndarray) -> float:
    """The fraction of ``got``'s pixels with no pixel within 1 px in ``want`` close in colour."""
    got, want = got[..., :3].astype(int), want[..., :3].astype(int)
    padded = np.pad(want, ((1, 1), (1, 1), (0, 0)), mode="edge")
    h, w = got.shape[:2]
    best = np.full((h, w), 255)
    for dy in range(3):
        for dx in range(3):
            near = np.abs(got - padded[dy : dy + h, dx : dx + w]).max(axis=-1)
            best = np.minimum(best, near)
    return float((best > 48).mean())
