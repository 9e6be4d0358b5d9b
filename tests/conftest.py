"""Shared test settings: hypothesis profiles and the CI switch.

``HYPOTHESIS_PROFILE=thorough`` runs many more examples (a soak, not part of CI);
``HYPOTHESIS_PROFILE=fast`` fewer (``make test-fast``).
"""

import os

from hypothesis import HealthCheck, settings

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
