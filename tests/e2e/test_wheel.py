"""A real install: the sdist and the wheel built as a release would be, the wheel installed into
a new virtual environment, and the app run from there, outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from harness.page import wait_for_dashboard
from harness.server import running, start, wait_until
from softmax_explorer.serving.zygote import KERNEL_NAME

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser

#: What the app needs at run time besides its Python modules.
DATA = [
    "softmax_explorer/serving/app.ipynb",
    "softmax_explorer/teaching/lessons/seed.json",
    "softmax_explorer/canvas/static/panel_canvas.js",
    "softmax_explorer/canvas/static/frames.js",
    "softmax_explorer/serving/share/voila/templates/softmax/index.html.j2",
    "softmax_explorer/serving/share/kernels/softmax-explorer/kernel.json",
]


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist and, built from it, the wheel."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def venv(dist, tmp_path_factory) -> Path:
    """A new virtual environment with the wheel and its dependencies installed."""
    env = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, timeout=300)
    wheel = next(dist.glob("*.whl"))
    subprocess.run(
        [env / "bin" / "python", "-m", "pip", "install", "--quiet", str(wheel)],
        check=True, timeout=900,
    )  # fmt: skip
    return env


def test_the_wheel_holds_the_package_and_its_data_and_nothing_else(dist):
    assert len(list(dist.glob("*.tar.gz"))) == 1
    names = zipfile.ZipFile(next(dist.glob("*.whl"))).namelist()
    for name in DATA:
        assert name in names, name
    modules = {n for n in names if n.endswith(".py")}
    checkout = {str(p.relative_to(ROOT)) for p in (ROOT / "softmax_explorer").rglob("*.py")}
    assert modules == checkout
    tops = {n.split("/")[0] for n in names}
    assert tops == {"softmax_explorer", *(t for t in tops if t.endswith(".dist-info"))}
    assert not [n for n in names if n.endswith((".pyc", ".log")) or "checkpoint" in n]
    metadata = next(n for n in names if n.endswith("/METADATA"))
    text = zipfile.ZipFile(next(dist.glob("*.whl"))).read(metadata).decode()
    assert "Requires-Dist: seaborn" in text
    entry_points = next(n for n in names if n.endswith("/entry_points.txt"))
    text = zipfile.ZipFile(next(dist.glob("*.whl"))).read(entry_points).decode()
    assert "softmax-explorer = softmax_explorer.serving.cli:main" in text
    assert "softmax-explorer-fork = softmax_explorer.serving.provisioner:ForkingProvisioner" in text


def test_the_installed_app_runs_outside_the_checkout(venv, tmp_path, browser):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    command = venv / "bin" / "softmax-explorer"
    helped = subprocess.run(
        [command, "--help"], cwd=outside, capture_output=True, text=True, check=True, timeout=60
    )
    assert "--preheat" in helped.stdout
    where = subprocess.run(
        [venv / "bin" / "python", "-c", "import softmax_explorer as se; print(se.__file__)"],
        cwd=outside, capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    assert where.startswith(str(venv)), where
    with running(start([str(command), "--no-browser"], outside)) as server:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.set_default_timeout(90_000)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(server.url)
            wait_for_dashboard(page)
            # the page template is the package's: its lost-kernel guard is in the page
            assert "softmax-explorer-lost" in page.content()
            assert errors == []
            # the kernel is the package's kernelspec, forked by the package's zygote (its
            # provisioner an entry point of the wheel), run by the new environment's Python
            kernels = wait_until(server.kernels, 30, "a kernel")
            proc = Path(f"/proc/{kernels[0][0]}")
            assert (proc / "comm").read_text().strip() == KERNEL_NAME
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            assert cmdline[0].decode().startswith(str(venv)), cmdline
            assert cmdline[1:3] == [b"-m", b"softmax_explorer.serving.zygote"], cmdline
        finally:
            context.close()
