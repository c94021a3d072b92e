"""Four worker threads deliver many session lanes at once over real HTTP, through faults.

The outbox lives in a SQLite file of its own (the suite's in-memory database is one shared
cache, which locks differently) and the emulator is served on a socket, where a call of a
session that arrives while another is in flight waits its turn and is marked ``queued`` in
the log (a fourth would get a 409): no 409 is injected here, so a queued call or a 409 in
its log means the outbox let two workers call one session at once. Returns are
dropped after being applied, among other faults, and must still be applied once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connections, transaction
from django.test import override_settings

from django_talonone.client import TalonOneClient
from django_talonone.emulator import Emulator
from django_talonone.models import (
    CustomerSession,
    Delivery,
    DeliveryStatus,
    Operation,
    SessionReturn,
)
from django_talonone.outbox import deliver_pending, enqueue, session_lane
from django_talonone.services.clients import client_factory_override

from .conftest import API_KEY, SETTINGS
from .test_faults import check_lane_order

ALIAS = "talonone_chaos_file"
LANES = 12
WORKERS = 4
FAST = {**SETTINGS, "OUTBOX_BACKOFF": 0.01, "OUTBOX_BACKOFF_MAX": 0.05, "TIMEOUT": 2.0}


class _ToFile:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        return ALIAS

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return ALIAS


@pytest.fixture
def outbox_file(
    tmp_path: Path, django_db_blocker: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    # Not a django_db test (that would forbid the extra alias); should a browser test's
    # event loop still run in this thread, Django must not refuse the queries.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    configured = {**connections.settings, ALIAS: {"ENGINE": "django.db.backends.sqlite3"}}
    configured[ALIAS]["NAME"] = str(tmp_path / "outbox.sqlite3")
    configured[ALIAS]["OPTIONS"] = {"timeout": 30}
    connections.settings[ALIAS] = connections.configure_settings(configured)[ALIAS]
    try:
        with django_db_blocker.unblock(), connections[ALIAS].schema_editor() as editor:
            for model in (ContentType, CustomerSession, SessionReturn, Delivery):
                editor.create_model(model)
        with override_settings(DATABASE_ROUTERS=[_ToFile()]), django_db_blocker.unblock():
            yield
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]


@pytest.fixture
def served() -> Iterator[Emulator]:
    emulator = Emulator(api_key=API_KEY, log_size=100_000)
    with emulator.serve() as running:

        def factory(config: Any, purpose: str) -> TalonOneClient:
            return TalonOneClient(
                base_url=running.url, api_key=API_KEY, timeout=(2.0, 2.0), max_attempts=1
            )

        with override_settings(TALONONE=FAST), client_factory_override(factory):
            yield emulator


def _queue_orders() -> None:
    """Per lane: two cart updates, the close, two returns, and for every third a cancel."""
    shoes = {"sku": "SHOES", "name": "Shoes", "quantity": 1, "price": Decimal("80.00")}
    socks = {"sku": "SOCKS", "name": "Socks", "quantity": 2, "price": Decimal("4.99")}
    for number in range(LANES):
        session_id, lane = f"s{number}", session_lane(f"s{number}")
        with transaction.atomic(using=ALIAS):
            session = CustomerSession.objects.create(session_id=session_id, profile_id=f"p{number}")
            for state, items in (
                ("open", [shoes]),
                ("open", [shoes, socks]),
                ("closed", [shoes, socks]),
            ):
                body = {
                    "customerSession": {
                        "profileId": f"p{number}", "state": state, "cartItems": items,
                        "couponCodes": ["WELCOME10"],
                    },
                }  # fmt: skip
                enqueue(
                    Operation.UPDATE_SESSION, lane=lane, args=[session_id], body=body,
                    session=session,
                )  # fmt: skip
            for position in (0, 1):
                refund = SessionReturn.objects.create(
                    session=session, items=[{"position": position}]
                )
                enqueue(
                    Operation.RETURN_ITEMS, lane=lane, args=[session_id],
                    body={"return": {"returnedCartItems": [{"position": position}]}},
                    session=session, session_return=refund,
                )  # fmt: skip
            if number % 3 == 0:
                enqueue(
                    Operation.UPDATE_SESSION, lane=lane, args=[session_id],
                    body={"customerSession": {"state": "cancelled"}}, session=session,
                )  # fmt: skip


def _worker(stop: threading.Event, errors: list[BaseException]) -> None:
    try:
        while not stop.is_set():
            if not deliver_pending().lanes:
                time.sleep(0.005)
    except BaseException as error:  # reported by the test, not lost in the thread
        errors.append(error)
    finally:
        connections.close_all()


def test_concurrent_workers_keep_each_session_serial_and_in_order(
    outbox_file: None, served: Emulator
) -> None:
    _queue_orders()
    served.set_faults(
        seed=7,
        error_rates={500: 0.1, 502: 0.05, 503: 0.1, 429: 0.05},
        drop_rate=0.2,
        drop_after_apply=True,
    )
    stop, errors = threading.Event(), []
    threads = [threading.Thread(target=_worker, args=(stop, errors)) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    try:
        calm, deadline = time.monotonic() + 4, time.monotonic() + 60
        while Delivery.objects.filter(status__in=["pending", "in_flight"]).exists():
            if time.monotonic() > calm:
                served.clear_faults()  # enough chaos: let the rest through
            assert time.monotonic() < deadline, "the outbox did not settle within 60 s"
            time.sleep(0.02)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []

    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DONE}
    log = served.requests
    assert [e for e in log if e["status"] == 409] == []  # never two calls of a session at once
    assert [e for e in log if e["queued"]] == []  # nor even one waiting behind another
    assert any(e["dropped"] for e in log)
    check_lane_order(served)
    for number in range(LANES):
        assert len(served.state.data["returns"][f"s{number}"]) == 2  # each applied once
        state = served.state.data["sessions"][f"s{number}"]["state"]
        assert state == ("cancelled" if number % 3 == 0 else "partially_returned")
    usage = served.state.data["couponUsage"]["WELCOME10"]["usageCounter"]
    assert usage == LANES - len(range(0, LANES, 3))  # cancelled orders gave their coupon back
