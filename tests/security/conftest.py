"""Security tests: credentials never leave the places they belong.

The app is wired to an in-process emulator whose keys are distinctive strings, through a
client factory that reads the keys from the settings (so a test can revoke one), and Celery
publishes to an in-memory broker nobody reads (so every published task can be inspected,
and the test delivers the outbox itself).
"""

from __future__ import annotations

import pickle
import traceback
from collections.abc import Iterable, Iterator

import pytest
from celery import Celery
from django.test import override_settings

from django_talonone.client import TalonOneClient
from django_talonone.conf import TalonOneSettings
from django_talonone.emulator import Emulator
from django_talonone.services.clients import client_factory_override
from tests.celery_apps import quiet_celery

API_KEY = "sk-live-API-7f3a9c1e5b"
MANAGEMENT_KEY = "mk-live-MGMT-2d8e4f6a0c"
REVOKED_KEY = "sk-live-REVOKED-9b1d3f5e7a"
SECRETS = (API_KEY, MANAGEMENT_KEY, REVOKED_KEY)
SETTINGS = {
    "BASE_URL": "http://talonone.emulator",
    "API_KEY": API_KEY,
    "MANAGEMENT_KEY": MANAGEMENT_KEY,
    "MAX_ATTEMPTS": 2,
    "TIMEOUT": (1.0, 2.0),
    "DELIVERY_TIMEOUT": (1.0, 2.0),
    "OUTBOX_MAX_ATTEMPTS": 5,
    "OUTBOX_BACKOFF": 1.0,
    "OUTBOX_BACKOFF_MAX": 5.0,
}


def no_sleep(seconds: float) -> None:
    """Retries and injected latency take no real time."""


def leaks(texts: Iterable[str]) -> list[str]:
    """The texts that contain any of the secrets (empty when all is well)."""
    return [text for text in texts if any(secret in text for secret in SECRETS)]


def exception_texts(error: BaseException) -> list[str]:
    """Everything an error tracker could record of ``error``, its chain included."""
    texts = ["".join(traceback.format_exception(error))]
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), repr(current.args), repr(vars(current))]
        texts.append(pickle.dumps(current).decode("latin-1"))
        current = current.__cause__ or current.__context__
    return texts


@pytest.fixture(autouse=True)
def _published_tasks() -> Iterator[Celery]:
    """Tasks are published to memory and never run: the test delivers the outbox."""
    with quiet_celery("talonone-security-tests") as app:
        yield app


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    emulator = Emulator(api_key=API_KEY, management_key=MANAGEMENT_KEY, sleep=no_sleep)

    def factory(config: TalonOneSettings, purpose: str) -> TalonOneClient:
        return TalonOneClient(
            base_url=emulator.base_url,
            api_key=config.require("API_KEY"),
            management_key=config.management_key,
            session=emulator.session(),
            timeout=config.timeout if purpose == "cart" else config.delivery_timeout,
            max_attempts=config.max_attempts,
            sleep=no_sleep,
        )

    with override_settings(TALONONE=SETTINGS), client_factory_override(factory):
        yield emulator
