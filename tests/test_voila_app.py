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
