"""Shared fixtures for client tests: a mocked Talon.One and a fake clock.

The fake clock's ``sleep`` advances time instead of waiting, so retry and deadline tests
run instantly and can assert exactly how long the client would have slept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import responses

from django_talonone.client import TalonOneClient
from tests.clocks import MonotonicClock

BASE = "https://acme.talon.one"
API_KEY = "int-key-6d1f0b7e"
MANAGEMENT_KEY = "mgmt-key-93c2aa41"
MANAGEMENT_TOKEN = "bearer-token-5e77c0de"


@pytest.fixture
def clock() -> MonotonicClock:
    return MonotonicClock()


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def make_client(clock: MonotonicClock, **options: Any) -> TalonOneClient:
    options.setdefault("api_key", API_KEY)
    return TalonOneClient(
        BASE, clock=clock.monotonic, sleep=clock.sleep, wall_clock=clock.time, **options
    )


@pytest.fixture
def client(clock: MonotonicClock) -> Iterator[TalonOneClient]:
    with make_client(clock) as talon:
        yield talon
