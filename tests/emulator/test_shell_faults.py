"""Fault injection: error statuses, latency, dropped connections and read timeouts.

In-process tests inject a recording ``sleep`` so latency costs no time; the tests that
need a real socket (a reset connection) use the threaded server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from django_talonone.emulator import Emulator, RunningEmulator
from django_talonone.emulator.faults import FaultInjector, parse_faults

API_KEY = "api-secret-1"
AUTH = {"Authorization": f"ApiKey-v1 {API_KEY}"}
CART = {"customerSession": {"cartItems": [{"name": "Mug", "sku": "M", "quantity": 1, "price": 5}]}}
EVENT = {"type": "newsletter", "attributes": {}, "sessionId": "ev-1", "profileId": "p1"}


class RecordingSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def emulator(sleeps: RecordingSleep) -> Emulator:
    return Emulator(api_key=API_KEY, sleep=sleeps)


@pytest.fixture
def served() -> Iterator[tuple[Emulator, RunningEmulator]]:
    emulator = Emulator(api_key=API_KEY)
    with emulator.serve() as running:
        yield emulator, running


def put_session(
    base_url: str, session_id: str, http: requests.Session | None = None, **kwargs: Any
) -> requests.Response:
    sender = http or requests.Session()
    return sender.put(
        f"{base_url}/v2/customer_sessions/{session_id}",
        json=CART,
        headers=AUTH,
        timeout=kwargs.pop("timeout", 5),
        **kwargs,
    )


def get_session(emulator: Emulator, session_id: str) -> requests.Response:
    return emulator.session().get(
        f"{emulator.base_url}/v2/customer_sessions/{session_id}", headers=AUTH, timeout=5
    )


@pytest.mark.parametrize("status", [409, 500, 503])
def test_rate_one_always_injects_a_json_error(emulator: Emulator, status: int) -> None:
    emulator.set_faults(error_rates={str(status): 1.0})
    reply = put_session(emulator.base_url, "s1", emulator.session())
    assert reply.status_code == status
    body = reply.json()
    assert body["StatusCode"] == status
    assert body["errors"] == []
    if status == 409:
        assert body["message"] == "Too many requests are updating this session at the same time"
    emulator.clear_faults()
    assert get_session(emulator, "s1").status_code == 400  # unknown: the handler never ran


def test_injected_429_carries_retry_after(emulator: Emulator) -> None:
    emulator.set_faults(error_rates={"429": 1})
    reply = put_session(emulator.base_url, "s1", emulator.session())
    assert reply.status_code == 429
    assert reply.headers["Retry-After"] == "1"
    assert reply.json()["StatusCode"] == 429


def test_injected_502_is_a_gateway_html_page(emulator: Emulator) -> None:
    emulator.set_faults(error_rates={"502": 1})
    reply = put_session(emulator.base_url, "s1", emulator.session())
    assert reply.status_code == 502
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "502 Bad Gateway" in reply.text
    assert emulator.requests[-1]["responseBody"] == reply.text


def test_faults_follow_auth(emulator: Emulator) -> None:
    emulator.set_faults(error_rates={"503": 1})
    reply = emulator.session().get(f"{emulator.base_url}/v2/customer_sessions/s1")
    assert reply.status_code == 401


def test_operations_limit_where_faults_apply(emulator: Emulator) -> None:
    emulator.set_faults(error_rates={"500": 1}, operations=["trackEvent"])
    assert put_session(emulator.base_url, "s1", emulator.session()).status_code == 200


def test_seeded_partial_rates_are_deterministic() -> None:
    spec = parse_faults({"seed": 42, "errorRates": {"500": 0.2, "503": 0.3}, "dropRate": 0.25})
    first, second = FaultInjector(spec), FaultInjector(spec)
    runs = [
        [first.decide("trackEvent") for _ in range(200)],
        [second.decide("trackEvent") for _ in range(200)],
    ]
    assert runs[0] == runs[1]
    statuses = [d.status for d in runs[0]]
    assert 40 <= statuses.count(503) <= 80
    assert 20 <= statuses.count(500) <= 60
    assert 80 <= statuses.count(None) <= 120
    assert 25 <= sum(d.drop for d in runs[0]) <= 75


def test_seeded_sequence_over_http_is_repeatable(emulator: Emulator) -> None:
    def run() -> list[int]:
        emulator.reset()
        emulator.set_faults(seed=7, error_rates={"409": 0.5})
        http = emulator.session()
        return [put_session(emulator.base_url, f"s{n}", http).status_code for n in range(12)]

    first = run()
    assert first == run()
    assert {200, 409} == set(first)


def test_installing_faults_restarts_the_random_stream() -> None:
    injector = FaultInjector(parse_faults({"seed": 3, "errorRates": {"500": 0.5}}))
    before = [injector.decide("trackEvent").status for _ in range(10)]
    injector.set(parse_faults({"seed": 3, "errorRates": {"500": 0.5}}))
    assert [injector.decide("trackEvent").status for _ in range(10)] == before


def test_latency_is_slept_before_the_reply(emulator: Emulator, sleeps: RecordingSleep) -> None:
    emulator.set_faults(latency_ms=250)
    assert put_session(emulator.base_url, "s1", emulator.session()).status_code == 200
    assert sleeps.calls == [0.25]


def test_latency_also_delays_injected_errors(emulator: Emulator, sleeps: RecordingSleep) -> None:
    emulator.set_faults(latency_ms=100, error_rates={"503": 1})
    assert put_session(emulator.base_url, "s1", emulator.session()).status_code == 503
    assert sleeps.calls == [0.1]


def test_adapter_latency_beyond_read_timeout_is_a_read_timeout(
    emulator: Emulator, sleeps: RecordingSleep
) -> None:
    emulator.set_faults(latency_ms=3000)
    with pytest.raises(requests.exceptions.ReadTimeout):
        put_session(emulator.base_url, "s1", emulator.session(), timeout=(1, 0.5))
    assert sleeps.calls == [0.5]
    assert get_session(emulator, "s1").status_code == 200  # it ran: "maybe applied"
    entry = emulator.requests[-2]
    assert (entry["status"], entry["timedOut"]) == (200, True)


def test_adapter_timeout_on_an_injected_error(emulator: Emulator) -> None:
    emulator.set_faults(latency_ms=2000, error_rates={"500": 1})
    with pytest.raises(requests.exceptions.ReadTimeout):
        put_session(emulator.base_url, "s1", emulator.session(), timeout=1)


def test_adapter_drop_before_apply(emulator: Emulator) -> None:
    emulator.set_faults(drop_rate=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        put_session(emulator.base_url, "s1", emulator.session())
    emulator.clear_faults()
    assert get_session(emulator, "s1").status_code == 400  # unknown session
    assert emulator.requests[0]["dropped"] is True
    assert emulator.requests[0]["status"] is None


def test_adapter_drop_after_apply(emulator: Emulator) -> None:
    emulator.set_faults(drop_rate=1, drop_after_apply=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        put_session(emulator.base_url, "s1", emulator.session())
    emulator.clear_faults()
    assert get_session(emulator, "s1").status_code == 200


def test_http_drop_before_apply_resets_the_connection(
    served: tuple[Emulator, RunningEmulator],
) -> None:
    emulator, running = served
    emulator.set_faults(drop_rate=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        put_session(running.url, "s1")
    emulator.clear_faults()
    reply = requests.get(f"{running.url}/v2/customer_sessions/s1", headers=AUTH, timeout=5)
    assert reply.status_code == 400  # never created


def test_http_drop_after_apply_changes_state_without_a_reply(
    served: tuple[Emulator, RunningEmulator],
) -> None:
    emulator, running = served
    requests.put(
        f"{running.url}/_emulator/faults",
        json={"dropRate": 1.0, "dropAfterApply": True, "operations": ["trackEvent"]},
        timeout=5,
    ).raise_for_status()
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(f"{running.url}/v1/events", json=EVENT, headers=AUTH, timeout=5)
    assert put_session(running.url, "s2").status_code == 200  # the server lives on
    [event] = [e for e in emulator.requests if e["operation"] == "trackEvent"]
    assert event["dropped"] is True
    assert emulator.state.data["profiles"]  # the event's profile was created


def test_http_latency_is_real(served: tuple[Emulator, RunningEmulator]) -> None:
    emulator, running = served
    emulator.set_faults(latency_ms=150)
    reply = put_session(running.url, "s1")
    assert reply.status_code == 200
    assert reply.elapsed.total_seconds() >= 0.15


def test_set_faults_rejects_unknown_fields(emulator: Emulator) -> None:
    with pytest.raises(TypeError, match="latency"):
        emulator.set_faults(latency=3)
