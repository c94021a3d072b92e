"""When a failed call may be repeated, and how long to wait: the policy behind ``tenacity``.

Two kinds of failure:

* **surely not applied** (connection refused, connect timeout, 429, Talon.One's
  "updating this session/profile at the same time" 409): repeating is safe for every
  operation;
* **maybe applied** (read timeout, connection dropped after sending, 502/503/504): only
  operations that are idempotent by nature, or carry an Idempotency-Key Talon.One
  honours, may be repeated, otherwise a retried event or referral could be applied twice.

Waits grow exponentially with full jitter, honour ``Retry-After``, and never cross the
call's deadline: if the next wait would, the last error is raised instead.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import requests
from tenacity import RetryCallState, wait_random_exponential
from urllib3.exceptions import MaxRetryError, NewConnectionError

from .errors import TalonOneError

__all__ = [
    "BUSY_MESSAGE",
    "MAYBE_APPLIED_STATUSES",
    "CallState",
    "DeadlineStop",
    "RetryAfterWait",
    "is_retryable_error",
    "never_sent",
    "retry_after_seconds",
]

#: Talon.One's concurrency rejection; any other 409 (a duplicate audience ...) is final.
BUSY_MESSAGE = re.compile(r"updating this (?:session|profile) at the same time", re.IGNORECASE)
MAYBE_APPLIED_STATUSES = frozenset({502, 503, 504})


@dataclass(slots=True)
class CallState:
    """One logical call: the request (sent unchanged by every attempt) and retry state."""

    operation: str
    method: str
    path: str
    url: str
    data: bytes | None
    headers: Mapping[str, str]
    idempotent: bool
    started: float
    attempts: int = 0
    retry_after: float | None = None
    last_status: int | str = ""
    last_duration_ms: float = 0.0


def is_retryable_error(exc: BaseException) -> bool:
    """tenacity's ``retry`` predicate: the attempt classified its own failure."""
    return isinstance(exc, TalonOneError) and exc.retryable


def never_sent(exc: requests.RequestException) -> bool:
    """True when the request surely never reached Talon.One (refused, unresolvable, ...)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError) and exc.args:
        reason = exc.args[0]
        if isinstance(reason, MaxRetryError):
            # NameResolutionError and "refused" are both NewConnectionError; a
            # ConnectTimeoutError would have been raised as ConnectTimeout above.
            return isinstance(reason.reason, NewConnectionError)
    return False


def retry_after_seconds(
    headers: Mapping[str, str], wall_clock: Callable[[], float]
) -> float | None:
    """``Retry-After`` as seconds from now (delta-seconds or HTTP-date), or None."""
    value = headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - wall_clock())


class RetryAfterWait:
    """Exponential backoff with full jitter, but never shorter than ``Retry-After``."""

    def __init__(self, backoff: float, backoff_max: float) -> None:
        self._jitter = wait_random_exponential(multiplier=backoff, max=backoff_max)

    def __call__(self, retry_state: RetryCallState) -> float:
        call: CallState = retry_state.args[0]
        delay = float(self._jitter(retry_state))
        if call.retry_after is not None:
            delay = max(delay, call.retry_after)
        return delay


class DeadlineStop:
    """Stop when attempts are used up or the next wait would end past the deadline."""

    def __init__(self, max_attempts: int, deadline: float, clock: Callable[[], float]) -> None:
        self.max_attempts = max_attempts
        self.deadline = deadline
        self.clock = clock

    def __call__(self, retry_state: RetryCallState) -> bool:
        call: CallState = retry_state.args[0]
        if call.attempts >= self.max_attempts:
            return True
        next_start = self.clock() + retry_state.upcoming_sleep
        return next_start >= call.started + self.deadline
