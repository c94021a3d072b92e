"""Run the suite as if the machine had booted a given number of seconds ago.

``TALONONE_TEST_UPTIME=100 make test`` makes ``time.monotonic()`` start near 100 s (a CI
runner booted a minute ago), ``=100000`` near a day and more (a long-running laptop). Code
that compares a real monotonic reading with a fake clock's, or keeps one between tests,
passes on one machine and fails on another; this reproduces both anywhere.

Loaded with ``-p tests.uptime`` (the ini's ``addopts``) so the clock is shifted before the
app, or any default argument bound to ``time.monotonic``, is imported. Without the
variable nothing changes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pytest

VARIABLE = "TALONONE_TEST_UPTIME"


def _shifted(uptime: float) -> Callable[[], float]:
    real = time.monotonic
    offset = uptime - real()

    def monotonic() -> float:
        return real() + offset

    return monotonic


def _uptime() -> float | None:
    value = os.environ.get(VARIABLE, "").strip()
    if not value:
        return None
    try:
        uptime = float(value)
    except ValueError:
        raise pytest.UsageError(f"{VARIABLE} must be a number of seconds, got {value!r}") from None
    if uptime < 0:
        raise pytest.UsageError(f"{VARIABLE} must not be negative, got {value!r}")
    return uptime


UPTIME = _uptime()
if UPTIME is not None:
    time.monotonic = _shifted(UPTIME)


def pytest_report_header() -> str | None:
    if UPTIME is None:
        return None
    return f"time.monotonic(): as if the machine booted {UPTIME:g} s ago ({VARIABLE})"
