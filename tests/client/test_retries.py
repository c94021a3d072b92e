"""Retry policy: what is repeated, how long the client waits, and when it gives up."""

from __future__ import annotations

import email.utils
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from http.client import RemoteDisconnected
from typing import Any

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from django_talonone.client import (
    OPERATIONS,
    TalonOneConflict,
    TalonOneConnectionError,
    TalonOneError,
    TalonOneRateLimited,
    TalonOneServerError,
    TalonOneTimeoutError,
    TalonOneTransportError,
)
from tests.clocks import MonotonicClock

from .cases import CASES, CASES_BY_OPERATION, Case
from .conftest import API_KEY, BASE, make_client

ANY_URL = re.compile(re.escape(BASE) + r"/.*")


@dataclass(frozen=True)
class Failure:
    """One way an attempt can fail, and whether it proves nothing was applied."""

    name: str
    reply: Callable[[], dict[str, Any]]
    retry: str  # "always", "if-idempotent" or "never"


def _raise(exc: Exception) -> Callable[[], dict[str, Any]]:
    return lambda: {"body": exc}


def _status(status: int, message: str = "nope") -> Callable[[], dict[str, Any]]:
    return lambda: {"status": status, "json": {"message": message, "StatusCode": status}}


REFUSED = requests.ConnectionError(
    MaxRetryError(None, "/x", NewConnectionError(None, "[Errno 111] Connection refused"))  # type: ignore[arg-type]
)
DROPPED = requests.ConnectionError(
    ProtocolError("Connection aborted.", RemoteDisconnected("closed without response"))
)
RESET = requests.ConnectionError(
    ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))
)

FAILURES = [
    Failure("refused", _raise(REFUSED), "always"),
    Failure("connect-timeout", _raise(requests.ConnectTimeout("connect timed out")), "always"),
    Failure("429", _status(429, "Too many requests"), "always"),
    Failure(
        "409-busy-session",
        _status(409, "Too many requests are updating this session at the same time"),
        "always",
    ),
    Failure(
        "409-busy-profile",
        _status(409, "Too many requests are updating this profile at the same time"),
        "always",
    ),
    Failure("read-timeout", _raise(requests.ReadTimeout("read timed out")), "if-idempotent"),
    Failure("dropped", _raise(DROPPED), "if-idempotent"),
    Failure("reset", _raise(RESET), "if-idempotent"),
    Failure("502", _status(502), "if-idempotent"),
    Failure("503", _status(503), "if-idempotent"),
    Failure("504", _status(504), "if-idempotent"),
    Failure("409-duplicate", _status(409, "An audience with this ID already exists"), "never"),
    Failure("500", _status(500), "never"),
    Failure("400", _status(400), "never"),
    Failure("401", _status(401), "never"),
    Failure("404", _status(404), "never"),
]

NOT_IDEMPOTENT = {
    "trackEvent",
    "trackEventV2",
    "createReferral",
    "createReferralsForMultipleAdvocates",
    "createAudienceV2",
}


def test_idempotency_table_matches_the_policy() -> None:
    assert {name for name, op in OPERATIONS.items() if not op.idempotent} == NOT_IDEMPOTENT


def _expect_retry(failure: Failure, operation: str) -> bool:
    if failure.retry == "if-idempotent":
        return operation not in NOT_IDEMPOTENT
    return failure.retry == "always"


def _success(case: Case) -> dict[str, Any]:
    if case.reply is None:
        return {"status": case.status, "body": b""}
    return {"status": case.status, "json": case.reply}


@pytest.mark.parametrize("failure", FAILURES, ids=lambda failure: failure.name)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.operation)
def test_retry_matrix(
    case: Case, failure: Failure, clock: MonotonicClock, mocked: responses.RequestsMock
) -> None:
    mocked.add(case.method, ANY_URL, **failure.reply())
    mocked.add(case.method, ANY_URL, **_success(case))
    client = make_client(clock, max_attempts=2)

    if _expect_retry(failure, case.operation):
        assert case.call(client) == case.reply
        assert len(mocked.calls) == 2
        assert mocked.calls[0].request.body == mocked.calls[1].request.body
        assert len(clock.sleeps) == 1
    else:
        with pytest.raises(TalonOneError) as caught:
            case.call(client)
        assert caught.value.retryable is False
        assert caught.value.attempts == 1
        assert len(mocked.calls) == 1
        assert clock.sleeps == []


@pytest.mark.parametrize(
    ("exc", "cls", "maybe_applied"),
    [
        (REFUSED, TalonOneConnectionError, False),
        (requests.ConnectTimeout("slow"), TalonOneTimeoutError, False),
        (requests.ReadTimeout("slow"), TalonOneTimeoutError, True),
        (DROPPED, TalonOneConnectionError, True),
        (requests.exceptions.ChunkedEncodingError("cut"), TalonOneConnectionError, True),
        (requests.exceptions.TooManyRedirects("loop"), TalonOneTransportError, True),
    ],
)
def test_transport_failures_are_classified(
    exc: Exception,
    cls: type[TalonOneTransportError],
    maybe_applied: bool,
    clock: MonotonicClock,
    mocked: responses.RequestsMock,
) -> None:
    mocked.post(f"{BASE}/v1/events", body=exc)
    with pytest.raises(cls) as caught:
        make_client(clock, max_attempts=1).track_event({"type": "t"})
    error = caught.value
    assert type(error) is cls
    assert error.maybe_applied is maybe_applied
    assert error.retryable is not maybe_applied
    assert error.method == "POST"
    assert error.path == "/v1/events"
    assert error.__cause__ is None
    assert error.__context__ is None


def test_real_refused_connection_is_retried_then_raised(clock: MonotonicClock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on ``port`` now: the OS refuses at once, no waiting involved.
    client = make_client(clock, max_attempts=3)
    client.base_url = f"http://127.0.0.1:{port}"
    with pytest.raises(TalonOneConnectionError) as caught:
        client.track_event({"type": "t"})
    assert caught.value.maybe_applied is False
    assert caught.value.attempts == 3
    assert API_KEY not in repr(vars(caught.value))


def test_attempts_are_bounded(clock: MonotonicClock, mocked: responses.RequestsMock) -> None:
    mocked.get(ANY_URL, status=503, json={"message": "down"})
    with pytest.raises(TalonOneServerError) as caught:
        make_client(clock, max_attempts=4).get_customer_session("s")
    assert caught.value.attempts == 4
    assert len(mocked.calls) == 4
    assert len(clock.sleeps) == 3


def test_backoff_grows_with_jitter_and_is_capped(
    clock: MonotonicClock, mocked: responses.RequestsMock
) -> None:
    mocked.get(ANY_URL, status=503, json={"message": "down"})
    client = make_client(clock, max_attempts=8, backoff=0.5, backoff_max=2.0, deadline=1000)
    with pytest.raises(TalonOneServerError):
        client.get_customer_session("s")
    caps = [min(2.0, 0.5 * 2**n) for n in range(1, 8)]
    assert len(clock.sleeps) == 7
    assert all(0 <= slept <= cap for slept, cap in zip(clock.sleeps, caps, strict=True))


@pytest.mark.parametrize("header", ["7", "7.0"])
def test_retry_after_seconds_is_honoured(
    header: str, clock: MonotonicClock, mocked: responses.RequestsMock
) -> None:
    mocked.get(ANY_URL, status=429, json={"message": "slow down"}, headers={"Retry-After": header})
    mocked.get(ANY_URL, json={"customerSession": {}})
    client = make_client(clock, backoff=0.01, backoff_max=0.02)
    reply: Any = client.get_customer_session("s")
    assert reply == {"customerSession": {}}
    assert clock.sleeps == [7.0]


def test_retry_after_http_date_is_honoured(
    clock: MonotonicClock, mocked: responses.RequestsMock
) -> None:
    when = email.utils.formatdate(clock.wall + 5, usegmt=True)
    mocked.get(ANY_URL, status=503, json={"message": "busy"}, headers={"Retry-After": when})
    mocked.get(ANY_URL, json={})
    make_client(clock, backoff=0.01, backoff_max=0.02).get_customer_session("s")
    assert clock.sleeps == [pytest.approx(5.0)]


def test_retry_after_in_the_past_or_garbage_falls_back_to_backoff(
    clock: MonotonicClock, mocked: responses.RequestsMock
) -> None:
    past = email.utils.formatdate(clock.wall - 60, usegmt=True)
    mocked.get(ANY_URL, status=429, json={}, headers={"Retry-After": past})
    mocked.get(ANY_URL, status=429, json={}, headers={"Retry-After": "soon-ish"})
    mocked.get(ANY_URL, json={})
    make_client(clock, backoff=0.01, backoff_max=0.02).get_customer_session("s")
    assert len(clock.sleeps) == 2
    assert all(slept <= 0.02 for slept in clock.sleeps)


def test_retry_after_beyond_the_deadline_raises_at_once(
    clock: MonotonicClock, mocked: responses.RequestsMock
) -> None:
    mocked.get(ANY_URL, status=429, json={"message": "later"}, headers={"Retry-After": "30"})
    with pytest.raises(TalonOneRateLimited) as caught:
        make_client(clock, deadline=20.0).get_customer_session("s")
    assert caught.value.attempts == 1
    assert clock.sleeps == []
    assert len(mocked.calls) == 1


def test_deadline_bounds_total_time(clock: MonotonicClock, mocked: responses.RequestsMock) -> None:
    def slow_busy(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        clock.now += 4.0  # each attempt takes 4 s of (fake) time
        return 409, {}, '{"message": "updating this session at the same time"}'

    mocked.add_callback("PUT", ANY_URL, callback=slow_busy)
    client = make_client(clock, max_attempts=50, deadline=10.0, backoff=0.5, backoff_max=1.0)
    started = clock.now
    with pytest.raises(TalonOneConflict) as caught:
        client.update_customer_session_v2("s", {"customerSession": {}})
    assert clock.now - started <= 10.0 + 4.0  # no attempt starts after the deadline
    assert 2 <= caught.value.attempts <= 3
    assert all(
        started + sum(clock.sleeps[: n + 1]) + 4.0 * (n + 1) < started + 10.0
        for n in range(len(clock.sleeps))
    )


def test_attempt_timeout_is_shortened_near_the_deadline(
    clock: MonotonicClock, mocked: responses.RequestsMock
) -> None:
    seen: list[Any] = []

    def capture(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        seen.append(request.req_kwargs["timeout"])  # type: ignore[attr-defined]
        clock.now += 8.0
        return 503, {}, "{}"

    mocked.add_callback("GET", ANY_URL, callback=capture)
    client = make_client(clock, timeout=(2.0, 9.0), deadline=10.0, backoff=0.0, backoff_max=0.0)
    with pytest.raises(TalonOneServerError):
        client.get_customer_session("s")
    assert seen == [(2.0, 9.0), (2.0, pytest.approx(2.0))]


def test_return_cart_items_reuses_its_generated_key_across_retries(
    clock: MonotonicClock, mocked: responses.RequestsMock
) -> None:
    url = f"{BASE}/v2/customer_sessions/o/returns"
    mocked.post(url, body=requests.ReadTimeout("lost reply"))
    mocked.post(url, status=502, body="<html/>")
    mocked.post(url, json={"effects": []})
    body = {"return": {"returnedCartItems": [{"position": 0}]}}
    assert make_client(clock).return_cart_items("o", body) == {"effects": []}
    keys = {call.request.headers["Idempotency-Key"] for call in mocked.calls}
    assert len(mocked.calls) == 3
    assert len(keys) == 1


def test_caller_key_on_track_event_does_not_make_it_retryable(
    clock: MonotonicClock, mocked: responses.RequestsMock
) -> None:
    mocked.post(f"{BASE}/v1/events", body=requests.ReadTimeout("lost reply"))
    with pytest.raises(TalonOneTimeoutError):
        make_client(clock).track_event({"type": "t"}, idempotency_key="evt-1")
    assert len(mocked.calls) == 1
    assert mocked.calls[0].request.headers["Idempotency-Key"] == "evt-1"


def test_case_table_is_complete() -> None:
    assert set(CASES_BY_OPERATION) == set(OPERATIONS)
