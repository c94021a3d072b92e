"""Coalescing: many changes to one object inside a transaction → one call, on commit.

Saving a cart with twenty lines fires twenty-one ``post_save`` signals; Talon.One must see
one snapshot, taken after the last of them, and none at all if the transaction rolls back.
Each dirty object gets one ``transaction.on_commit`` callback, remembered per thread and
database alias. Django drops callbacks registered inside a savepoint that rolls back, so a
later change re-registers when its earlier callback is no longer queued (checked against
the connection's pending callbacks), and a change that was rolled back is never sent.
Outside a transaction (autocommit) every change is handled at once.

The handler receives the object freshly loaded after the commit, so it sees the committed
state; an object deleted in the meantime is skipped. With ``load=False`` it receives the
primary key instead and no query is made: a handler that only records "object X changed"
(a cart snapshot, built later by the worker) costs the shop's request nothing more.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.db import connections, models, transaction

logger = logging.getLogger("django_talonone.services")

Handler = Callable[[Any], None]
Key = tuple[str, type[models.Model], Any]

_local = threading.local()


def _pending(using: str) -> dict[Key, Callable[[], None]]:
    registry: dict[str, dict[Key, Callable[[], None]]] = _local.__dict__.setdefault("pending", {})
    return registry.setdefault(using, {})


def _still_queued(using: str, callback: Callable[[], None]) -> bool:
    # Entries are (savepoint ids, callback[, robust]); rolled-back savepoints' are removed.
    return any(entry[1] is callback for entry in connections[using].run_on_commit)


def defer(
    action: str,
    model: type[models.Model],
    pk: Any,
    handler: Handler,
    using: str,
    *,
    load: bool = True,
) -> None:
    """Run ``handler(fresh object)`` (``handler(pk)`` if not ``load``) once on commit."""
    if pk is None:
        return
    connection = connections[using]
    if not connection.in_atomic_block:
        _run(action, model, pk, handler, using, load)
        return
    key: Key = (action, model, pk)
    pending = _pending(using)
    queued = pending.get(key)
    if queued is not None and _still_queued(using, queued):
        return

    def flush() -> None:
        if pending.get(key) is flush:
            del pending[key]
        _run(action, model, pk, handler, using, load)

    pending[key] = flush
    transaction.on_commit(flush, using=using)


def once(
    action: str,
    model: type[models.Model],
    pk: Any,
    record: Callable[[Any], Callable[[], None]],
    using: str,
) -> None:
    """Run ``record(pk)`` now, once per transaction; run what it returns on commit.

    For work that belongs *in* the shop's transaction (an outbox row) but must happen once
    however many times the object changes there. A savepoint rolled back with the work in
    it takes the queued callback along, so the next change records again.
    """
    if pk is None:
        return
    connection = connections[using]
    if not connection.in_atomic_block:
        record(pk)()
        return
    key: Key = (action, model, pk)
    pending = _pending(using)
    queued = pending.get(key)
    if queued is not None and _still_queued(using, queued):
        return
    after = record(pk)

    def committed() -> None:
        if pending.get(key) is committed:
            del pending[key]
        try:
            after()
        except Exception:
            logger.exception("django-talonone could not handle %s of %s #%s", action, model, pk)

    pending[key] = committed
    transaction.on_commit(committed, using=using)


def pending_count(using: str = "default") -> int:
    """How many objects wait for the current transaction's commit (for tests and debugging)."""
    return sum(1 for callback in _pending(using).values() if _still_queued(using, callback))


def _run(
    action: str, model: type[models.Model], pk: Any, handler: Handler, using: str, load: bool
) -> None:
    try:
        if not load:
            handler(pk)
            return
        instance = model._default_manager.using(using).filter(pk=pk).first()
        if instance is None:
            return
        handler(instance)
    except Exception:
        # Runs after the shop's commit: raising would report a failure for work that
        # succeeded. The error is logged with its traceback for the shop to fix.
        logger.exception("django-talonone could not handle %s of %s #%s", action, model, pk)
