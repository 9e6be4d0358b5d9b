"""Shared test settings: hypothesis profiles, the CI switch, and no process left running.

``HYPOTHESIS_PROFILE=thorough`` runs many more examples (a soak, not part of CI);
``HYPOTHESIS_PROFILE=fast`` fewer (``make test-fast``).
"""

import os
import sys
import time

import pytest
from hypothesis import HealthCheck, settings

from harness.server import adopt_orphans, end, tree

#: Seconds a module's processes are given to end after its last fixture has stopped them.
ENDING = 15

settings.register_profile("default", max_examples=100, deadline=None)
settings.register_profile("fast", max_examples=15, deadline=None)  # make test-fast
settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "default")
)


@pytest.fixture(scope="module", autouse=True)
def nothing_left_running():
    """Every process a module's tests start, and every process those start, ends with the module.

    The test process adopts its descendants' orphans, so a process outliving a server killed
    outright is still found. One left running after the module's fixtures have stopped is ended
    and fails the module, named by its command line.
    """
    if not sys.platform.startswith("linux"):
        yield
        return
    adopt_orphans()
    before = set(tree(os.getpid()))
    yield
    deadline = time.monotonic() + ENDING
    while (left := {p: i for p, i in tree(os.getpid()).items() if p not in before}) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.2)
    if left:
        pytest.fail("left running after the module's tests: " + "; ".join(end(left)))
