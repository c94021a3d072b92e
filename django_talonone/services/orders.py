"""Orders in Talon.One: the close that redeems, the cancel that rolls back, the returns.

A placed order closes the session its cart was evaluated in. :func:`place_order` builds
the close at once (the shop calls it, or sends ``order_placed``, once the order has its
lines); a registered order is closed by :func:`record_order_placed` at the ``save()``
that places it, in the shop's transaction, and its call is built when it is delivered.
Either way the row is written in the shop's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models, router, transaction
from django.utils import timezone

from django_talonone.adapters import InvalidPayload, OrderAdapter
from django_talonone.applications import application_for
from django_talonone.conf import get_settings
from django_talonone.models import (
    CustomerSession,
    Delivery,
    DeliveryStatus,
    Operation,
    SessionReturn,
    SessionState,
)
from django_talonone.outbox.hooks import NothingToSend
from django_talonone.outbox.lanes import cart_lane, session_lane
from django_talonone.outbox.payload import encode_payload, order_reference, referenced_order
from django_talonone.outbox.store import supersede
from django_talonone.registry import cart_adapter_for, order_adapter_for

from . import dispatch, returns_guard
from .sessions import (
    lane_of_session,
    leave_cart_lane,
    link,
    order_session,
    require_saved,
    session_to_close,
)

_CLOSED_STATES = (SessionState.CLOSED, SessionState.PARTIALLY_RETURNED)


def _retire_snapshots(lane: str) -> None:
    """Drop the cart's pending snapshots: the close about to be queued covers them."""
    supersede(Delivery.objects.filter(lane=lane, supersedable=True, status=DeliveryStatus.PENDING))


def codes_from_cart(body: dict[str, Any], cart: models.Model) -> None:
    """Fill in the codes the order left unsaid from its cart, as the cart holds them now.

    The close must redeem what the session holds; the cart's newest snapshot may still be
    queued (it was just retired), so the cart itself is the freshest account of its codes.
    A cart already emptied, unregistered or invalid says nothing: the codes stay left out
    and Talon.One keeps the ones it has.
    """
    content = body["customerSession"]
    if "couponCodes" in content and "referralCode" in content:
        return
    try:
        cart_content = cart_adapter_for(cart).build_session(cart)["customerSession"]
    except (ImproperlyConfigured, InvalidPayload):
        return
    if not cart_content["cartItems"]:
        return
    for key in ("couponCodes", "referralCode"):
        if key not in content and key in cart_content:
            content[key] = cart_content[key]


def place_order(order: models.Model, *, adapter: OrderAdapter | None = None) -> CustomerSession:
    """Close the order's session (redeeming its coupons); a repeated call does nothing.

    The session is the one its cart was evaluated in when the adapter names the cart
    (``cart_attribute``), otherwise a new one. Call it once the order has all its lines:
    the close is built now, so bad order data is refused here, before anything is written.
    """
    require_saved(order, "order")
    adapter = adapter or order_adapter_for(order)
    body = adapter.build_session(order, state="closed")
    charged = adapter.get_charged_discount(order)
    return _close(order, adapter, body=body, charged=charged)


def record_order_placed(order: models.Model, *, adapter: OrderAdapter) -> CustomerSession:
    """:func:`place_order` for a registered order, at the ``save()`` that placed it.

    Shops save the order before its lines, so the close cannot be built yet. It is written
    now, in the shop's transaction, as "order X was placed"; the worker builds the call from
    the order when it delivers it (:func:`prepare_close`), so a crash after the commit
    loses nothing and the close carries every line saved in that transaction.
    """
    require_saved(order, "order")
    return _close(order, adapter, body=None, charged=None)


def _close(
    order: models.Model,
    adapter: OrderAdapter,
    *,
    body: dict[str, Any] | None,
    charged: Decimal | None,
) -> CustomerSession:
    with transaction.atomic():
        session = order_session(order)
        if session is not None and session.state != SessionState.OPEN:
            return session
        cart = adapter.get_cart(order)
        if session is None and cart is not None:
            session = session_to_close(cart)
        if session is None:
            session = CustomerSession(application=application_for(order, "order", adapter))
        link(session, order)
        if body is not None:
            session.profile_id = body["customerSession"]["profileId"]
        session.state = SessionState.CLOSED
        session.charged_discount = charged
        if cart is not None:
            shared = cart_lane(cart.__class__._meta.label_lower, cart.pk)
            _retire_snapshots(shared)
            lane = leave_cart_lane(session, shared)
            if body is not None:
                codes_from_cart(body, cart)
        else:
            lane = session.lane = session_lane(session.session_id)
        session.save()
        dispatch.send(
            "close",
            Operation.UPDATE_SESSION,
            lane=lane,
            args=[session.session_id],
            body=body,
            reference=order_reference(order.__class__._meta.label_lower, order.pk)
            if body is None
            else None,
            session=session,
        )
    return session


def prepare_close(delivery: Delivery) -> None:
    """Build the close of a registered order (:func:`record_order_placed`) and store it.

    Runs at every attempt until one may have reached Talon.One (the runner then resends
    that call unchanged), so a retry sends the order as it is then. An order deleted in
    the meantime leaves nothing to send; order data Talon.One would reject raises
    ``InvalidPayload``, which parks the row dead with the field named (staff fix the
    order and retry, or discard it).
    """
    reference = referenced_order(delivery.payload)
    if reference is None:
        raise ValueError(f"outbox row #{delivery.pk} is not an order's close")
    label, pk = reference
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise NothingToSend(f"order model {label} does not exist (any more)") from None
    using = router.db_for_write(Delivery)
    with transaction.atomic(using=using):
        order = model._default_manager.using(using).filter(pk=pk).first()
        if order is None:
            raise NothingToSend(f"order {label} #{pk} was deleted; its close was not sent")
        adapter = order_adapter_for(order)
        body = adapter.build_session(order, state="closed")
        cart = adapter.get_cart(order)
        if cart is not None:
            codes_from_cart(body, cart)
        session = delivery.session
        if session is None:
            raise NothingToSend(f"the close of order {label} #{pk} has no session")
        CustomerSession.objects.using(using).filter(pk=session.pk).update(
            profile_id=body["customerSession"]["profileId"],
            charged_discount=adapter.get_charged_discount(order),
            updated_at=timezone.now(),
        )
        session.refresh_from_db(fields=["profile_id", "charged_discount"])
        payload = encode_payload([session.session_id], body, None)
        payload.update(order_reference(label, pk))
        Delivery.objects.using(using).filter(pk=delivery.pk).update(
            payload=payload, updated_at=timezone.now()
        )
    delivery.payload = payload


def cancel_order(order: models.Model) -> CustomerSession | None:
    """Cancel the order's session (coupons and discounts roll back).

    Returns ``None`` for an order that was never placed: Talon.One has nothing to undo.
    """
    require_saved(order, "order")
    with transaction.atomic():
        session = order_session(order)
        if session is None or session.state == SessionState.CANCELLED:
            return session
        session.state = SessionState.CANCELLED
        session.save(update_fields=["state", "updated_at"])
        dispatch.send(
            "cancel",
            Operation.UPDATE_SESSION,
            lane=lane_of_session(session),
            args=[session.session_id],
            body={
                "customerSession": {"state": "cancelled"},
                "responseContent": ["customerSession"],
            },
            session=session,
        )
    return session


def refund_order_lines(
    order: models.Model, lines: Iterable[Any], *, adapter: OrderAdapter | None = None
) -> SessionReturn:
    """Return some lines of a placed order: ``lines`` holds order lines (whole line) or
    ``(line, quantity)`` pairs. Positions come from the adapter's line order.

    Only returns Talon.One will accept are written (see :mod:`.returns_guard`): units of a
    line need cart-item flattening, and no line goes back beyond what was ordered, counting
    the session's earlier pending and done returns under a lock on the session row. The
    ``SessionReturn`` carries the Idempotency-Key every attempt reuses, so a retried
    return is applied once.
    """
    require_saved(order, "order")
    adapter = adapter or order_adapter_for(order)
    placed = order_session(order)
    # The Application the order was placed in decides, whatever routing says today.
    config = get_settings().for_application(placed.application if placed else None)
    flattening = config.cart_item_flattening
    entries = returns_guard.resolve_lines(order, lines, adapter, flattening=flattening)
    returned = [entry.item() for entry in entries]
    with transaction.atomic():
        found = order_session(order)
        # The lock serialises refunds of one order: the second waits, then counts the first.
        session = (
            CustomerSession.objects.select_for_update().filter(pk=found.pk).first()
            if found is not None
            else None
        )
        if session is None or session.state not in _CLOSED_STATES:
            state = session.state if session else "not placed"
            raise InvalidPayload("order", f"order {order.pk} is {state}; only placed orders refund")
        returns_guard.guard_cumulative(session, entries, flattening=flattening)
        session_return = SessionReturn.objects.create(session=session, items=returned)
        session.state = SessionState.PARTIALLY_RETURNED
        session.save(update_fields=["state", "updated_at"])
        dispatch.send(
            "return",
            Operation.RETURN_ITEMS,
            lane=lane_of_session(session),
            args=[session.session_id],
            body={
                "return": {"returnedCartItems": returned},
                "responseContent": ["customerSession"],
            },
            session=session,
            session_return=session_return,
        )
    return session_return
