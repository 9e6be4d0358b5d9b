"""Direct manipulation: a bar dragged to a probability, the step line dragged to a step, keys.

`Handles` listens to the bars' and the step plot's figures (matplotlib's pointer and key events)
and reports what the hand asks for; the app turns it into a state change, validated like a
slider's. On the bars, a press on a bar starts a drag to the pointer's height; Left and Right
choose a bar, Up and Down nudge it. On the step plot, a press anywhere puts the dashed step line
there and drags it; Left and Right nudge it.
"""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.backend_bases import KeyEvent, MouseEvent
from matplotlib.figure import Figure

from .bars import BAR_WIDTH, BarsPanel
from .steps import StepsPanel

__all__ = ["DRAGGED", "P_RANGE", "Handles"]

#: The panels a pointer drags something in (a bar, the step line).
DRAGGED = ("bars", "steps")

#: The probabilities a dragged bar asks for: a bar at 0 or 1 would need an infinite logit.
P_RANGE = (1e-3, 1 - 1e-3)
#: ``on_bar(k, to=p)`` for a drag to probability ``p``, ``on_bar(k, by=+1 or -1)`` for a key.
BarWish = Callable[..., None]
#: ``on_step(to=h)`` for a drag to step ``h``, ``on_step(by=+1 or -1)`` for a key.
StepWish = Callable[..., None]


class Handles:
    """The bars and the step line as handles.

    Parameters
    ----------
    figures : dict of str to Figure
        The dashboard's figures (``"bars"`` and ``"steps"`` are listened to).
    panels : callable
        ``panels(name)``: the panel shown now (a panel is rebuilt when n or the theme changes).
    on_bar, on_step : callable
        What the hand asks for (see `BarWish` and `StepWish`).
    on_select : callable
        ``on_select(k)``: show that bar ``k`` is the one the keys move.

    Attributes
    ----------
    selected : int or None
        The bar the arrow keys move (0-based); None until a bar is dragged or a key pressed.
    """

    def __init__(
        self,
        figures: dict[str, Figure],
        panels: Callable[[str], BarsPanel | StepsPanel],
        on_bar: BarWish,
        on_step: StepWish,
        on_select: Callable[[int], None],
    ) -> None:
        self.selected: int | None = None
        self._panels, self._on_bar, self._on_step = panels, on_bar, on_step
        self._on_select = on_select
        self._dragging: str | None = None
        for name in DRAGGED:
            canvas = figures[name].canvas
            canvas.mpl_connect("button_press_event", lambda e, name=name: self._press(name, e))
            canvas.mpl_connect("motion_notify_event", lambda e, name=name: self._move(name, e))
            canvas.mpl_connect("button_release_event", self._release)
            canvas.mpl_connect("key_press_event", lambda e, name=name: self._key(name, e))

    def _press(self, name: str, event: MouseEvent) -> None:
        panel = self._panels(name)
        if event.button != 1 or event.inaxes is not panel.ax or event.xdata is None:
            return
        if name == "bars":
            k = round(event.xdata)
            if not (0 <= k < panel.n and abs(event.xdata - k) <= BAR_WIDTH / 2):
                return
            self._select(k)
        self._dragging = name
        self._move(name, event)

    def _move(self, name: str, event: MouseEvent) -> None:
        if self._dragging != name:
            return
        ax = self._panels(name).ax
        # the pointer may leave the axes while dragging: its position along the axis still counts
        x, y = ax.transData.inverted().transform((event.x, event.y))
        if name == "bars":
            self._on_bar(self.selected, to=min(max(float(y), P_RANGE[0]), P_RANGE[1]))
        else:
            low, high = ax.get_xlim()
            self._on_step(to=min(max(float(x), low), high))

    def _release(self, _event: MouseEvent) -> None:
        self._dragging = None

    def _key(self, name: str, event: KeyEvent) -> None:
        if name == "steps":
            if event.key in ("left", "right"):
                self._on_step(by=1 if event.key == "right" else -1)
            return
        n = self._panels("bars").n
        k = self.selected if self.selected is not None and self.selected < n else 0
        if event.key in ("left", "right"):
            self._select((k + (1 if event.key == "right" else -1)) % n)
        elif event.key in ("up", "down"):
            self._select(k)
            self._on_bar(k, by=1 if event.key == "up" else -1)

    def _select(self, k: int) -> None:
        self.selected = k
        self._on_select(k)
