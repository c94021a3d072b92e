"""Refunding some lines of a paid order, and the Talon.One return that goes with it.

Talon.One rolls a refunded line's discounts back: its own per-item discounts in full, and
of a cart-wide discount the share the line's value had in the cart (the refund that
empties the order takes whatever is left). The refund paid to the shopper mirrors that, so
the shop's books and Talon.One's agree. The Talon.One call goes through the outbox with an
Idempotency-Key: a retried delivery returns the lines once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django_talonone.adapters import InvalidPayload
from django_talonone.models import SessionReturn
from django_talonone.services import refund_order_lines

from .models import Order, OrderLine

CENT = Decimal("0.01")


class RefundError(ValueError):
    """A refund that cannot be made; the message says why in plain words."""


@dataclass(frozen=True)
class RefundLine:
    line: OrderLine
    #: This line's share of the order's cart-wide discount, taken back with the line.
    discount_share: Decimal

    @property
    def amount(self) -> Decimal:
        return self.line.total - self.line.discount - self.discount_share


@dataclass(frozen=True)
class RefundPlan:
    order: Order
    lines: tuple[RefundLine, ...]

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def plan_refund(order: Order, line_ids: Iterable[int]) -> RefundPlan:
    """What refunding these lines pays back; ``RefundError`` if they cannot be refunded."""
    if order.status != Order.Status.PAID:
        raise RefundError(f"Order {order.number} is {order.get_status_display()}.")
    all_lines = list(order.lines.all())
    wanted = set(line_ids)
    chosen = [line for line in all_lines if line.pk in wanted]
    if not chosen:
        raise RefundError("Choose at least one line to refund.")
    if len(chosen) != len(wanted):
        raise RefundError(f"Some of the chosen lines are not lines of order {order.number}.")
    refunded = [line for line in chosen if line.is_refunded]
    if refunded:
        raise RefundError(f"{refunded[0].name} has already been refunded.")
    cart_discount = order.cart_discount
    # Shares earlier refunds already took back.
    taken = sum(
        (
            line.total - line.discount - (line.refunded_amount or Decimal(0))
            for line in all_lines
            if line.is_refunded
        ),
        Decimal(0),
    )
    empties_order = all(line.is_refunded or line.pk in wanted for line in all_lines)
    returned_value = sum((line.total for line in chosen), Decimal(0))
    if empties_order:
        share_total = cart_discount - taken
    elif order.subtotal > 0:
        share_total = _cents(cart_discount * returned_value / order.subtotal)
    else:
        share_total = Decimal(0)
    # Spread over the chosen lines by value; the last takes the rounding remainder.
    shares = [
        _cents(share_total * line.total / returned_value) if returned_value else Decimal(0)
        for line in chosen[:-1]
    ]
    shares.append(share_total - sum(shares, Decimal(0)))
    return RefundPlan(
        order, tuple(RefundLine(line, share) for line, share in zip(chosen, shares, strict=True))
    )


def refund(plan: RefundPlan) -> SessionReturn:
    """Record the refund and queue Talon.One's ReturnCartItems in the same transaction."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=plan.order.pk)
        # Re-plan under the lock: another refund of these lines may have just committed.
        plan = plan_refund(order, [item.line.pk for item in plan.lines])
        try:
            session_return = refund_order_lines(order, [item.line for item in plan.lines])
        except InvalidPayload as error:  # a return Talon.One would refuse: say why
            raise RefundError(f"Talon.One cannot take this return back: {error}") from None
        now = timezone.now()
        for item in plan.lines:
            item.line.refunded_at = now
            item.line.refunded_amount = item.amount
            item.line.save(update_fields=["refunded_at", "refunded_amount"])
    return session_return
