"""Delivering outbox rows: one lane until it is empty or blocked, or every due lane.

Each attempt calls Talon.One outside any database transaction (a slow API must not hold
row locks), then records the outcome and updates the mirrors in one transaction.
Transport errors, 409, 429, 5xx and unreadable replies are retried with exponential
backoff and jitter (never sooner than a ``Retry-After`` asks), up to
``OUTBOX_MAX_ATTEMPTS``; other API errors (400, 401, 403, 404, 422) are permanent and park
the row as dead at once. Time comes from an injectable
``clock`` so tests move it instead of sleeping.

Some rows are settled as done without a successful call, with the reason in
``last_error``: a cart snapshot with nothing to send (its cart was deleted, say), and a
failure that means the work is already done (DeleteCustomerData of a profile Talon.One
never saw answers 404).

A row is built (``prepare``) from the shop's data at each attempt, until an attempt may
have reached Talon.One without a verdict (no reply, a 502-504, a worker that died in the
call: ``Delivery.maybe_applied``). From then on every attempt sends exactly that call
again: Talon.One may already hold it, and a closed session refuses a close whose content
changed since (a customer erased meanwhile, say), so a rebuilt retry could never succeed.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import router, transaction
from django.db.models import Min, Q
from django.utils import timezone

from django_talonone.client import (
    TalonOneAPIError,
    TalonOneConfigurationError,
    TalonOneConflict,
    TalonOneError,
    TalonOneRateLimited,
    TalonOneServerError,
    TalonOneTransportError,
    TalonOneValidationError,
)
from django_talonone.client.retry import MAYBE_APPLIED_STATUSES, retry_after_seconds
from django_talonone.conf import TalonOneSettings, get_settings
from django_talonone.json_values import json_safe
from django_talonone.models import Delivery, DeliveryStatus
from django_talonone.signals import delivery_dead

from .claims import Claim, LaneState, NoClaim, claim_head, settle
from .hooks import NothingToSend, hooks
from .payload import is_built
from .wakes import wake_lanes

logger = logging.getLogger("django_talonone.outbox")

Clock = Callable[[], datetime]
MAX_ERROR_LENGTH = 2000


@dataclass
class LaneResult:
    """What one :func:`deliver_lane` run did, and why it stopped."""

    lane: str
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    state: LaneState = LaneState.IDLE
    wake_at: datetime | None = None
    more: bool = False  # stopped at the batch limit with work left

    @property
    def attempted(self) -> int:
        return self.delivered + self.retried + self.dead


@dataclass
class DrainSummary:
    """Totals of a :func:`deliver_pending` run."""

    lanes: list[LaneResult] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(int(getattr(result, name)) for result in self.lanes)

    def __str__(self) -> str:
        return (
            f"{len(self.lanes)} lane(s): {self.total('delivered')} delivered, "
            f"{self.total('retried')} to retry, {self.total('dead')} dead"
        )


def backoff_delay(
    attempt: int, config: TalonOneSettings, rand: Callable[[], float] = random.random
) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based).

    Exponential from ``OUTBOX_BACKOFF``, capped at ``OUTBOX_BACKOFF_MAX``, with "equal
    jitter" (half fixed, half random) so failed lanes don't all come back at once.
    """
    exponent = min(max(attempt - 1, 0), 62)
    raw = min(config.outbox_backoff_max, config.outbox_backoff * 2.0**exponent)
    return raw / 2 + rand() * raw / 2


def retry_after(error: BaseException, config: TalonOneSettings) -> float:
    """Seconds Talon.One asked us to wait (``Retry-After`` on a 429 or 503), else 0.

    Capped at ``OUTBOX_BACKOFF_MAX``, the longest the outbox ever waits between attempts.
    """
    if not isinstance(error, TalonOneAPIError):
        return 0.0
    headers = {name.lower(): value for name, value in error.response_headers.items()}
    seconds = retry_after_seconds({"Retry-After": headers.get("retry-after", "")}, time.time)
    return min(seconds or 0.0, config.outbox_backoff_max)


def is_retryable(error: BaseException) -> bool:
    """Whether a later attempt may succeed: only definite client mistakes are permanent."""
    if isinstance(error, TalonOneAPIError):
        return isinstance(error, (TalonOneConflict, TalonOneRateLimited, TalonOneServerError))
    # Input the client refused to send, or a client it could not build: same next time.
    return not isinstance(error, (TalonOneValidationError, TalonOneConfigurationError))


def may_have_applied(error: BaseException) -> bool:
    """Whether the failed attempt may have been carried out by Talon.One all the same."""
    if isinstance(error, TalonOneTransportError):
        return error.maybe_applied
    return isinstance(error, TalonOneAPIError) and error.status_code in MAYBE_APPLIED_STATUSES


def describe(error: BaseException) -> str:
    """A short, secret-free account of ``error`` for ``Delivery.last_error``."""
    if isinstance(error, TalonOneAPIError):
        text = f"{error.status_code} {error.message}"
        details = []
        for item in list(error.errors or [])[:3]:
            if not isinstance(item, dict):
                continue
            title = str(item.get("title") or item.get("details") or "")
            source = item.get("source")
            pointer = source.get("pointer") if isinstance(source, dict) else None
            if pointer:
                details.append(f"{title} ({pointer})")
            elif title and title != error.message:
                details.append(title)
        if details:
            text += ": " + "; ".join(details)
    elif isinstance(error, TalonOneError):
        text = f"{type(error).__name__}: {error}"
    else:
        text = f"unexpected {type(error).__name__}: {error}"
    return text[:MAX_ERROR_LENGTH]


def _succeed(claim: Claim, reply: Any, now: datetime) -> bool:
    using = router.db_for_write(Delivery)
    with transaction.atomic(using=using):
        if not settle(
            claim,
            now=now,
            status=DeliveryStatus.DONE,
            reply=json_safe(reply),
            delivered_at=now,
            last_error="",
            last_error_status=None,
        ):
            logger.warning("Outbox delivery #%s lost its lease; outcome dropped", claim.delivery.pk)
            return False
        _mirror(claim.delivery, lambda: hooks().apply_reply(claim.delivery, reply), using)
    return True


def _mirror(
    row: Delivery, apply: Callable[[], None], using: str, *, error_so_far: str = ""
) -> None:
    """Run ``apply`` (mirroring an outcome) without letting it unsettle the row.

    The call's outcome is already written: Talon.One applied it, or it is dead. A reply the
    mirror code cannot digest must not roll that back, which would leave the row in flight
    until its lease ran out and the applied call was sent again, and again. The row keeps
    its outcome and says what could not be mirrored.
    """
    try:
        with transaction.atomic(using=using):
            apply()
    except Exception as error:
        problem = f"the outcome could not be mirrored: {describe(error)}"
        logger.exception("Outbox delivery #%s (%s): %s", row.pk, row.operation, problem)
        message = f"{error_so_far}; {problem}" if error_so_far else problem
        Delivery.objects.using(using).filter(pk=row.pk).update(
            last_error=message[:MAX_ERROR_LENGTH]
        )


def _settle_done(claim: Claim, reason: str, status: int | None, now: datetime) -> bool:
    """Mark the claimed row done without a successful call, recording ``reason``."""
    row = claim.delivery
    if not settle(
        claim,
        now=now,
        status=DeliveryStatus.DONE,
        delivered_at=now,
        last_error=reason[:MAX_ERROR_LENGTH],
        last_error_status=status,
    ):
        logger.warning("Outbox delivery #%s lost its lease; outcome dropped", row.pk)
        return False
    logger.info("Outbox delivery #%s (%s) settled without a call: %s", row.pk, row.lane, reason)
    return True


def _fail(claim: Claim, error: BaseException, now: datetime, config: TalonOneSettings) -> bool:
    """Record a failed attempt; returns True when the row is now dead."""
    row = claim.delivery
    message = describe(error)
    status = error.status_code if isinstance(error, TalonOneAPIError) else None
    dead = not is_retryable(error) or claim.attempts >= config.outbox_max_attempts
    using = router.db_for_write(Delivery)
    with transaction.atomic(using=using):
        if dead:
            fields: dict[str, Any] = {"status": DeliveryStatus.DEAD, "next_attempt_at": now}
        else:
            seconds = max(backoff_delay(claim.attempts, config), retry_after(error, config))
            delay = timedelta(seconds=seconds)
            fields = {"status": DeliveryStatus.PENDING, "next_attempt_at": now + delay}
        fields["maybe_applied"] = row.maybe_applied or may_have_applied(error)
        if not settle(claim, now=now, last_error=message, last_error_status=status, **fields):
            logger.warning("Outbox delivery #%s lost its lease; outcome dropped", row.pk)
            return False
        if dead:
            row.status, row.last_error, row.last_error_status = fields["status"], message, status
            _mirror(row, lambda: hooks().apply_failure(row, message), using, error_so_far=message)
            transaction.on_commit(
                partial(delivery_dead.send, sender=Delivery, delivery=row), using=using
            )
    logger.warning(
        "Outbox delivery #%s (%s, lane %s) attempt %s failed%s: %s",
        row.pk,
        row.operation,
        row.lane,
        claim.attempts,
        ", now dead" if dead else "",
        message,
    )
    return dead


def deliver_lane(lane: str, *, limit: int | None = None, clock: Clock = timezone.now) -> LaneResult:
    """Deliver ``lane`` in order until it is empty, blocked or ``limit`` attempts were made."""
    config = get_settings()
    limit = limit if limit is not None else config.outbox_batch
    result = LaneResult(lane)
    while True:
        if result.attempted >= limit:
            result.more = True
            return result
        outcome = claim_head(lane, now=clock(), lease_seconds=config.outbox_lease)
        if isinstance(outcome, NoClaim):
            result.state, result.wake_at = outcome.state, outcome.wake_at
            return result
        handlers = hooks()
        try:
            if not (outcome.delivery.maybe_applied and is_built(outcome.delivery.payload)):
                handlers.prepare(outcome.delivery)
            reply = handlers.send(outcome.delivery)
        except NothingToSend as reason:
            if _settle_done(outcome, str(reason), None, clock()):
                result.delivered += 1
            continue
        except Exception as error:
            settled = handlers.settled_without_success(outcome.delivery, error)
            if settled is not None:
                status = error.status_code if isinstance(error, TalonOneAPIError) else None
                if _settle_done(outcome, settled, status, clock()):
                    result.delivered += 1
                continue
            if not isinstance(error, TalonOneError):
                logger.exception("Outbox delivery #%s raised unexpectedly", outcome.delivery.pk)
            if _fail(outcome, error, clock(), config):
                result.dead += 1
            else:
                result.retried += 1
            continue
        if _succeed(outcome, reply, clock()):
            result.delivered += 1


def _due(now: datetime) -> Q:
    """Rows a worker may take now: waiting and due, or in flight past their lease."""
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.IN_FLIGHT, lease_expires_at__lte=now
    )


def due_lanes(*, now: datetime, limit: int | None = None) -> list[str]:
    """Lanes with a row due now (oldest work first), skipping dead, busy or waiting lanes.

    A pending row that is not due yet is its lane's head in backoff (only heads are ever
    attempted), so the rows behind it are not due either.
    """
    rows = Delivery.objects.using(router.db_for_read(Delivery))
    blocked = rows.filter(
        Q(status=DeliveryStatus.DEAD)
        | Q(status=DeliveryStatus.IN_FLIGHT, lease_expires_at__gt=now)
        | Q(status=DeliveryStatus.PENDING, next_attempt_at__gt=now)
    ).values("lane")
    due = rows.filter(_due(now)).exclude(lane__in=blocked)
    grouped = due.values("lane").annotate(first=Min("id")).order_by("first")
    if limit is not None:
        grouped = grouped[:limit]
    return [entry["lane"] for entry in grouped]


def deliver_pending(*, clock: Clock = timezone.now) -> DrainSummary:
    """Deliver every due row now, in this process (cron, management command, tests)."""
    summary = DrainSummary()
    for lane in due_lanes(now=clock()):
        while True:
            result = deliver_lane(lane, clock=clock)
            summary.lanes.append(result)
            if not result.more:
                break
    return summary


def sweep(*, clock: Clock = timezone.now) -> list[str]:
    """Wake the delivery task of up to ``OUTBOX_BATCH`` lanes with due work.

    A lane already woken and not yet taken up is left alone (see :mod:`.wakes`).
    """
    now = clock()
    lanes = due_lanes(now=now, limit=get_settings().outbox_batch)
    if not lanes:
        return []
    rows = Delivery.objects.using(router.db_for_read(Delivery))
    return wake_lanes(rows.filter(_due(now), lane__in=lanes), now=now)
