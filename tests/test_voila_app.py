"""The server's log: the lines a user can do nothing with are kept for debugging."""

from __future__ import annotations

import logging

import pytest

from softmax_explorer.serving.voila_app import Chatter

KERNEL = "415c42d6-45ec-450b-b74f-33819d14c7a4"
#: Lines the Jupyter server and Tornado log per page (copied from a server's log).
PER_PAGE = [
    f"Connecting to kernel {KERNEL}.",
    f"Using pre-heated kernel: {KERNEL} for app.ipynb",
    f"Adapting from protocol version 5.3 (kernel {KERNEL}) to 5.4 (client).",
    f"Starting buffering for {KERNEL}:5d21c9c7bda4457bbd68822c6836a98a",
    "The websocket_ping_timeout (90000) cannot be longer than the websocket_ping_interval (30000).",
]


def record(message: str) -> logging.LogRecord:
    return logging.makeLogRecord({"msg": message, "levelno": logging.INFO, "name": "tornado"})


@pytest.fixture
def server_log():
    """A server's log as traitlets sets it up: the logger at DEBUG, its handler at INFO."""
    log = logging.Logger("test-softmax-explorer-server", logging.DEBUG)
    log.addHandler(logging.NullHandler(logging.INFO))
    return log


@pytest.mark.parametrize("message", PER_PAGE)
def test_per_page_chatter_is_kept_only_for_debugging(server_log, message):
    assert not Chatter(server_log).filter(record(message))
    server_log.handlers[0].setLevel(logging.DEBUG)  # --debug
    assert Chatter(server_log).filter(record(message))


def test_the_lines_that_speak_to_a_user_stay(server_log):
    for message in (
        "softmax-explorer: page opened (pooled kernel, 1 of 92 live)",
        f"Kernel started: {KERNEL}",
        "Kernel pool of app.ipynb is filled with 1 kernel(s)",
    ):
        assert Chatter(server_log).filter(record(message))


class _Pooled:
    """A kernel manager with Voila's pool: one kernel start done, one still running."""

    def __init__(self, done: bool):
        import asyncio

        loop = asyncio.new_event_loop()
        future = loop.create_future()
        if done:
            future.set_result({"kernel_id": "k1"})
        self._pools = {"app.ipynb": [future]}
        loop.close()

    def get_pool_size(self, notebook):
        return len(self._pools.get(notebook, []))


@pytest.mark.parametrize(
    ("holds", "done", "ready"),
    [(True, True, True), (True, False, False), (False, False, True), (False, True, True)],
)
def test_a_page_is_served_from_the_pool_as_far_as_the_guard_lets_it_see(
    monkeypatch, holds, done, ready
):
    """Voila's pool is read only where its guard holds (the versions and the source verified);
    elsewhere a pool that holds a kernel counts as ready, Voila's own rule."""
    import dataclasses
    import types

    from softmax_explorer.serving import classroom

    guard = classroom.POOL if holds else dataclasses.replace(classroom.POOL, sentinel="0" * 16)
    monkeypatch.setattr(classroom, "POOL", guard)
    ready_in = classroom.ClassroomKernelManager.pool_ready
    assert ready_in(_Pooled(done), "app.ipynb") is ready
    for empty in (object(), types.SimpleNamespace(get_pool_size=lambda _notebook: 0)):
        assert ready_in(empty, "app.ipynb") is False  # no --preheat, or all taken
