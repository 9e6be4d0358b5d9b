"""Shortcuts of the recording renderer: the same commands as matplotlib's draw, for less.

Two artists are drawn again at every slider move: one-line value texts and small heatmaps.
For each, when it is safe, the command is built directly instead of through matplotlib's
layout (texts) or image machinery (heatmaps whose placement did not change); the tests compare
both with the full draw. This module imports matplotlib only.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.artist import Artist
from matplotlib.colors import to_rgba
from matplotlib.font_manager import FontProperties
from matplotlib.image import AxesImage
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform

if TYPE_CHECKING:
    from .renderer import Command, DisplayListRenderer

__all__ = ["Shortcuts", "base64_pixels"]


def base64_pixels(rgba) -> str:
    """An image command's pixels: the base64 of the RGBA bytes, row by row."""
    return base64.b64encode(np.ascontiguousarray(rgba, dtype=np.uint8).tobytes()).decode()


class Shortcuts:
    """The shortcuts of one renderer, with what they remember between full draws."""

    def __init__(self, renderer: DisplayListRenderer) -> None:
        self.renderer = renderer
        self._line_boxes: dict[FontProperties, tuple[float, float]] = {}
        self._glyph_boxes: dict[tuple[FontProperties, str], tuple[float, float]] = {}
        self._images: dict[AxesImage, tuple[tuple, Command]] = {}

    def clear(self) -> None:
        """Forget the images' commands (a full draw places everything anew)."""
        self._images.clear()

    def draw(self, artist: Artist) -> bool:
        """Record ``artist`` by a shortcut; False if none applies (draw it in full then)."""
        kind = type(artist)
        if kind is Text:
            return self.line_of_text(artist)
        if kind is AxesImage:
            return self.new_pixels(artist)
        return False

    @staticmethod
    def _geometry(image: AxesImage) -> tuple | None:
        """What places an unsampled image's pixels on the canvas (None: not such an image)."""
        transform = image.get_transform()
        if not (
            image.get_visible() and image.get_interpolation() == "none" and transform.is_affine
        ):
            return None
        clip = image.get_clip_box()
        return (
            image.get_array().shape, tuple(image.get_extent()), image.origin,
            transform.get_matrix().tobytes(), None if clip is None else tuple(clip.extents),
            image.get_clip_on(), image.get_alpha(),
        )  # fmt: skip

    def remember_image(self, image: AxesImage, recorded: list[Command]) -> None:
        """Keep an image's command if it holds all its pixels (see `new_pixels`)."""
        geometry = self._geometry(image)
        rows, columns = image.get_array().shape[:2]
        if geometry is not None and len(recorded) == 1 and recorded[0][1:3] == [columns, rows]:
            self._images[image] = (geometry, recorded[0])

    def new_pixels(self, image: AxesImage) -> bool:
        """Record ``image`` as `AxesImage.draw` would, when only its colours changed.

        Most of `AxesImage.draw`'s cost for a small heatmap is the machinery around an unsampled
        image (masked arrays, transforms, the clip). When what places the pixels is the same as
        at the last full drawing, the command is that one with the new pixels, coloured by the
        same ``to_rgba`` call.
        """
        remembered = self._images.get(image)
        if remembered is None or self._geometry(image) != remembered[0]:
            return False
        data = image.get_array()
        rgba = image.to_rgba(data, bytes=True, norm=data.ndim == 2)
        command = list(remembered[1])
        command[3] = base64_pixels(rgba)
        self.renderer.commands.append(command)
        return True

    def line_of_text(self, text: Text) -> bool:
        """Record ``text`` as `Text.draw` would, without its layout; False if it cannot.

        A text drawn again and again (a value under a slider) costs matplotlib a full layout
        each time. For one unrotated line of plain text whose glyphs all fit in the
        font's line box (digits, letters without tall accents), the layout is the line box
        itself: the baseline sits at the same offset from the anchor whatever the text, and the
        browser aligns it horizontally (see `draw_text`).
        """
        s = text.get_text()
        if (
            not s or "\n" in s or "$" in s or text.get_rotation() != 0 or text.get_wrap()
            or text.get_usetex() or text.get_bbox_patch() or text.get_path_effects()
        ):  # fmt: skip
            return False
        prop = text.get_fontproperties()
        ascent, descent = self._line_box(text)
        for c in set(s):
            glyph = self._glyph_boxes.get((prop, c))
            if glyph is None:
                _, h, d = self.renderer.get_text_width_height_descent(c, prop, ismath=False)
                glyph = self._glyph_boxes[prop, c] = (h - d, d)
            if glyph[0] > ascent or glyph[1] > descent:
                return False
        x, y = text.get_transform().transform(text.get_unitless_position())
        if not (np.isfinite(x) and np.isfinite(y)):
            return False  # Text.draw skips it
        va = text.get_verticalalignment()
        y += {
            "bottom": descent, "top": -ascent, "center": (descent - ascent) / 2, "baseline": 0,
            "center_baseline": -ascent / 2,
        }[va]  # fmt: skip
        gc = self.renderer.new_gc()
        gc.set_foreground(to_rgba(text.get_color()), isRGBA=True)
        gc.set_alpha(text.get_alpha())
        text._set_gc_clip(gc)
        self.renderer.draw_text(gc, x, y, s, prop, 0, mtext=text)
        gc.restore()
        return True

    def _line_box(self, text: Text) -> tuple[float, float]:
        """The ascent and descent of a line of ``text``'s font, as matplotlib lays one out."""
        prop = text.get_fontproperties()
        box = self._line_boxes.get(prop)
        if box is None:  # a blank line: the font's own line box, whatever matplotlib's version
            blank = Text(0, 0, " ", fontproperties=prop, va="baseline")
            blank.set_transform(IdentityTransform())
            blank.set_figure(text.figure)
            extent = blank.get_window_extent(self.renderer)
            box = self._line_boxes[prop] = (extent.y1, -extent.y0)
        return box
