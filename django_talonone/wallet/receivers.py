"""Keeping cached wallets fresh: forget a profile's wallet when its coupons may change.

A session that is closed (coupons redeemed), cancelled (redemptions rolled back) or
returned changes what the shopper's wallet shows. Two hooks catch every such moment:

- ``session_evaluated``, which the cart's synchronous evaluation sends;
- ``post_save`` of :class:`CustomerSession`, which fires both when the shop closes,
  cancels or refunds an order and again when the outbox delivery of that call has been
  applied (Talon.One's state changes only then, so a wallet read in between is dropped).

With several processes (web servers, Celery workers) the cache must be shared (Redis,
Memcached, the database) for a worker's invalidation to reach the web servers.
Connected from ``TalonOneConfig.ready()``.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from django_talonone.models import CustomerSession, SessionState
from django_talonone.signals import customer_deleted, session_evaluated

from .service import invalidate_wallet


def _forget_if_settled(session: CustomerSession) -> None:
    if session.profile_id and session.state != SessionState.OPEN:
        invalidate_wallet(session.profile_id)


@receiver(session_evaluated, dispatch_uid="django_talonone.wallet.session_evaluated")
def on_session_evaluated(sender: Any, session: CustomerSession, **kwargs: Any) -> None:
    _forget_if_settled(session)


@receiver(post_save, sender=CustomerSession, dispatch_uid="django_talonone.wallet.session_saved")
def on_session_saved(sender: Any, instance: CustomerSession, **kwargs: Any) -> None:
    _forget_if_settled(instance)


@receiver(customer_deleted, dispatch_uid="django_talonone.wallet.customer_deleted")
def on_customer_deleted(sender: Any, profile_id: str, **kwargs: Any) -> None:
    invalidate_wallet(profile_id)
