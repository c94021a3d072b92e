"""Talon.One's notifications: stored once, claimed by one worker, processed, announced.

``receive_notification`` writes the row in the caller's transaction (the endpoint's, so
the 2xx goes back only once it is kept) and, after the commit, starts its processing:
a Celery task (``NOTIFICATION_PROCESSING = "task"``) or right here (``"inline"``).
A replayed ``X-UUID`` finds its row and starts nothing.

``process_notification`` claims the row with a compare-and-swap UPDATE (its state and
``attempts`` as read are repeated in the WHERE clause, so of two workers exactly one
changes it) that holds it for ``NOTIFICATION_LEASE`` seconds. What the notification
changes (the mirrors, the signals' receivers) runs in one transaction with the UPDATE
that marks it processed, and that UPDATE repeats the claim's ``attempts``: a worker whose
lease ran out and was retaken cannot settle it. A worker that dies mid-way leaves the
row *processing* with a lease that runs out; then ``reclaimable`` lists it again. A
failure rolls the work back and keeps the row *failed* with the error, to reprocess.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from django.apps import apps
from django.db import IntegrityError, router, transaction
from django.db.models import Q
from django.utils import timezone

from django_talonone import signals
from django_talonone.conf import get_settings
from django_talonone.models import Notification, NotificationState
from django_talonone.notification_types import (
    NotificationKind,
    kind_of,
    notification_type,
    parse_coupons,
    parse_points,
    parse_strikethrough,
    parse_tiers,
)
from django_talonone.wallet.service import invalidate_wallet

from .strikethrough import store_strikethrough

if TYPE_CHECKING:
    from django_talonone.apps import TalonOneConfig

__all__ = [
    "Received",
    "claimable",
    "process_notification",
    "process_waiting",
    "receive_notification",
    "reclaimable",
    "reprocess_notifications",
]

logger = logging.getLogger("django_talonone.notifications")

_POINTS = frozenset(
    {
        NotificationKind.POINTS_ADDED,
        NotificationKind.POINTS_DEDUCTED,
        NotificationKind.POINTS_BALANCES,
        NotificationKind.POINTS_PENDING,
        NotificationKind.POINTS_EXPIRING,
    }
)
_TIERS = frozenset(
    {
        NotificationKind.TIER_UPGRADE,
        NotificationKind.TIER_DOWNGRADE,
        NotificationKind.TIER_WILL_DOWNGRADE,
    }
)
_COUPONS = frozenset(
    {
        NotificationKind.COUPON_CREATED,
        NotificationKind.COUPON_UPDATED,
        NotificationKind.COUPON_DELETED,
    }
)


@dataclass(frozen=True)
class Received:
    notification: Notification
    #: The ``X-UUID`` was stored before: acknowledged, not processed again.
    duplicate: bool


def _db() -> str:
    return router.db_for_write(Notification)


def receive_notification(payload: Mapping[str, Any], *, uuid: str | None) -> Received:
    """Store a pushed JSON object and start its processing once the caller commits."""
    using = _db()
    name = notification_type(payload) or ""
    with transaction.atomic(using=using):
        if uuid is not None:
            existing = Notification.objects.using(using).filter(uuid=uuid).first()
            if existing is not None:
                return Received(existing, duplicate=True)
        try:
            with transaction.atomic(using=using):
                row = Notification.objects.using(using).create(
                    kind=kind_of(payload).value,
                    notification_type=name[:100],
                    uuid=uuid,
                    payload=dict(payload),
                )
        except IntegrityError:  # the same X-UUID, stored by a request running alongside
            existing = Notification.objects.using(using).filter(uuid=uuid).first()
            if existing is None:
                raise
            return Received(existing, duplicate=True)
        transaction.on_commit(lambda: _start(row.pk), using=using)
    return Received(row, duplicate=False)


def _start(notification_id: int) -> None:
    """Process the row here or queue its task; a failure to queue leaves it for the sweep."""
    if get_settings().notification_processing == "inline":
        try:
            process_notification(notification_id)
        except Exception:  # already stored: the sweep or the command retries it
            logger.exception("Notification #%s could not be processed inline", notification_id)
        return
    queue = cast("TalonOneConfig", apps.get_app_config("django_talonone")).celery
    if queue is None:  # no Celery: talonone_process_notifications processes it
        return
    try:
        queue.process_notification(notification_id)
    except Exception as error:
        if queue.eager:
            raise
        # A broker error's text may hold its URL and password: the type only.
        logger.warning(
            "Could not queue notification #%s (%s); talonone_process_notifications or "
            "the sweep will process it",
            notification_id,
            type(error).__name__,
        )


def claimable(now: datetime, *, failed: bool) -> Q:
    """Rows free to claim at ``now``: received, a run-out lease (and failed, if asked)."""
    states = [NotificationState.RECEIVED, *([NotificationState.FAILED] if failed else [])]
    return Q(state__in=states) | Q(state=NotificationState.PROCESSING, lease_expires_at__lte=now)


def claim_notification(notification_id: int, *, now: datetime) -> Notification | None:
    """Take the row for ``NOTIFICATION_LEASE`` seconds, or ``None`` if it is not free."""
    using = _db()
    rows = Notification.objects.using(using).filter(claimable(now, failed=True), pk=notification_id)
    seen = rows.values_list("attempts", flat=True).first()
    if seen is None:
        return None
    lease = now + timedelta(seconds=get_settings().notification_lease)
    changed = rows.filter(attempts=seen).update(
        state=NotificationState.PROCESSING, attempts=seen + 1, lease_expires_at=lease
    )
    if changed != 1:
        return None
    return Notification.objects.using(using).get(pk=notification_id)


class _ClaimLost(Exception):
    """The lease ran out and another worker took the row over: its outcome stands."""


def settle_notification(row: Notification, **fields: Any) -> bool:
    """Write the outcome of a claim; False if the claim was lost (lease run out, retaken)."""
    changed = (
        Notification.objects.using(_db())
        .filter(pk=row.pk, state=NotificationState.PROCESSING, attempts=row.attempts)
        .update(lease_expires_at=None, **fields)
    )
    return int(changed) == 1


def process_notification(notification_id: int, *, now: datetime | None = None) -> str | None:
    """Process one notification if it is free; returns its new state, or ``None``."""
    now = now or timezone.now()
    row = claim_notification(notification_id, now=now)
    if row is None:
        return None
    try:
        with transaction.atomic(using=_db()):
            apply_notification(row)
            if not settle_notification(
                row, state=NotificationState.PROCESSED, error="", processed_at=timezone.now()
            ):
                raise _ClaimLost
    except _ClaimLost:
        logger.warning("Notification #%s was taken over by another worker", row.pk)
        return None
    except Exception as error:
        message = f"{type(error).__name__}: {error}"
        logger.warning("Notification #%s (%s) failed: %s", row.pk, row.kind, message)
        settle_notification(row, state=NotificationState.FAILED, error=message[:10000])
        return NotificationState.FAILED.value
    return NotificationState.PROCESSED.value


def apply_notification(row: Notification) -> None:
    """Update the mirrors the notification concerns, then send its signal(s)."""
    kind = NotificationKind(row.kind)
    payload: Mapping[str, Any] = row.payload
    sender = Notification
    if kind in _COUPONS:
        change = parse_coupons(kind, payload)
        for coupon in change.coupons:
            if coupon.recipient_profile_id:
                invalidate_wallet(coupon.recipient_profile_id)
        signals.coupons_changed.send(sender=sender, notification=row, change=change)
    elif kind in _POINTS:
        points = parse_points(kind, payload)
        for change_ in points:
            invalidate_wallet(change_.profile_id)
        for change_ in points:
            signals.loyalty_points_changed.send(sender=sender, notification=row, change=change_)
    elif kind in _TIERS:
        tiers = parse_tiers(kind, payload)
        for tier in tiers:
            invalidate_wallet(tier.profile_id)
        for tier in tiers:
            signals.loyalty_tier_changed.send(sender=sender, notification=row, change=tier)
    elif kind == NotificationKind.STRIKETHROUGH:
        batch = parse_strikethrough(payload)
        store_strikethrough(batch, notification=row)
        signals.strikethrough_prices_changed.send(sender=sender, notification=row, change=batch)
    elif kind == NotificationKind.WEBHOOK:
        signals.webhook_triggered.send(sender=sender, notification=row, payload=payload)


def reclaimable(*, failed: bool = False, now: datetime | None = None) -> list[int]:
    """Ids waiting for processing: received, or processing with a lease run out (and
    failed ones with ``failed``), oldest first."""
    rows = Notification.objects.using(_db()).filter(claimable(now or timezone.now(), failed=failed))
    return list(rows.order_by("id").values_list("pk", flat=True))


def process_waiting(
    ids: Iterable[int] | None = None, *, failed: bool = False, now: datetime | None = None
) -> dict[str, int]:
    """Process ``ids`` (or every waiting notification) here; counts by outcome."""
    counts = {"processed": 0, "failed": 0, "skipped": 0}
    for notification_id in reclaimable(failed=failed, now=now) if ids is None else ids:
        outcome = process_notification(notification_id, now=now)
        counts[outcome or "skipped"] += 1
    return counts


def reprocess_notifications(ids: Iterable[int]) -> int:
    """Start the processing of these failed (or stuck) notifications again, once the
    caller commits; returns how many were started. Processed ones are left alone."""
    using = _db()
    found = list(
        Notification.objects.using(using)
        .filter(claimable(timezone.now(), failed=True), pk__in=list(ids))
        .values_list("pk", flat=True)
    )
    for notification_id in found:
        transaction.on_commit(partial(_start, notification_id), using=using)
    return len(found)
