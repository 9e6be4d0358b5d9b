"""A matplotlib renderer that records what a figure draws as commands a browser canvas replays.

`DisplayListRenderer` records every path, text and image as a short JSON-ready list, in pixels
with y pointing down, instead of rasterising pixels; ``static/panel_canvas.js`` replays the lists
on an HTML canvas. What it draws, and how exactly:

=====================  ===========================================================================
feature                recorded as
=====================  ===========================================================================
paths                  ``path`` (lines, polygons, Bezier curves), fill and stroke as CSS colours
markers                ``markers``: the marker's outline once, and where each is stamped
dashes                 the path's ``dash``: ``[offset, [on, off, ...]]`` in pixels
cap and join styles    the path's ``cap`` and ``join``, as in CSS
alpha                  in the colours (``rgba(...)``) and in an image's ``alpha``
text                   ``text`` with a CSS font; any rotation; single lines keep their alignment
mathtext, TeX          outlines, as ``path`` commands laid out by matplotlib
images                 ``image``: the unsampled RGBA pixels and the transform of their grid
regular meshes         one ``image`` (a colourbar); other meshes one ``path`` per cell
clips                  rectangular clip boxes (``clip``) on every command
=====================  ===========================================================================

The commands:

- ``["path", codes, xy, fill, stroke, linewidth, dash, cap, join, clip]``: ``codes`` has a
  letter per vertex (M, L, Q, C as in SVG path data, repeated for each control point of a curve;
  Z closes and takes no coordinates), ``xy`` the flat coordinates;
  ``fill``/``stroke`` are CSS colours or None; ``dash`` is ``[offset, [on, off, ...]]`` or None;
- ``["markers", codes, xy, offsets, fill, stroke, linewidth, dash, cap, join, clip]``: the
  marker's outline as a ``path``'s, around (0, 0), drawn at each point of ``offsets`` (flat
  pixel coordinates), as Agg and SVG stamp a marker rather than draw a path per point;
- ``["text", s, x, y, angle, font, colour, align, clip]``: ``font`` is a CSS font; ``(x, y)`` is
  on the baseline, at the left end unless ``align`` is "center" or "right";
- ``["image", width, height, rgba, matrix, alpha, clip]``: ``rgba`` is the base64 of the unsampled
  pixels, ``matrix`` the canvas transform ``[a, b, c, d, e, f]`` of the image's pixel grid;

``clip`` is ``[x, y, width, height]`` or None.

What it refuses, loudly: hatches, non-rectangular clip paths, sketch (``xkcd``) and Gouraud
shading are left out, each with one `DisplayListWarning` per figure naming the feature and the
figure (the rest of the artist is drawn). Draw such a figure on Agg instead.

Between two full draws, `draw_artist` replays what an artist recorded last time when it is
unchanged: the renderer's own fingerprint of it (its data and the properties that change how it
looks) is equal, or, for a text, matplotlib has not marked it stale since (every setter of a
`~matplotlib.text.Text` does; not every setter of other artists, such as
``PathPatch.set_path``, so those are fingerprinted). Artists without a fingerprint are always
drawn again. This module imports matplotlib, never ipywidgets.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.backend_bases import GraphicsContextBase, RendererBase
from matplotlib.font_manager import FontProperties
from matplotlib.image import AxesImage
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, Bbox, Transform

from .fingerprint import fingerprint
from .shortcuts import Shortcuts, base64_pixels

__all__ = ["Command", "DisplayListRenderer", "DisplayListWarning", "draw_artists"]

Command = list


class DisplayListWarning(UserWarning):
    """A figure uses a feature the display list does not record (see the module docstring)."""


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

    def __init__(
        self, width: float, height: float, dpi: float, name: str = "", warned: set | None = None
    ) -> None:
        super().__init__()
        self.width, self.height, self.dpi = width, height, dpi
        self.name = name
        self.warned = set() if warned is None else warned
        self.commands: list[Command] = []
        self.background_size: int | None = None
        #: Where each artist with a gid (``Artist.set_gid``) that draws as a group (an Axes
        #: does) recorded its commands: ``gid -> [start, end]`` in `commands`.
        self.spans: dict[str, list[int]] = {}
        self._open: list[tuple[str | None, int]] = []
        self._drawn: dict[Artist, tuple[object, list[Command]]] = {}
        self.shortcuts = Shortcuts(self)

    def clear(self) -> None:
        """Forget the recorded commands (before a full draw)."""
        self.commands.clear()
        self.background_size = None
        self.spans.clear()
        self._drawn.clear()
        self.shortcuts.clear()

    def redraw(self, artist: Artist) -> bool:
        """Record ``artist`` again in place of its commands in the background.

        For a part of the background that changed alone (a colourbar's axes with new limits):
        the rest of the background is kept as recorded, which costs far less than a full draw
        when the rest is most of it. The commands after the background are dropped (draw the
        animated artists again). False, and nothing changed, if ``artist`` has no gid or was
        not recorded as a group of the background.
        """
        span = self.spans.get(artist.get_gid())
        if span is None or self.background_size is None or span[1] > self.background_size:
            return False
        start, end = span
        del self.commands[self.background_size :]
        mark = len(self.commands)
        artist.draw(self)  # recorded after the background, then moved into its place
        part = self.commands[mark:]
        del self.commands[mark:]
        self.commands[start:end] = part
        shift = len(part) - (end - start)
        for other in self.spans.values():
            if other[0] >= mark:  # recorded just now: the artist's span and any inside it
                other[0] += start - mark
                other[1] += start - mark
            elif other[0] >= end:
                other[0] += shift
                other[1] += shift
        self.background_size += shift
        return True

    # -- groups: where an artist's commands are --------------------------------------------------
    def open_group(self, s: str, gid: str | None = None) -> None:
        """Note where an artist that draws as a group (an Axes) starts."""
        self._open.append((gid, len(self.commands)))

    def close_group(self, s: str) -> None:
        """Note where it ends: its span, if it has a gid."""
        gid, start = self._open.pop()
        if gid is not None:
            self.spans[gid] = [start, len(self.commands)]

    def refuse(self, feature: str) -> None:
        """Warn, once per figure, that ``feature`` is left out of its display list."""
        if feature not in self.warned:
            self.warned.add(feature)
            warnings.warn(
                f"figure {self.name or '(unnamed)'}: {feature} is not drawn by the display-list "
                "canvas (draw this figure on Agg to see it)",
                DisplayListWarning,
                stacklevel=3,
            )

    def draw_artist(self, artist: Artist) -> None:
        """Draw ``artist``, or replay what it recorded since the last `clear` if it is unchanged.

        Unchanged means an equal `fingerprint`, or for a text, not stale since it was recorded
        (matplotlib's flag, cleared here); an artist without a fingerprint is always drawn.
        """
        drawn = self._drawn.get(artist)
        if drawn is not None and type(artist) is Text and not artist.stale:
            self.commands.extend(drawn[1])
            return
        key = fingerprint(artist)
        if key is not None and drawn is not None and drawn[0] == key:
            self.commands.extend(drawn[1])
            artist.stale = False
            return
        start = len(self.commands)
        if not self.shortcuts.draw(artist):
            artist.draw(self)
            if type(artist) is AxesImage:
                self.shortcuts.remember_image(artist, self.commands[start:])
        if key is not None:
            self._drawn[artist] = (key, self.commands[start:])
            artist.stale = False  # a shortcut records without matplotlib's draw, which clears it

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

    def _path_data(
        self, path: Path, transform: Transform, gc: GraphicsContextBase, lw: float,
        top: float | None = None,
    ):  # fmt: skip
        """Path codes (one letter per vertex) and the vertices' flat pixel coordinates.

        y is measured down from ``top`` (default the canvas's top edge).
        """
        cleaned = path.cleaned(
            transform, remove_nans=True, snap=gc.get_snap(), stroke_width=lw,
            simplify=path.should_simplify and gc.get_hatch() is None, curves=True,
        )  # fmt: skip
        codes, vertices = cleaned.codes, cleaned.vertices
        drawn = codes != Path.STOP
        codes, vertices = codes[drawn], vertices[drawn]
        xy = vertices[codes != Path.CLOSEPOLY]
        top = self.height if top is None else top
        xy = np.column_stack([xy[:, 0], top - xy[:, 1]]).round(2)
        return "".join(_LETTERS[codes]), xy.ravel().tolist()

    def _refuse_unsupported(self, gc: GraphicsContextBase) -> None:
        if gc.get_hatch() is not None:
            self.refuse("a hatch")
        if gc.get_clip_path()[0] is not None:
            self.refuse("a non-rectangular clip path")
        if gc.get_sketch_params() is not None:
            self.refuse("a sketch (xkcd) style")

    def _paint(self, gc: GraphicsContextBase, rgbFace) -> tuple[float, list] | None:
        """The line width in pixels and a path's ``fill, stroke, linewidth, dash, cap, join``.

        None if neither a fill nor a stroke shows.
        """
        lw = self.points_to_pixels(gc.get_linewidth())
        stroke = _css(gc.get_rgb()) if lw > 0 else None
        fill = None
        if rgbFace is not None:
            alpha = gc.get_alpha() if gc.get_forced_alpha() else None
            fill = _css(rgbFace, alpha)
        if fill is None and stroke is None:
            return None
        offset, seq = gc.get_dashes()
        dash = None
        if seq is not None and len(seq):
            px = self.points_to_pixels
            dash = [round(px(offset or 0), 2), [round(px(s), 2) for s in seq]]
        return lw, [fill, stroke, round(lw, 2), dash, _CAPS[gc.get_capstyle()], gc.get_joinstyle()]

    def draw_path(self, gc, path, transform, rgbFace=None) -> None:
        """Record a ``path`` command."""
        self._refuse_unsupported(gc)
        painted = self._paint(gc, rgbFace)
        if painted is not None:
            lw, paint = painted
            outline = self._path_data(path, transform, gc, lw)
            self.commands.append(["path", *outline, *paint, self._clip(gc)])

    def draw_markers(self, gc, marker_path, marker_trans, path, trans, rgbFace=None) -> None:
        """Record one ``markers`` command: the outline once, stamped at each vertex of ``path``.

        The points are those of matplotlib's own ``draw_markers`` (each segment's end point,
        without NaNs), rounded to whole pixels as Agg places markers: a snapped outline then
        stays on the pixel grid.
        """
        self._refuse_unsupported(gc)
        painted = self._paint(gc, rgbFace)
        if painted is None:
            return
        lw, paint = painted
        points = [v[-2:] for v, _ in path.iter_segments(trans, simplify=False) if len(v)]
        if not points:
            return
        offsets = np.floor(np.asarray(points, dtype=float) + 0.5)
        offsets[:, 1] = self.height - offsets[:, 1]
        outline = self._path_data(marker_path, marker_trans, gc, lw, top=0.0)
        at = offsets.ravel().tolist()
        self.commands.append(["markers", *outline, at, *paint, self._clip(gc)])

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext: Text | None = None):
        """Record a ``text`` command (math text as paths); blank text draws nothing."""
        self._refuse_unsupported(gc)
        if not s.strip():
            return
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

    def draw_gouraud_triangles(self, gc, triangles_array, colors_array, transform) -> None:
        """Refuse Gouraud shading (`DisplayListWarning`); nothing is recorded."""
        self.refuse("Gouraud shading")

    def draw_image(self, gc, x, y, im, transform=None) -> None:
        """Record an ``image`` command."""
        self._refuse_unsupported(gc)
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
        pixels = base64_pixels(im)
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


def draw_artists(renderer: RendererBase, artists: list[Artist]) -> None:
    """Draw the visible ``artists`` with any renderer (a blit's foreground).

    A `DisplayListRenderer` replays the unchanged ones (see `DisplayListRenderer.draw_artist`);
    any other renderer draws each.
    """
    recording = isinstance(renderer, DisplayListRenderer)
    for artist in artists:
        if artist.get_visible():
            if recording:
                renderer.draw_artist(artist)
            else:
                artist.draw(renderer)
