"""``softmax-explorer``: serve the dashboard through Voila, with safe defaults.

Every option not listed below is passed to Voila unchanged (``--VoilaConfiguration.*``,
``--base_url``, ...). The served notebook ships inside the package, so this works after a plain
``pip install``.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import os
import secrets
import socket
import sys
from importlib.resources import files

from ..looks import CONTEXTS, THEMES
from ..state import PRESETS
from ..teaching.lesson import LESSONS, LessonError, load_lesson
from .classroom import ClassroomKernelManager, default_max_kernels, kernel_transport

__all__ = ["build_argv", "is_loopback", "main", "parse_args", "shared_url"]

#: Files Voila may serve besides the page: images only (no .py, .ipynb, data or dotfiles).
FILE_ALLOWLIST = r".*\.(png|jpg|jpeg|gif|svg)$"
#: The front-end extensions the page loads: Voila's widget manager, the widgets' views and
#: anywidget (the canvas). Others installed beside them (JupyterLab's and Notebook 7's own,
#: ipympl's, pygments') are not loaded: not needed, they cost requests, and some fail outside
#: their application.
EXTENSIONS = (
    "@voila-dashboards/widgets-manager8",
    "@jupyter-widgets/jupyterlab-manager",
    "anywidget",
)
#: The kernels' malloc settings. glibc hands freed blocks over 128 kB back to the system at once,
#: so every update's step sweep (arrays of several hundred kB at n = 32) would fault in fresh
#: pages again; kept instead, they cost a few MB per kernel.
KERNEL_MALLOC = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864"
#: Seconds without a page arriving before the pool replaces the kernels pages took: a class
#: arriving at once is not slowed by kernels started for the next class.
REFILL_QUIET = 5
#: Seconds Voila waits, once a page's notebook cell has run, for the rest of its kernel's output
#: (the dashboard's widgets) to reach the server. Kernels started together by a class arriving
#: at once send it together, and the server reads it in turn; at Voila's default, 4 s, some of
#: those pages were rendered without their dashboard. The wait ends as the output does.
OUTPUT_WAIT = 120
#: Seconds between the server's checks that each kernel lives: a page is told of its kernel's
#: death within about this long (a check costs a poll of the kernel's process).
DEATH_CHECK = 1


def _positive(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def parse_args(argv: list[str] | None = None) -> tuple[argparse.Namespace, list[str]]:
    """Our options, and the rest (for Voila)."""
    parser = argparse.ArgumentParser(
        prog="softmax-explorer",
        description="Serve the softmax explorer dashboard in the browser (through Voila).",
        epilog="Any other option is passed to Voila unchanged, e.g. --base_url=/softmax/. "
        "The page's URL query string sets the state: ?preset=overflow, ?n=6&temperature=0.5.",
    )
    parser.add_argument("--port", type=int, default=8866, help="port to listen on (default 8866)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only). Another address, "
        "such as 0.0.0.0 for a class's laptops, requires a token: the start-up lines print the "
        "link to share, which carries it",
    )
    access = parser.add_mutually_exclusive_group()
    access.add_argument(
        "--token",
        help="the class token that a browser's first visit carries (?token=...; it is then "
        "kept in a cookie). Default: a new random one at each start when --host is not a "
        "loopback address; none on loopback unless given",
    )
    access.add_argument(
        "--no-token",
        action="store_true",
        help="serve off loopback without a token. Safe only behind a reverse proxy that "
        "authenticates every request, or on a network where everyone who can reach the port "
        "may run code on this machine",
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="do not open a browser tab at start"
    )
    parser.add_argument("--theme", choices=THEMES, default="light", help="page and figure colours")
    parser.add_argument(
        "--context",
        choices=CONTEXTS,
        default="notebook",
        help="size of the figures' text and lines (seaborn's plotting contexts; default "
        "notebook, talk for a projector)",
    )
    start = parser.add_mutually_exclusive_group()
    start.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        help="state every page starts in (a URL's ?preset= still wins)",
    )
    start.add_argument(
        "--lesson",
        metavar="NAME_OR_FILE",
        help=f"a lesson every page starts at, with Previous and Next: a shipped one "
        f"({', '.join(LESSONS)}) or a lesson file (JSON); ?lesson={LESSONS[0]}&step=4 opens a step",
    )
    parser.add_argument(
        "--preheat",
        type=_positive,
        default=0,
        metavar="N",
        help="keep N kernels ahead of visitors with the dashboard built and drawn (faster page "
        "opens). A kernel a page takes is replaced once the pages being opened have connected "
        f"and no page has arrived for {REFILL_QUIET} s, so N students can arrive at once, each "
        "served by a ready kernel",
    )
    cap = default_max_kernels()
    parser.add_argument(
        "--max-kernels",
        type=_positive,
        default=cap,
        metavar="N",
        help="most kernels alive at once, pooled ones included; a page beyond them gets a "
        '"class is full" page (HTTP 503, Retry-After) and starts nothing, until a page closes '
        f"(default {cap or 'no limit'}: this machine's memory, or the server's memory limit, at "
        "250 MB per session; 0 for no "
        "limit)",
    )
    parser.add_argument(
        "--cull-after",
        type=_positive,
        default=300,
        metavar="SECONDS",
        help="shut down a kernel whose page has been closed for this long (default 300)",
    )
    args, extra = parser.parse_known_args(argv)
    if args.max_kernels and args.preheat > args.max_kernels:
        parser.error(f"--preheat {args.preheat} is more than --max-kernels {args.max_kernels}")
    if args.token is not None and not args.token.strip():
        parser.error("--token is empty: give one, or --no-token to serve without")
    if args.token is None:
        args.token = "" if args.no_token or is_loopback(args.host) else secrets.token_urlsafe(16)
    return args, extra


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: other machines may reach it
        return False


def shared_url(host: str, port: int, token: str) -> str:
    """The link to give a class: the address other machines reach, with the token if any.

    For a wildcard host (``0.0.0.0``, ``::``), this machine's address on its default route, or
    its host name where it has none.
    """
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostname()
        with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # picks the route; a UDP connect sends nothing
            host = s.getsockname()[0]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/" + (f"?token={token}" if token else "")


def _lesson_source(lesson: str) -> str:
    """A lesson's name, or its file's absolute path (the kernels run elsewhere).

    A problem with it is printed here and shown on every page, which then opens without it.
    """
    source = lesson if lesson in LESSONS else os.path.abspath(lesson)
    try:
        load_lesson(source)
    except LessonError as err:
        print(f"softmax-explorer: the lesson is not shown: {err}", file=sys.stderr, flush=True)
    return source


def notebook_path() -> str:
    """The packaged app notebook."""
    return str(files(__package__) / "app.ipynb")


def _trait(option: str) -> str | None:
    """The setting a Voila command-line option sets (``Class.name``, aliases resolved), or None."""
    from voila.app import Voila

    if not option.startswith("--"):
        return None
    name = option[2:].split("=", 1)[0]
    alias = Voila.aliases.get(name, name)
    return alias if isinstance(alias, str) else alias[0]


def build_argv(args: argparse.Namespace, extra: list[str]) -> list[str]:
    """Voila's command line for our options, then ``extra``.

    A setting given in ``extra`` replaces ours (traitlets refuses two values for one setting).
    """
    argv = [
        notebook_path(),
        f"--port={args.port}",
        f"--Voila.ip={args.host}",
        f"--theme={args.theme}",
        "--template=softmax",
        "--strip_sources=True",
        "--show_tracebacks=False",
        f"--VoilaConfiguration.file_allowlist={FILE_ALLOWLIST}",
        *(f"--VoilaConfiguration.extension_allowlist={name}" for name in EXTENSIONS),
        f"--MappingKernelManager.cull_idle_timeout={args.cull_after}",
        f"--MappingKernelManager.cull_interval={max(1, min(60, args.cull_after // 2 or 1))}",
        "--MappingKernelManager.cull_connected=False",
        f"--VoilaConfiguration.multi_kernel_manager_class={ClassroomKernelManager.__module__}."
        f"{ClassroomKernelManager.__name__}",
        f"--ClassroomKernelManager.max_kernels={args.max_kernels}",
        f"--ClassroomKernelManager.refill_quiet={REFILL_QUIET}",
        "--ClassroomKernelManager.fork_kernels=True",
        f"--KernelManager.transport={kernel_transport()}",
        f"--VoilaExecutor.iopub_timeout={OUTPUT_WAIT}",
        # a dead kernel is reported, never restarted under a page whose widgets it lost
        "--KernelRestarter.restart_limit=0",
        f"--KernelRestarter.time_to_dead={DEATH_CHECK}",
    ]
    if args.token:
        argv.append(f"--Voila.token={args.token}")
    if args.no_browser:
        argv.append("--no-browser")
    if args.preheat:
        argv += [
            "--preheat_kernel=True",
            f"--pool_size={args.preheat}",
            "--VoilaKernelManager.fill_delay=0",
        ]
    given = {_trait(option) for option in extra} - {None}
    return [option for option in argv if _trait(option) not in given] + extra


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``softmax-explorer`` and ``python -m softmax_explorer``."""
    args, extra = parse_args(argv)
    os.environ["SOFTMAX_EXPLORER_THEME"] = args.theme
    os.environ["SOFTMAX_EXPLORER_CONTEXT"] = args.context
    # our page template (Voila's lab page without third-party requests) lives in the package
    share = str(files(__package__) / "share")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [share, *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    )
    if args.preset:
        os.environ["SOFTMAX_EXPLORER_PRESET"] = args.preset
    if args.lesson:
        os.environ["SOFTMAX_EXPLORER_LESSON"] = _lesson_source(args.lesson)
    os.environ.setdefault("GLIBC_TUNABLES", KERNEL_MALLOC)  # read when a kernel starts
    from . import voila_fixes
    from .voila_app import ExplorerVoila

    fixes = voila_fixes.apply()
    if args.token:
        print(
            "softmax-explorer: serving; the link to share (it carries the class token): "
            + shared_url(args.host, args.port, args.token),
            flush=True,
        )
    else:
        print(f"softmax-explorer: serving at {shared_url(args.host, args.port, '')}", flush=True)
    ExplorerVoila.launch_instance(argv=build_argv(args, [*fixes, *extra]))


if __name__ == "__main__":
    main(sys.argv[1:])
