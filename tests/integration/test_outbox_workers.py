"""Hundreds of deliveries through Redis, three prefork Celery workers, beat and PostgreSQL.

The emulator is served over real HTTP and records every request. With 20 session lanes
and six worker processes competing, the test checks the outbox's promises end to end:
every row delivered exactly once, each session's calls in row order, never two calls of
one session at the same time (the emulator marks a call that had to wait for another of
its session ``queued``, and answers 409 beyond three), retries after injected
503s, and Talon.One's state consistent afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from django_talonone.client import TalonOneClient
from django_talonone.emulator import Emulator
from django_talonone.models import (
    CustomerSession,
    Delivery,
    DeliveryStatus,
    Operation,
    ReturnState,
    SessionReturn,
    SessionState,
)
from django_talonone.outbox import enqueue, session_lane
from tests.integration.celery_app import app

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "integration-key"
SESSIONS = 20
UPDATES = 8
WORKERS = 3
DEADLINE = 100.0
Signature = tuple[str, Any]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(api_key=API_KEY)
    with emulator.serve("127.0.0.1", 0) as running:
        yield emulator, running.url


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Warm shutdown (finish running tasks), then make sure no pool child is left behind."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def celery_processes(
    served: tuple[Emulator, str], tmp_path: Path, transactional_db: None
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Three workers and a beat (the sweeper), on a queue of their own, killed afterwards."""
    _, url = served
    queue = f"talonone-it-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue  # this process publishes the on-commit kicks
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.settings_postgres",
        "TALONONE_TEST_DB_NAME": str(connection.settings_dict["NAME"]),
        "TALONONE_TEST_QUEUE": queue,
        "TALONONE_BASE_URL": url,
        "TALONONE_API_KEY": API_KEY,
        "TALONONE_MAX_ATTEMPTS": "1",  # retries are the outbox's job here
        "TALONONE_OUTBOX_BACKOFF": "0.2",
        "TALONONE_OUTBOX_BACKOFF_MAX": "1",
        "TALONONE_OUTBOX_LEASE": "60",
        "PYTHONPATH": str(ROOT),
    }
    celery = [sys.executable, "-m", "celery", "-A", "tests.integration.celery_app"]
    commands = [
        [
            *celery,
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            f"--hostname=w{n}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ]
        for n in range(WORKERS)
    ]
    commands.append(
        [*celery, "beat", "--max-interval=1", f"--schedule={tmp_path / 'beat'}", "-l", "WARNING"]
    )
    processes = []
    try:
        for number, command in enumerate(commands):
            log = (tmp_path / f"celery-{number}.log").open("wb")
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        yield processes
    finally:
        for process in processes:
            _stop(process)
        app.control.purge()
        for log_file in sorted(tmp_path.glob("celery-*.log")):
            text = log_file.read_text(errors="replace")
            if "Traceback" in text:
                sys.stderr.write(f"--- {log_file.name}\n{text[-4000:]}\n")


def _line(sku: str, price: str, quantity: int = 1) -> dict[str, Any]:
    return {"name": sku, "sku": sku, "quantity": quantity, "price": Decimal(price)}


def _enqueue_orders() -> None:
    """Per session: cart updates, then the close, then two returns, each in its own commit."""
    sessions = {}
    for n in range(SESSIONS):
        with transaction.atomic():
            sessions[f"it-{n}"] = CustomerSession.objects.create(
                session_id=f"it-{n}", profile_id=f"p-{n}"
            )
    for quantity in range(1, UPDATES + 1):
        for session_id, session in sessions.items():
            with transaction.atomic():
                body = {"customerSession": {"profileId": session.profile_id, "state": "open"}}
                body["customerSession"]["cartItems"] = [_line("SHOES", "60.00", quantity)]
                enqueue(
                    Operation.UPDATE_SESSION,
                    lane=session_lane(session_id),
                    args=[session_id],
                    body=body,
                    session=session,
                    supersedable=True,
                )
    for session_id, session in sessions.items():
        with transaction.atomic():
            closed = {"profileId": session.profile_id, "state": "closed"}
            closed["cartItems"] = [_line("SHOES", "60.00"), _line("SOCKS", "9.99", 2)]
            enqueue(
                Operation.UPDATE_SESSION,
                lane=session_lane(session_id),
                args=[session_id],
                body={"customerSession": closed},
                session=session,
            )
    for position in (0, 1):
        for session_id, session in sessions.items():
            with transaction.atomic():
                refund = SessionReturn.objects.create(
                    session=session, items=[{"position": position}]
                )
                enqueue(
                    Operation.RETURN_ITEMS,
                    lane=session_lane(session_id),
                    args=[session_id],
                    body={"return": {"returnedCartItems": [{"position": position}]}},
                    session=session,
                    session_return=refund,
                )


def _row_signature(row: Delivery) -> Signature:
    body = row.payload["body"]
    if row.operation == Operation.RETURN_ITEMS:
        return ("return", row.session_return.idempotency_key)
    session = body["customerSession"]
    if session["state"] == "closed":
        return ("close", None)
    return ("update", session["cartItems"][0]["quantity"])


def _log_signature(entry: dict[str, Any]) -> Signature:
    if entry["operation"] == "returnCartItems":
        return ("return", entry["headers"]["Idempotency-Key"])
    session = entry["requestBody"]["customerSession"]
    if session["state"] == "closed":
        return ("close", None)
    return ("update", session["cartItems"][0]["quantity"])


def _wait_until_settled() -> None:
    deadline = time.monotonic() + DEADLINE
    final = (DeliveryStatus.DONE, DeliveryStatus.SUPERSEDED)
    while time.monotonic() < deadline:
        if not Delivery.objects.exclude(status__in=final).exists():
            return
        time.sleep(0.25)
    left = list(Delivery.objects.exclude(status__in=final).values("id", "lane", "status"))
    pytest.fail(f"{len(left)} deliveries not settled after {DEADLINE}s: {left[:5]}")


def test_workers_deliver_every_row_once_and_in_order(
    served: tuple[Emulator, str], celery_processes: list[subprocess.Popen[bytes]]
) -> None:
    emulator, url = served
    # Slow every call a little so overlapping calls of one session would surely collide,
    # and fail some so retries (task re-queues and the beat sweeper) are exercised.
    emulator.set_faults(seed=11, latency_ms=15, error_rates={503: 0.05})
    _enqueue_orders()
    _wait_until_settled()
    assert all(process.poll() is None for process in celery_processes), "a worker died"

    log = emulator.requests
    assert len(log) < 500, "the emulator's request log overflowed; shrink the scenario"
    statuses = {entry["status"] for entry in log}
    assert statuses <= {200, 503}, f"unexpected statuses (409 = parallel calls): {statuses}"
    assert [e for e in log if e["queued"]] == [], "two calls of one session were in flight"
    assert 503 in statuses, "the fault injection should have forced some retries"

    for n in range(SESSIONS):
        session_id = f"it-{n}"
        paths = {
            f"/v2/customer_sessions/{session_id}",
            f"/v2/customer_sessions/{session_id}/returns",
        }
        done = Delivery.objects.filter(lane=session_lane(session_id), status=DeliveryStatus.DONE)
        expected = [_row_signature(row) for row in done.order_by("id")]
        delivered = [
            _log_signature(entry)
            for entry in log
            if entry["status"] == 200 and entry["path"] in paths
        ]
        assert delivered == expected, f"{session_id}: calls differ from the rows, in order"
        assert expected[-3][0] == "close"
        assert [kind for kind, _ in expected[-2:]] == ["return", "return"]

    client = TalonOneClient(base_url=url, api_key=API_KEY, max_attempts=1)
    emulator.clear_faults()
    for n in range(SESSIONS):
        remote = client.get_customer_session(f"it-{n}")["customerSession"]
        assert remote["state"] == "partially_returned"
        assert [line["returnedQuantity"] for line in remote["cartItems"]] == [1, 2]
    assert set(SessionReturn.objects.values_list("state", flat=True)) == {ReturnState.DONE}
    assert set(CustomerSession.objects.values_list("state", flat=True)) == {
        SessionState.PARTIALLY_RETURNED
    }
    assert Delivery.objects.filter(status=DeliveryStatus.DONE).count() >= SESSIONS * 4
