"""Overlapping requests over real HTTP: a session's requests take turns, others do not wait.

Injected latency keeps the first request busy; the second one is sent only once the first
is known to be inside the emulator (its latency sleep has begun), and the tests check what
happened while the first was still in flight (the gate's count, a reply that came back
before the first's), so there is no race to lose. Only the first request really sleeps,
which makes "not serialised" easy to see.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import requests

from django_talonone.emulator import Emulator, EmulatorApp, EmulatorState, RunningEmulator
from django_talonone.emulator.server import serve_in_thread

API_KEY = "api-secret-1"
AUTH = {"Authorization": f"ApiKey-v1 {API_KEY}"}
CART = {"customerSession": {"cartItems": [{"name": "Mug", "sku": "M", "quantity": 1, "price": 5}]}}
LATENCY_MS = 400


class SignallingSleep:
    """The first call really sleeps (the server holds that request) and says it started."""

    def __init__(self) -> None:
        self.started = threading.Event()

    def __call__(self, seconds: float) -> None:
        if not self.started.is_set():
            self.started.set()
            time.sleep(seconds)


@pytest.fixture
def sleep() -> SignallingSleep:
    return SignallingSleep()


@pytest.fixture
def app(sleep: SignallingSleep) -> EmulatorApp:
    return EmulatorApp(EmulatorState(), API_KEY, sleep=sleep)


@pytest.fixture
def running(app: EmulatorApp) -> Iterator[RunningEmulator]:
    with serve_in_thread(app) as server:
        yield server


def put(url: str, session_id: str) -> requests.Response:
    return requests.put(
        f"{url}/v2/customer_sessions/{session_id}", json=CART, headers=AUTH, timeout=10
    )


def slow_first_then(
    running: RunningEmulator, sleep: SignallingSleep, second_session: str
) -> tuple[requests.Response, requests.Response, bool]:
    """Start a slow update of ``same``; once it is inside, update ``second_session``."""
    requests.put(
        f"{running.url}/_emulator/faults",
        json={"latencyMs": LATENCY_MS, "operations": ["updateCustomerSessionV2"]},
        timeout=5,
    ).raise_for_status()
    replies: dict[str, requests.Response] = {}
    first = threading.Thread(target=lambda: replies.update(first=put(running.url, "same")))
    first.start()
    assert sleep.started.wait(5)
    second = put(running.url, second_session)
    overlapped = first.is_alive()
    first.join()
    return replies["first"], second, overlapped


def test_an_overlapping_update_of_the_same_session_waits_its_turn(
    app: EmulatorApp, running: RunningEmulator, sleep: SignallingSleep
) -> None:
    """Talon.One queues up to two requests behind the one it processes, in order."""
    first, second, _ = slow_first_then(running, sleep, "same")
    assert (first.status_code, second.status_code) == (200, 200)
    log = app.requests.entries()
    assert sorted(entry["queued"] for entry in log if entry["operation"]) == [False, True]
    assert app.gates.in_flight(("session", "same")) == 0


def test_a_fourth_request_in_flight_for_one_session_is_409_at_once(
    app: EmulatorApp, running: RunningEmulator, sleep: SignallingSleep
) -> None:
    requests.put(
        f"{running.url}/_emulator/faults",
        json={"latencyMs": LATENCY_MS, "operations": ["updateCustomerSessionV2"]},
        timeout=5,
    ).raise_for_status()
    replies: list[requests.Response] = []
    threads = [threading.Thread(target=lambda: replies.append(put(running.url, "same")))]
    threads[0].start()
    assert sleep.started.wait(5)
    for _ in range(2):
        threads.append(threading.Thread(target=lambda: replies.append(put(running.url, "same"))))
        threads[-1].start()
    gates = app.gates
    deadline = time.monotonic() + 5
    while gates.in_flight(("session", "same")) < 3:
        assert time.monotonic() < deadline, "the queued requests never arrived"
        time.sleep(0.005)

    fourth = put(running.url, "same")
    still_in_flight = threads[0].is_alive()
    for thread in threads:
        thread.join()

    assert fourth.status_code == 409
    assert fourth.json() == {
        "message": "Too many requests are updating this session at the same time",
        "errors": [],
        "StatusCode": 409,
    }
    assert still_in_flight  # refused while three were in flight, not queued behind them
    assert sorted(reply.status_code for reply in replies) == [200, 200, 200]
    assert gates.in_flight(("session", "same")) == 0


def test_other_sessions_are_not_serialised_behind_the_latency(
    running: RunningEmulator, sleep: SignallingSleep
) -> None:
    first, second, overlapped = slow_first_then(running, sleep, "other")
    assert (first.status_code, second.status_code) == (200, 200)
    assert overlapped  # "other" was served while "same" was still sleeping


def test_busy_mark_is_released_after_the_request(
    running: RunningEmulator, sleep: SignallingSleep
) -> None:
    slow_first_then(running, sleep, "same")
    assert put(running.url, "same").status_code == 200


def test_server_stop_closes_the_port() -> None:
    emulator = Emulator(api_key=API_KEY)
    running = emulator.serve()
    url = running.url
    assert requests.get(f"{url}/_emulator/health", timeout=5).status_code == 200
    running.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{url}/_emulator/health", timeout=5)


def test_overlapping_events_get_the_profile_worded_409_like_an_injected_one() -> None:
    """Talon.One's event 409 names the profile; a real and an injected one must agree."""
    event = {"type": "review", "attributes": {}, "sessionId": "ev-1", "profileId": "kim"}
    inside: list[requests.Response] = []
    queued: list[threading.Thread] = []

    def sleep(seconds: float) -> None:
        # Runs while the first event is processed: queue two more, then send a fourth.
        if queued:
            return
        for _ in range(2):
            queued.append(threading.Thread(target=post))
            queued[-1].start()
        deadline = time.monotonic() + 5
        while emulator.app.gates.in_flight(("session", "ev-1")) < 3:
            assert time.monotonic() < deadline
            time.sleep(0.005)
        inside.append(post())

    def post() -> requests.Response:
        return emulator.session().post(f"{emulator.base_url}/v1/events", json=event, headers=AUTH)

    emulator = Emulator(api_key=API_KEY, sleep=sleep)
    emulator.set_faults(latency_ms=10, operations=["trackEvent"])
    first = post()
    for thread in queued:
        thread.join()
    emulator.set_faults(error_rates={"409": 1}, operations=["trackEvent"])
    injected = post()

    assert first.status_code == 201
    [overlapping] = inside
    assert (overlapping.status_code, injected.status_code) == (409, 409)
    message = "Too many requests are updating this profile at the same time"
    assert overlapping.json()["message"] == injected.json()["message"] == message
