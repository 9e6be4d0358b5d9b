"""The test harness ends what tests start: orphans are found, servers end their whole tree."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from harness.server import Server, adopt_orphans, end, tree, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _gone(pid: int) -> bool:
    return pid not in tree(os.getpid()) and pid not in tree(1)


def test_an_orphan_stays_among_the_test_process_descendants_and_is_ended():
    adopt_orphans()
    parent = subprocess.Popen(["sh", "-c", "sleep 300 & echo $!"], stdout=subprocess.PIPE)
    orphan = int(parent.stdout.readline())
    parent.wait(timeout=10)
    found = tree(os.getpid())
    assert found[orphan][1].strip() == "sleep 300"  # its parent has ended: it is ours now
    assert end({orphan: found[orphan]}, grace=5) == [found[orphan][1]]
    wait_until(lambda: _gone(orphan), 5, "the orphan ending")
    os.waitpid(orphan, 0)  # reaped by its adoptive parent
    assert end({orphan: found[orphan]}) == []  # an ended process is not signalled again


def test_a_server_stopped_ends_what_it_started_in_sessions_of_its_own(tmp_path):
    adopt_orphans()
    process = subprocess.Popen(["sh", "-c", "setsid sleep 300 & wait"], start_new_session=True)
    # its child is "sh" until it runs setsid, and "setsid" until that runs sleep
    ((child, _),) = wait_until(
        lambda: [(pid, i) for pid, i in tree(process.pid).items() if i[1].strip() == "sleep 300"],
        5,
        "its child to run sleep",
    )
    assert os.getsid(child) != os.getsid(process.pid)  # out of reach of its group's signal
    Server("http://127.0.0.1:1/", process, tmp_path / "log").stop()
    wait_until(lambda: _gone(child), 15, "the child ending")
