"""The loss trace: the cross-entropy along gradient descent, one line extended in place."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import seaborn as sns

from .panel import Panel
from .style import scaled
from .ticks import nice_limit

__all__ = ["TracePanel"]


class TracePanel(Panel[Sequence[float]]):
    """The losses of a descent, one per step; limits in 1-2-5 steps, so most steps blit."""

    def build(self, losses: Sequence[float]) -> None:
        ax = self.ax
        (self.line,) = ax.plot([], [], marker="o", markersize=scaled(3), color=self.colours["bars"])
        ax.set_xlabel("descent step")
        ax.set_ylabel("loss C")
        ax.set_title("gradient descent on θ", loc="left")
        sns.despine(ax=ax)
        self.animated.append(self.line)

    def static_key(self, losses: Sequence[float]) -> object:
        top = max(losses, default=0.0)
        return (max(10.0, nice_limit(len(losses))), nice_limit(1.1 * top) if top > 0 else 1.0)

    def refresh_static(self, losses: Sequence[float]) -> None:
        right, top = self.static_key(losses)
        self.ax.set_xlim(0, right)
        self.ax.set_ylim(0, top)

    def data_key(self, losses: Sequence[float]) -> object:
        return tuple(losses)

    def refresh(self, losses: Sequence[float]) -> None:
        self.line.set_data(np.arange(len(losses)), np.asarray(losses, dtype=float))
