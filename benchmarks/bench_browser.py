"""Slider-to-repaint latency in a real browser: our app against the floor and the seed's approach.

Three kinds of page, each served by Voila and driven by Playwright in headless Chromium:

1. **floor**: one FloatSlider observed by a callback that sets a Label (no dashboard is faster);
2. **seed approach**: ``ipywidgets.interact`` building a new seaborn-styled figure (bars and a
   Jacobian heatmap) and calling ``plt.show()`` on every change, as the seed notebook does;
3. **our app** (`softmax-explorer`) at n = 4 and n = 32 moving theta_1; at n = 32 with the
   sampling view open (top-p 0.9, N = 1000 draws) moving the temperature, whose every step
   changes every plot, the sampler's distribution, its cut and the draws (theta_1's class is
   too improbable there for a step to change the view); and at n = 32 with 1.5-entmax (the
   costlier of the sparse mappings) in place of softmax, moving theta_30: its class is in the
   support, where theta_1's is not (a step there would change nothing on screen).

For each: the time from a key press on the focused slider to the frame after the last change of
the plot on screen (canvas draws, a new image, or new text, seen from inside the page; a change
must differ from what was shown before, or the step counts as lost), over ``--steps`` presses
after a warm-up, all apps' pages open and the presses taken in `ROUNDS` rounds, the apps in turn
(the machine's speed drifts over minutes: each ratio then compares steps taken under the same
drift); the time to the first render (median of ``--loads`` page opens, each with a new
kernel, the apps' opens taken in turn); the kernel's resident and private memory (ours are forked
from the server's zygote and share its pages). For our app also:
bursts of 10 quick presses, and of 10 presses at the rate a keyboard repeats a held key
(`BURST_KINDS`; the median time from the last press to the last repaint over `BURSTS` bursts of
each, taken in turn like the steps, and whether each last repaint shows the last value), and the
second page open
with ``--preheat``. One run, ratios side by side. With ``--pin`` (the default where there are
two cores or more) the servers and their kernels run on the first core and this process and its
browser on the others, as a class's browsers run on their own devices; ``--no-pin`` lets the
page and the kernel take turns on the same cores.

Run: ``python benchmarks/bench_browser.py`` (``--steps 3 --loads 1`` for a smoke run). Writes
the numbers to ``benchmarks/results/browser.json`` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from importlib.resources import files
from pathlib import Path

import nbformat
import numpy as np
from nbformat.v4 import new_code_cell, new_notebook
from timing import markdown_table, pin_apart

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the shared helpers, harness/
from harness.chromium import CHROMIUM_ARGS, find_chromium  # noqa: E402
from harness.page import DASHBOARD_READY  # noqa: E402
from harness.server import kernels, plain_voila, private_mb, rss_mb, running, start  # noqa: E402
from softmax_explorer.serving.cli import KERNEL_MALLOC  # noqa: E402
from softmax_explorer.state import SETTINGS, State  # noqa: E402

QUIET_MS = 400  # no further change for this long: the step is over
SAMPLING = "our app, n = 32, sampling view"
BURSTS = 5  # bursts of 10 presses per app, of each kind; the settle time reported is their median
#: The kinds of burst: the field of `Measured` holding their settle times -> (what they are,
#: seconds from one press to the next). A keyboard repeats a held key about 30 times a second.
BURST_KINDS = {
    "burst_settles_ms": ("a burst of 10 presses", 0.0),
    "held_settles_ms": ("a held key (10 presses 33 ms apart)", 1 / 30),
}
ROUNDS = 5  # the steps are taken in rounds, every app in turn: a change of load meets all alike
STEP_TIMEOUT_MS = 15_000

FLOOR = """
import ipywidgets as W
slider = W.FloatSlider(value=0.3, min=-3, max=3, step=0.05, description="theta")
label = W.Label("0.30")
slider.add_class("bench-slider")
label.add_class("bench-target")
slider.observe(lambda change: setattr(label, "value", f"{change['new']:.2f}"), "value")
W.VBox([slider, label])
"""

SEED = """
%matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from ipywidgets import FloatSlider, interact

sns.set_theme()
X = np.array([1.0, 4.0, 3.0, 2.0])

def show(z1, z2, z3, z4):
    z = np.array([z1, z2, z3, z4])
    g = np.exp(X * z) / np.sum(np.exp(X * z))
    jac = (np.diag(g) - np.outer(g, g)) * X
    fig, (bars, heat) = plt.subplots(1, 2, figsize=(10.4, 3.7))
    sns.barplot(x=["x1", "x2", "x3", "x4"], y=g, ax=bars)
    bars.set_ylim(0, 1)
    bars.set_title("Softmax")
    sns.heatmap(jac, annot=True, cmap="vlag", center=0, ax=heat)
    plt.show()

sliders = {f"z{k + 1}": FloatSlider(min=-3, max=3, step=0.05, value=v)
           for k, v in enumerate([0.3, 0.1, 0.9, 0.5])}
app = interact(show, **sliders)
app.widget.children[0].add_class("bench-slider")
app.widget.children[-1].add_class("bench-target")
"""

# Installed before any page script: records every change of what the target shows.
INSTRUMENT = """
window.__changes = [];
window.__keydowns = [];
document.addEventListener('keydown', () => window.__keydowns.push(performance.now()), true);
const mark = () => requestAnimationFrame(() => window.__changes.push(performance.now()));
const inTarget = (node) => node && node.closest &&
    node.closest('.bench-target, [class*="softmax-explorer-panel-"]');
const drawImage = CanvasRenderingContext2D.prototype.drawImage;
CanvasRenderingContext2D.prototype.drawImage = function (...args) {
  const result = drawImage.apply(this, args);
  if (inTarget(this.canvas)) mark();
  return result;
};
new MutationObserver((records) => {
  for (const r of records) {
    const node = r.target.nodeType === 3 ? r.target.parentElement : r.target;
    // the plot's text for screen readers is not on screen: it changes once the hand pauses
    if (!inTarget(node) || node.closest('.softmax-explorer-description')) continue;
    const imgs = [...r.addedNodes].filter((n) => n.tagName === 'IMG' ||
        (n.querySelector && n.querySelector('img')));
    if (imgs.length) {
      const img = imgs[0].tagName === 'IMG' ? imgs[0] : imgs[0].querySelector('img');
      img.decode().then(mark, mark);
    } else if (r.type === 'characterData' || r.addedNodes.length) {
      mark();
    }
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""

# What the target shows now (to confirm that a step changed it).
FINGERPRINT = """
() => {
  const canvases = [...document.querySelectorAll(
      '[class*="softmax-explorer-panel-"] canvas, .bench-target canvas')];
  if (canvases.length) return canvases.map((c) => c.toDataURL().length + ':' +
      c.toDataURL().slice(-64)).join('|');
  const target = document.querySelector('.bench-target');
  const img = target && target.querySelector('img');
  return img ? img.src.slice(-200) : (target ? target.innerText : '');
}
"""


@dataclass
class Measured:
    """One app's numbers (milliseconds, megabytes)."""

    name: str
    first_render_ms: float
    steps_ms: list[float] = field(default_factory=list)
    lost_steps: int = 0
    kernel_rss_mb: float = float("nan")
    kernel_private_mb: float = float("nan")
    burst_settles_ms: list[float] = field(default_factory=list)
    held_settles_ms: list[float] = field(default_factory=list)
    burst_last_value_shown: bool | None = None  # after every burst of either kind

    @property
    def median(self) -> float:
        return statistics.median(self.steps_ms) if self.steps_ms else float("nan")

    @property
    def p90(self) -> float:
        return float(np.percentile(self.steps_ms, 90)) if self.steps_ms else float("nan")


def write_notebook(path: Path, code: str) -> Path:
    """A one-cell notebook of ``code`` for the stock Python kernel, at ``path``."""
    nb = new_notebook(cells=[new_code_cell(code.strip())])
    spec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["kernelspec"] = spec
    nbformat.write(nb, path)
    return path


@contextmanager
def serve(command: list[str], workdir: Path):
    """A Voila server (ours or plain) on a free loopback port: ``(url, pid)``; stopped on exit."""
    share = str(files("softmax_explorer.serving") / "share")
    command = [*command, *(["--no-browser"] if "--no-browser" not in command else [])]
    with running(start(command, workdir, JUPYTER_PATH=share)) as server:
        yield server.url, server.process.pid


def kernel_memory_mb(server_pid: int) -> tuple[float, float]:
    """Resident and private memory of the newest kernel started by the server."""
    pid, _, rss = max(kernels(server_pid), key=lambda k: k[1])
    return rss, private_mb(pid)


def bare_kernel_rss_mb() -> float:
    """A kernel that imported what the app imports, and nothing else."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        kc.execute_interactive(
            "import numpy, matplotlib, ipywidgets, anywidget, softmax_explorer.app",
            timeout=120,
        )
        return rss_mb(km.provisioner.process.pid)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def open_app(browser, url: str, slider: str, ready: str):
    """Load a page; return (page, context, first-render milliseconds)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(INSTRUMENT)
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(url)
    page.wait_for_function(ready)
    page.wait_for_selector(slider)
    first_render = page.evaluate("performance.now()")
    page.wait_for_timeout(1000)
    return page, context, first_render


def settle(page, since: float) -> float | None:
    """Wait until changes after ``since`` stop for QUIET_MS; the time of the last, or None."""
    waited = 0
    while waited < STEP_TIMEOUT_MS:
        last = page.evaluate(f"Math.max(0, ...window.__changes.filter((t) => t > {since}))")
        now = page.evaluate("performance.now()")
        if last and now - last >= QUIET_MS:
            return last
        page.wait_for_timeout(50)
        waited += 50
    return None


def measure_steps(page, slider: str, steps: int, warmup: int = 3) -> tuple[list[float], int]:
    handle = page.locator(slider).first
    handle.focus()
    latencies, lost = [], 0
    for i in range(warmup + steps):
        before = page.evaluate(FINGERPRINT)
        page.keyboard.press("ArrowRight")
        pressed = page.evaluate("window.__keydowns[window.__keydowns.length - 1]")
        last = settle(page, pressed)
        changed = page.evaluate(FINGERPRINT) != before
        if i < warmup:
            continue
        if last is None or not changed:
            lost += 1
        else:
            latencies.append(last - pressed)
    return latencies, lost


@dataclass(frozen=True)
class Moved:
    """What our app's measured slider moves: theta_k (``k`` from 1) or a field of one number."""

    field: str
    k: int | None = None

    @property
    def slider(self) -> str:
        name = self.field if self.k is None else f"{self.field}-{self.k}"
        return f".softmax-explorer-{name} .noUi-handle"

    def value(self, page) -> float:
        """The value of the state the page shows, read from its share link."""
        link = page.locator(".softmax-explorer-link input").input_value()
        value = getattr(State.from_query(link.split("?", 1)[1]), self.field)
        return value if self.k is None else value[self.k - 1]

    def after(self, value: float, presses: int) -> float:
        """The value ``presses`` steps of the slider (as `SETTINGS` declares it) above ``value``."""
        slider = SETTINGS[self.field].slider
        if slider.log:
            return 10 ** (math.log10(value) + presses * slider.step)
        return value + presses * slider.step


def measure_bursts(
    page, moved: Moved, count: int = BURSTS, interval: float = 0.0
) -> tuple[list[float], bool]:
    """Bursts of ten presses, each from the slider's minimum, ``interval`` seconds apart (0: as
    quick as they go): the times from the last press to the last repaint, and whether every last
    repaint showed the last value."""
    page.locator(moved.slider).first.focus()
    settles, shown = [], True
    for _ in range(count):
        page.keyboard.press("Home")
        settle(page, page.evaluate("window.__keydowns[window.__keydowns.length - 1]"))
        expected = moved.after(moved.value(page), 10)
        start = time.monotonic()
        for k in range(10):
            time.sleep(max(0.0, start + k * interval - time.monotonic()))
            page.keyboard.press("ArrowRight", delay=0)
        last_press = page.evaluate("window.__keydowns[window.__keydowns.length - 1]")
        last = settle(page, last_press)
        reached = math.isclose(moved.value(page), expected, rel_tol=1e-9, abs_tol=1e-9)
        shown = shown and last is not None and reached
        if last is not None:
            settles.append(max(0.0, last - last_press))
    return settles, shown


def _slider(moved: Moved | str) -> str:
    return moved.slider if isinstance(moved, Moved) else moved


def run(
    steps: int, chromium: str, out: Path, loads: int = 7, server_pin: Sequence[str] = ()
) -> dict:
    """Measure every app; ``server_pin`` prefixes the servers' commands (`timing.pin_apart`)."""
    from playwright.sync_api import sync_playwright

    results: list[Measured] = []
    workdir = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    floor_nb = write_notebook(workdir / "floor.ipynb", FLOOR)
    seed_nb = write_notebook(workdir / "seed.ipynb", SEED)
    ours = [*server_pin, sys.executable, "-m", "softmax_explorer", "--host=127.0.0.1"]
    bench_slider = ".bench-slider .noUi-handle"
    theta_1, theta_30, temperature = Moved("theta", 1), Moved("theta", 30), Moved("temperature")
    # (name, server, query, what the slider moves (ours) or its selector, ready)
    apps = [
        ("floor", [*server_pin, *plain_voila(floor_nb)], "", bench_slider,
         "document.querySelector('.bench-target')"),
        ("seed approach", [*server_pin, *plain_voila(seed_nb)], "", bench_slider,
         "document.querySelector('.bench-target img')"),
        ("our app, n = 4", ours, "", theta_1, DASHBOARD_READY),
        ("our app, n = 32", ours, "?n=32", theta_1, DASHBOARD_READY),
        (SAMPLING, ours, "?n=32&sampling=true&top_p=0.9&samples=1000", temperature,
         DASHBOARD_READY),
        ("our app, n = 32, 1.5-entmax", ours, "?n=32&mapping=entmax15", theta_30,
         DASHBOARD_READY),
    ]  # fmt: skip
    with sync_playwright() as p, ExitStack() as servers:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        served = {
            name: servers.enter_context(serve(command, workdir)) for name, command, *_ in apps
        }
        # first renders, the apps' page opens taken in turn (each a new kernel: a cold render),
        # so that a change of the machine's load meets every app alike
        firsts = {name: [] for name, *_ in apps}
        for _ in range(loads):
            for name, _, query, moved, ready in apps:
                url = served[name][0] + query
                _, context, first = open_app(browser, url, _slider(moved), ready)
                context.close()
                firsts[name].append(first)
        # every app's page open at once; the steps and bursts taken in rounds, each app in turn
        pages = {}
        for name, _, query, moved, ready in apps:
            page, _, _ = open_app(browser, served[name][0] + query, _slider(moved), ready)
            pages[name] = page
            results.append(Measured(name, statistics.median(firsts[name])))
        for r in range(ROUNDS):
            share = steps // ROUNDS + (r < steps % ROUNDS)
            for m, (name, _, _, moved, _) in zip(results, apps, strict=True):
                taken, lost = measure_steps(pages[name], _slider(moved), share, 3 if r == 0 else 0)
                m.steps_ms += taken
                m.lost_steps += lost
        for _ in range(BURSTS):
            for kind, (_, interval) in BURST_KINDS.items():
                for m, (name, _, _, moved, _) in zip(results, apps, strict=True):
                    if isinstance(moved, Moved):
                        settles, shown = measure_bursts(pages[name], moved, 1, interval)
                        getattr(m, kind).extend(settles)
                        m.burst_last_value_shown = m.burst_last_value_shown is not False and shown
        for m, (name, *_) in zip(results, apps, strict=True):
            m.kernel_rss_mb, m.kernel_private_mb = kernel_memory_mb(served[name][1])
            pages[name].context.close()
            print(f"  {m.name}: median {m.median:.0f} ms over {len(m.steps_ms)} steps", flush=True)
        with serve([*ours, "--preheat=2"], workdir) as (url, _):
            time.sleep(8)  # the pool fills
            _, context, first = open_app(browser, url, theta_1.slider, DASHBOARD_READY)
            context.close()
            time.sleep(8)
            _, context, second = open_app(browser, url, theta_1.slider, DASHBOARD_READY)
            context.close()
            preheat = {"first_open_ms": first, "second_open_ms": second}
        browser.close()

    compute_ms = kernel_compute_ms(max(5, steps))
    report = {
        "steps": steps,
        "pinned": bool(server_pin),
        "loads": loads,
        "apps": [asdict(m) | {"median_ms": m.median, "p90_ms": m.p90} for m in results],
        "preheat": preheat,
        "compute_n32_ms": compute_ms,
        "bare_kernel_rss_mb": bare_kernel_rss_mb(),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    return report


# compute() for states the n = 32 slider moves to, timed in a process like a served kernel
COMPUTE = """
import statistics, sys, time
import numpy as np
from softmax_explorer.results import compute
from softmax_explorer.state import State
rng = np.random.default_rng(0)
states = [State().resized(32).replace(theta=tuple(rng.uniform(-3, 3, 32)))
          for _ in range(int(sys.argv[1]) + 3)]
times = []
for s in states:
    start = time.perf_counter()
    compute(s)
    times.append((time.perf_counter() - start) * 1000)
print(statistics.median(times[3:]))
"""


def kernel_compute_ms(count: int) -> float:
    """Median milliseconds of `compute` at n = 32, with the served kernels' malloc settings."""
    out = subprocess.run(
        [sys.executable, "-c", COMPUTE, str(count)], capture_output=True, text=True, check=True,
        env={**os.environ, "GLIBC_TUNABLES": KERNEL_MALLOC}, timeout=300,
    )  # fmt: skip
    return float(out.stdout.strip())


def table(report: dict) -> str:
    apps = {a["name"]: a for a in report["apps"]}
    floor, seed = apps["floor"], apps["seed approach"]
    rows = []
    for a in report["apps"]:
        rows.append(
            [
                a["name"],
                f"{a['first_render_ms']:.0f} ms",
                f"{a['median_ms']:.0f} ms",
                f"{a['p90_ms']:.0f} ms",
                f"{a['median_ms'] / floor['median_ms']:.1f}x",
                f"{seed['median_ms'] / a['median_ms']:.1f}x",
                str(a["lost_steps"]),
                f"{a['kernel_rss_mb']:.0f} MB",
                f"{a['kernel_private_mb']:.0f} MB",
            ]
        )
    header = ["page", "first render", "step median", "step p90", "/ floor", "seed /", "lost"]
    header += ["kernel RSS", "kernel private"]
    where = "apart from" if report["pinned"] else "on the same cores as"
    lines = [f"The servers and kernels ran {where} the browser.", "", markdown_table(header, rows)]
    lines.append("")
    n4, n32 = apps["our app, n = 4"], apps["our app, n = 32"]
    for a in report["apps"]:
        for kind, (what, _) in BURST_KINDS.items():
            if settles := a[kind]:
                burst = statistics.median(settles)
                lines.append(
                    f"- {a['name']}: {what} settles {burst:.0f} ms after the last press, median "
                    f"of {len(settles)} ({min(settles):.0f}-{max(settles):.0f} ms), "
                    f"{burst / a['median_ms']:.1f}x a single step; last value shown: "
                    f"{a['burst_last_value_shown']}"
                )
    whole = n32["median_ms"]
    lines.append(
        f"- compute (numerics) per update at n = 32: {report['compute_n32_ms']:.1f} ms, "
        f"{report['compute_n32_ms'] / whole:.2f} of the whole update ({whole:.0f} ms)"
    )
    lines.append(
        f"- first render: ours {n4['first_render_ms'] / floor['first_render_ms']:.2f}x the "
        f"floor's; with --preheat 2: first open {report['preheat']['first_open_ms']:.0f} ms, "
        f"second open {report['preheat']['second_open_ms']:.0f} ms"
    )
    lines.append(
        f"- kernel memory: a bare kernel with the same imports {report['bare_kernel_rss_mb']:.0f} "
        f"MB; the app's kernel {n4['kernel_rss_mb']:.0f} MB (n = 4), "
        f"{n32['kernel_rss_mb']:.0f} MB (n = 32)"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=40, help="key presses per app (default 40)")
    parser.add_argument(
        "--loads", type=int, default=7, help="page opens per app for the first render (median)"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "browser.json"
    )
    parser.add_argument(
        "--pin", action=argparse.BooleanOptionalAction, default=None,
        help="servers on the first core, the browser on the others (default: two cores or more)",
    )  # fmt: skip
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        sys.exit("no Chromium found: run `python -m harness.chromium`")
    report = run(args.steps, chromium, args.out, args.loads, pin_apart(args.pin))
    print(table(report))


if __name__ == "__main__":
    main()
