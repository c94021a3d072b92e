"""Oscar's own signals and model signals, turned into calls of the core services.

- the site offer is made after ``migrate`` (and after a test database flush);
- a basket line that moves to another basket takes the Talon.One codes of its old basket
  along (its referral code only if the other basket has none); so does a basket that
  oscar's ``Basket.merge`` (sign-in) marks ``Merged`` even when none of its lines moved
  (each merged into a line the customer's basket already had, then was deleted): the
  target is remembered, per thread, from the line saves and deletes of the merge;
- an order moved out of a cancelled status is logged: Talon.One cannot reopen a cancelled
  session, and re-placing it silently would redeem nothing;
- an order's session mirror, once changed, is described in a note on the order (oscar's
  dashboard order page lists them);
- a payment or shipping event of a configured type returns its lines and quantities,
  one ReturnCartItems per event: once its transaction commits, or, when oscar saves the
  event's lines one autocommit at a time (its dashboard without ``ATOMIC_REQUESTS``),
  once the request is finished, so the lines of one event still go back together.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.apps import apps
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_init, post_migrate, post_save, pre_delete
from oscar.apps.order.signals import order_status_changed
from oscar.core.loading import get_model

from django_talonone.cart import InvalidPayload
from django_talonone.conf import get_settings
from django_talonone.models import CustomerSession
from django_talonone.services import refund_order_lines

from . import dashboard
from .registration import ensure_offer

logger = logging.getLogger("django_talonone.contrib.oscar")

_BASKET_OF = "_talonone_basket_id"
_UID = "django_talonone.contrib.oscar"


def connect() -> None:
    request_started.connect(_request_started, dispatch_uid=f"{_UID}.request_started")
    request_finished.connect(_request_finished, dispatch_uid=f"{_UID}.request_finished")
    post_migrate.connect(
        ensure_offer, sender=apps.get_app_config("talonone_oscar"), dispatch_uid=f"{_UID}.offer"
    )
    line = get_model("basket", "Line")
    post_init.connect(_line_loaded, sender=line, dispatch_uid=f"{_UID}.line_loaded")
    post_save.connect(_line_saved, sender=line, dispatch_uid=f"{_UID}.line_saved")
    pre_delete.connect(_line_deleted, sender=line, dispatch_uid=f"{_UID}.line_deleted")
    post_save.connect(
        _basket_saved, sender=get_model("basket", "Basket"), dispatch_uid=f"{_UID}.basket_saved"
    )
    order_status_changed.connect(_status_changed, dispatch_uid=f"{_UID}.status")
    post_save.connect(
        dashboard.session_saved, sender=CustomerSession, dispatch_uid=f"{_UID}.dashboard"
    )
    for kind, model in (("payment", "PaymentEventQuantity"), ("shipping", "ShippingEventQuantity")):
        post_save.connect(
            partial(_event_line_saved, kind),
            sender=get_model("order", model),
            weak=False,
            dispatch_uid=f"{_UID}.{kind}_event",
        )


def _line_loaded(sender: Any, instance: Any, **kwargs: Any) -> None:
    instance.__dict__[_BASKET_OF] = instance.basket_id


def _line_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    before = instance.__dict__.get(_BASKET_OF)
    instance.__dict__[_BASKET_OF] = instance.basket_id
    local = _local()
    local.last_line = (instance.basket_id, instance.line_reference)
    if created or before is None or before == instance.basket_id:
        return
    local.merging = (before, instance.basket_id)
    move_codes(before, instance.basket_id)


def _line_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Oscar's ``merge_line`` saves the target's line of the same reference, then deletes
    the merged one: that pair names the basket the deleted line's basket merges into."""
    local = _local()
    last = getattr(local, "last_line", None)
    local.last_line = None  # one save pairs with the delete right after it, never later
    if last is not None and last[1] == instance.line_reference and last[0] != instance.basket_id:
        local.merging = (instance.basket_id, last[0])


def _basket_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created or instance.status != instance.MERGED:
        return
    local = _local()
    merging = getattr(local, "merging", None)
    local.merging = local.last_line = None
    if merging is not None and merging[0] == instance.pk:
        move_codes(instance.pk, merging[1])


def move_codes(source_id: Any, target_id: Any) -> None:
    """Move basket ``source_id``'s Talon.One codes to basket ``target_id``: the codes the
    target has already stay once, and its own referral code wins (a session has one)."""
    coupon = get_model("talonone_oscar", "BasketCoupon")
    kept = list(coupon.objects.filter(basket_id=target_id).values_list("code", "kind"))
    moving = coupon.objects.filter(basket_id=source_id).exclude(code__in=[code for code, _ in kept])
    if any(kind == coupon.REFERRAL for _, kind in kept):  # a session has one: the basket's own
        moving = moving.exclude(kind=coupon.REFERRAL)
    moving.update(basket_id=target_id)


def _local() -> Any:
    """This thread's state of the app (see ``TalonOneOscarConfig.requests``)."""
    return apps.get_app_config("talonone_oscar").requests  # type: ignore[attr-defined]


def _status_changed(sender: Any, order: Any, old_status: str, new_status: str, **kw: Any) -> None:
    cancelled = get_settings().oscar.cancelled_statuses
    if old_status in cancelled and new_status not in cancelled:
        logger.warning(
            "Order %s moved from %r back to %r: its Talon.One session stays cancelled "
            "(Talon.One cannot reopen it); place a new order to redeem its promotions.",
            order.number,
            old_status,
            new_status,
        )


def _event_line_saved(kind: str, sender: Any, instance: Any, created: bool, **kw: Any) -> None:
    if not created:
        return
    if instance.event.event_type.code not in get_settings().oscar.refund_event_types:
        return
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(return_event_lines, kind, instance.event_id))
        return
    waiting = _waiting_events()
    if waiting is None:  # autocommit outside a request: each line as it is saved
        return_event_lines(kind, instance.event_id)
    else:
        waiting.add((kind, instance.event_id))


def _waiting_events() -> set[tuple[str, int]] | None:
    """The events this thread's request saved in autocommit, returned when it finishes."""
    local = apps.get_app_config("talonone_oscar").requests  # type: ignore[attr-defined]
    found: set[tuple[str, int]] | None = getattr(local, "events", None)
    return found


def _request_started(**kwargs: Any) -> None:
    """A request starts with no events waiting and no merge under way: a pairing left by
    an earlier request (another shopper's line) must never name a merge's target."""
    local = _local()
    local.events = set()
    local.merging = local.last_line = None


def _request_finished(**kwargs: Any) -> None:
    local = apps.get_app_config("talonone_oscar").requests  # type: ignore[attr-defined]
    events = getattr(local, "events", None) or set()
    local.events = None
    for kind, event_id in sorted(events):
        return_event_lines(kind, event_id)


def return_event_lines(kind: str, event_id: int) -> None:
    """Return the event's lines not returned yet, as one ReturnCartItems."""
    event_model = get_model("order", "PaymentEvent" if kind == "payment" else "ShippingEvent")
    returned = get_model("talonone_oscar", "ReturnedEventLine")
    event = event_model._default_manager.select_related("order").get(pk=event_id)
    done = set(returned.objects.filter(kind=kind).values_list("quantity_id", flat=True))
    quantities = [q for q in event.line_quantities.select_related("line") if q.pk not in done]
    if not quantities:
        return
    try:
        with transaction.atomic():
            returned.objects.bulk_create(
                [returned(kind=kind, quantity_id=q.pk) for q in quantities]
            )
            refund_order_lines(event.order, [(q.line, q.quantity) for q in quantities])
    except InvalidPayload as error:
        logger.error(
            "The %s event #%s of order %s was not returned to Talon.One: %s",
            kind,
            event_id,
            event.order.number,
            error,
        )
