"""The `softmax-explorer` command's environment for its kernels (the server is tested in e2e)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from softmax_explorer.serving.cli import KERNEL_MALLOC, build_argv, parse_args, shared_url

# main() with Voila's launch replaced by printing what a kernel would inherit
LAUNCH = """
from unittest import mock
import json
import os
from voila.app import Voila
from softmax_explorer.serving import cli
with mock.patch.object(Voila, "launch_instance", lambda **kw: print(os.environ["GLIBC_TUNABLES"])):
    cli.main(["--no-browser"])
"""

# minor page faults per step-sweep update at n = 32 (each fresh 4 kB page touched is one)
FAULTS = """
import resource
import numpy as np
from softmax_explorer.results import compute
from softmax_explorer.state import State
rng = np.random.default_rng(0)
states = [State().resized(32).replace(theta=tuple(rng.uniform(-3, 3, 32))) for _ in range(21)]
compute(states[0])
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for s in states[1:]:
    compute(s)
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20)
"""


def _run(code: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"} | env
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, check=True, timeout=120, env=environ,
    ).stdout.strip().splitlines()[-1]  # fmt: skip


def test_kernels_inherit_the_malloc_settings():
    assert _run(LAUNCH) == KERNEL_MALLOC


def test_a_users_own_malloc_settings_are_kept():
    assert _run(LAUNCH, GLIBC_TUNABLES="glibc.malloc.arena_max=2") == "glibc.malloc.arena_max=2"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's tunables")
def test_the_malloc_settings_spare_the_sweep_its_page_faults():
    """With them an update touches few fresh pages (about 1,300 with glibc's defaults)."""
    assert float(_run(FAULTS, GLIBC_TUNABLES=KERNEL_MALLOC)) < 200


# main() with a lesson, printing what the pages' kernels would be told
LESSON_LAUNCH = """
from unittest import mock
import os, sys
from voila.app import Voila
from softmax_explorer.serving import cli
lesson = lambda **kw: print(os.environ["SOFTMAX_EXPLORER_LESSON"])
with mock.patch.object(Voila, "launch_instance", lesson):
    cli.main(["--no-browser", "--lesson", sys.argv[1]])
"""


def _launch_with_lesson(lesson: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", LESSON_LAUNCH, lesson],
        capture_output=True, text=True, check=True, timeout=120, cwd=cwd,
    )  # fmt: skip


def test_a_shipped_lesson_is_passed_by_name_and_a_file_by_its_absolute_path(tmp_path):
    assert _launch_with_lesson("seed", tmp_path).stdout.splitlines()[-1] == "seed"
    step = {"title": "a", "text": "b", "state": {"preset": "hot"}}
    (tmp_path / "week3.json").write_text(json.dumps({"title": "W", "steps": [step]}))
    result = _launch_with_lesson("week3.json", tmp_path)
    assert result.stdout.splitlines()[-1] == str(tmp_path / "week3.json")
    assert result.stderr == ""


def test_an_invalid_lesson_is_reported_at_start_and_the_server_still_starts(tmp_path):
    step = {"title": "a", "text": "b", "state": {"h": "small"}}
    (tmp_path / "bad.json").write_text(json.dumps({"title": "W", "steps": [step, step]}))
    result = _launch_with_lesson("bad.json", tmp_path)
    assert result.stdout.splitlines()[-1] == str(tmp_path / "bad.json")  # launched all the same
    assert (
        f"softmax-explorer: the lesson is not shown: {tmp_path / 'bad.json'}: step 1, state: "
        "h: 'small' is not a number" in result.stderr
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_needs_no_token_unless_one_is_given(host):
    args, _ = parse_args([f"--host={host}"])
    assert args.token == ""
    assert not any(option.startswith("--Voila.token") for option in build_argv(args, []))
    args, _ = parse_args([f"--host={host}", "--token=abc"])
    assert "--Voila.token=abc" in build_argv(args, [])


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "teacher-laptop"])
def test_off_loopback_a_token_is_required_and_new_at_each_start(host):
    first, second = (parse_args([f"--host={host}"])[0] for _ in range(2))
    assert len(first.token) >= 16
    assert first.token != second.token
    assert f"--Voila.token={first.token}" in build_argv(first, [])
    given, _ = parse_args([f"--host={host}", "--token", "class-7b"])
    assert given.token == "class-7b"
    opted_out, _ = parse_args([f"--host={host}", "--no-token"])
    assert opted_out.token == ""
    assert not any(option.startswith("--Voila.token") for option in build_argv(opted_out, []))


@pytest.mark.parametrize(
    "argv", [["--token", ""], ["--token", "  "], ["--token=abc", "--no-token"]]
)
def test_an_empty_token_or_both_options_are_refused(argv, capsys):
    with pytest.raises(SystemExit):
        parse_args(argv)
    assert "--token" in capsys.readouterr().err


def test_the_shared_link_carries_the_token_and_an_address_others_reach():
    assert shared_url("127.0.0.1", 8866, "") == "http://127.0.0.1:8866/"
    assert shared_url("192.168.1.20", 80, "t0k") == "http://192.168.1.20:80/?token=t0k"
    assert shared_url("::1", 8866, "") == "http://[::1]:8866/"
    wildcard = shared_url("0.0.0.0", 8866, "t0k")
    assert "0.0.0.0" not in wildcard
    assert wildcard.endswith(":8866/?token=t0k")
