"""The zygote's loop, driven over its socket in this process (no kernel is forked here).

The kernels it forks are tested in test_provisioner.py, through the server's kernel manager.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import subprocess
import sys
import threading

import pytest

from softmax_explorer.serving import zygote
from softmax_explorer.serving.zygote import receive, send

pytestmark = pytest.mark.skipif(not zygote.supported(), reason="kernels are forked on Linux only")


@pytest.fixture
def channel():
    """The server's end of a running zygote loop; the loop must end when it closes."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    ours.settimeout(10)
    loop = threading.Thread(target=zygote._Forker(theirs).serve)
    loop.start()
    yield ours
    ours.close()
    loop.join(timeout=10)
    assert not loop.is_alive()
    theirs.close()


def ask(channel, request):
    send(channel, request)
    reply, fds = receive(channel)
    assert fds == []
    return reply


def test_a_refused_fork_is_answered_and_the_zygote_goes_on(channel, monkeypatch):
    message = os.strerror(errno.EAGAIN)

    def refused():
        raise OSError(errno.EAGAIN, message)

    monkeypatch.setattr(os, "fork", refused)
    monkeypatch.setattr(zygote, "threads", lambda: 1)  # the test's loop is a thread of pytest's
    reply = ask(channel, {"op": "fork", "argv": [], "env": {}, "cwd": "/"})
    assert reply == {"error": f"BlockingIOError: [Errno {errno.EAGAIN}] {message}"}
    assert ask(channel, {"op": "exec"}) == {"error": "unknown request 'exec'"}  # it goes on


def test_a_fork_is_refused_while_the_zygote_runs_more_than_one_thread(channel, monkeypatch):
    forks = []
    monkeypatch.setattr(os, "fork", lambda: forks.append(1))
    running = zygote.threads()  # pytest's, the loop's, its BLAS workers
    reply = ask(channel, {"op": "fork", "argv": [], "env": {}, "cwd": "/"})
    assert reply == {"error": f"it runs {running} threads, and a fork copies one"}
    assert running > 1
    assert forks == []


def test_a_childs_exit_code_is_pushed_on_its_status_pipe(channel, monkeypatch):
    """The server never asks: the zygote reaps the child and writes its code, then closes."""
    monkeypatch.setattr(zygote, "threads", lambda: 1)
    monkeypatch.setattr(zygote, "_become_kernel", lambda *_: 7)  # the child exits with 7
    send(channel, {"op": "fork", "argv": [], "env": {}, "cwd": "/"})
    reply, (pidfd, status) = receive(channel)
    try:
        assert set(reply) == {"pid"}
        assert select.select([status], [], [], 10)[0]
        assert os.read(status, 32) == b"7"
        assert os.read(status, 32) == b""  # closed after the code
        assert select.select([pidfd], [], [], 0)[0]  # the pidfd says it has ended too
    finally:
        os.close(pidfd)
        os.close(status)


def test_an_unknown_request_is_named(channel):
    assert ask(channel, {"op": "exec"}) == {"error": "unknown request 'exec'"}


def test_the_end_of_the_socket_reads_as_no_message():
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    with theirs:
        ours.close()
        assert receive(theirs) == (None, [])


def test_importing_the_app_makes_no_widget():
    """A widget made at import would be made in the zygote: every kernel would share its id, and
    its comm, opened before any kernel existed, would never answer a page."""
    code = (
        "import softmax_explorer.serving.kernel_page\n"
        "from ipywidgets.widgets.widget import _instances\n"  # ipywidgets' registry of widgets
        "print(sorted(type(w).__name__ for w in _instances.values()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
