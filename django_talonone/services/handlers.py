"""The services' side of the outbox: what its rows mean, given to it as hooks.

The outbox core moves rows without knowing what they say; :func:`outbox_hooks` hands it
the functions that do (build a referenced call, make it, mirror its reply or failure).
``TalonOneConfig.ready`` installs the result.
"""

from __future__ import annotations

from django_talonone.models import Delivery
from django_talonone.outbox.hooks import OutboxHooks, Waker
from django_talonone.outbox.payload import referenced_cart, referenced_order

from . import cart_snapshots, delivery, orders


def prepare(row: Delivery) -> None:
    """Build the call of a row stored as a reference; other rows carry theirs already."""
    if referenced_cart(row.payload) is not None:
        cart_snapshots.prepare(row)
    elif referenced_order(row.payload) is not None:
        orders.prepare_close(row)


def outbox_hooks(waker: Waker | None) -> OutboxHooks:
    return OutboxHooks(
        prepare=prepare,
        send=delivery.send,
        apply_reply=delivery.apply_reply,
        apply_failure=delivery.apply_failure,
        settled_without_success=delivery.settled_without_success,
        waker=waker,
    )
