"""Kernels forked by the zygote, as the server's kernel manager starts, interrupts and ends them."""

from __future__ import annotations

import ast
import asyncio
import logging
import os
import select
import signal
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager

from harness.server import parent_pid
from softmax_explorer import serving
from softmax_explorer.serving.classroom import ClassroomKernelManager
from softmax_explorer.serving.provisioner import KERNEL_MODULE, ForkedKernel, forkable
from softmax_explorer.serving.zygote import KERNEL_NAME, supported

pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(not supported(), reason="kernels are forked on Linux only"),
]

SPECS = str(files(serving) / "share" / "kernels")
#: The served notebook's cell.
APP_CELL = "from softmax_explorer.serving.kernel_page import served_explorer\nserved_explorer()"
WIDGETS = "'jupyter.widget' in get_ipython().kernel.comm_manager.targets"


def manager(**traits) -> ClassroomKernelManager:
    specs = KernelSpecManager(kernel_dirs=[SPECS])
    return ClassroomKernelManager(fork_kernels=True, kernel_spec_manager=specs, **traits)


async def started(km: ClassroomKernelManager, **kwargs):
    """Start the app's kernel; its manager and a ready client."""
    kernel_id = await km.start_kernel(kernel_name="softmax-explorer", **kwargs)
    kernel = km.get_kernel(kernel_id)
    client = kernel.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    return kernel, client


async def evaluate(client, expression: str) -> str:
    reply = await client.execute_interactive("", user_expressions={"x": expression}, timeout=60)
    result = reply["content"]["user_expressions"]["x"]
    assert result["status"] == "ok", result
    return result["data"]["text/plain"]


def test_the_apps_kernel_is_forked_with_the_app_imported_in_the_launchs_place(tmp_path):
    async def run():
        km = manager()
        env = {**os.environ, "SOFTMAX_EXPLORER_PROBE": "launch"}
        kernel, client = await started(km, env=env, cwd=str(tmp_path))
        process = kernel.provisioner.process
        try:
            assert isinstance(process, ForkedKernel)
            assert parent_pid(process.pid) == km.zygote.process.pid
            assert Path(f"/proc/{process.pid}/comm").read_text().strip() == KERNEL_NAME
            assert os.getpgid(process.pid) == process.pid  # a group of its own, as if launched
            assert (
                await evaluate(
                    client, "'softmax_explorer.serving.kernel_page' in __import__('sys').modules"
                )
                == "True"
            )
            assert await evaluate(client, "'scipy' in __import__('sys').modules") == "False"
            assert await evaluate(client, "__import__('os').getcwd()") == repr(str(tmp_path))
            assert (
                await evaluate(client, "__import__('os').environ['SOFTMAX_EXPLORER_PROBE']")
                == "'launch'"
            )
            assert await evaluate(client, WIDGETS) == "True"
            # the served notebook's cell shows the dashboard as a widget
            shown = []
            await client.execute_interactive(
                APP_CELL,
                output_hook=lambda msg: shown.append(msg["content"].get("data", {})),
                timeout=60,
            )
            assert any("application/vnd.jupyter.widget-view+json" in data for data in shown)
        finally:
            client.stop_channels()
            await km.shutdown_all()
        return process

    process = asyncio.run(run())
    assert process.returncode == 0  # shut down when asked


def test_each_forked_kernel_draws_its_own_random_numbers():
    """numpy's global generator and Python's `random` were seeded in the zygote, before the fork."""
    draw = "(__import__('numpy').random.random(), __import__('random').random())"

    async def run():
        km = manager()
        draws = []
        try:
            for _ in range(2):
                kernel, client = await started(km)
                assert isinstance(kernel.provisioner.process, ForkedKernel)
                draws.append(await evaluate(client, draw))
                client.stop_channels()
        finally:
            await km.shutdown_all()
        return draws

    first, second = (ast.literal_eval(pair) for pair in asyncio.run(run()))
    assert first[0] != second[0]
    assert first[1] != second[1]


def test_an_interrupt_a_kill_and_a_restart_reach_the_forked_kernel():
    async def run():
        km = manager()
        kernel, client = await started(km)
        try:
            sleeping = client.execute("import time; time.sleep(60)")
            await asyncio.sleep(0.5)
            await kernel.interrupt_kernel()
            reply = await client.get_shell_msg(timeout=30)
            assert reply["parent_header"]["msg_id"] == sleeping
            assert reply["content"]["ename"] == "KeyboardInterrupt"

            first = kernel.provisioner.process
            await kernel.restart_kernel(now=True)
            second = kernel.provisioner.process
            assert isinstance(second, ForkedKernel)
            assert second.pid != first.pid
            assert first.returncode == -signal.SIGKILL
            assert parent_pid(second.pid) == km.zygote.process.pid

            second.kill()
            assert second.wait(timeout=30) == -signal.SIGKILL
            assert await kernel.is_alive() is False
        finally:
            client.stop_channels()
            await km.shutdown_all()

    asyncio.run(run())


def test_a_dead_zygote_ends_no_kernel_and_is_replaced_said_once(caplog):
    """Killed, the zygote takes no kernel with it (they watch the server); the next kernel comes
    from a new zygote, and the log says so once. Closing the server's end ends the kernels."""
    log = logging.getLogger("test-zygote-replaced")

    async def run():
        km = manager(log=log)
        kernel, client = await started(km)
        process, first = kernel.provisioner.process, km.zygote
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=30)
        assert await evaluate(client, "6 * 7") == "42"  # the kernel answers as before
        assert process.poll() is None
        assert await kernel.is_alive()
        client.stop_channels()

        second_kernel, second_client = await started(km)
        second_client.stop_channels()
        assert km.zygote is not first
        assert parent_pid(second_kernel.provisioner.process.pid) == km.zygote.process.pid
        _third_kernel, third_client = await started(km)  # the new zygote: nothing more said
        third_client.stop_channels()

        await km.shutdown_kernel(kernel.kernel_id, now=True)  # the orphan still obeys the server
        assert process.wait(timeout=30) is not None

        process, zygote = second_kernel.provisioner.process, km.zygote
        zygote._channel.close()  # as when the server exits without shutting its kernels down
        assert zygote.process.wait(timeout=30) == 0
        assert process.wait(timeout=30) == -signal.SIGTERM  # ended by the zygote, code pushed
        await km.shutdown_all()

    with caplog.at_level(logging.WARNING, logger="test-zygote-replaced"):
        asyncio.run(run())
    replaced = [r.getMessage() for r in caplog.records if "zygote" in r.getMessage()]
    assert len(replaced) == 1, replaced
    assert "ended (signal 9 (SIGKILL)); a new one starts" in replaced[0]


def test_a_kernel_ends_with_the_server_it_watches(tmp_path):
    """A forked kernel watches the server (not the zygote): a server killed outright leaves no
    kernel behind, even when its zygote dies first."""
    script = tmp_path / "server.py"
    script.write_text(
        "import asyncio, os, sys\n"
        "from jupyter_client.kernelspec import KernelSpecManager\n"
        "from softmax_explorer.serving.classroom import ClassroomKernelManager\n"
        "async def main():\n"
        f"    specs = KernelSpecManager(kernel_dirs=[{SPECS!r}])\n"
        "    km = ClassroomKernelManager(\n"
        f"        fork_kernels=True, kernel_spec_manager=specs, connection_dir={str(tmp_path)!r}\n"
        "    )\n"
        "    kernel_id = await km.start_kernel(kernel_name='softmax-explorer')\n"
        "    process = km.get_kernel(kernel_id).provisioner.process\n"
        "    print('pids', process.pid, km.zygote.process.pid, flush=True)\n"
        "    await asyncio.sleep(600)\n"
        "asyncio.run(main())\n"
    )
    server = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        line = ""
        while not line.startswith("pids "):  # the kernel writes to the same output (its NOTE)
            line = server.stdout.readline()
            assert line, "the server ended before it started its kernel"
        kernel_pid, zygote_pid = (int(v) for v in line.split()[1:])
        kernel = os.pidfd_open(kernel_pid)
        os.kill(zygote_pid, signal.SIGKILL)  # first the zygote: the kernel goes on
        assert not select.select([kernel], [], [], 2)[0]
        server.kill()  # then the server, with no chance to clean up
        assert select.select([kernel], [], [], 30)[0], "the kernel outlived its server"
        os.close(kernel)
    finally:
        server.kill()
        server.wait(timeout=30)


def test_a_zygote_whose_import_fails_leaves_the_kernels_launched_as_usual(
    tmp_path, monkeypatch, caplog
):
    broken = tmp_path / "broken" / "seaborn"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('seaborn broken for the test')\n")
    log = logging.getLogger("test-zygote")

    async def run():
        monkeypatch.setenv("PYTHONPATH", str(broken.parent))
        km = manager(log=log)  # its zygote starts with the broken seaborn; kernels will not
        monkeypatch.delenv("PYTHONPATH")
        processes = []
        for _ in range(2):
            kernel, client = await started(km)
            client.stop_channels()
            processes.append(kernel.provisioner.process)
        await km.shutdown_all()
        return processes

    with caplog.at_level(logging.WARNING, logger="test-zygote"):
        processes = asyncio.run(run())
    assert all(isinstance(process, subprocess.Popen) for process in processes)
    warnings = [r.getMessage() for r in caplog.records if "without the zygote" in r.getMessage()]
    assert len(warnings) == 1, warnings  # said once, with why
    assert "seaborn broken for the test" in warnings[0]


def test_only_the_apps_kernel_with_inherited_stdio_is_forked():
    app = [sys.executable, *KERNEL_MODULE, "-f", "kernel.json"]
    assert forkable(app, {"env": {}, "cwd": "/"})
    assert not forkable([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"], {})
    assert not forkable(["/usr/bin/python2", *app[1:]], {})
    assert not forkable(app, {"stdout": subprocess.DEVNULL})
    assert not forkable(app, {"independent": True})


def test_no_zygote_unless_asked():
    assert ClassroomKernelManager().zygote is None
