"""`Frames`: the frames of the canvases drawn in one render, sent as one message.

A render changes several plots. Sent one by one, each canvas's new display lists are a message
of their own that the kernel sends, the server relays and the page dispatches, and the page
repaints as they come. Within `Frames.together` the canvases of a group keep their new lists
(their widget state, which a page that loads later reads) without sending them; when it ends,
one custom message carries them all, and ``static/frames.js`` sets each on its canvas's model in
the browser, which repaints as if its own state had been sent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import anywidget

__all__ = ["Frames"]


class Frames(anywidget.AnyWidget):
    """The group of canvases whose frames drawn together are sent as one message.

    The widget shows nothing and need not be displayed: its model in the browser receives the
    messages. A `PanelCanvas` joins it with ``PanelCanvas(figure, frames=group)``.
    """

    _esm = Path(__file__).with_name("static") / "frames.js"

    def __init__(self) -> None:
        super().__init__()
        self._held: dict[str, dict[str, str]] | None = None

    @contextlib.contextmanager
    def together(self) -> Iterator[None]:
        """Hold the frames drawn inside; send them in one message at the end.

        Nested uses send once, at the end of the outermost.
        """
        if self._held is not None:
            yield
            return
        self._held = {}
        try:
            yield
        finally:
            held, self._held = self._held, None
            if held:
                self.send({"frames": held})

    def hold(self, model_id: str, state: dict[str, str]) -> bool:
        """Keep a canvas's new ``state`` for the message; False outside `together`.

        A canvas drawn twice is sent once: the traits it changed, each at its last value.
        """
        if self._held is None:
            return False
        self._held.setdefault(model_id, {}).update(state)
        return True
