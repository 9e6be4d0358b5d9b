"""Many random student actions on the served page (the test runs 200; this runs 1,000).

Counts console errors, page errors and kernel tracebacks (in the server's log), and checks the
page still answers a slider at the end. Run: ``python benchmarks/random_actions.py --actions 1000``.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from bench_browser import ROOT, serve

sys.path.insert(0, str(ROOT))  # the shared helpers, harness/
from harness.chromium import CHROMIUM_ARGS, find_chromium
from harness.page import DASHBOARD_READY, act, link_state, wait_for_link


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        sys.exit("no Chromium found: run `python -m harness.chromium`")
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="random-actions-"))
    command = [sys.executable, "-m", "softmax_explorer", "--host=127.0.0.1"]
    console_errors, page_errors, kinds = [], [], {}
    start = time.monotonic()
    with serve(command, workdir) as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(90_000)
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page_errors.append(str(e)))
        page.goto(url)
        page.wait_for_function(DASHBOARD_READY)
        rng = random.Random(args.seed)
        for _ in range(args.actions):
            kind = act(page, rng)
            kinds[kind] = kinds.get(kind, 0) + 1
        page.wait_for_timeout(1500)
        state = link_state(page)
        page.locator(".softmax-explorer-theta-1 .noUi-handle").focus()
        page.keyboard.press("ArrowLeft" if state.theta[0] > -2.9 else "ArrowRight")
        wait_for_link(page, lambda s: s.theta[0] != state.theta[0])
        browser.close()
    log = "".join(path.read_text(errors="replace") for path in workdir.glob("server-*.log"))
    tracebacks = log.count("Traceback")
    print(f"{args.actions} actions in {time.monotonic() - start:.0f} s: {kinds}")
    print(
        f"console errors: {len(console_errors)}, page errors: {len(page_errors)}, "
        f"kernel tracebacks: {tracebacks}; the page answered a slider at the end"
    )
    if console_errors or page_errors or tracebacks:
        print("\n".join((console_errors + page_errors)[:10]))
        sys.exit(1)


if __name__ == "__main__":
    main()
