"""A student without a browser: what the page's widget manager does, over HTTP and the websocket.

`arrive` requests the page, reads its kernel id, fetches the kernel's model, connects to the
kernel's websocket and asks for every widget's state (ipywidgets' control comm), as the widget
manager of a loaded page does before it draws; `Student.move` then sends a theta slider's new
value as a dragged slider does and waits until the kernel has answered it with new figures.
So one machine can stand for a class whose browsers run on their own laptops; the server and
its kernels do the same work for it as for a browser.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from jupyter_server.services.kernels.connection.base import deserialize_binary_message
from tornado.httpclient import AsyncHTTPClient
from tornado.websocket import WebSocketClientConnection, websocket_connect

KERNEL_ID = re.compile(r'"kernelId": "([0-9a-f-]{36})"')
#: The versions of ipywidgets' protocols a widget manager of ipywidgets 8 speaks.
WIDGET_PROTOCOL, CONTROL_PROTOCOL = "2.1.0", "1.0.0"
#: The slider a student moves.
SLIDER_CLASS = "softmax-explorer-theta-1"


@dataclass
class Refused:
    """A page request that got no dashboard: its HTTP status and headers."""

    status: int
    retry_after: str | None


@dataclass
class Student:
    """One open dashboard: its kernel's websocket and the slider it moves."""

    kernel_id: str
    connection: WebSocketClientConnection
    slider: str
    value: float
    bounds: tuple[float, float] = (-float("inf"), float("inf"))
    session: str = field(default_factory=lambda: uuid.uuid4().hex)
    shown_after: float = 0.0

    def _message(self, msg_type: str, content: dict, version: str) -> str:
        header = {
            "msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "student",
            "session": self.session, "version": "5.3", "date": "",
        }  # fmt: skip
        return json.dumps(
            {"header": header, "parent_header": {}, "metadata": {"version": version},
             "content": content, "channel": "shell", "buffers": []}
        )  # fmt: skip

    async def send(self, msg_type: str, content: dict, version: str = WIDGET_PROTOCOL) -> str:
        """Send a shell message (``version``: of the widget protocol it speaks); its msg_id."""
        text = self._message(msg_type, content, version)
        await self.connection.write_message(text)
        return json.loads(text)["header"]["msg_id"]

    async def receive(self, deadline: float) -> dict[str, Any]:
        """The next message from the kernel (JSON or binary frames alike)."""
        raw = await asyncio.wait_for(self.connection.read_message(), deadline - time.monotonic())
        if raw is None:
            raise ConnectionError(f"kernel {self.kernel_id}: websocket closed")
        return json.loads(raw) if isinstance(raw, str) else deserialize_binary_message(raw)

    async def move(self, step: float = 0.05, timeout: float = 30) -> float:
        """Move the slider by ``step`` as a dragged slider does; seconds until a figure redrew.

        The slider turns back at the ends of its range (``step`` away from the nearer end). A
        figure has redrawn when the kernel sends a canvas a new drawing (its ``foreground``) in
        reply to the change, in the canvas's own message or in its group's frames. Raises
        TimeoutError if none comes within ``timeout`` seconds.
        """
        start = time.monotonic()
        low, high = self.bounds
        if not low <= self.value + step <= high:
            step = -step
        self.value = round(self.value + step, 10)
        msg_id = await self.send(
            "comm_msg",
            {"comm_id": self.slider,
             "data": {"method": "update", "state": {"value": self.value}, "buffer_paths": []}},
        )  # fmt: skip
        while True:
            msg = await self.receive(start + timeout)
            if (
                msg.get("parent_header", {}).get("msg_id") != msg_id
                or msg["msg_type"] != "comm_msg"
            ):
                continue
            if _redraws(msg["content"]["data"]):
                return time.monotonic() - start

    def close(self) -> None:
        """Close the websocket (the kernel stays until the server culls it)."""
        self.connection.close()


def _redraws(data: dict[str, Any]) -> bool:
    """Whether a widget message gives a canvas a new drawing (`softmax_explorer.canvas.frames`)."""
    if data.get("method") == "custom":
        frames = data.get("content", {}).get("frames") or {}
        return any("foreground" in frame for frame in frames.values())
    return "foreground" in data.get("state", {})


async def arrive(url: str, timeout: float = 120) -> Student | Refused:
    """Open the dashboard at ``url`` as a browser's widget manager would; or the refusal."""
    start = time.monotonic()
    deadline = start + timeout
    http = AsyncHTTPClient()
    page = await http.fetch(url, raise_error=False, request_timeout=timeout)
    if page.code != 200:
        return Refused(page.code, page.headers.get("Retry-After"))
    kernel_id = KERNEL_ID.search(page.body.decode()).group(1)
    base = url.split("?", 1)[0]
    await http.fetch(f"{base}api/kernels/{kernel_id}", request_timeout=timeout)
    session = uuid.uuid4().hex
    ws = base.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels?session_id={session}"
    connection = await websocket_connect(ws, connect_timeout=timeout)
    student = Student(kernel_id, connection, slider="", value=0.0, session=session)
    await student.send("kernel_info_request", {})
    control = uuid.uuid4().hex
    await student.send(
        "comm_open",
        {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
        version=CONTROL_PROTOCOL,
    )
    await student.send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
    while True:
        msg = await student.receive(deadline)
        data = msg.get("content", {}).get("data", {})
        if msg["msg_type"] == "comm_msg" and data.get("method") == "update_states":
            break
    for model_id, model in data["states"].items():
        if SLIDER_CLASS in model["state"].get("_dom_classes", ()):
            state = model["state"]
            student.slider, student.value = model_id, state["value"]
            student.bounds = (state["min"], state["max"])
    if not student.slider:
        raise LookupError(f"no {SLIDER_CLASS} slider among the widget states")
    student.shown_after = time.monotonic() - start
    return student
