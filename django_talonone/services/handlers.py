"""The services, handed to the layers below that call them without importing them.

The outbox core moves rows without knowing what they say; :func:`outbox_hooks` hands it
the functions that do (build a referenced call, make it, mirror its reply or failure).
The registry connects the shop's model signals; :func:`shop_handlers` says what each
registered change does. ``TalonOneConfig.ready`` installs both.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from django_talonone.adapters import CartAdapter, CustomerAdapter, OrderAdapter
from django_talonone.models import Delivery
from django_talonone.outbox.hooks import OutboxHooks, Waker
from django_talonone.outbox.payload import referenced_cart, referenced_order
from django_talonone.registry import ShopHandlers

from . import cart_snapshots, delivery, orders, profiles, sessions


def prepare(row: Delivery) -> None:
    """Build the call of a row stored as a reference; other rows carry theirs already."""
    if referenced_cart(row.payload) is not None:
        cart_snapshots.prepare(row)
    elif referenced_order(row.payload) is not None:
        orders.prepare_close(row)


def apply_failure(row: Delivery, message: str) -> None:
    """A dead row: free its cart's lane for the cart's next session, then mirror it."""
    sessions.release_cart_lane(row)
    delivery.apply_failure(row, message)


def outbox_hooks(waker: Waker | None) -> OutboxHooks:
    return OutboxHooks(
        prepare=prepare,
        send=delivery.send,
        apply_reply=delivery.apply_reply,
        apply_failure=apply_failure,
        settled_without_success=delivery.settled_without_success,
        waker=waker,
    )


def _cart_changed(model: type[models.Model], pk: Any, using: str, adapter: CartAdapter) -> None:
    sessions.note_cart_change(model, pk, using=using, adapter=adapter)


def _order_placed(order: Any, adapter: OrderAdapter) -> None:
    orders.record_order_placed(order, adapter=adapter)


def _customer_saved(customer: Any, adapter: CustomerAdapter) -> None:
    profiles.sync_customer(customer, adapter=adapter)


def shop_handlers() -> ShopHandlers:
    return ShopHandlers(
        cart_changed=_cart_changed,
        order_placed=_order_placed,
        order_cancelled=orders.cancel_order,
        customer_saved=_customer_saved,
        customer_deleted=profiles.forget_customer,
    )
