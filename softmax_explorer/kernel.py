"""The kernel `softmax-explorer` serves the app with: ipykernel, the app imported early.

When a page is opened, Voila starts a kernel, waits until it answers, waits 0.2 s more for
stray output (jupyter_client's IOPub flush) and only then runs the notebook, whose first
statement imports the app (numpy, matplotlib, ipywidgets: about 0.5 s). This kernel starts that
import in a thread as soon as it can answer, so the wait and the import overlap; when the
notebook's import comes, it finds the modules loaded or waits for the thread to finish them.
The kernelspec (``share/kernels/softmax-explorer``) is found through the ``JUPYTER_PATH`` that
the CLI sets; a Voila without it runs the notebook in any Python kernel.
"""

from __future__ import annotations

import importlib
import sys
import threading

from ipykernel.kernelapp import IPKernelApp

#: What the served notebook imports first.
EARLY_IMPORT = "softmax_explorer.serve"


def main() -> None:
    """Start an ipykernel (same options as ``python -m ipykernel_launcher``)."""
    app = IPKernelApp.instance()
    app.initialize()
    threading.Thread(
        target=importlib.import_module, args=(EARLY_IMPORT,), name="early-import", daemon=True
    ).start()
    app.start()


if __name__ == "__main__":
    del sys.path[0]  # as ipykernel_launcher: not the working directory while loading
    main()
