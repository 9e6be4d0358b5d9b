"""The kernel `softmax-explorer` serves the app with: ipykernel, the app imported early.

When a page is opened, Voila starts a kernel, waits until it answers, waits a moment more for stray
output (jupyter_client's IOPub flush) and only then runs the notebook, whose first statement imports
the app (numpy, matplotlib, ipywidgets), most of the notebook's time. This kernel starts that import
in a thread as soon as it can answer, so the wait and the import overlap; when the notebook's import
comes, it finds the modules loaded or waits for the thread to finish them. A kernel forked by the
zygote (`softmax_explorer.serving.zygote`) finds them imported already, ipywidgets included, whose
comm targets it registers once the shell exists.

The kernelspec (``serving/share/kernels/softmax-explorer``) is found through the ``JUPYTER_PATH``
that the CLI sets; a Voila without it runs the notebook in any Python kernel.

scipy is kept out of that import: seaborn imports ``scipy.stats`` only for the kernel density
estimates it draws, which the app never asks for, and uses its own copy of ``gaussian_kde`` without
scipy (what that saves: docs/performance.md, "A served page's kernel"). If seaborn cannot be
imported that way, the import is simply repeated with scipy. Either way, scipy can be imported as
usual afterwards.

Python's cyclic garbage collector is paused until that import is done: the start and the import
create some 150,000 objects that live as long as the kernel, which full collections would scan
while the page waits. They are then frozen (`gc.freeze`), so that later collections skip them.
"""

from __future__ import annotations

import gc
import importlib
import sys
import threading

from ipykernel.kernelapp import IPKernelApp

#: What the served notebook imports first.
EARLY_IMPORT = "softmax_explorer.serving.kernel_page"
#: What that import leaves out (see the module's docstring).
LEFT_OUT = "scipy"


def main() -> None:
    """Start an ipykernel (same options as ``python -m ipykernel_launcher``)."""
    gc.disable()
    app = IPKernelApp.instance()
    app.initialize()
    if "ipywidgets" in sys.modules:  # imported before the shell existed (a forked kernel)
        sys.modules["ipywidgets"].register_comm_target()
    threading.Thread(target=_import_early, name="early-import", daemon=True).start()
    app.start()


def _import_early() -> None:
    """Import `EARLY_IMPORT`, then freeze what exists and let the collector run again."""
    try:
        import_without(EARLY_IMPORT, LEFT_OUT)
    finally:
        gc.freeze()
        gc.enable()


def import_without(module: str, left_out: str) -> None:
    """Import ``module`` with the package ``left_out`` made unimportable meanwhile.

    If ``module`` cannot do without it, the import is repeated with it (a failed import leaves
    no half-run module behind). ``left_out`` is importable again afterwards.
    """
    if left_out in sys.modules:  # imported already: nothing to leave out
        importlib.import_module(module)
        return
    sys.modules[left_out] = None  # importing it, or any of its modules, raises ImportError
    try:
        importlib.import_module(module)
    except ImportError:
        del sys.modules[left_out]
        importlib.import_module(module)
    finally:
        if left_out in sys.modules and sys.modules[left_out] is None:
            del sys.modules[left_out]


if __name__ == "__main__":
    del sys.path[0]  # as ipykernel_launcher: not the working directory while loading
    main()
