"""The services: the only code that calls Talon.One and updates the local mirrors.

Shops call these directly (or send the matching signal)::

    from django_talonone.services import evaluate_cart, place_order
"""

from __future__ import annotations

from .profiles import forget_customer, sync_customer, track_event
from .sessions import (
    cancel_order,
    enqueue_cart,
    evaluate_cart,
    open_session,
    order_session,
    place_order,
    record_evaluation,
    refund_order_lines,
)

__all__ = [
    "cancel_order",
    "enqueue_cart",
    "evaluate_cart",
    "forget_customer",
    "open_session",
    "order_session",
    "place_order",
    "record_evaluation",
    "refund_order_lines",
    "sync_customer",
    "track_event",
]
