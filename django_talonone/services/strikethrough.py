"""Strikethrough prices: what Talon.One pushed per SKU, and a product's "was / now" price.

Each changed item of a strikethrough notification becomes one row per SKU and start of
validity: the batch's ``validFrom`` for a scheduled update, else when Talon.One evaluated
it, or the latest start of its effects if that is later. An item pushed again for the
same start replaces the row. The price shown is the row whose window holds the moment asked about,
the one that starts last winning; an item without effects ("now" equals "was") ends any
strikethrough for its SKU from that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import router, transaction
from django.db.models import Q
from django.utils import timezone

from django_talonone.conf import get_settings
from django_talonone.models import Notification, StrikethroughPrice
from django_talonone.notification_types import StrikethroughBatch, StrikethroughItem

__all__ = ["WasNow", "store_strikethrough", "was_now"]


@dataclass(frozen=True)
class WasNow:
    """A SKU's price with its strikethrough: show ``was`` struck through beside ``now``
    (both to ``CURRENCY_DECIMAL_PLACES``, rounded half to even)."""

    sku: str
    was: Decimal
    now: Decimal
    valid_until: datetime | None

    @property
    def discounted(self) -> bool:
        return self.now < self.was


def _window(item: StrikethroughItem, batch: StrikethroughBatch) -> tuple[datetime, datetime | None]:
    evaluated = item.evaluated_at or batch.sent_at or timezone.now()
    starts = [effect.starts_at for effect in item.effects if effect.starts_at]
    ends = [effect.ends_at for effect in item.effects if effect.ends_at]
    # An effect that started before the evaluation holds from the evaluation on: a later
    # push then always starts later than an earlier one, and so takes over.
    start = batch.valid_from or max([evaluated, *starts])
    return start, (min(ends) if ends else None)


def store_strikethrough(
    batch: StrikethroughBatch, *, notification: Notification | None = None
) -> int:
    """Store every item of ``batch``; returns how many rows were written."""
    using = router.db_for_write(StrikethroughPrice)
    with transaction.atomic(using=using):
        for item in batch.items:
            valid_from, valid_until = _window(item, batch)
            StrikethroughPrice.objects.using(using).update_or_create(
                sku=item.sku,
                valid_from=valid_from,
                defaults={
                    "catalog_id": item.catalog_id,
                    "item_version": item.version,
                    "price": item.price,
                    "discounted_price": item.discounted_price,
                    "valid_until": valid_until,
                    "batch": batch.current_batch,
                    "total_batches": batch.total_batches,
                    "evaluated_at": item.evaluated_at,
                    "notification": notification,
                },
            )
    return len(batch.items)


def was_now(sku: str, *, at: datetime | None = None) -> WasNow | None:
    """The SKU's "was / now" price at ``at`` (now by default), or ``None`` if Talon.One
    pushed none that holds then."""
    at = at or timezone.now()
    row = (
        StrikethroughPrice.objects.using(router.db_for_read(StrikethroughPrice))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=at), sku=sku, valid_from__lte=at)
        .order_by("-valid_from", "-id")
        .first()
    )
    if row is None:
        return None
    unit = get_settings().currency_unit
    return WasNow(
        sku=sku,
        was=row.price.quantize(unit, rounding=ROUND_HALF_EVEN),
        now=row.discounted_price.quantize(unit, rounding=ROUND_HALF_EVEN),
        valid_until=row.valid_until,
    )
