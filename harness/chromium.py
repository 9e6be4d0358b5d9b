"""Find a Chromium for the browser tests and benchmarks, installing Debian's package when possible.

Looked for, in order: ``$SOFTMAX_EXPLORER_CHROMIUM``; a system Chromium or Chrome on the PATH;
Playwright's own download (``playwright install chromium``). If none is found and this runs as root
on a machine with apt-get, ``apt-get install -y chromium`` is run. Otherwise it prints how to get
one and, under CI (``CI=true``), fails: the browser tests must never be skipped silently there.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
#: Flags for a headless Chromium that works here (as root, no GPU, no network besides loopback);
#: the browser tests and the benchmarks launch it with these and a fresh profile.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def find_chromium() -> str | None:
    """The path of a Chromium-family browser, or None."""
    explicit = os.environ.get("SOFTMAX_EXPLORER_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in SYSTEM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    cache = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or str(
        Path.home() / ".cache" / "ms-playwright"
    )
    for pattern in (
        "chromium-*/chrome-linux*/chrome",
        "chromium-*/chrome-mac*/Chromium.app/Contents/MacOS/Chromium",
    ):
        found = sorted(glob.glob(str(Path(cache) / pattern)))
        if found:
            return found[-1]
    return None


def _install_with_apt() -> bool:
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("harness.chromium: installing Debian's chromium with apt-get", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
    return True


def main() -> int:
    path = find_chromium()
    if path is None and _install_with_apt():
        path = find_chromium()
    if path:
        print(f"harness.chromium: using {path}")
        return 0
    print(
        "harness.chromium: no Chromium found. Install one (Debian/Ubuntu: `sudo apt-get install "
        "chromium`; elsewhere: `.venv/bin/playwright install chromium`), or point "
        "SOFTMAX_EXPLORER_CHROMIUM at a Chrome/Chromium binary.",
        file=sys.stderr,
    )
    return 1 if os.environ.get("CI") == "true" else 0


if __name__ == "__main__":
    sys.exit(main())
