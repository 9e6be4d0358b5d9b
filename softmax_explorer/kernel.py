"""The kernel `softmax-explorer` serves the app with: ipykernel, the app imported early.

When a page is opened, Voila starts a kernel, waits until it answers, waits a moment more for
stray output (jupyter_client's IOPub flush) and only then runs the notebook, whose first
statement imports the app (numpy, matplotlib, ipywidgets), most of the notebook's time. This
kernel starts that import in a thread as soon as it can answer, so the wait and the import
overlap; when the notebook's import comes, it finds the modules loaded or waits for the thread
to finish them.
The kernelspec (``share/kernels/softmax-explorer``) is found through the ``JUPYTER_PATH`` that
the CLI sets; a Voila without it runs the notebook in any Python kernel.

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
EARLY_IMPORT = "softmax_explorer.serve"


def main() -> None:
    """Start an ipykernel (same options as ``python -m ipykernel_launcher``)."""
    gc.disable()
    app = IPKernelApp.instance()
    app.initialize()
    threading.Thread(target=_import_early, name="early-import", daemon=True).start()
    app.start()


def _import_early() -> None:
    """Import `EARLY_IMPORT`, then freeze what exists and let the collector run again."""
    try:
        importlib.import_module(EARLY_IMPORT)
    finally:
        gc.freeze()
        gc.enable()


if __name__ == "__main__":
    del sys.path[0]  # as ipykernel_launcher: not the working directory while loading
    main()
