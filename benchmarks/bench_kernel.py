"""The CPU a served page's kernel costs: started, then running the app's notebook.

Three kernels, each started ``--repeats`` times (median reported), side by side in one run:

1. **floor**: a stock ipykernel that starts and runs nothing;
2. **stock + app**: a stock ipykernel running the app's notebook (``served_explorer()``), as a
   Voila without our kernelspec would;
3. **ours + app**: `softmax_explorer.kernel` (the app imported early, seaborn without scipy,
   the collector paused and then frozen) running the same notebook.

For each: the kernel process's CPU seconds (user + system, from ``/proc``) once it answers and
once the notebook's cell has run, the wall time from the start to the cell's end, and the
resident memory then. Linux only. Run: ``python benchmarks/bench_kernel.py`` (``--repeats 1``
for a smoke run). Writes ``benchmarks/results/kernel.json`` (or ``--out``) and prints a markdown
table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from timing import markdown_table

from softmax_explorer.classroom import kernel_transport

ROOT = Path(__file__).resolve().parents[1]
APP_CELL = "from softmax_explorer.serve import served_explorer\nserved_explorer()"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_start(kernel_name: str, cell: str, sockets: Path) -> dict[str, float]:
    """Start ``kernel_name``, run ``cell``; the kernel's CPU, wall time and memory."""
    specs = KernelSpecManager(kernel_dirs=[str(files("softmax_explorer") / "share" / "kernels")])
    manager = KernelManager(
        kernel_name=kernel_name, kernel_spec_manager=specs, ip=str(sockets / "kernel"),
        transport=kernel_transport(),  # as the served kernels
    )  # fmt: skip
    start = time.perf_counter()
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        pid = manager.provisioner.process.pid
        ready = cpu_seconds(pid)
        if cell:
            reply = client.execute_interactive(cell, timeout=120, output_hook=lambda _m: None)
            assert reply["content"]["status"] == "ok", reply["content"]
        return {
            "cpu_ready_s": ready,
            "cpu_s": cpu_seconds(pid),
            "wall_s": time.perf_counter() - start,
            "rss_mb": rss_mb(pid),
        }
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


KERNELS = {
    "floor": ("python3", ""),
    "stock + app": ("python3", APP_CELL),
    "ours + app": ("softmax-explorer", APP_CELL),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "kernel.json")
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in KERNELS}
    with tempfile.TemporaryDirectory() as sockets:
        for _ in range(args.repeats):  # interleaved, so that a slow spell hits every kernel
            for name, (kernel, cell) in KERNELS.items():
                runs[name].append(one_start(kernel, cell, Path(sockets)))
    medians = {
        name: {key: statistics.median(r[key] for r in samples) for key in samples[0]}
        for name, samples in runs.items()
    }
    args.out.parent.mkdir(exist_ok=True)
    report = {"repeats": args.repeats, "medians": medians, "runs": runs}
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
        ]
        for name, m in medians.items()
    ]
    header = ["kernel", "CPU s ready", "CPU s after the app", "/ stock", "wall s", "RSS MB"]
    print(markdown_table(header, rows))


if __name__ == "__main__":
    if not sys.platform.startswith("linux"):
        sys.exit("bench_kernel reads /proc: Linux only")
    main()
