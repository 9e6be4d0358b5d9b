"""The dashboard as an app of a Jupyter server, through jupyter-server-proxy's entry point.

With ``jupyter-server-proxy`` installed beside the package, a Jupyter server (JupyterLab's, a
JupyterHub user's) starts `softmax-explorer` when ``softmax/app/`` under its base URL is first
opened, proxies it, and shows it in JupyterLab's launcher. The app's routes live under
``/app/`` of its own server, so that the proxy's readiness check (a request for ``/``) is a
quick 404 and starts no kernel; its pages refer to the proxied base URL.
"""

from __future__ import annotations

import sys

__all__ = ["PATH", "server"]

#: Where the dashboard is, under the Jupyter server's base URL.
PATH = "softmax/app/"


def server() -> dict:
    """jupyter-server-proxy's description of the process that serves the dashboard."""
    command = [
        sys.executable, "-m", "softmax_explorer", "--port={port}", "--no-browser",
        f"--Voila.base_url={{base_url}}{PATH}", "--Voila.server_url=/app/",
    ]  # fmt: skip
    return {
        "command": command,
        "timeout": 120,
        "absolute_url": False,
        "launcher_entry": {"title": "Softmax explorer", "path_info": PATH},
    }
