"""What an artist looks like, as a value: equal fingerprints draw the same commands.

A recording renderer replays an animated artist's last commands when its fingerprint is
unchanged since then (and nothing else moved: the cache lives until the next full draw, which
is when axes limits, sizes and transforms change). `fingerprint` knows texts, images, patches,
lines and collections; any other artist has none and is always drawn again. This module
imports matplotlib only.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
from matplotlib.artist import Artist
from matplotlib.collections import Collection
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

__all__ = ["fingerprint"]


def _array(values) -> tuple:
    arr = np.asarray(values)
    return (arr.shape, arr.dtype.str, arr.tobytes())


def _common(artist: Artist) -> tuple:
    return (
        type(artist), artist.get_visible(), artist.get_alpha(), artist.get_zorder(),
        artist.get_clip_on(), id(artist.get_clip_box()), id(Artist.get_transform(artist)),
    )  # fmt: skip


def _text(text: Text) -> tuple:
    return (
        text.get_text(), tuple(text.get_unitless_position()), str(text.get_color()),
        text.get_fontproperties(), text.get_horizontalalignment(),
        text.get_verticalalignment(), text.get_rotation(), text.get_rotation_mode(),
        text.get_wrap(), text.get_usetex(), id(text.get_bbox_patch()),
    )  # fmt: skip


def _image(image: AxesImage) -> tuple:
    norm = image.norm
    return (
        _array(image.get_array()), image.get_cmap().name, type(norm), norm.vmin, norm.vmax,
        tuple(image.get_extent()), image.get_interpolation(), image.origin,
    )  # fmt: skip


def _patch(patch: Patch) -> tuple:
    path = patch.get_path()
    return (
        _array(path.vertices), None if path.codes is None else path.codes.tobytes(),
        patch.get_patch_transform().get_matrix().tobytes(), patch.get_facecolor(),
        patch.get_edgecolor(), patch.get_linewidth(), str(patch.get_linestyle()),
        patch.get_fill(), patch.get_hatch(),
    )  # fmt: skip


def _line(line: Line2D) -> tuple:
    return (
        _array(line.get_xydata()), str(line.get_color()), line.get_linewidth(),
        str(line.get_linestyle()), str(line.get_marker()), line.get_markersize(),
        str(line.get_markerfacecolor()), str(line.get_markeredgecolor()),
        line.get_drawstyle(),
    )  # fmt: skip


def _collection(collection: Collection) -> tuple:
    return (
        tuple(_array(p.vertices) for p in collection.get_paths()),
        _array(collection.get_offsets()), _array(collection.get_facecolor()),
        _array(collection.get_edgecolor()), _array(collection.get_linewidth()),
        str(collection.get_linestyle()), _array(getattr(collection, "get_sizes", list)()),
        _array(collection.get_transforms()),
    )  # fmt: skip


def fingerprint(artist: Artist) -> Hashable | None:
    """A value that changes whenever ``artist`` would draw differently, or None if unknown.

    Texts (plain `~matplotlib.text.Text` only: an annotation's arrow is not covered), images,
    patches, lines and collections have one.
    """
    kind = type(artist)
    if kind is Text:
        return (*_common(artist), *_text(artist))
    if isinstance(artist, AxesImage):
        return (*_common(artist), *_image(artist))
    if isinstance(artist, Patch):
        return (*_common(artist), *_patch(artist))
    if isinstance(artist, Line2D):
        return (*_common(artist), *_line(artist))
    if isinstance(artist, Collection):
        return (*_common(artist), *_collection(artist))
    return None
