"""Kernels forked by the zygote, as the server's kernel manager starts, interrupts and ends them."""

from __future__ import annotations

import ast
import asyncio
import logging
import os
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
            assert os.getpgid(process.pid) == process.pid  # interrupts reach its children
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


def test_the_zygote_ends_its_kernels_when_the_server_is_gone_and_a_dead_one_is_replaced():
    async def run():
        km = manager()
        kernel, client = await started(km)
        client.stop_channels()
        process = kernel.provisioner.process
        first = km.zygote
        os.kill(first.process.pid, signal.SIGKILL)  # gone: its kernels end with it
        assert process.wait(timeout=30) is not None
        assert not first.alive()

        kernel, client = await started(km)
        client.stop_channels()
        assert km.zygote is not first
        assert parent_pid(kernel.provisioner.process.pid) == km.zygote.process.pid

        process, zygote = kernel.provisioner.process, km.zygote
        zygote._channel.close()  # as when the server exits without shutting its kernels down
        assert zygote.process.wait(timeout=30) == 0
        assert process.wait(timeout=30) is not None
        await km.shutdown_all()

    asyncio.run(run())


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
