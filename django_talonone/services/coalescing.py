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
from functools import partial
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


def _queued(key: Key, using: str) -> bool:
    """Whether ``key`` already has a callback waiting for this transaction's commit."""
    queued = _pending(using).get(key)
    return queued is not None and _still_queued(using, queued)


def _on_commit_once(key: Key, run: Callable[[], None], using: str) -> None:
    """Queue ``run`` for the commit, remembered under ``key`` until it has run."""
    pending = _pending(using)

    def callback() -> None:
        if pending.get(key) is callback:
            del pending[key]
        run()

    pending[key] = callback
    transaction.on_commit(callback, using=using)


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
    flush = partial(_guarded, action, model, pk, partial(_load, model, pk, handler, using, load))
    if not connections[using].in_atomic_block:
        flush()
        return
    key: Key = (action, model, pk)
    if not _queued(key, using):
        _on_commit_once(key, flush, using)


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
    if not connections[using].in_atomic_block:
        record(pk)()
        return
    key: Key = (action, model, pk)
    if not _queued(key, using):
        after = record(pk)
        _on_commit_once(key, partial(_guarded, action, model, pk, after), using)


def pending_count(using: str = "default") -> int:
    """How many objects wait for the current transaction's commit (for tests and debugging)."""
    return sum(1 for callback in _pending(using).values() if _still_queued(using, callback))


def _load(model: type[models.Model], pk: Any, handler: Handler, using: str, load: bool) -> None:
    if not load:
        handler(pk)
        return
    instance = model._default_manager.using(using).filter(pk=pk).first()
    if instance is not None:  # deleted in the meantime: nothing to send
        handler(instance)


def _guarded(action: str, model: type[models.Model], pk: Any, work: Callable[[], None]) -> None:
    try:
        work()
    except Exception:
        # Runs after the shop's commit: raising would report a failure for work that
        # succeeded. The error is logged with its traceback for the shop to fix.
        logger.exception("django-talonone could not handle %s of %s #%s", action, model, pk)
