"""The server's end of the zygote: kernels forked from a process that has imported the app.

`Zygote` starts the zygote process (`softmax_explorer.serving.zygote`) and asks it for kernels;
`ForkingProvisioner` is the kernel provisioner the app's kernelspec names (entry point
``softmax-explorer-fork`` of ``jupyter_client.kernel_provisioners``): it launches a kernel through
the zygote of its kernel manager's parent
(`softmax_explorer.serving.classroom.ClassroomKernelManager` holds one), as a `ForkedKernel`, which
jupyter_client handles as it handles the `Popen` of a kernel launched as usual.

A kernel is launched as usual instead when there is no zygote (a Jupyter server that is not
`softmax-explorer`'s, a platform without pidfds), when the command is not the app's kernel or
the launch asks for stdio of its own, and when the zygote failed (said once in the log, with
why): its import raised, or it did not answer. A zygote that died is replaced at the next launch;
its kernels live on (they watch the server).

The server's event loop never waits on the zygote: a fork is asked for in a thread, and a forked
kernel's exit code arrives on its own status pipe, pushed by the zygote once it has reaped it,
so `ForkedKernel.poll` is one non-blocking look at two file descriptors.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

from . import kernel, zygote

__all__ = [
    "ForkedKernel",
    "ForkingProvisioner",
    "Zygote",
    "ZygoteError",
    "ended_by",
    "how_ended",
]

#: Seconds to wait for the zygote's answer; its first includes the app's import.
ANSWER_TIMEOUT = 120
#: The command of the app's kernel after the interpreter (the kernelspec's argv).
KERNEL_MODULE = ["-m", kernel.__name__]
#: The exit code reported for a forked kernel whose zygote died before it could say.
UNKNOWN_EXIT = 1


def ended_by(code: int | None) -> str:
    """How a process ended, from its `subprocess.Popen.returncode`.

    ``exit code 1``, ``signal 9 (SIGKILL)``, or ``still running`` for None.
    """
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"signal {-code} ({signal.Signals(-code).name})"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def how_ended(process: Any) -> str:
    """How a kernel's process ended (`ended_by`), or that this is unknown.

    A forked kernel's exit code is known only if its zygote reaped it; ``process`` is a
    `subprocess.Popen` or a `ForkedKernel`.
    """
    code = process.poll()
    if code is not None and not getattr(process, "code_known", True):
        return "how is unknown: its zygote had ended before it"
    return ended_by(code)


class ZygoteError(RuntimeError):
    """The zygote cannot fork a kernel; the kernel is launched as usual."""


class Zygote:
    """The zygote process, and the server's socket to it.

    Started at once (it imports in the background); the first launch waits until it is ready.
    Safe to use from several threads: one request at a time.
    """

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-m", zygote.__name__, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                env={**os.environ, **zygote.SINGLE_THREAD},
                start_new_session=True,  # the terminal's Ctrl-C is the server's to answer
            )
        self._channel = ours
        self._channel.settimeout(ANSWER_TIMEOUT)
        self._lock = threading.Lock()
        self._ready = False
        #: Why it cannot fork (its import failed, or it did not answer), or None.
        self.failure: str | None = None

    def alive(self) -> bool:
        """Whether the process runs and has not failed."""
        return self.failure is None and self.process.poll() is None

    def fork(self, argv: list[str], env: dict[str, str], cwd: str) -> ForkedKernel:
        """A kernel forked with ``argv`` (after the module), ``env`` and ``cwd``.

        Raises
        ------
        ZygoteError
            If the zygote failed, is gone, or did not answer within `ANSWER_TIMEOUT` s.
        """
        reply, fds = self._ask({"op": "fork", "argv": argv, "env": env, "cwd": cwd})
        if "pid" not in reply or len(fds) != 2:
            for fd in fds:
                os.close(fd)
            raise ZygoteError(f"the zygote could not fork: {reply.get('error', reply)}")
        return ForkedKernel(reply["pid"], *fds)

    def _ask(self, request: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
        with self._lock:
            if self.failure is not None:
                raise ZygoteError(self.failure)
            try:
                if not self._ready:
                    self._await_ready()
                zygote.send(self._channel, request)
                reply, fds = zygote.receive(self._channel)
            except (TimeoutError, ValueError) as err:  # silent, or garbled: not asked again
                self.failure = f"the zygote did not answer ({err or type(err).__name__})"
                self.process.kill()
                raise ZygoteError(self.failure) from err
            except OSError:  # its end of the socket is closed
                reply = None
            if reply is None:  # it has exited: the next launch starts a new one
                self.process.kill()
                raise ZygoteError("the zygote has exited")
            return reply, fds

    def _await_ready(self) -> None:
        hello, _ = zygote.receive(self._channel)
        if hello is None or "ready" not in hello:
            self.failure = f"the zygote's import failed: {(hello or {}).get('error', 'no answer')}"
            raise ZygoteError(self.failure)
        self._ready = True

    def close(self) -> None:
        """Close the socket: the zygote ends its kernels and exits."""
        self._channel.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=zygote.END_GRACE + 5)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class ForkedKernel:
    """A kernel forked by the zygote, with the part of `subprocess.Popen` jupyter_client uses.

    It is the zygote's child, not the server's: it is watched and signalled through its pidfd
    only, and its exit code is the one the zygote writes on its status pipe once it has reaped
    it. A status pipe that ends without a code means the zygote is gone: the kernel lives on,
    watched through its pidfd, and its code is then unknown (`UNKNOWN_EXIT`).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, pidfd: int, status: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        #: False once its zygote ended first: its `returncode` is then `UNKNOWN_EXIT`.
        self.code_known = True
        self._pidfd = pidfd
        self._status: int | None = status

    def poll(self) -> int | None:
        """Its exit code once it has ended, else None (never waits)."""
        return self.wait(timeout=0)

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait up to ``timeout`` seconds (None: until it ends); its exit code, or None.

        Unlike `subprocess.Popen.wait`, a timeout returns None instead of raising.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            watched = self._pidfd if self._status is None else self._status
            if not select.select([watched], [], [], left)[0]:
                return None
            if self._status is None:  # the zygote is gone, the kernel has ended
                self.code_known = False
                self._ended(UNKNOWN_EXIT)
            else:
                pushed = os.read(self._status, 32)
                os.close(self._status)
                self._status = None
                if pushed:
                    self._ended(int(pushed))
        return self.returncode

    def _ended(self, code: int) -> None:
        self.returncode = code
        os.close(self._pidfd)

    def __del__(self) -> None:
        for fd in (self._pidfd if self.returncode is None else None, self._status):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def send_signal(self, signum: int) -> None:
        """Send ``signum`` to it, through its pidfd (never to a process that took its pid).

        As `subprocess.Popen.send_signal`: nothing for a kernel known to have ended, nor for one
        that ends meanwhile.
        """
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, signum)

    def terminate(self) -> None:
        """SIGTERM."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL."""
        self.send_signal(signal.SIGKILL)


class ForkingProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, forking the app's kernels from the server's zygote."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        """Fork the kernel from the zygote; launch it as usual where that cannot be done."""
        found = getattr(getattr(self.parent, "parent", None), "zygote", None)
        if found is None or not forkable(cmd, kwargs):
            return await super().launch_kernel(cmd, **kwargs)
        env = kwargs.get("env") or dict(os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        try:
            self.process = await asyncio.to_thread(found.fork, cmd[3:], env, cwd)
        except ZygoteError as err:
            self.log.warning("softmax-explorer: a kernel starts without the zygote: %s", err)
            return await super().launch_kernel(cmd, **kwargs)
        self.pid = self.process.pid
        self.pgid = None  # signals go through the pidfd, not to a group by number
        self.cwd = cwd
        return self.connection_info


def forkable(cmd: list[str], launch: dict[str, Any]) -> bool:
    """Whether the zygote can run this launch: the app's kernel, this Python, inherited stdio."""
    own_stdio = any(launch.get(name) is not None for name in ("stdin", "stdout", "stderr"))
    return (
        zygote.supported()
        and len(cmd) >= 3
        and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)
        and cmd[1:3] == KERNEL_MODULE
        and not own_stdio
        and not launch.get("independent")
    )
