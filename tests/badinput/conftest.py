"""Bad-input tests: hypothesis feeds the app what a buggy shop or a hostile caller could.

Every property runs derandomized (the same examples on every run, no example database),
so a failure here is reproducible and the suite stays fast. ``TALONONE_FUZZ_EXAMPLES=2000``
runs a longer soak with the same properties.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from django_talonone.testing import talonone

__all__ = ["FUZZ", "talonone"]

#: The settings every property here uses: fixed examples, no deadline (CI machines vary).
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=int(os.environ.get("TALONONE_FUZZ_EXAMPLES", "60")),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
