"""Auth, fault injection and concurrency, end to end over real loopback HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from django_talonone.client import (
    TalonOneClient,
    TalonOneConflict,
    TalonOneConnectionError,
    TalonOneRateLimited,
    TalonOneResponseError,
    TalonOneServerError,
    TalonOneUnauthorized,
)
from django_talonone.emulator import Emulator

from .conftest import item, session_body

API_KEY = "int-key"
MANAGEMENT_KEY = "mgmt-key"


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(api_key=API_KEY, management_key=MANAGEMENT_KEY)
    with emulator.serve("127.0.0.1", 0) as running:
        yield emulator, running.url


def _faults(url: str, spec: dict[str, Any]) -> None:
    requests.put(f"{url}/_emulator/faults", json=spec, timeout=5).raise_for_status()


def _log(url: str) -> list[dict[str, Any]]:
    reply = requests.get(f"{url}/_emulator/requests", timeout=5).json()
    return reply["requests"] if isinstance(reply, dict) else reply


def _client(url: str, **options: Any) -> TalonOneClient:
    options.setdefault("backoff", 0.001)
    options.setdefault("backoff_max", 0.01)
    return TalonOneClient(base_url=url, api_key=options.pop("api_key", API_KEY), **options)


def test_wrong_key_is_401(served: tuple[Emulator, str]) -> None:
    _, url = served
    with pytest.raises(TalonOneUnauthorized) as caught:
        _client(url, api_key="wrong").get_customer_session("s")
    assert caught.value.status_code == 401


def test_management_key_deletes_audiences(served: tuple[Emulator, str]) -> None:
    _, url = served
    client = _client(url, management_key=MANAGEMENT_KEY)
    audience_id = client.create_audience_v2({"name": "A"})["id"]
    client.delete_audience_memberships_v2(audience_id)
    client.delete_audience_v2(audience_id)
    entries = [e for e in _log(url) if e["operation"] == "deleteAudienceV2"]
    assert entries[-1]["headers"]["Authorization"].startswith("ManagementKey-v1")
    assert MANAGEMENT_KEY not in str(_log(url))


def test_wrong_management_key_is_401(served: tuple[Emulator, str]) -> None:
    _, url = served
    audience_id = _client(url).create_audience_v2({"name": "A"})["id"]
    with pytest.raises(TalonOneUnauthorized):
        _client(url, management_key="nope").delete_audience_v2(audience_id)


def test_server_errors_are_retried_then_raised(served: tuple[Emulator, str]) -> None:
    _, url = served
    _faults(url, {"seed": 1, "errorRates": {"503": 1.0}})
    with pytest.raises(TalonOneServerError) as caught:
        _client(url, max_attempts=3).get_customer_session("s")
    assert caught.value.status_code == 503
    assert caught.value.attempts == 3
    assert len(_log(url)) == 3


def test_busy_409s_are_retried_until_success(served: tuple[Emulator, str]) -> None:
    _, url = served
    _faults(url, {"seed": 7, "errorRates": {"409": 0.5}})
    client = _client(url, max_attempts=10)
    for n in range(5):
        client.update_customer_session_v2(f"s-{n}", session_body(cartItems=[item("M", "1")]))
    statuses = [e["status"] for e in _log(url)]
    assert 409 in statuses
    assert statuses.count(200) == 5


def test_maybe_applied_event_is_not_retried(served: tuple[Emulator, str]) -> None:
    _, url = served
    _faults(url, {"seed": 1, "dropRate": 1.0, "dropAfterApply": True, "operations": ["trackEvent"]})
    with pytest.raises(TalonOneConnectionError):
        _client(url, max_attempts=5).track_event(
            {"type": "t", "attributes": {}, "sessionId": "e-1", "profileId": "w"}
        )
    assert len([e for e in _log(url) if e["operation"] == "trackEvent"]) <= 1


def test_maybe_applied_put_is_retried(served: tuple[Emulator, str]) -> None:
    _, url = served
    _faults(url, {"seed": 3, "dropRate": 0.5, "operations": ["updateCustomerSessionV2"]})
    client = _client(url, max_attempts=10)
    for n in range(4):
        client.update_customer_session_v2(f"d-{n}", session_body(cartItems=[item("M", "1")]))
    assert _client(url).get_customer_session("d-3")["customerSession"]["integrationId"] == "d-3"


def test_a_fourth_overlapping_update_of_one_session_gets_409(
    served: tuple[Emulator, str],
) -> None:
    """Three updates of a session in flight take turns; the client sees a fourth's 409."""
    _, url = served
    _faults(url, {"seed": 1, "latencyMs": 400, "operations": ["updateCustomerSessionV2"]})
    outcomes: list[str] = []
    started = threading.Barrier(4)

    def update(session_id: str) -> None:
        client = _client(url, max_attempts=1)
        started.wait()
        try:
            client.update_customer_session_v2(session_id, session_body(cartItems=[item("M", "1")]))
            outcomes.append("ok")
        except TalonOneConflict as error:
            outcomes.append(f"409 {error.message}")

    threads = [threading.Thread(target=update, args=("same",)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 3
    [conflict] = [outcome for outcome in outcomes if outcome != "ok"]
    assert conflict.startswith("409")
    assert "at the same time" in conflict


def test_outage_raises_a_connection_error() -> None:
    emulator = Emulator(api_key=API_KEY)
    with emulator.serve("127.0.0.1", 0) as running:
        url = running.url
    with pytest.raises(TalonOneConnectionError):
        _client(url, max_attempts=2).get_customer_session("s")


@pytest.mark.parametrize(
    ("status", "error_class", "attempts"),
    [
        (500, TalonOneServerError, 1),
        (502, TalonOneServerError, 3),
        (503, TalonOneServerError, 3),
        (409, TalonOneConflict, 3),
        (429, TalonOneRateLimited, 3),
    ],
)
def test_each_injected_status_reaches_the_client_typed(
    served: tuple[Emulator, str], status: int, error_class: type[Exception], attempts: int
) -> None:
    _, url = served
    _faults(url, {"seed": 1, "errorRates": {str(status): 1.0}})
    waits: list[float] = []
    client = _client(url, max_attempts=3, sleep=waits.append)
    with pytest.raises(error_class) as caught:
        client.get_customer_session("s")
    assert caught.value.status_code == status
    assert caught.value.attempts == attempts
    assert len(_log(url)) == attempts
    if status == 429:
        assert waits, "a 429 is retried after waiting"
        assert all(wait >= 1 for wait in waits), "Retry-After: 1 is honoured"


def test_gateway_html_page_is_a_typed_error_with_a_snippet(served: tuple[Emulator, str]) -> None:
    _, url = served
    _faults(url, {"seed": 1, "errorRates": {"502": 1.0}})
    with pytest.raises(TalonOneResponseError) as caught:
        _client(url, max_attempts=1).get_customer_session("s")
    assert caught.value.status_code == 502
    assert isinstance(caught.value.body, str)
    assert caught.value.body.lstrip().startswith("<")
