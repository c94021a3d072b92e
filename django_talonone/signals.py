"""Public signals: what a shop may send, and what the app announces.

Shops that register their models (see :mod:`django_talonone.registry`) need not send
anything; shops with unusual models send these instead, from their own code::

    from django_talonone import signals
    signals.cart_changed.send(sender=Cart, cart=cart)

Receivers of the shop-sent signals run in the sender's transaction, so the outbox rows they
write commit or roll back with the shop's change.
"""

from __future__ import annotations

from django.dispatch import Signal

__all__ = [
    "cart_changed",
    "charge_mismatch",
    "coupons_changed",
    "customer_changed",
    "customer_deleted",
    "delivery_dead",
    "delivery_discarded",
    "event_tracked",
    "loyalty_points_changed",
    "loyalty_tier_changed",
    "order_cancelled",
    "order_placed",
    "order_refunded",
    "session_evaluated",
    "strikethrough_prices_changed",
    "webhook_triggered",
]

# Sent by the shop.
#: ``cart``: its lines, coupon codes or owner changed (coalesced: one call per transaction).
cart_changed = Signal()
#: ``order``: complete, with its lines; closes its session.
order_placed = Signal()
#: ``order``: cancels its session (rolls back redeemed coupons and discounts).
order_cancelled = Signal()
#: ``order``, ``lines``: order lines, or ``(line, quantity)`` pairs, that were refunded.
order_refunded = Signal()
#: ``customer``: profile attributes changed.
customer_changed = Signal()
#: ``profile_id``: erase this customer's data in Talon.One (GDPR).
customer_deleted = Signal()
#: ``profile_id``, ``event_type``, ``attributes``, optional ``session_id``.
event_tracked = Signal()

# Announced by the app.
#: ``delivery`` (the ``Delivery``): the outbox parked a call as dead (it cannot succeed, or
#: used up its attempts); its lane waits until staff retry or discard it.
delivery_dead = Signal()
#: ``session`` (``CustomerSession``), ``evaluation`` (``Evaluation``), after every evaluation.
session_evaluated = Signal()
#: ``delivery`` (the discarded ``Delivery``), ``user`` (who discarded it, or ``None``),
#: ``reason`` (str): staff gave up on a dead call, and its lane moved on.
delivery_discarded = Signal()
#: ``session`` (the order's ``CustomerSession``), ``charged``, ``recorded``, ``difference``
#: (``Decimal``, recorded minus charged): Talon.One's close recorded another discount than
#: the shop charged (see ``OrderAdapter.get_charged_discount``).
charge_mismatch = Signal()

# Announced by the app when Talon.One pushes a notification (``docs/notifications.md``).
# Each is sent with ``sender=Notification`` and ``notification`` (the stored row), once the
# row is claimed for processing and inside the transaction that marks it processed: a
# receiver that raises marks the notification failed (its message kept) and rolls back
# what the processing wrote, and reprocessing sends the signal again. The values are
# frozen dataclasses of ``django_talonone.notification_types``.
#: ``change`` (``CouponChange``: ``action`` "created", "updated" or "deleted", ``coupons``,
#: ``batch_id``, ``campaign_id``, ``application_id``, ``source``).
coupons_changed = Signal()
#: ``change`` (``PointsChange``: ``change`` "added", "deducted", "pending" or "expiring",
#: ``profile_id``, ``amount`` as ``Decimal``, ...): once per change the notification lists.
loyalty_points_changed = Signal()
#: ``change`` (``TierChange``: ``direction`` "upgrade", "downgrade" or "will_downgrade",
#: ``profile_id``, ``current_tier``, ``old_tier``, ...): once per profile listed.
loyalty_tier_changed = Signal()
#: ``change`` (``StrikethroughBatch``: ``items``, each a SKU with its ``price`` and
#: ``effects``), after the prices were stored (``StrikethroughPrice``).
strikethrough_prices_changed = Signal()
#: ``payload`` (the JSON object a rule's ``triggerWebhook`` effect sent, as stored).
webhook_triggered = Signal()
