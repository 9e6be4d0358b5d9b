"""The CPU a served page's kernel costs: started, then running the app's notebook.

Four kernels, each started ``--repeats`` times (median reported), side by side in one run:

1. **floor**: a stock ipykernel that starts and runs nothing;
2. **stock + app**: a stock ipykernel running the app's notebook (``served_explorer()``), as a
   Voila without our kernelspec would;
3. **ours launched + app**: `softmax_explorer.serving.kernel` started as a new process (the app
   imported early, seaborn without scipy, the collector paused and then frozen), as where kernels
   cannot be forked, running the same notebook;
4. **ours forked + app**: the same kernel forked by the server's zygote
   (`softmax_explorer.serving.zygote`), as `softmax-explorer` starts them, running the same
   notebook.

For each: the kernel process's CPU seconds (user + system, from ``/proc``) once it answers and
once the notebook's cell has run, the wall time from the start to the cell's end, and its
resident and private memory then (a forked kernel shares the zygote's pages). Then the zygote's
own: the CPU of its import, paid once per server, and its memory. Linux only. Run:
``python benchmarks/bench_kernel.py`` (``--repeats 1`` for a smoke run). Writes
``benchmarks/results/kernel.json`` (or ``--out``) and prints a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager
from timing import markdown_table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the shared helpers, harness/
from harness.server import private_mb, rss_mb  # noqa: E402
from softmax_explorer import serving  # noqa: E402
from softmax_explorer.serving.classroom import ClassroomKernelManager, kernel_transport  # noqa: E402

APP_CELL = "from softmax_explorer.serving.kernel_page import served_explorer\nserved_explorer()"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def manager(fork: bool, sockets: Path) -> ClassroomKernelManager:
    """The server's kernel manager, forking the app's kernels or not."""
    specs = KernelSpecManager(kernel_dirs=[str(files(serving) / "share" / "kernels")])
    return ClassroomKernelManager(
        fork_kernels=fork, kernel_spec_manager=specs, connection_dir=str(sockets),
        ip=str(sockets / "kernel"), transport=kernel_transport(),  # as the served kernels
    )  # fmt: skip


async def one_start(km: ClassroomKernelManager, kernel_name: str, cell: str) -> dict[str, float]:
    """Start ``kernel_name``, run ``cell``; the kernel's CPU, wall time and memory."""
    start = time.perf_counter()
    kernel_id = await km.start_kernel(kernel_name=kernel_name)
    kernel = km.get_kernel(kernel_id)
    client = kernel.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=120)
        pid = kernel.provisioner.process.pid
        ready = cpu_seconds(pid)
        if cell:
            reply = await client.execute_interactive(cell, timeout=120, output_hook=lambda _m: None)
            assert reply["content"]["status"] == "ok", reply["content"]
        return {
            "cpu_ready_s": ready,
            "cpu_s": cpu_seconds(pid),
            "wall_s": time.perf_counter() - start,
            "rss_mb": rss_mb(pid),
            "private_mb": private_mb(pid),
        }
    finally:
        client.stop_channels()
        await km.shutdown_kernel(kernel_id, now=True)


KERNELS = {  # name: (kernelspec, cell, forked)
    "floor": ("python3", "", False),
    "stock + app": ("python3", APP_CELL, False),
    "ours launched + app": ("softmax-explorer", APP_CELL, False),
    "ours forked + app": ("softmax-explorer", APP_CELL, True),
}


async def measure(repeats: int, sockets: Path) -> tuple[dict, dict]:
    """Every kernel's runs, and the zygote's CPU and memory."""
    managers = {fork: manager(fork, sockets) for fork in (False, True)}
    await one_start(managers[True], "softmax-explorer", "")  # the zygote's import is done
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in KERNELS}
    for _ in range(repeats):  # interleaved, so that a slow spell hits every kernel
        for name, (kernel, cell, fork) in KERNELS.items():
            runs[name].append(await one_start(managers[fork], kernel, cell))
    pid = managers[True].zygote.process.pid
    zygote = {"cpu_s": cpu_seconds(pid), "rss_mb": rss_mb(pid), "private_mb": private_mb(pid)}
    for km in managers.values():
        await km.shutdown_all()
    return runs, zygote


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "kernel.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as sockets:
        runs, zygote = asyncio.run(measure(args.repeats, Path(sockets)))
    medians = {
        name: {key: statistics.median(r[key] for r in samples) for key in samples[0]}
        for name, samples in runs.items()
    }
    args.out.parent.mkdir(exist_ok=True)
    report = {"repeats": args.repeats, "medians": medians, "runs": runs, "zygote": zygote}
    args.out.write_text(json.dumps(report, indent=1))
    stock = medians["stock + app"]["cpu_s"]
    rows = [
        [
            name,
            f"{m['cpu_ready_s']:.2f}",
            f"{m['cpu_s']:.2f}",
            f"{m['cpu_s'] / stock:.2f}",
            f"{m['wall_s']:.2f}",
            f"{m['rss_mb']:.0f}",
            f"{m['private_mb']:.0f}",
        ]
        for name, m in medians.items()
    ]
    header = ["kernel", "CPU s ready", "CPU s after the app", "/ stock", "wall s", "RSS MB"]
    print(markdown_table([*header, "private MB"], rows))
    print(
        f"\nThe zygote, once per server: {zygote['cpu_s']:.2f} CPU s, {zygote['rss_mb']:.0f} MB "
        f"resident, {zygote['private_mb']:.0f} MB private"
    )


if __name__ == "__main__":
    if not sys.platform.startswith("linux"):
        sys.exit("bench_kernel reads /proc: Linux only")
    main()
