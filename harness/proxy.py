"""Find JupyterHub's configurable-http-proxy for the hub tests, installing it with npm if needed.

Looked for, in order: ``$SOFTMAX_EXPLORER_CHP``; ``configurable-http-proxy`` on the PATH; the
copy this script installs (``npm install --prefix .venv/chp configurable-http-proxy``, when
npm is there). Otherwise it prints how to get one and, under CI (``CI=true``), fails: the hub
tests must never be skipped silently there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

#: Where the copy installed by this script lives (inside the virtual environment).
PREFIX = Path(sys.prefix) / "chp"
PACKAGE = "configurable-http-proxy@5"


def find_proxy() -> str | None:
    """The path of configurable-http-proxy, or None."""
    explicit = os.environ.get("SOFTMAX_EXPLORER_CHP")
    if explicit:
        return explicit if Path(explicit).exists() else None
    local = PREFIX / "node_modules" / ".bin" / "configurable-http-proxy"
    return shutil.which("configurable-http-proxy") or (str(local) if local.exists() else None)


def main() -> int:
    """Find or install the proxy; exit status 1 if there is none under CI."""
    path = find_proxy()
    if path is None and shutil.which("npm"):
        print(f"harness.proxy: installing {PACKAGE} with npm into {PREFIX}", flush=True)
        subprocess.run(
            ["npm", "install", "--silent", "--no-fund", "--no-audit", "--prefix", str(PREFIX),
             PACKAGE],
            check=True,
        )  # fmt: skip
        path = find_proxy()
    if path:
        print(f"harness.proxy: using {path}")
        return 0
    print(
        "harness.proxy: no configurable-http-proxy found. Install Node.js and npm, then run "
        "`python -m harness.proxy` again (or `npm install -g configurable-http-proxy`).",
        file=sys.stderr,
    )
    return 1 if os.environ.get("CI") == "true" else 0


if __name__ == "__main__":
    sys.exit(main())
