"""Customer sessions: evaluating carts, and closing, cancelling and returning orders.

The cart page's evaluation is synchronous and fails open: Talon.One being slow or down
must cost the shopper their discount preview, never the page. Order lifecycle calls go
through the outbox (see :mod:`.dispatch`) in the shop's own transaction.

A cart change in outbox mode only records "cart X changed" on the cart's lane; the worker
builds the snapshot and opens the session (see :mod:`.cart_snapshots`). At its close a
session's waiting calls leave the cart's lane for one of its own (``CustomerSession.lane``),
where its close, returns and cancel follow them in order, and where a dead close holds up
only that session, never the cart's next one.

Each cart has at most one *open* ``CustomerSession``. Placing an order moves the cart's
session to the order and closes it, so the next use of that cart starts a new session with
a fresh id: a closed session's id is never reused.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models, router
from django.utils import timezone

from django_talonone.adapters import CartAdapter, InvalidPayload
from django_talonone.applications import application_for
from django_talonone.client import TalonOneAPIError, TalonOneError
from django_talonone.conf import get_settings
from django_talonone.evaluation import Evaluation
from django_talonone.models import (
    CustomerSession,
    Delivery,
    DeliveryStatus,
    SessionState,
)
from django_talonone.outbox.lanes import cart_lane, session_lane
from django_talonone.outbox.snapshots import insert_cart_change, record_cart_change
from django_talonone.points import balances_of
from django_talonone.registry import cart_adapter_for
from django_talonone.services.clients import get_client
from django_talonone.services.delivery import record_session_reply
from django_talonone.signals import session_evaluated

from . import coalescing

logger = logging.getLogger("django_talonone.services")


def require_saved(obj: Any, role: str) -> None:
    """Refuse an unsaved shop object: every unsaved one would share one Talon.One session.

    Lazy proxies (``SimpleLazyObject``, such as a basket on ``request``) are accepted:
    everything here reads ``obj.__class__`` and attributes, which they pass through.
    """
    if getattr(obj, "pk", None) is None:
        name = obj.__class__.__name__
        raise InvalidPayload(
            role,
            f"this {name} is not saved (its pk is None); save it before handing it to "
            f"django-talonone, so that it gets a Talon.One session of its own",
        )


def _linked(obj: models.Model) -> models.QuerySet[CustomerSession]:
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return CustomerSession.objects.filter(content_type=content_type, object_id=str(obj.pk))


def link(session: CustomerSession, obj: models.Model) -> None:
    session.content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    session.object_id = str(obj.pk)


def cart_session(cart: models.Model) -> CustomerSession | None:
    """The cart's open session, or ``None`` before its first evaluation or delivery."""
    session: CustomerSession | None = (
        _linked(cart).filter(state=SessionState.OPEN).order_by("-pk").first()
    )
    return session


def open_session(
    cart: models.Model, profile_id: str | None = None, *, adapter: CartAdapter | None = None
) -> CustomerSession:
    """The cart's open session, created on first use (with a never-used id) in the
    Application the cart is routed to (:func:`~django_talonone.applications.application_for`).

    ``profile_id``, when given, is recorded (a shopper who logs in takes the cart along).
    A cart now routed to another Application (its currency changed) gets a new session
    there; the old one is left open, untouched, in its own Application.
    """
    session = cart_session(cart)
    application = application_for(cart, "cart", adapter or _registered_adapter(cart))
    if session is None or session.application != application:
        session = CustomerSession(
            profile_id=profile_id or "",
            state=SessionState.OPEN,
            application=application,
            lane=cart_lane(cart.__class__._meta.label_lower, cart.pk),
        )
        link(session, cart)
        session.save()
    elif profile_id is not None and session.profile_id != profile_id:
        session.profile_id = profile_id
        session.save(update_fields=["profile_id", "updated_at"])
    return session


def session_to_close(cart: models.Model) -> CustomerSession | None:
    """The session an order of ``cart`` closes: its open one, if the cart still routes there.

    A cart whose Application changed since its last evaluation (the shopper switched
    currency and checked out before the snapshot was delivered) closes in its new
    Application, as that evaluation would have: a new session, unsaved, is returned for it,
    and the old one is left open, untouched, in its own Application. Without a registered
    cart adapter the cart's routing cannot be told again, so its session is kept.
    ``None`` when the cart has no open session (the order is then routed as an order).
    """
    session = cart_session(cart)
    if session is None:
        return None
    adapter = _registered_adapter(cart)
    if adapter is None:
        return session
    application = application_for(cart, "cart", adapter)
    if application == session.application:
        return session
    logger.info(
        "cart %s #%s now routes to the Application %r: its order closes a new session "
        "there, and session %s stays open in %r",
        cart.__class__._meta.label_lower,
        cart.pk,
        application,
        session.session_id,
        session.application,
    )
    return CustomerSession(
        profile_id=session.profile_id, application=application, lane=session.lane
    )


def _registered_adapter(cart: models.Model) -> CartAdapter | None:
    """The cart's registered adapter, or ``None`` (the router then sees none)."""
    try:
        return cart_adapter_for(cart)
    except ImproperlyConfigured:
        return None


def order_session(order: models.Model) -> CustomerSession | None:
    """The session an order closed (``None`` until it is placed)."""
    session: CustomerSession | None = _linked(order).order_by("-pk").first()
    return session


def record_evaluation(
    session: CustomerSession, reply: Mapping[str, Any], *, sent: Mapping[str, Any] | None = None
) -> Evaluation:
    """Mirror a session reply (state, raw effects) and store its :class:`Evaluation`.

    ``sent``, the body the reply answers, bounds the discounts kept (see ``discounts``)."""
    return record_session_reply(session, reply, sent=sent)


def evaluate_cart(
    cart: models.Model,
    *,
    adapter: CartAdapter | None = None,
    strict: bool | None = None,
    store: bool = False,
) -> Evaluation:
    """Ask Talon.One for the cart's promotions now (the cart page's synchronous path).

    A dry run: the cart's outbox lane is the one writer of its Talon.One session, so the
    page never races a snapshot in flight, and viewing a cart changes nothing there.
    ``store=True`` is for carts whose changes never go through the outbox (no snapshots
    queued, as with the oscar contrib's baskets): the evaluation is then the one writer.

    Invalid shop data (an unsaved cart included) raises :class:`InvalidPayload` and a bad
    setting ``ImproperlyConfigured``, whatever the fail mode: each is a bug to fix, not an
    outage. When Talon.One cannot answer (timeout, connection error, 409, 429,
    5xx) the result is ``Evaluation(available=False)`` and a warning is logged, unless
    ``strict`` (default: ``FAIL_MODE == "strict"``) asks for the error instead. A 4xx
    rejection is logged as an error and also fails open: it means our payload and the
    Talon.One Application disagree (an attribute not defined there, a closed session...),
    which no shopper can fix, so refusing to show the cart would only lose the sale.
    """
    require_saved(cart, "cart")
    adapter = adapter or cart_adapter_for(cart)
    body = adapter.build_session(cart, state="open")
    # The balances say how many points the shopper can spend (Evaluation.points_to_spend).
    body["responseContent"] = list(dict.fromkeys([*body.get("responseContent", ()), "loyalty"]))
    session = open_session(cart, body["customerSession"]["profileId"], adapter=adapter)
    if strict is None:
        strict = get_settings().fail_mode == "strict"
    try:
        reply = get_client("cart", session.application).update_customer_session_v2(
            session.session_id, body, dry=None if store else True
        )
    except TalonOneError as error:
        if strict:
            raise
        _log_unavailable(session, error)
        session.evaluation_failed = True
        session.save(update_fields=["evaluation_failed", "updated_at"])
        evaluation = Evaluation.unavailable(
            session_id=session.session_id, evaluated_at=timezone.now()
        )
    else:
        evaluation = _with_balances(record_evaluation(session, reply, sent=body), reply)
    session_evaluated.send(sender=CustomerSession, session=session, evaluation=evaluation)
    return evaluation


def _with_balances(evaluation: Evaluation, reply: Any) -> Evaluation:
    """The evaluation with the balances the reply's ``loyalty`` content tells (the points
    the shopper can spend now); not stored, as they are only true at this moment."""
    balances = balances_of(reply.get("loyalty") if isinstance(reply, Mapping) else None)
    if not balances:
        return evaluation
    points = dataclasses.replace(evaluation.points, balances=balances)
    return dataclasses.replace(evaluation, points=points)


def _log_unavailable(session: CustomerSession, error: TalonOneError) -> None:
    is_rejection = isinstance(error, TalonOneAPIError) and 400 <= (error.status_code or 0) < 500
    if is_rejection and error.status_code not in (409, 429):
        logger.error(
            "Talon.One rejected the evaluation of session %s; showing the cart without "
            "promotions: %s",
            session.session_id,
            error,
        )
    else:
        logger.warning(
            "Talon.One unavailable for session %s; showing the cart without promotions: %s",
            session.session_id,
            error,
        )


def enqueue_cart(cart: models.Model) -> Delivery:
    """Queue a snapshot of the cart, built from the cart when it is delivered.

    One INSERT: the worker reads the lines, opens the session on first use and sends the
    newest state; many changes still waiting are sent as one call. The cart must be
    registered (its adapter is looked up now, so a forgotten registration fails here).
    """
    require_saved(cart, "cart")
    cart_adapter_for(cart)
    return Delivery.objects.get(pk=record_cart_change(cart.__class__._meta.label_lower, cart.pk))


def cart_changed(cart: models.Model, *, adapter: CartAdapter | None = None) -> None:
    """Send a changed cart the way ``DELIVERY['cart']`` says (the coalescer's flush).

    ``adapter`` serves the synchronous mode; queued snapshots use the registered adapter.
    """
    if get_settings().delivery_mode("cart") == "sync":
        evaluate_cart(cart, adapter=adapter)
    else:
        enqueue_cart(cart)


def note_cart_change(
    model: type[models.Model], pk: Any, *, using: str, adapter: CartAdapter
) -> None:
    """The one entry point for "this cart changed", however the shop reports it.

    A registered cart's saves and the ``cart_changed`` signal both come here, so both keep
    one promise. In outbox mode the row is written now, in the caller's transaction, once
    per transaction however many changes it holds (a crash after the commit cannot lose
    it, a rollback takes it along). In sync mode the committed cart is evaluated after the
    commit.
    """
    if pk is None:
        raise InvalidPayload("cart", f"this {model.__name__} is not saved (its pk is None)")
    if get_settings().delivery_mode("cart") == "outbox":
        coalescing.once("cart", model, pk, partial(_record_change, model), using)
    else:
        evaluate = partial(registered_cart_changed, model, adapter=adapter, using=using)
        coalescing.defer("cart", model, pk, evaluate, using, load=False)


def _record_change(model: type[models.Model], pk: Any) -> Callable[[], None]:
    return insert_cart_change(model._meta.label_lower, pk)


def registered_cart_changed(
    model: type[models.Model], pk: Any, *, adapter: CartAdapter, using: str | None = None
) -> None:
    """:func:`cart_changed` for a registered cart known by primary key only.

    In outbox mode the cart is not even loaded: recording the change is one INSERT.
    """
    if get_settings().delivery_mode("cart") == "outbox":
        record_cart_change(model._meta.label_lower, pk)
        return
    cart = model._default_manager.using(using or router.db_for_read(model)).filter(pk=pk).first()
    if cart is not None:  # deleted in the meantime: nothing to evaluate
        evaluate_cart(cart, adapter=adapter)


#: Rows a lane still owes Talon.One that no worker holds: these may change lanes.
_WAITING = (DeliveryStatus.PENDING, DeliveryStatus.DEAD)


def lane_of_session(session: CustomerSession) -> str:
    """The lane a session's calls use: its cart's while the cart holds it, then its own."""
    return session.lane or session_lane(session.session_id)


def leave_cart_lane(session: CustomerSession, shared: str) -> str:
    """Move the session's queued calls from its cart's lane ``shared`` to a lane of its own,
    as its close is about to be queued; returns the lane the close goes to.

    A lane must not outlive the session it serialises: if the close and what follows it
    (returns, a cancel) stayed on the cart's lane, a close Talon.One refuses would block the
    next session of a cart the shop reuses. A call of the session being sent right now
    cannot be moved (the close must follow it), so the close then stays on the cart's lane
    and :func:`release_cart_lane` moves the session out if the close dies there.
    """
    rows = Delivery.objects.filter(lane=shared)
    if rows.filter(status=DeliveryStatus.IN_FLIGHT).exists():
        session.lane = shared
        return shared
    own = session_lane(session.session_id)
    rows.filter(status__in=_WAITING).update(lane=own, updated_at=timezone.now())
    session.lane = own
    return own


def release_cart_lane(delivery: Delivery) -> None:
    """A call died on a cart's lane: if its session no longer holds the cart, move the
    session's waiting calls to its own lane, so the cart's next session is not blocked."""
    session = delivery.session
    if session is None or session.state == SessionState.OPEN or session.lane != delivery.lane:
        return
    own = session_lane(session.session_id)
    moved = Delivery.objects.filter(lane=delivery.lane, session=session, status__in=_WAITING)
    moved.update(lane=own, updated_at=timezone.now())
    CustomerSession.objects.filter(pk=session.pk).update(lane=own, updated_at=timezone.now())
    session.lane = own


def calls_waiting(session: CustomerSession) -> int:
    """How many of the session's calls Talon.One has not received yet (queued, being sent,
    or dead): the state the shop shows is ahead of Talon.One's until this is 0."""
    return (
        Delivery.objects.filter(session=session)
        .filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT, DeliveryStatus.DEAD])
        .count()
    )
