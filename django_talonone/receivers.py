"""Wiring the public signals a shop sends to the services that act on them.

Connected from ``TalonOneConfig.ready()``. Every receiver runs in the sender's transaction,
so the outbox rows it writes commit or roll back with the shop's change; ``cart_changed``
writes one snapshot row per transaction, like a registered cart's saves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, router
from django.dispatch import receiver

from django_talonone import signals
from django_talonone.registry import cart_adapter_for
from django_talonone.services import orders, profiles, sessions
from django_talonone.services.sessions import require_saved


@receiver(signals.cart_changed, dispatch_uid="django_talonone.cart_changed")
def on_cart_changed(sender: Any, cart: models.Model, **kwargs: Any) -> None:
    # ``__class__``, not ``type()``: a lazy proxy (oscar's ``request.basket``) passes it on.
    model = cart.__class__
    require_saved(cart, "cart")
    adapter = cart_adapter_for(cart)  # an unregistered cart fails here, in the shop's code
    using = cart._state.db or router.db_for_write(model)
    sessions.note_cart_change(model, cart.pk, using=using, adapter=adapter)


@receiver(signals.order_placed, dispatch_uid="django_talonone.order_placed")
def on_order_placed(sender: Any, order: models.Model, **kwargs: Any) -> None:
    orders.place_order(order)


@receiver(signals.order_cancelled, dispatch_uid="django_talonone.order_cancelled")
def on_order_cancelled(sender: Any, order: models.Model, **kwargs: Any) -> None:
    orders.cancel_order(order)


@receiver(signals.order_refunded, dispatch_uid="django_talonone.order_refunded")
def on_order_refunded(
    sender: Any, order: models.Model, lines: Iterable[Any], **kwargs: Any
) -> None:
    orders.refund_order_lines(order, lines)


@receiver(signals.customer_changed, dispatch_uid="django_talonone.customer_changed")
def on_customer_changed(sender: Any, customer: Any, **kwargs: Any) -> None:
    profiles.sync_customer(customer)


@receiver(signals.customer_deleted, dispatch_uid="django_talonone.customer_deleted")
def on_customer_deleted(sender: Any, profile_id: str, **kwargs: Any) -> None:
    profiles.forget_customer(profile_id)


@receiver(signals.event_tracked, dispatch_uid="django_talonone.event_tracked")
def on_event_tracked(
    sender: Any,
    profile_id: str,
    event_type: str,
    attributes: Mapping[str, Any] | None = None,
    session_id: str | None = None,
    **kwargs: Any,
) -> None:
    profiles.track_event(profile_id, event_type, attributes, session_id=session_id)
