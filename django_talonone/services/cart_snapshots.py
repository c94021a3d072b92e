"""Turning a recorded cart change into its UpdateCustomerSessionV2 call, at delivery time.

The shopper's request only recorded "cart X changed" (``outbox.snapshots``). The worker
that claimed that row calls :func:`prepare`, which:

1. retires the pending snapshots of the lane queued behind this one, up to the next
   non-snapshot row (a close, say): their changes committed before their rows did, so the
   cart read next includes them and one call covers them all;
2. reads the cart, builds the body with the registered adapter, and finds the cart's open
   session, opening one (with a never-used id) on first use;
3. stores that call on the row, next to the cart reference, so the reply is mirrored like
   any other and the admin shows what was sent.

Every attempt rebuilds the call, so a retry sends the newest cart too, until an attempt
may have reached Talon.One: the runner then sends that call again unchanged.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import router, transaction
from django.db.models import Min
from django.utils import timezone

from django_talonone.adapters import InvalidPayload
from django_talonone.models import Delivery, DeliveryStatus
from django_talonone.outbox.hooks import NothingToSend
from django_talonone.outbox.payload import encode_payload, referenced_cart
from django_talonone.outbox.store import supersede
from django_talonone.registry import cart_adapter_for

from .sessions import cart_session, open_session

logger = logging.getLogger("django_talonone.services")


def supersede_followers(delivery: Delivery) -> int:
    """Retire the pending snapshots right behind ``delivery`` in its lane; returns how many."""
    using = router.db_for_write(Delivery)
    behind = Delivery.objects.using(using).filter(lane=delivery.lane, id__gt=delivery.pk)
    barrier = behind.filter(supersedable=False).aggregate(first=Min("id"))["first"]
    followers = behind.filter(supersedable=True, status=DeliveryStatus.PENDING)
    if barrier is not None:
        followers = followers.filter(id__lt=barrier)
    return supersede(followers)


def prepare(delivery: Delivery) -> None:
    """Build the call of the cart snapshot ``delivery`` and store it on the row.

    Raises :class:`NothingToSend` when the cart is gone, is empty without ever having had
    a session (the cart emptied right after its order was placed), or holds data Talon.One
    would reject (logged as an error: a bug for the shop to fix, which must not block the
    cart's lane, where its order's close waits).
    """
    reference = referenced_cart(delivery.payload)
    if reference is None:
        raise ValueError(f"outbox row #{delivery.pk} is not a cart snapshot")
    label, pk = reference
    supersede_followers(delivery)
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise NothingToSend(f"cart model {label} does not exist (any more)") from None
    using = router.db_for_write(Delivery)
    with transaction.atomic(using=using):
        cart = model._default_manager.using(using).filter(pk=pk).first()
        if cart is None:
            raise NothingToSend(f"cart {label} #{pk} was deleted")
        adapter = cart_adapter_for(cart)
        try:
            body = adapter.build_session(cart, state="open")
        except InvalidPayload as error:
            logger.error("Cart %s #%s not sent to Talon.One: %s", label, pk, error)
            raise NothingToSend(f"invalid cart data, not sent: {error}") from None
        content = body["customerSession"]
        session = cart_session(cart)
        if session is None and not content["cartItems"] and not content.get("couponCodes"):
            raise NothingToSend("empty cart without a session: nothing to evaluate")
        # open_session also moves a cart routed to another Application to a new session.
        session = open_session(cart, content["profileId"], adapter=adapter)
        payload = encode_payload([session.session_id], body, None)
        payload["cart"] = delivery.payload["cart"]
        Delivery.objects.using(using).filter(pk=delivery.pk).update(
            payload=payload,
            session=session,
            application=session.application,
            updated_at=timezone.now(),
        )
    delivery.payload = payload
    delivery.session = session
    delivery.application = session.application
