"""Claiming the head of a lane, and settling a claim, safely across workers.

A lane's *head* is its oldest row that is not final (pending, in flight or dead). A
worker may deliver only the head, and only when:

- it is pending and due (``next_attempt_at`` has passed), or in flight with an expired
  lease (its worker died);
- no other row of the lane is in flight with a live lease.

A dead head blocks the lane (a return must not precede the close that failed) until
``retry_dead`` revives it. A head waiting in backoff blocks the rows behind it.

Why this is safe with many threads and processes: the claim is a compare-and-swap. The
UPDATE that flips the head to in-flight repeats, in its WHERE clause, the head's status,
``attempts`` and ``lease_expires_at`` as they were read, and counts the rows it changed.
Two workers that read the same head both issue that UPDATE; the database applies them
one after the other (PostgreSQL re-checks the WHERE clause of the second after the first
commits; SQLite serialises all writers), so exactly one sees ``rowcount == 1`` and the
other backs off. On SQLite the claim takes the database's write lock before it reads: a
transaction that reads and then writes while another connection writes gets "database is
locked" at once (SQLite refuses to wait there, to avoid a deadlock), whereas one that
writes first simply waits its turn. On PostgreSQL the head is first locked with ``SELECT
... FOR UPDATE SKIP LOCKED`` so a worker never waits behind another one's claim. Every
claim bumps ``attempts`` and sets a new lease, so (``attempts``, ``lease_expires_at``) is
a token that only the current claimant holds; settling repeats it in the WHERE clause, so
a worker whose lease expired and was reclaimed cannot overwrite the newer outcome.

Order holds because rows only leave the non-final set by becoming done or superseded, and
never come back, except dead rows, which are part of the non-final set all along. One
limit remains: two transactions that enqueue to the same lane concurrently may commit in
the opposite order of their ids; shops serialise work on one cart or order anyway.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Exists, QuerySet

from django_talonone.models import Delivery, DeliveryStatus

NON_FINAL = (DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT, DeliveryStatus.DEAD)


class LaneState(str, enum.Enum):
    """Why a lane has nothing to claim right now."""

    IDLE = "idle"  # nothing left to deliver
    BUSY = "busy"  # another worker holds the head
    WAITING = "waiting"  # the head is in backoff until ``wake_at``
    BLOCKED = "blocked"  # the head is dead


@dataclass(frozen=True)
class Claim:
    """A row this worker now holds, and the token that proves it."""

    delivery: Delivery
    attempts: int
    lease_expires_at: datetime


@dataclass(frozen=True)
class NoClaim:
    state: LaneState
    wake_at: datetime | None = None


def take_sqlite_write_lock(rows: QuerySet[Delivery]) -> None:
    """Start the transaction with a write (that matches no row), see the module docstring."""
    rows.filter(pk=-1).update(attempts=0)


def claim_head(lane: str, *, now: datetime, lease_seconds: float) -> Claim | NoClaim:
    """Claim the head of ``lane`` if the rules above allow it."""
    using = router.db_for_write(Delivery)
    rows = Delivery.objects.using(using)
    with transaction.atomic(using=using):
        if connections[using].vendor == "sqlite":
            take_sqlite_write_lock(rows)
        live = rows.filter(lane=lane, status=DeliveryStatus.IN_FLIGHT, lease_expires_at__gt=now)
        # One statement reads the head, what its mirrors need, and whether the lane is busy:
        # the claim is the outbox's hot path, and each statement the ORM compiles costs
        # about a tenth of a delivery (docs/architecture.md, "Delivery throughput").
        head = (
            rows.filter(lane=lane, status__in=NON_FINAL)
            .select_related("session", "session_return")
            .annotate(lane_busy=Exists(live))
            .order_by("id")
            .first()
        )
        if head is None:
            return NoClaim(LaneState.IDLE)
        if head.status == DeliveryStatus.DEAD:
            return NoClaim(LaneState.BLOCKED)
        if head.status == DeliveryStatus.PENDING and head.next_attempt_at > now:
            return NoClaim(LaneState.WAITING, head.next_attempt_at)
        if head.lane_busy:
            return NoClaim(LaneState.BUSY)
        token = rows.filter(
            pk=head.pk,
            status=head.status,
            attempts=head.attempts,
            lease_expires_at=head.lease_expires_at,
        )
        if connections[using].features.has_select_for_update_skip_locked and not list(
            token.select_for_update(skip_locked=True).values_list("pk", flat=True)
        ):
            return NoClaim(LaneState.BUSY)
        lease_expires_at = now + timedelta(seconds=lease_seconds)
        attempts = head.attempts + 1
        # A row still in flight lost its worker somewhere in the call: it may have applied.
        maybe_applied = head.maybe_applied or head.status == DeliveryStatus.IN_FLIGHT
        changed = token.update(
            status=DeliveryStatus.IN_FLIGHT,
            attempts=attempts,
            lease_expires_at=lease_expires_at,
            maybe_applied=maybe_applied,
            updated_at=now,
        )
        if changed != 1:
            return NoClaim(LaneState.BUSY)
    head.maybe_applied = maybe_applied
    head.status = DeliveryStatus.IN_FLIGHT
    head.attempts = attempts
    head.lease_expires_at = lease_expires_at
    return Claim(head, attempts, lease_expires_at)


def settle(claim: Claim, *, now: datetime, **fields: Any) -> bool:
    """Write the outcome of ``claim``; False if the claim was lost (lease reclaimed)."""
    using = router.db_for_write(Delivery)
    changed = (
        Delivery.objects.using(using)
        .filter(
            pk=claim.delivery.pk,
            status=DeliveryStatus.IN_FLIGHT,
            attempts=claim.attempts,
            lease_expires_at=claim.lease_expires_at,
        )
        .update(lease_expires_at=None, updated_at=now, **fields)
    )
    return int(changed) == 1
