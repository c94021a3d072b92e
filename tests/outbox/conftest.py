"""Outbox tests: SQLite, eager Celery, and the real client talking to an in-process emulator."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from celery import Celery
from django.test import override_settings

from django_talonone.emulator import Emulator
from django_talonone.models import CustomerSession, Delivery, Operation
from django_talonone.outbox import enqueue, profile_lane
from django_talonone.services.clients import client_factory_override
from tests.clocks import OutboxClock

SETTINGS = {
    "BASE_URL": "http://talonone.emulator",
    "API_KEY": "test-api-key",
    "OUTBOX_MAX_ATTEMPTS": 3,
    "OUTBOX_BACKOFF": 10.0,
    "OUTBOX_BACKOFF_MAX": 60.0,
    "OUTBOX_LEASE": 30.0,
}


@pytest.fixture(autouse=True)
def _outbox_settings() -> Iterator[None]:
    with override_settings(TALONONE=SETTINGS):
        yield


@pytest.fixture(autouse=True)
def _eager_celery(celery_test_app: Celery) -> Iterator[Celery]:
    """Tasks run in the calling thread for these tests, so a kick delivers at once.

    Set per test on the suite's one Celery app and put back afterwards, so no other
    directory's tests inherit it, whatever order they run in.
    """
    conf = celery_test_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    try:
        yield celery_test_app
    finally:
        conf.task_always_eager, conf.task_eager_propagates = saved


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A fresh emulator; every Talon.One call the app makes goes to it, in process."""
    emulator = Emulator()
    with client_factory_override(lambda config, purpose: emulator.client(max_attempts=1)):
        yield emulator


@pytest.fixture
def clock() -> OutboxClock:
    return OutboxClock()


def item(sku: str, price: str, quantity: int = 1) -> dict[str, Any]:
    return {"name": sku, "sku": sku, "quantity": quantity, "price": Decimal(price)}


def session_body(state: str = "open", *items: dict[str, Any], **fields: Any) -> dict[str, Any]:
    customer_session = {"profileId": "ann", "state": state, **fields}
    if items:
        customer_session["cartItems"] = list(items)
    return {"customerSession": customer_session, "responseContent": ["customerSession"]}


def return_body(*positions: int) -> dict[str, Any]:
    lines = [{"position": position} for position in positions]
    return {"return": {"returnedCartItems": lines}, "responseContent": ["customerSession"]}


def operations(emulator: Emulator, session_id: str | None = None) -> list[str]:
    """The API operations the emulator received (for one session), in arrival order."""
    return [
        entry["operation"]
        for entry in emulator.requests
        if session_id is None or f"/customer_sessions/{session_id}" in entry["path"]
    ]


def new_session(session_id: str = "cart-1") -> CustomerSession:
    return CustomerSession.objects.create(session_id=session_id, profile_id="ann")


def unwoken_row(profile: str) -> Delivery:
    """A waiting profile update nobody woke (as a lost message leaves one): the work the
    sweeper and the watch find."""
    return enqueue(
        Operation.UPDATE_PROFILE,
        lane=profile_lane(profile),
        args=[profile],
        body={"attributes": {"newsletter": True}},
        wake=False,
    )
