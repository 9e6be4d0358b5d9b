"""The kernel the served app runs in: a working ipykernel that imports the app by itself."""

from __future__ import annotations

import sys
import time
from importlib.resources import files
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

import softmax_explorer.serving.kernel
from softmax_explorer import serving

pytestmark = pytest.mark.kernel

# Nothing here imports the app: it shows whether the kernel already has.
PROBE = (
    "hasattr(__import__('sys').modules.get('softmax_explorer.serving.kernel_page'), "
    "'served_explorer')"
)
# The collector is paused until the early import is done.
COLLECTING = "__import__('gc').isenabled()"


@pytest.fixture
def client():
    specs = KernelSpecManager(kernel_dirs=[str(files(serving) / "share" / "kernels")])
    manager = KernelManager(kernel_name="softmax-explorer", kernel_spec_manager=specs)
    manager.start_kernel()
    kc = manager.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        yield manager, kc
    finally:
        kc.stop_channels()
        manager.shutdown_kernel(now=True)


def evaluate(kc, expression: str) -> str:
    reply = kc.execute_interactive("", user_expressions={"x": expression}, timeout=60)
    result = reply["content"]["user_expressions"]["x"]
    assert result["status"] == "ok", result
    return result["data"]["text/plain"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_kernelspec_runs_this_module(client):
    manager, _ = client
    cmdline = Path(f"/proc/{manager.provisioner.process.pid}/cmdline").read_bytes().split(b"\0")
    assert cmdline[1:3] == [b"-m", softmax_explorer.serving.kernel.__name__.encode()]


def test_the_app_is_imported_without_being_asked(client):
    _, kc = client
    deadline = time.monotonic() + 60
    while evaluate(kc, COLLECTING) != "True":
        assert time.monotonic() < deadline, "the early import left the garbage collector off"
        time.sleep(0.1)
    assert evaluate(kc, PROBE) == "True"
    # what the start and the import created is frozen: later collections skip it
    assert int(evaluate(kc, "__import__('gc').get_freeze_count()")) > 50_000
    # seaborn came without scipy (its KDE is never drawn), and scipy still imports
    assert evaluate(kc, "'scipy' in __import__('sys').modules") == "False"
    assert evaluate(kc, "'seaborn' in __import__('sys').modules") == "True"
    assert evaluate(kc, "float(__import__('scipy.stats').stats.norm.cdf(0))") == "0.5"
    # and the kernel works as any other: a statement runs, its output comes back
    assert evaluate(kc, "sum(range(10))") == "45"


@pytest.fixture
def modules(tmp_path, monkeypatch):
    """A package ``optional_dep`` and two modules: one that can do without it, one that can't."""
    (tmp_path / "optional_dep").mkdir()
    (tmp_path / "optional_dep" / "__init__.py").write_text("VALUE = 1\n")
    (tmp_path / "can_do_without.py").write_text(
        "try:\n    import optional_dep\n    WITH = True\nexcept ImportError:\n    WITH = False\n"
    )
    (tmp_path / "needs_it.py").write_text("import optional_dep\nWITH = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for name in ("optional_dep", "can_do_without", "needs_it"):
        sys.modules.pop(name, None)


def test_import_without_leaves_the_package_out_and_importable_after(modules):
    softmax_explorer.serving.kernel.import_without("can_do_without", "optional_dep")
    assert sys.modules["can_do_without"].WITH is False
    assert "optional_dep" not in sys.modules
    assert __import__("optional_dep").VALUE == 1


def test_import_without_imports_with_it_when_the_module_needs_it(modules):
    softmax_explorer.serving.kernel.import_without("needs_it", "optional_dep")
    assert sys.modules["needs_it"].WITH is True
    assert sys.modules["optional_dep"].VALUE == 1
