"""What the bulk services share: batching, starting their Celery tasks, outbox bookkeeping.

A bulk operation is started with ids only (rows of the app's mirrors, or a shop model's
primary keys), queued as a Celery task once the caller's transaction commits, or run
inline when Celery is not installed. Work that changes state in Talon.One and must not be
lost goes through the outbox; these helpers keep re-runs idempotent by looking at what
the outbox still holds for a lane before adding to it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.apps import apps
from django.db import models, router, transaction
from django.db.models import QuerySet
from django.utils import timezone

from django_talonone.adapters import MAX_ID_LENGTH, InvalidPayload, check_sendable
from django_talonone.client import TalonOneAPIError
from django_talonone.models import Delivery, DeliveryStatus, Operation, SyncState
from django_talonone.outbox.store import supersede

if TYPE_CHECKING:
    from django_talonone.apps import TalonOneConfig

logger = logging.getLogger("django_talonone.services")

#: Talon.One's limit on profiles / membership changes / reservation ids / advocates per call.
BATCH_LIMIT = 1000
#: Ids per Celery message, so one message never grows unbounded.
TASK_CHUNK = 1000
#: Outbox rows that will still be sent (dead rows are retired by a re-run instead).
UNDELIVERED = (DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT)
MAX_ERROR_LENGTH = 2000

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)


class BulkQueueError(RuntimeError):
    """The bulk task could not be handed to Celery (the broker is down, say)."""


@dataclass
class BulkResult:
    """What one bulk run did: objects done, changes queued in the outbox (memberships,
    reservations, profiles, erasures), failures with their reasons, objects skipped."""

    done: int = 0
    queued: int = 0
    failed: int = 0
    skipped: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    #: Ids whose failure a later attempt may fix (time-outs, 409, 429, 5xx).
    retryable: list[Any] = field(default_factory=list)

    def fail(self, key: Any, message: str, error: BaseException | None = None) -> None:
        self.failed += 1
        self.errors[str(key)] = message
        if error is not None and is_retryable(error):
            self.retryable.append(key)

    def merge(self, other: BulkResult) -> None:
        self.done += other.done
        self.queued += other.queued
        self.failed += other.failed
        self.skipped += other.skipped
        self.errors.update(other.errors)
        self.retryable += other.retryable

    def to_dict(self) -> dict[str, Any]:
        return {
            "done": self.done,
            "queued": self.queued,
            "failed": self.failed,
            "skipped": self.skipped,
            "errors": dict(self.errors),
        }

    def __str__(self) -> str:
        return (
            f"{self.done} done, {self.queued} queued in the outbox, "
            f"{self.failed} failed, {self.skipped} skipped"
        )


def chunks(items: Sequence[T], size: int = BATCH_LIMIT) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``, in order."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def unique(values: Iterable[T]) -> list[T]:
    """``values`` without repeats, first occurrence kept."""
    return list(dict.fromkeys(values))


def each_chunk(rows: QuerySet[M], field_name: str, values: Sequence[Any]) -> Iterator[QuerySet[M]]:
    """``rows`` filtered on ``field_name`` in ``values``, 1000 values at a time.

    SQLite refuses statements with too many parameters, and id lists from the admin or a
    file can be long.
    """
    for chunk in chunks(list(values), BATCH_LIMIT):
        yield rows.filter(**{f"{field_name}__in": chunk})


def existing(rows: QuerySet[M], values: Sequence[Any], field_name: str = "pk") -> list[Any]:
    """Those of ``values`` that ``rows`` holds (in ``field_name``), in the rows' order."""
    found: list[Any] = []
    for part in each_chunk(rows, field_name, values):
        found += part.values_list(field_name, flat=True)
    return found


def want_profiles(rows: QuerySet[M], profile_ids: Sequence[str], build: Callable[[str], M]) -> int:
    """Make ``rows`` hold a pending row per profile id; returns how many were not wanted yet.

    Rows being deleted or that failed are revived; missing ones are built and inserted
    (a racing insert of the same row is ignored: the unique constraint keeps one).
    """
    known = existing(rows, profile_ids, "profile_id")
    revived = sum(  # only rows that exist can be revived: none, no statement
        part.filter(sync_state__in=[SyncState.DELETING, SyncState.FAILED]).update(
            sync_state=SyncState.PENDING, last_error="", updated_at=timezone.now()
        )
        for part in each_chunk(rows, "profile_id", known)
    )
    known_ids = set(known)
    new = [build(profile_id) for profile_id in profile_ids if profile_id not in known_ids]
    rows.model._default_manager.bulk_create(new, ignore_conflicts=True, batch_size=BATCH_LIMIT)
    return len(new) + int(revived)


def check_ids(values: Iterable[Any], field_name: str) -> list[int]:
    """Row ids as ints; anything else raises ``InvalidPayload`` naming it."""
    if isinstance(values, (str, bytes)):
        raise InvalidPayload(field_name, "must be a list of ids, not a string")
    ids: list[int] = []
    for value in values:
        if isinstance(value, bool):
            raise InvalidPayload(field_name, f"holds {value!r}, not an id")
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            raise InvalidPayload(field_name, f"holds {value!r}, not an id") from None
    return unique(ids)


def check_text_ids(values: Iterable[Any], field_name: str, limit: int = MAX_ID_LENGTH) -> list[str]:
    """Profile ids or coupon codes: non-empty strings of at most ``limit`` characters."""
    if isinstance(values, (str, bytes)):
        raise InvalidPayload(field_name, "must be a list of strings, not a single string")
    return unique(
        check_text(value, f"{field_name}[{index}]", limit) for index, value in enumerate(values)
    )


def check_text(value: Any, field_name: str, limit: int = MAX_ID_LENGTH) -> str:
    """One profile id or coupon code: a non-empty string of at most ``limit`` characters."""
    if not isinstance(value, str) or not value:
        raise InvalidPayload(field_name, f"must be a non-empty string, got {value!r}")
    if len(value) > limit:
        raise InvalidPayload(field_name, f"is {len(value)} characters long; the limit is {limit}")
    check_sendable(field_name, value)
    return value


def describe(error: BaseException) -> str:
    """A short, secret-free account of a failed call for a mirror's ``last_error``."""
    from django_talonone.outbox.runner import describe as describe_call

    return describe_call(error)[:MAX_ERROR_LENGTH]


def is_retryable(error: BaseException) -> bool:
    """Whether the same call may succeed later (the outbox's rule)."""
    from django_talonone.outbox.runner import is_retryable as retryable

    return retryable(error)


def is_not_found(error: BaseException) -> bool:
    return isinstance(error, TalonOneAPIError) and error.status_code == 404


def start(
    task_name: str,
    inline: Callable[..., Any],
    ids: Sequence[Any],
    *leading: str,
    after: Sequence[str | None] = (),
) -> None:
    """Run ``talonone.<task_name>`` for ``ids`` (in chunks) once the caller commits.

    ``leading`` arguments (a model label) go before the ids, ``after`` ones (an
    Application's name) after them; names only, never keys. Without Celery the work runs
    inline, in this process. A broker that refuses the message raises
    :class:`BulkQueueError`: staff must know their click did nothing.
    """

    def run() -> None:
        queue = cast("TalonOneConfig", apps.get_app_config("django_talonone")).celery
        if queue is None:  # Celery is not installed: do the work here
            for chunk in chunks(ids, TASK_CHUNK):
                inline(*leading, chunk, *after)
            return
        for chunk in chunks(ids, TASK_CHUNK):
            try:
                queue.start(task_name, *leading, chunk, *after)
            except Exception as error:
                if queue.eager:  # the task ran here: its own error
                    raise
                # The broker's error text can embed its URL and password: the type only.
                raise BulkQueueError(
                    f"Could not queue the Celery task {queue.task_label(task_name)} "
                    f"({type(error).__name__}); check that the broker is running, or run "
                    "the matching talonone_* management command instead."
                ) from None

    if ids:
        transaction.on_commit(run, using=router.db_for_write(Delivery))


def start_deleting(
    rows: QuerySet[M], ids: Sequence[int], task_name: str, inline: Callable[..., Any]
) -> int:
    """Mark those of ``ids`` that ``rows`` holds ``deleting`` (the admin shows them on their
    way out) and queue ``talonone.<task_name>`` for them; returns how many were queued."""
    with transaction.atomic(using=router.db_for_write(rows.model)):
        found = existing(rows, ids)
        for part in each_chunk(rows, "pk", found):
            part.update(sync_state=SyncState.DELETING, updated_at=timezone.now())
        start(task_name, inline, found)
    return len(found)


def retire_dead(lane: str, operation: Operation) -> int:
    """Supersede dead ``operation`` rows of ``lane``: a re-run re-sends what they held.

    A dead head blocks its lane; the re-run's rows carry the current wish for every
    object the dead row failed on (those mirrors are ``failed`` or still ``deleting``).
    """
    return supersede(
        Delivery.objects.filter(lane=lane, operation=operation, status=DeliveryStatus.DEAD)
    )
