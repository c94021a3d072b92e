"""Refunds write only returns Talon.One accepts: whole lines without flattening, units with.

Every refusal comes from the shop's own ``refund_order_lines`` call, before any
``SessionReturn`` or outbox row is written, so no row can be parked dead by a 400.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import override_settings

from django_talonone.adapters import InvalidPayload
from django_talonone.emulator import DEFAULT_CONFIG, Emulator
from django_talonone.models import Delivery, DeliveryStatus, ReturnState, SessionReturn
from django_talonone.services import refund_order_lines, retry_deliveries
from django_talonone.signals import order_refunded
from django_talonone.testing import TalonOneHarness, talonone_harness
from tests.shop.models import Cart, Order

from .conftest import fill, order_from, session_of

pytestmark = pytest.mark.django_db(transaction=True)

RETURNS = "returnCartItems"


@pytest.fixture
def flattening(settings: Any) -> Iterator[TalonOneHarness]:
    """An emulated Application that flattens cart items, and the app told so."""
    config = DEFAULT_CONFIG | {
        "application": DEFAULT_CONFIG["application"] | {"flattenCartItems": True}
    }
    emulator = Emulator(config=config, sleep=lambda seconds: None)
    values = dict(getattr(settings, "TALONONE", None) or {}) | {"CART_ITEM_FLATTENING": True}
    with talonone_harness(values, emulator) as harness:
        yield harness


def _placed(user: Any, *lines: tuple[str, str, int]) -> Order:
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, *lines)
    with transaction.atomic():
        return order_from(cart)


def _rows() -> tuple[int, int]:
    return SessionReturn.objects.count(), Delivery.objects.count()


def _refused(order: Order, lines: list[Any]) -> InvalidPayload:
    """The refusal of ``lines``, checking that it wrote nothing at all."""
    before = _rows()
    with pytest.raises(InvalidPayload) as caught, transaction.atomic():
        refund_order_lines(order, lines)
    assert _rows() == before
    return caught.value


def _stored_line(harness: TalonOneHarness, order: Order, position: int) -> tuple[int, int]:
    item = harness.session(session_of(order).session_id)["cartItems"][position]
    return item["returnedQuantity"], item["remainingQuantity"]


# Without flattening (Talon.One's default): whole lines, once.


def test_partial_quantity_without_flattening_is_refused_naming_line_and_fix(
    shop: TalonOneHarness, user: Any
) -> None:
    order = _placed(user, ("MUG", "40.00", 1), ("SHIRT", "20.00", 2))
    shirt = order.lines.get(sku="SHIRT")
    error = _refused(order, [order.lines.get(sku="MUG"), (shirt, 1)])
    assert error.field == "lines[1].quantity"
    assert repr(shirt) in str(error)
    assert "does not flatten cart items" in str(error)
    assert "return all 2 units or enable flattening" in str(error)
    assert shop.requests(RETURNS) == []
    assert _stored_line(shop, order, 1) == (0, 2)


def test_the_signal_refuses_a_partial_quantity_the_same_way(
    shop: TalonOneHarness, user: Any
) -> None:
    order = _placed(user, ("SHIRT", "20.00", 2))
    before = _rows()
    with pytest.raises(InvalidPayload, match="does not flatten"):
        order_refunded.send(sender=Order, order=order, lines=[(order.lines.get(), 1)])
    assert _rows() == before
    assert shop.requests(RETURNS) == []


def test_a_whole_line_goes_back_once_without_flattening(shop: TalonOneHarness, user: Any) -> None:
    order = _placed(user, ("MUG", "40.00", 1), ("SHIRT", "20.00", 2))
    shirt = order.lines.get(sku="SHIRT")
    with transaction.atomic():
        first = refund_order_lines(order, [(shirt, 2)])
    first.refresh_from_db()
    assert first.state == ReturnState.DONE
    error = _refused(order, [shirt])
    assert error.field == "lines[0]"
    assert repr(shirt) in str(error)
    assert "already returned" in str(error)
    assert "2 ordered" in str(error)
    assert len(shop.requests(RETURNS)) == 1
    assert not Delivery.objects.filter(status=DeliveryStatus.DEAD).exists()
    # The other line is still returnable.
    with transaction.atomic():
        refund_order_lines(order, [order.lines.get(sku="MUG")])
    assert _stored_line(shop, order, 0) == (1, 0)


def test_one_line_listed_twice_in_a_refund_is_refused_without_flattening(
    shop: TalonOneHarness, user: Any
) -> None:
    order = _placed(user, ("SHIRT", "20.00", 2))
    shirt = order.lines.get()
    error = _refused(order, [shirt, shirt])
    assert error.field == "lines[1]"
    assert "earlier in this refund" in str(error)
    assert shop.requests(RETURNS) == []


def test_a_pending_return_counts(shop: TalonOneHarness, user: Any) -> None:
    order = _placed(user, ("SHIRT", "20.00", 2))
    shirt = order.lines.get()
    shop.fail(503, operations=[RETURNS])  # the first return stays queued for a retry
    with transaction.atomic():
        pending = refund_order_lines(order, [shirt])
    pending.refresh_from_db()
    assert pending.state == ReturnState.PENDING
    assert "already returned by an earlier refund" in str(_refused(order, [shirt]))


def test_a_return_talon_one_refused_holds_nothing(shop: TalonOneHarness, user: Any) -> None:
    order = _placed(user, ("SHIRT", "20.00", 2))
    shirt = order.lines.get()
    shop.fail(503, operations=[RETURNS])
    one_attempt = django_settings.TALONONE | {"OUTBOX_MAX_ATTEMPTS": 1}
    with override_settings(TALONONE=one_attempt), transaction.atomic():
        refused = refund_order_lines(order, [shirt])  # dead after its only attempt
    refused.refresh_from_db()
    assert refused.state == ReturnState.FAILED
    shop.heal()
    with transaction.atomic():
        again = refund_order_lines(order, [shirt])
    assert again.pk != refused.pk
    assert Delivery.objects.filter(session_return=again).exists()


def test_a_dead_return_refunded_again_cannot_be_retried_into_a_double_return(
    shop: TalonOneHarness, user: Any
) -> None:
    order = _placed(user, ("SHIRT", "20.00", 2), ("TIE", "9.00", 1))
    shirt, _tie = order.lines.order_by("pk")
    shop.fail(503, operations=[RETURNS])
    one_attempt = django_settings.TALONONE | {"OUTBOX_MAX_ATTEMPTS": 1}
    with override_settings(TALONONE=one_attempt), transaction.atomic():
        refused = refund_order_lines(order, [shirt])
    dead = Delivery.objects.get(session_return=refused)
    assert dead.status == DeliveryStatus.DEAD
    shop.heal()
    with transaction.atomic():
        refund_order_lines(order, [shirt])  # staff refunded the shirt again
    outcome = retry_deliveries(Delivery.objects.filter(pk=dead.pk))
    assert outcome.retried == 0
    [(row, reason)] = outcome.refused
    assert row.pk == dead.pk
    assert "returns position(s) 0 of this one" in reason
    assert "discard this delivery instead" in reason
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DEAD
    assert len(shop.requests(RETURNS)) == 2  # the failed attempt and the second refund only


def test_a_dead_return_of_other_lines_is_retried(shop: TalonOneHarness, user: Any) -> None:
    order = _placed(user, ("SHIRT", "20.00", 2), ("TIE", "9.00", 1))
    shirt, tie = order.lines.order_by("pk")
    shop.fail(503, operations=[RETURNS])
    one_attempt = django_settings.TALONONE | {"OUTBOX_MAX_ATTEMPTS": 1}
    with override_settings(TALONONE=one_attempt), transaction.atomic():
        refused = refund_order_lines(order, [shirt])
    shop.heal()
    with transaction.atomic():
        refund_order_lines(order, [tie])
    dead = Delivery.objects.get(session_return=refused)
    assert retry_deliveries([dead.pk]).retried == 1
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DONE
    refused.refresh_from_db()
    assert refused.state == ReturnState.DONE


# With flattening: units, up to what was ordered.


def test_two_partial_refunds_of_a_line_both_reach_talon_one(
    flattening: TalonOneHarness, user: Any
) -> None:
    order = _placed(user, ("SHIRT", "20.00", 2))
    shirt = order.lines.get()
    with transaction.atomic():
        first = refund_order_lines(order, [(shirt, 1)])
    assert _stored_line(flattening, order, 0) == (1, 1)
    with transaction.atomic():
        second = refund_order_lines(order, [(shirt, 1)])
    sent = [r["requestBody"]["return"]["returnedCartItems"] for r in flattening.requests(RETURNS)]
    assert sent == [[{"position": 0, "quantity": 1}], [{"position": 0, "quantity": 1}]]
    for row in (first, second):
        row.refresh_from_db()
        assert row.state == ReturnState.DONE
    assert _stored_line(flattening, order, 0) == (2, 0)
    assert not Delivery.objects.filter(status=DeliveryStatus.DEAD).exists()


def test_returning_more_units_than_remain_is_refused(
    flattening: TalonOneHarness, user: Any
) -> None:
    order = _placed(user, ("SHIRT", "20.00", 3))
    shirt = order.lines.get()
    with transaction.atomic():
        refund_order_lines(order, [(shirt, 2)])
    error = _refused(order, [(shirt, 2)])
    assert error.field == "lines[0].quantity"
    assert repr(shirt) in str(error)
    assert "3 ordered, 2 already returned" in str(error)
    assert "at most 1 more" in str(error)
    # Listing the line twice in one refund is summed the same way.
    error = _refused(order, [(shirt, 1), (shirt, 1)])
    assert (error.field, "1 earlier in this refund" in str(error)) == ("lines[1].quantity", True)
    with transaction.atomic():
        refund_order_lines(order, [(shirt, 1)])
    assert _stored_line(flattening, order, 0) == (3, 0)
    assert "3 ordered, 3 already returned" in str(_refused(order, [shirt]))
    assert len(flattening.requests(RETURNS)) == 2


def test_a_line_returned_whole_with_flattening_has_no_units_left(
    flattening: TalonOneHarness, user: Any
) -> None:
    order = _placed(user, ("SHIRT", "20.00", 2), ("MUG", "40.00", 1))
    shirt = order.lines.get(sku="SHIRT")
    with transaction.atomic():
        refund_order_lines(order, [shirt])
    assert _refused(order, [(shirt, 1)]).field == "lines[0].quantity"
    assert _stored_line(flattening, order, 0) == (2, 0)
    assert len(flattening.requests(RETURNS)) == 1
