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

BASE = "https://acme.talon.one"
API_KEY = "int-key-6d1f0b7e"
MANAGEMENT_KEY = "mgmt-key-93c2aa41"
MANAGEMENT_TOKEN = "bearer-token-5e77c0de"


class FakeClock:
    """Monotonic and wall clocks that only move when the client sleeps (or a test says)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.wall = 1_700_000_000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.wall

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        self.wall += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def make_client(clock: FakeClock, **options: Any) -> TalonOneClient:
    options.setdefault("api_key", API_KEY)
    return TalonOneClient(
        BASE, clock=clock.monotonic, sleep=clock.sleep, wall_clock=clock.time, **options
    )


@pytest.fixture
def client(clock: FakeClock) -> Iterator[TalonOneClient]:
    with make_client(clock) as talon:
        yield talon
