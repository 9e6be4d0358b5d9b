"""The zygote: a process that has imported what a served kernel imports, and forks kernels.

A served page's kernel spends most of its start importing the app (matplotlib, seaborn with
pandas, ipywidgets, ipykernel). The server starts this process once, with itself
(`softmax_explorer.serving.provisioner.Zygote`); it does that import once, freezes what it
created (`gc.freeze`, so that the children's collections skip it and its pages stay shared),
says it is ready, then forks a kernel for each launch the server asks for. A child takes the
launch's working directory, environment and command line, its own process group and the name
``softmax-kernel`` (what ``ps`` and ``top`` show), and runs
`softmax_explorer.serving.kernel.main`.

The two ends speak over a Unix socket pair of datagrams (``SOCK_SEQPACKET``), one JSON object a
message, request then reply:

- the zygote's first message: ``{"ready": pid}``, or ``{"error": "..."}`` if the import failed;
- ``{"op": "fork", "argv": [...], "env": {...}, "cwd": "..."}`` -> ``{"pid": pid}``, with two
  file descriptors passed along (``SCM_RIGHTS``): a pidfd of the child, through which the server
  watches and signals it (never through a pid that could be reused), and the read end of the
  child's status pipe, on which the zygote writes the child's exit code (as
  `subprocess.Popen.returncode`: ``-N`` for signal N) when it has reaped it, then closes it.
  An end of that pipe without a code means the zygote is gone.

The server never waits for an answer about a kernel that ended: the code is pushed. A kernel
watches the server, not the zygote (a pidfd of the server, inherited): a zygote that dies leaves
its kernels running, and they end when the server does. When the server's end of the socket
closes, the zygote ends its kernels and exits. Linux only (``os.pidfd_open``); elsewhere kernels
are launched as usual.

A fork copies only the thread that forks: a lock another thread held would stay locked in the
child forever. The zygote runs one thread (its BLAS is asked for no worker threads, as the
dashboard's matrices are small) and refuses a fork while it runs more, saying why. What the app
makes when it is imported is made once, here, for every kernel: it must not need a kernel. A
widget made at import would have one id in every kernel and a comm opened before any kernel
existed, which never answers a page (``tests/test_zygote.py`` checks that none is made).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import select
import signal
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any

__all__ = ["KERNEL_NAME", "MAX_MESSAGE", "SINGLE_THREAD", "main", "receive", "send", "supported"]

#: The forked kernels' process name (``/proc/PID/comm``, at most 15 bytes).
KERNEL_NAME = "softmax-kernel"
#: The largest message, in bytes: a launch's environment fits many times over.
MAX_MESSAGE = 1 << 20
#: Seconds the zygote's kernels are given to end after SIGTERM when the server is gone.
END_GRACE = 5.0
#: The backend ipykernel sets for matplotlib before a notebook runs: matplotlib reads it when
#: it is imported, here before any kernel exists.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: The environment the zygote starts with, beside the server's: numerical libraries without
#: worker threads, so that the zygote runs one thread when it forks.
SINGLE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def supported() -> bool:
    """Whether kernels can be forked here: Linux's pidfds, and ``os.fork``."""
    return hasattr(os, "pidfd_open") and hasattr(os, "fork") and sys.platform.startswith("linux")


def send(channel: socket.socket, message: dict[str, Any], fds: tuple[int, ...] = ()) -> None:
    """Send one message (and file descriptors) over ``channel``."""
    socket.send_fds(channel, [json.dumps(message).encode()], list(fds))


def receive(channel: socket.socket) -> tuple[dict[str, Any] | None, list[int]]:
    """One message and the file descriptors that came with it; ``(None, [])`` at the end."""
    data, fds, _, _ = socket.recv_fds(channel, MAX_MESSAGE, 2)
    return (json.loads(data) if data else None), fds


def threads() -> int:
    """The threads this process runs, native ones included (Linux's ``/proc``)."""
    return len(os.listdir("/proc/self/task"))


def main(fd: int) -> None:
    """Import, say so over the socket ``fd``, then fork kernels until the server's end closes."""
    channel = socket.socket(fileno=fd)
    server = os.pidfd_open(os.getppid())  # what each kernel watches
    try:
        _preload()
    except Exception as err:  # the server launches kernels as usual, and says why
        message = {"error": f"{type(err).__name__}: {err}"}
    else:
        message = {"ready": os.getpid()}
    try:
        send(channel, message)
    except OSError:  # the server ended while this process imported
        return
    if "ready" in message:
        _Forker(channel, server).serve()


def _preload() -> None:
    """Import what a served kernel imports, then freeze it for the children."""
    from . import kernel

    gc.disable()
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    kernel.import_without(kernel.EARLY_IMPORT, kernel.LEFT_OUT)
    gc.collect()  # what the import left as garbage is not copied into every kernel
    gc.freeze()
    gc.enable()


@dataclass
class _Child:
    """A forked kernel as the zygote holds it: its pidfd and the write end of its status pipe."""

    pidfd: int
    status: int

    def close(self) -> None:
        for fd in (self.pidfd, self.status):
            with contextlib.suppress(OSError):
                os.close(fd)


class _Forker:
    """The zygote's loop: fork on request, reap the children as they end, push their codes."""

    def __init__(self, channel: socket.socket, server: int | None = None) -> None:
        self.channel = channel
        self.server = server
        self.children: dict[int, _Child] = {}

    def serve(self) -> None:
        """Answer requests and reap children until the server's end closes; then end them."""
        try:
            while True:
                watched = [self.channel, *(c.pidfd for c in self.children.values())]
                ready, _, _ = select.select(watched, [], [])
                self.reap()
                if self.channel not in ready:
                    continue
                request, fds = receive(self.channel)
                for fd in fds:  # the server sends none
                    os.close(fd)
                if request is None:
                    return
                try:
                    self.answer(request)
                except OSError as err:  # a fork refused (memory, process limit): others go on
                    send(self.channel, {"error": f"{type(err).__name__}: {err}"})
        finally:
            self.end()

    def answer(self, request: dict[str, Any]) -> None:
        """Fork a kernel, or say why not."""
        if request.get("op") != "fork":
            send(self.channel, {"error": f"unknown request {request.get('op')!r}"})
            return
        running = threads()
        if running > 1:
            send(self.channel, {"error": f"it runs {running} threads, and a fork copies one"})
            return
        pid, read_end = self.fork(request)
        try:
            send(self.channel, {"pid": pid}, (self.children[pid].pidfd, read_end))
        finally:
            os.close(read_end)

    def fork(self, launch: dict[str, Any]) -> tuple[int, int]:
        """Fork a child that becomes the kernel ``launch`` describes.

        Returns its pid and the read end of its status pipe (for the server).
        """
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid:
            with contextlib.suppress(OSError):  # the child may have done it already
                os.setpgid(pid, pid)
            self.children[pid] = _Child(os.pidfd_open(pid), write_end)
            return pid, read_end
        code = 1
        try:
            self.channel.close()
            for fd in (read_end, write_end):
                os.close(fd)
            for child in self.children.values():  # the other kernels' ends are not its own
                child.close()
            os.setpgid(0, 0)  # a group of its own, as a kernel launched by jupyter_client
            code = _become_kernel(launch["argv"], launch["env"], launch["cwd"], self.server)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)

    def reap(self) -> None:
        """Collect the exit codes of the children that have ended, and push each to the server."""
        for pid, child in list(self.children.items()):
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done, status = pid, None
            if not done:
                continue
            del self.children[pid]
            if status is not None:
                with contextlib.suppress(OSError):  # the server may have closed its end
                    os.write(child.status, str(os.waitstatus_to_exitcode(status)).encode())
            child.close()

    def end(self) -> None:
        """End the kernels (SIGTERM, then SIGKILL after `END_GRACE` s): the server is gone."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for child in self.children.values():
                with contextlib.suppress(OSError):
                    signal.pidfd_send_signal(child.pidfd, sig)
            deadline = time.monotonic() + END_GRACE
            while self.children and time.monotonic() < deadline:
                self.reap()
                time.sleep(0.05)
            if not self.children:
                return


def _become_kernel(argv: list[str], env: dict[str, str], cwd: str, server: int | None) -> int:
    """In a forked child: take the launch's place and run the kernel; its exit code.

    ``server``: a pidfd of the server, which the kernel watches instead of its parent.
    """
    from . import kernel

    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    _name_process(KERNEL_NAME)
    _reseed()
    # ipykernel would watch its parent, the zygote, which may die before the server: no parent
    # poller (handle 0), the server watched instead
    sys.argv = [kernel.__file__, *argv, "--IPKernelApp.parent_handle=0"]
    if server is not None:
        threading.Thread(
            target=_exit_with, args=(server,), name="server-watch", daemon=True
        ).start()
    kernel.main()
    return 0


def _exit_with(server: int) -> None:
    """Wait until the server has exited, then end this kernel (as ipykernel's parent poller)."""
    select.select([server], [], [])
    print("softmax-kernel: the server has exited, shutting down", file=sys.stderr, flush=True)
    os._exit(1)


def _reseed() -> None:
    """Give this kernel random numbers of its own.

    numpy's global generator (``numpy.random.random`` and the like) was seeded once, in the
    zygote, and every kernel would draw the same numbers from it; Python's `random` reseeds
    itself after a fork.
    """
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed()


def _name_process(name: str) -> None:
    """Set this process's name as ``ps`` and ``top`` show it (Linux's ``PR_SET_NAME``)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(15, name.encode()[:15], 0, 0, 0)  # 15: PR_SET_NAME


if __name__ == "__main__":
    del sys.path[0]  # as a kernel: not the server's working directory
    main(int(sys.argv[1]))
