"""Smoke runs of the benchmarks (tiny sizes), so that they cannot rot. No timing is asserted."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def run(*args: str, timeout: float = 900) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=BENCHMARKS, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_core_benchmark():
    out = run("bench_core.py", "--quick")
    assert "| n | closed form |" in out
    assert "| 32 |" in out


def test_figures_benchmark():
    out = run("bench_figures.py", "--quick")
    assert "| n | recorded (app) | Agg in place | Agg rebuilt |" in out


def test_kernel_benchmark(tmp_path):
    out_file = tmp_path / "kernel.json"
    out = run("bench_kernel.py", "--repeats", "1", "--out", str(out_file))
    report = json.loads(out_file.read_text())
    medians = report["medians"]
    assert list(medians) == ["floor", "stock + app", "ours launched + app", "ours forked + app"]
    for measured in medians.values():
        assert 0 < measured["cpu_ready_s"] <= measured["cpu_s"]
        assert 0 < measured["private_mb"] < measured["rss_mb"]
    assert report["zygote"]["cpu_s"] > 0
    assert "| kernel | CPU s ready | CPU s after the app |" in out


@pytest.mark.browser
def test_browser_benchmark(tmp_path, chromium_path):
    out_file = tmp_path / "browser.json"
    out = run("bench_browser.py", "--steps", "3", "--loads", "1", "--out", str(out_file))
    report = json.loads(out_file.read_text())
    assert [a["name"] for a in report["apps"]] == [
        "floor", "seed approach", "our app, n = 4", "our app, n = 32",
        "our app, n = 32, sampling view", "our app, n = 32, 1.5-entmax",
    ]  # fmt: skip
    for app in report["apps"]:
        assert len(app["steps_ms"]) + app["lost_steps"] == 3
    for app in report["apps"][2:]:  # ours: after each burst, the last value is on screen
        assert app["burst_last_value_shown"] is True
        assert len(app["burst_settles_ms"]) == len(app["held_settles_ms"]) == 5
    assert "| page | first render | step median |" in out
    # by default the servers run apart from the browser wherever there are two cores
    assert report["pinned"] is (len(os.sched_getaffinity(0)) >= 2)


@pytest.mark.browser
def test_load_benchmark(tmp_path, chromium_path):
    """Two sessions and their culling once closed; the second page opens on a fresh kernel, which
    must not be culled before the page connects (page opens take several seconds here)."""
    out_file = tmp_path / "load.json"
    run(
        "bench_load.py", "--sessions", "2", "--active", "1", "--seconds", "3", "--sizing", "1",
        "--sizing-seconds", "2", "--cull-after", "15", "--preheat", "1", "--out", str(out_file),
    )  # fmt: skip
    report = json.loads(out_file.read_text())
    assert report["failed_sessions"] == 0
    assert report["page_open_ms"]["count"] == 2
    assert report["under_load"]["count"] > 0
    assert report["culling"]["kernels_after"] <= 1  # the closed pages' kernels were culled


def test_fuzz_script():
    out = run("fuzz_numerics.py", "--examples", "300")
    assert "300 examples" in out
    assert "0 failures" in out


@pytest.mark.browser
def test_random_actions_script(chromium_path):
    out = run("random_actions.py", "--actions", "8")
    assert "8 actions" in out
    assert "console errors: 0, page errors: 0, kernel tracebacks: 0" in out


def test_flood_benchmark(tmp_path):
    """Against a cap of 4 with 2 students working, 20 page requests start 2 kernels, no more."""
    out_file = tmp_path / "flood.json"
    run(
        "bench_flood.py", "--requests", "20", "--max-kernels", "4", "--students", "2",
        "--calm", "2", "--out", str(out_file),
    )  # fmt: skip
    report = json.loads(out_file.read_text())
    assert (report["served"], report["refused"]) == (2, 18)
    assert report["refusals"] == ["503 Retry-After=30"]
    assert report["kernels_max"] <= 4
    assert report["server_alive"]
    students = report["students"]
    assert students["lost"] == 0
    assert students["during"]["moves"] > 0
    assert students["each_moved_after"]


@pytest.mark.browser
def test_arrival_benchmark(tmp_path, chromium_path):
    out_file = tmp_path / "arrival.json"
    run("bench_arrival.py", "--arrivals", "1", "3", "--repeats", "1", "--out", str(out_file))
    report = json.loads(out_file.read_text())
    assert [b["arrivals"] for b in report["bursts"]] == [1, 3]
    for burst in report["bursts"]:
        assert burst["kernels_started_during"] == 0  # every student served by a pooled kernel
        assert burst["probe_s"] > 0
        assert burst["server_kernels_cpu_per_arrival_s"] > 0
    assert len(report["browser"]["ours"]) == len(report["browser"]["floor"]) == 1
