"""Chaos tests: the shop, the outbox and the real client against a misbehaving emulator.

Nothing is delivered behind the test's back: Celery publishes to an in-memory broker that
no worker reads, and the tests deliver the outbox themselves with ``deliver_pending`` on
a clock they move past every backoff. The emulator never really sleeps: injected latency
beyond the client's read timeout comes back as a read time-out at once (the handler still
runs, as on a real server that answers too late).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from celery import Celery
from django.test import override_settings

from django_talonone.client import TalonOneClient
from django_talonone.emulator import Emulator
from django_talonone.services.clients import client_factory_override
from tests.celery_apps import quiet_celery
from tests.clocks import OutboxClock

API_KEY = "chaos-api-key"
SETTINGS = {
    "BASE_URL": "http://talonone.emulator",
    "API_KEY": API_KEY,
    "MAX_ATTEMPTS": 2,  # the client retries once in the call, the outbox does the rest
    "TIMEOUT": (1.0, 2.0),
    "DELIVERY_TIMEOUT": (1.0, 2.0),
    "DEADLINE": 5.0,
    "OUTBOX_MAX_ATTEMPTS": 60,
    "OUTBOX_BACKOFF": 1.0,
    "OUTBOX_BACKOFF_MAX": 30.0,
    "OUTBOX_LEASE": 60.0,
    "PROFILE_ID_FUNCTION": "tests.chaos.conftest.profile_id",
}
#: Injected latency that always outlasts the 2 s read timeout above.
TIMEOUT_LATENCY_MS = 5000


def profile_id(user: Any) -> str:
    """Profiles named after the shopper, so two runs of one scenario share profile ids."""
    return f"shopper-{user.username}"


def no_sleep(seconds: float) -> None:
    """Retries and injected latency take no real time."""


@pytest.fixture(autouse=True)
def _quiet_celery() -> Iterator[Celery]:
    """A Celery app whose published tasks wait in memory: only the test delivers."""
    with quiet_celery("talonone-chaos-tests") as app:
        yield app


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A fresh emulator with a log big enough for a whole run; every client the app builds
    is wired to it in process."""
    emulator = Emulator(api_key=API_KEY, sleep=no_sleep, log_size=100_000)

    def factory(config: Any, purpose: str) -> TalonOneClient:
        return TalonOneClient(
            base_url=emulator.base_url,
            api_key=config.require("API_KEY"),  # a test may revoke the key in settings
            session=emulator.session(),
            timeout=config.delivery_timeout,
            max_attempts=config.max_attempts,
            deadline=config.deadline,
            sleep=no_sleep,
        )

    with override_settings(TALONONE=SETTINGS), client_factory_override(factory):
        yield emulator


@pytest.fixture
def clock() -> OutboxClock:
    return OutboxClock()
