"""Matplotlib figures drawn as display lists: drawing commands that a browser canvas replays.

Rasterising a figure in the kernel and shipping it as a PNG costs tens of milliseconds per update
(glyph rasterisation and PNG encoding); recording what the figure draws costs a few, and the
browser replays the commands on an HTML canvas in about one. `DisplayListCanvas` is a matplotlib
canvas whose renderer, `DisplayListRenderer`, records every path, text and image as a short
JSON-ready list, in pixels with y pointing down:

- ``["path", codes, xy, fill, stroke, linewidth, dash, cap, join, clip]``: ``codes`` has a
  letter per vertex (M, L, Q, C as in SVG path data, repeated for each control point of a curve;
  Z closes and takes no coordinates), ``xy`` the flat coordinates;
  ``fill``/``stroke`` are CSS colours or None; ``dash`` is ``[offset, [on, off, ...]]`` or None;
- ``["text", s, x, y, angle, font, colour, align, clip]``: ``font`` is a CSS font; ``(x, y)`` is
  on the baseline, at the left end unless ``align`` is "center" or "right" (single-line texts
  keep their alignment, so they stay centred when the browser's font differs);
- ``["image", width, height, rgba, matrix, alpha, clip]``: ``rgba`` is the base64 of the unsampled
  pixels, ``matrix`` the canvas transform ``[a, b, c, d, e, f]`` of the image's pixel grid;

``clip`` is ``[x, y, width, height]`` or None. The canvas keeps matplotlib's blitting protocol
(``copy_from_bbox``/``restore_region``/``blit``): a full draw records the *background*, and a
blit records only the animated artists drawn over it, the *foreground*. Each frame goes to the
canvas's ``show(background, foreground)`` (background None when unchanged). Hatches and
non-rectangular clip paths are not recorded; this module imports matplotlib, never ipywidgets.
"""

from __future__ import annotations

import asyncio
import base64
import functools
from collections.abc import Callable

import matplotlib as mpl
import numpy as np
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.backend_bases import FigureCanvasBase, GraphicsContextBase, RendererBase
from matplotlib.colors import to_rgba
from matplotlib.font_manager import FontProperties
from matplotlib.image import AxesImage
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, Bbox, IdentityTransform, Transform

__all__ = ["DisplayListCanvas", "DisplayListRenderer"]

Command = list
#: A letter per matplotlib path code, as in SVG path data (a curve's letter repeats per vertex).
_LETTERS = np.full(Path.CLOSEPOLY + 1, "", dtype="<U1")
_LETTERS[[Path.MOVETO, Path.LINETO, Path.CURVE3, Path.CURVE4, Path.CLOSEPOLY]] = list("MLQCZ")
_CAPS = {"butt": "butt", "round": "round", "projecting": "square"}


def _css(rgba, alpha: float | None = None) -> str | None:
    """A CSS colour, or None for a fully transparent one."""
    r, g, b = (round(255 * c) for c in rgba[:3])
    if alpha is None:
        alpha = float(rgba[3]) if len(rgba) > 3 else 1.0
    if alpha <= 0:
        return None
    return f"rgb({r},{g},{b})" if alpha >= 1 else f"rgba({r},{g},{b},{alpha:.3g})"


def _base64_pixels(rgba) -> str:
    """An image command's pixels: the base64 of the RGBA bytes, row by row."""
    return base64.b64encode(np.ascontiguousarray(rgba, dtype=np.uint8).tobytes()).decode()


@functools.lru_cache(maxsize=64)
def _font_family(prop: FontProperties) -> str:
    """The CSS family of the font matplotlib picks for ``prop`` (DejaVu Sans by default)."""
    name = font_manager.get_font(font_manager.findfont(prop)).family_name
    return f'"{name}", sans-serif'


class DisplayListRenderer(RendererBase):
    """A renderer that records drawing commands (see the module's docstring) in `commands`.

    Parameters
    ----------
    width, height : float
        The canvas size in pixels.
    dpi : float
        Pixels per inch (72 points).
    """

    def __init__(self, width: float, height: float, dpi: float) -> None:
        super().__init__()
        self.width, self.height, self.dpi = width, height, dpi
        self.commands: list[Command] = []
        self.background_size: int | None = None
        self._drawn: dict[Artist, list[Command]] = {}
        self._line_boxes: dict[FontProperties, tuple[float, float]] = {}
        self._glyph_boxes: dict[tuple[FontProperties, str], tuple[float, float]] = {}
        self._images: dict[AxesImage, tuple[tuple, Command]] = {}

    def clear(self) -> None:
        """Forget the recorded commands (before a full draw)."""
        self.commands.clear()
        self.background_size = None
        self._drawn.clear()
        self._images.clear()

    def draw_artist(self, artist: Artist) -> None:
        """Draw ``artist``, or replay what it recorded since the last `clear` if it is unchanged.

        Matplotlib marks an artist *stale* when one of its properties is set.
        """
        drawn = self._drawn.get(artist)
        if drawn is not None and not artist.stale:
            self.commands.extend(drawn)
            return
        start = len(self.commands)
        kind = type(artist)
        quick = (kind is Text and self._draw_line_of_text(artist)) or (
            kind is AxesImage and self._draw_new_pixels(artist)
        )
        if not quick:
            artist.draw(self)
            if kind is AxesImage:
                self._remember_image(artist, self.commands[start:])
        self._drawn[artist] = self.commands[start:]

    @staticmethod
    def _image_geometry(image: AxesImage) -> tuple | None:
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

    def _remember_image(self, image: AxesImage, recorded: list[Command]) -> None:
        """Keep an image's command if it holds all its pixels (see `_draw_new_pixels`)."""
        geometry = self._image_geometry(image)
        rows, columns = image.get_array().shape[:2]
        if geometry is not None and len(recorded) == 1 and recorded[0][1:3] == [columns, rows]:
            self._images[image] = (geometry, recorded[0])

    def _draw_new_pixels(self, image: AxesImage) -> bool:
        """Record ``image`` as `AxesImage.draw` would, when only its colours changed.

        A heatmap updated under a slider costs matplotlib 0.5 ms to draw, most of it in the
        machinery around an unsampled image (masked arrays, transforms, the clip). When what
        places the pixels is the same as at the last full drawing, the command is that one
        with the new pixels, coloured by the same ``to_rgba`` call.
        """
        remembered = self._images.get(image)
        if remembered is None or self._image_geometry(image) != remembered[0]:
            return False
        data = image.get_array()
        rgba = image.to_rgba(data, bytes=True, norm=data.ndim == 2)
        command = list(remembered[1])
        command[3] = _base64_pixels(rgba)
        self.commands.append(command)
        image.stale = False
        return True

    def _draw_line_of_text(self, text: Text) -> bool:
        """Record ``text`` as `Text.draw` would, without its layout; False if it cannot.

        A text drawn again and again (a value under a slider) costs matplotlib a full layout
        each time, 0.1-0.2 ms. For one unrotated line of plain text whose glyphs all fit in the
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
                _, h, d = self.get_text_width_height_descent(c, prop, ismath=False)
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
        gc = self.new_gc()
        gc.set_foreground(to_rgba(text.get_color()), isRGBA=True)
        gc.set_alpha(text.get_alpha())
        text._set_gc_clip(gc)
        self.draw_text(gc, x, y, s, prop, 0, mtext=text)
        gc.restore()
        text.stale = False
        return True

    def _line_box(self, text: Text) -> tuple[float, float]:
        """The ascent and descent of a line of ``text``'s font, as matplotlib lays one out."""
        prop = text.get_fontproperties()
        box = self._line_boxes.get(prop)
        if box is None:  # a blank line: the font's own line box, whatever matplotlib's version
            blank = Text(0, 0, " ", fontproperties=prop, va="baseline")
            blank.set_transform(IdentityTransform())
            blank.set_figure(text.figure)
            extent = blank.get_window_extent(self)
            box = self._line_boxes[prop] = (extent.y1, -extent.y0)
        return box

    # -- what matplotlib asks of a renderer ------------------------------------------------------
    def flipy(self) -> bool:
        """False: matplotlib's y goes up; the commands flip it."""
        return False

    def get_canvas_width_height(self) -> tuple[float, float]:
        """The canvas size in pixels."""
        return self.width, self.height

    def points_to_pixels(self, points):
        """Points (1/72 inch) to pixels at the figure's dpi."""
        return points * self.dpi / 72

    def option_image_nocomposite(self) -> bool:
        """True: each image is its own command."""
        return True

    def option_scale_image(self) -> bool:
        """True: images come unsampled with a transform (an n x n heatmap is n x n pixels)."""
        return True

    # -- matplotlib's blitting protocol, as RendererAgg has it -----------------------------------
    def copy_from_bbox(self, bbox: Bbox) -> int:
        """Mark what is recorded so far as the background; returns its length."""
        self.background_size = len(self.commands)
        return self.background_size

    def restore_region(self, region: int) -> None:
        """Drop the commands recorded after the background of length ``region``."""
        del self.commands[region:]

    # -- drawing ---------------------------------------------------------------------------------
    def _clip(self, gc: GraphicsContextBase) -> list[float] | None:
        box = gc.get_clip_rectangle()
        if box is None:
            return None
        x0, y0, x1, y1 = box.extents
        return [round(x0, 2), round(self.height - y1, 2), round(x1 - x0, 2), round(y1 - y0, 2)]

    def _path_data(self, path: Path, transform: Transform, gc: GraphicsContextBase, lw: float):
        """Path codes (one letter per vertex) and the vertices' flat pixel coordinates."""
        cleaned = path.cleaned(
            transform, remove_nans=True, snap=gc.get_snap(), stroke_width=lw,
            simplify=path.should_simplify and gc.get_hatch() is None, curves=True,
        )  # fmt: skip
        codes, vertices = cleaned.codes, cleaned.vertices
        drawn = codes != Path.STOP
        codes, vertices = codes[drawn], vertices[drawn]
        xy = vertices[codes != Path.CLOSEPOLY]
        xy = np.column_stack([xy[:, 0], self.height - xy[:, 1]]).round(2)
        return "".join(_LETTERS[codes]), xy.ravel().tolist()

    def draw_path(self, gc, path, transform, rgbFace=None) -> None:
        """Record a ``path`` command."""
        lw = self.points_to_pixels(gc.get_linewidth())
        stroke = _css(gc.get_rgb()) if lw > 0 else None
        fill = None
        if rgbFace is not None:
            alpha = gc.get_alpha() if gc.get_forced_alpha() else None
            fill = _css(rgbFace, alpha)
        if fill is None and stroke is None:
            return
        offset, seq = gc.get_dashes()
        dash = None
        if seq is not None and len(seq):
            px = self.points_to_pixels
            dash = [round(px(offset or 0), 2), [round(px(s), 2) for s in seq]]
        self.commands.append([
            "path", *self._path_data(path, transform, gc, lw), fill, stroke, round(lw, 2), dash,
            _CAPS[gc.get_capstyle()], gc.get_joinstyle(), self._clip(gc),
        ])  # fmt: skip

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext: Text | None = None):
        """Record a ``text`` command (math text as paths)."""
        if ismath:  # mathtext and TeX as outlines, exactly as matplotlib lays them out
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        align = "left"
        if mtext is not None and angle == 0:  # anchor single lines where matplotlib anchors them
            align = mtext.get_horizontalalignment()  # left, center or right, as in CSS
            x = mtext.get_transform().transform(mtext.get_unitless_position())[0]
        size = self.points_to_pixels(prop.get_size_in_points())
        weight = font_manager.weight_dict.get(prop.get_weight(), prop.get_weight())
        font = f"{prop.get_style()} {weight} {size:.2f}px {_font_family(prop)}"
        self.commands.append([
            "text", s, round(x, 2), round(self.height - y, 2), angle, font,
            _css(gc.get_rgb()), align, self._clip(gc),
        ])  # fmt: skip

    def draw_image(self, gc, x, y, im, transform=None) -> None:
        """Record an ``image`` command."""
        h, w = im.shape[:2]
        if w == 0 or h == 0:
            return
        if transform is None:  # already resampled to display pixels, (x, y) its lower left
            transform = Affine2D().scale(w, h).translate(x, y)
        else:
            transform = transform + Affine2D().translate(x, y)
        # pixel grid -> unit square -> display (y up) -> canvas (y down)
        m = (Affine2D().scale(1 / w, 1 / h) + transform).get_matrix()
        flip = np.array([[1, 0, 0], [0, -1, self.height], [0, 0, 1]])
        m = flip @ m
        matrix = [round(float(m[i, j]), 4) for j in range(3) for i in range(2)]
        pixels = _base64_pixels(im)
        self.commands.append(["image", w, h, pixels, matrix, gc.get_alpha(), self._clip(gc)])

    def draw_quad_mesh(
        self, gc, master_transform, meshWidth, meshHeight, coordinates, offsets, offsetTrans,
        facecolors, antialiased, edgecolors,
    ) -> None:  # fmt: skip
        """Record an evenly spaced, axis-aligned mesh without edges (a colourbar) as one image.

        Any other mesh becomes one path per cell, as matplotlib's default does.
        """
        shape = np.shape(coordinates)
        xy = master_transform.transform(np.reshape(coordinates, (-1, 2))).reshape(shape)
        xs, ys = xy[0, :, 0], xy[:, 0, 1]
        regular = (
            len(edgecolors) == 0
            and not np.any(offsets)
            and len(facecolors) == meshWidth * meshHeight
            and np.allclose(xy[..., 0], xs)
            and np.allclose(xy[..., 1], ys[:, None])
            and np.allclose(np.diff(xs), xs[1] - xs[0])
            and np.allclose(np.diff(ys), ys[1] - ys[0])
        )
        if not regular:
            super().draw_quad_mesh(
                gc, master_transform, meshWidth, meshHeight, coordinates, offsets, offsetTrans,
                facecolors, antialiased, edgecolors,
            )  # fmt: skip
            return
        rgba = np.reshape(facecolors, (meshHeight, meshWidth, 4)) * 255
        cells = Affine2D().scale(xs[-1] - xs[0], ys[-1] - ys[0]).translate(xs[0], ys[0])
        self.draw_image(gc, 0, 0, rgba.round().astype(np.uint8), cells)


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
        self._renderer: DisplayListRenderer | None = None
        self._draw_pending = False
        self._pending_rc: dict = {}
        self.background: list[Command] = []
        self.foreground: list[Command] = []

    def get_renderer(self) -> DisplayListRenderer:
        """The renderer, new when the figure's size or dpi changed."""
        width, height = self.figure.bbox.size
        dpi = self.figure.dpi
        r = self._renderer
        if r is None or (r.width, r.height, r.dpi) != (width, height, dpi):
            self._renderer = DisplayListRenderer(width, height, dpi)
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

    def _draw_pending_frame(self) -> None:
        self._draw_pending = False
        with mpl.rc_context(self._pending_rc):
            self.draw()

    def draw(self) -> None:
        """Record the whole figure and show it."""
        renderer = self.get_renderer()
        renderer.clear()
        self.figure.draw(renderer)
        split = renderer.background_size
        split = len(renderer.commands) if split is None else split
        self.background = renderer.commands[:split]
        self._show(self.background, renderer.commands[split:])

    def blit(self, bbox=None) -> None:
        """Show the commands recorded after the background (the animated artists)."""
        renderer = self.get_renderer()
        split = renderer.background_size or 0
        self._show(None, renderer.commands[split:])

    def _show(self, background: list[Command] | None, foreground: list[Command]) -> None:
        self.foreground = foreground
        if self.show is not None:
            self.show(background, foreground)
