"""The zygote: a process that has imported what a served kernel imports, and forks kernels.

A served page's kernel spends most of its start importing the app (matplotlib, seaborn with pandas,
ipywidgets, ipykernel). The server starts this process once, with itself
(`softmax_explorer.serving.provisioner.Zygote`); it does that import once, freezes what it created
(`gc.freeze`, so that the children's collections skip it and its pages stay shared), says it is
ready, then forks a kernel for each launch the server asks for. A child takes the launch's working
directory, environment and command line, its own process group and the name ``softmax-kernel`` (what
``ps`` and ``top`` show), and runs `softmax_explorer.serving.kernel.main`; its kernel exits when the
zygote does (ipykernel's parent poller).

The two ends speak over a Unix socket pair of datagrams (``SOCK_SEQPACKET``), one JSON object a
message, request then reply:

- the zygote's first message: ``{"ready": pid}``, or ``{"error": "..."}`` if the import failed;
- ``{"op": "fork", "argv": [...], "env": {...}, "cwd": "..."}`` -> ``{"pid": pid}``, with a pidfd
  of the child passed along (``SCM_RIGHTS``): the server watches and signals the child through
  it, never through a pid that could be reused;
- ``{"op": "exit_code", "pid": pid}`` -> ``{"code": code}``, its exit code once it has ended
  (as `subprocess.Popen.returncode`: ``-N`` for signal N), or ``None`` while it runs.

When the server's end closes (the server exited, or died), the zygote ends its kernels and exits.
Linux only (``os.pidfd_open``); elsewhere kernels are launched as usual.

What the app makes when it is imported is made once, here, for every kernel: it must not need a
kernel. A widget made at import would have one id in every kernel and a comm opened before any
kernel existed, which never answers a page (``tests/test_zygote.py`` checks that none is made).
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
import time
import traceback
from typing import Any

__all__ = ["KERNEL_NAME", "MAX_MESSAGE", "main", "receive", "send", "supported"]

#: The forked kernels' process name (``/proc/PID/comm``, at most 15 bytes).
KERNEL_NAME = "softmax-kernel"
#: The largest message, in bytes: a launch's environment fits many times over.
MAX_MESSAGE = 1 << 20
#: Seconds between looks for ended children while no request comes.
REAP_EVERY = 1.0
#: Exit codes kept for children the server has not asked about (the oldest are dropped).
KEPT_CODES = 4096
#: Seconds the zygote's kernels are given to end after SIGTERM when the server is gone.
END_GRACE = 5.0
#: The backend ipykernel sets for matplotlib before a notebook runs: matplotlib reads it when
#: it is imported, here before any kernel exists.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def supported() -> bool:
    """Whether kernels can be forked here: Linux's pidfds, and ``os.fork``."""
    return hasattr(os, "pidfd_open") and hasattr(os, "fork") and sys.platform.startswith("linux")


def send(channel: socket.socket, message: dict[str, Any], fds: tuple[int, ...] = ()) -> None:
    """Send one message (and file descriptors) over ``channel``."""
    socket.send_fds(channel, [json.dumps(message).encode()], list(fds))


def receive(channel: socket.socket) -> tuple[dict[str, Any] | None, list[int]]:
    """One message and the file descriptors that came with it; ``(None, [])`` at the end."""
    data, fds, _, _ = socket.recv_fds(channel, MAX_MESSAGE, 1)
    return (json.loads(data) if data else None), fds


def main(fd: int) -> None:
    """Import, say so over the socket ``fd``, then fork kernels until the server's end closes."""
    channel = socket.socket(fileno=fd)
    try:
        _preload()
    except Exception as err:  # the server launches kernels as usual, and says why
        send(channel, {"error": f"{type(err).__name__}: {err}"})
        return
    send(channel, {"ready": os.getpid()})
    _Forker(channel).serve()


def _preload() -> None:
    """Import what a served kernel imports, then freeze it for the children."""
    from . import kernel

    gc.disable()
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    kernel.import_without(kernel.EARLY_IMPORT, kernel.LEFT_OUT)
    gc.collect()  # what the import left as garbage is not copied into every kernel
    gc.freeze()
    gc.enable()


class _Forker:
    """The zygote's loop: fork on request, reap the children, report their exit codes."""

    def __init__(self, channel: socket.socket) -> None:
        self.channel = channel
        self.children: set[int] = set()
        self.codes: dict[int, int] = {}  # ended children's exit codes, oldest first

    def serve(self) -> None:
        """Answer requests until the server's end closes; then end the kernels."""
        try:
            while True:
                ready, _, _ = select.select([self.channel], [], [], REAP_EVERY)
                self.reap()
                if not ready:
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
        """Fork a kernel, or report an exit code."""
        if request.get("op") == "fork":
            pid = self.fork(request)
            pidfd = os.pidfd_open(pid)
            try:
                send(self.channel, {"pid": pid}, (pidfd,))
            finally:
                os.close(pidfd)
        elif request.get("op") == "exit_code":
            self.reap()
            send(self.channel, {"code": self.codes.pop(request.get("pid"), None)})
        else:
            send(self.channel, {"error": f"unknown request {request.get('op')!r}"})

    def fork(self, launch: dict[str, Any]) -> int:
        """Fork a child that becomes the kernel ``launch`` describes; its pid (in the zygote)."""
        pid = os.fork()
        if pid:
            with contextlib.suppress(OSError):  # the child may have done it already
                os.setpgid(pid, pid)
            self.children.add(pid)
            self.codes.pop(pid, None)  # a pid reused: an old code is not this child's
            return pid
        code = 1
        try:
            self.channel.close()
            os.setpgid(0, 0)  # its own group: an interrupt or a kill reaches its subprocesses too
            code = _become_kernel(launch["argv"], launch["env"], launch["cwd"])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)

    def reap(self) -> None:
        """Collect the exit codes of the children that have ended."""
        for pid in list(self.children):
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                self.children.discard(pid)
                continue
            if done:
                self.children.discard(pid)
                self.codes[pid] = os.waitstatus_to_exitcode(status)
        while len(self.codes) > KEPT_CODES:
            del self.codes[next(iter(self.codes))]

    def end(self) -> None:
        """End the kernels (SIGTERM, then SIGKILL after `END_GRACE` s): the server is gone."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in self.children:
                with contextlib.suppress(OSError):
                    os.killpg(pid, sig)
            deadline = time.monotonic() + END_GRACE
            while self.children and time.monotonic() < deadline:
                self.reap()
                time.sleep(0.05)
            if not self.children:
                return


def _become_kernel(argv: list[str], env: dict[str, str], cwd: str) -> int:
    """In a forked child: take the launch's place and run the kernel; its exit code."""
    from . import kernel

    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    _name_process(KERNEL_NAME)
    _reseed()
    # ipykernel read JPY_PARENT_PID when the zygote imported it: the parent to watch is given
    # on the command line instead, the zygote
    sys.argv = [kernel.__file__, *argv, f"--IPKernelApp.parent_handle={os.getppid()}"]
    kernel.main()
    return 0


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
