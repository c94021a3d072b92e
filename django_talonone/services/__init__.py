"""The services: the only code that calls Talon.One and updates the local mirrors.

Shops call these directly (or send the matching signal)::

    from django_talonone.services import evaluate_cart, place_order
"""

from __future__ import annotations

from .audiences import (
    add_members,
    create_audience,
    remove_members,
    start_audience_deletion,
    start_audience_sync,
)
from .bulk_profiles import start_customer_erasure, start_profile_sync
from .discards import RetryOutcome, discard_deliveries, retry_deliveries
from .loyalty import OrderPoints, order_points, request_points
from .orders import cancel_order, place_order, refund_order_lines
from .profiles import forget_customer, sync_customer, track_event
from .referrals import referral_code_for, start_referral_codes
from .reservations import (
    reconcile_reservations,
    release_coupon,
    reserve_coupon,
    start_reservation_release,
    start_reservation_sync,
)
from .sessions import (
    calls_waiting,
    enqueue_cart,
    evaluate_cart,
    open_session,
    order_session,
    record_evaluation,
)
from .status import OutboxStatus, outbox_status

__all__ = [
    "OrderPoints",
    "OutboxStatus",
    "RetryOutcome",
    "add_members",
    "calls_waiting",
    "cancel_order",
    "create_audience",
    "discard_deliveries",
    "enqueue_cart",
    "evaluate_cart",
    "forget_customer",
    "open_session",
    "order_points",
    "order_session",
    "outbox_status",
    "place_order",
    "reconcile_reservations",
    "record_evaluation",
    "referral_code_for",
    "refund_order_lines",
    "release_coupon",
    "remove_members",
    "request_points",
    "reserve_coupon",
    "retry_deliveries",
    "start_audience_deletion",
    "start_audience_sync",
    "start_customer_erasure",
    "start_profile_sync",
    "start_referral_codes",
    "start_reservation_release",
    "start_reservation_sync",
    "sync_customer",
    "track_event",
]
