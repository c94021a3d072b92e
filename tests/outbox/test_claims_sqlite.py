"""Claiming on SQLite while another connection writes: the claim waits, it does not fail.

The suite's in-memory database is one shared cache, which locks differently from a real
SQLite file, so this test puts the outbox on a database file of its own. Another
connection (a second worker, in effect) holds the write lock when the claim starts and
commits as soon as the claim issues its first write.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from django_talonone.models import CustomerSession, Delivery, Operation, SessionReturn
from django_talonone.outbox.claims import Claim, claim_head

ALIAS = "talonone_sqlite_file"


class _ToFile:
    """Routes every query to the file database."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return ALIAS

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return ALIAS


@pytest.fixture
def sqlite_file(
    tmp_path: Path, django_db_blocker: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    # Not a django_db test (that would forbid the extra alias), so it runs after the
    # browser tests, whose Playwright event loop may still be running in this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    path = tmp_path / "outbox.sqlite3"
    configured = {**connections.settings, ALIAS: {"ENGINE": "django.db.backends.sqlite3"}}
    configured[ALIAS]["NAME"] = str(path)
    connections.settings[ALIAS] = connections.configure_settings(configured)[ALIAS]
    try:
        with django_db_blocker.unblock(), connections[ALIAS].schema_editor() as editor:
            for model in (ContentType, CustomerSession, SessionReturn, Delivery):
                editor.create_model(model)
        with override_settings(DATABASE_ROUTERS=[_ToFile()]), django_db_blocker.unblock():
            yield path
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]


def test_a_claim_waits_for_another_writer_instead_of_failing(sqlite_file: Path) -> None:
    row = Delivery.objects.using(ALIAS).create(
        operation=Operation.UPDATE_PROFILE, lane="profile:ann", payload={}
    )
    other = sqlite3.connect(sqlite_file, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another worker is in the middle of a write
    first_write = threading.Event()

    def commit_once_the_claim_writes() -> None:
        first_write.wait()
        other.execute("COMMIT")

    committer = threading.Thread(target=commit_once_the_claim_writes)
    committer.start()

    def traced(sql: str) -> None:
        if sql.lstrip().upper().startswith("UPDATE"):
            first_write.set()

    connections[ALIAS].ensure_connection()
    connections[ALIAS].connection.set_trace_callback(traced)
    try:
        outcome = claim_head("profile:ann", now=timezone.now(), lease_seconds=30)
    finally:
        first_write.set()
        committer.join()
        other.close()
    assert isinstance(outcome, Claim)
    assert outcome.delivery.pk == row.pk
    assert Delivery.objects.using(ALIAS).get(pk=row.pk).attempts == 1
