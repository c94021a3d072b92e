"""A registered order's close and cancel are written in the shop's transaction, at the
``save()`` that places or cancels it; the close is built from the order at delivery."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from celery import current_app
from django.db import transaction

from django_talonone.models import CustomerSession, Delivery, DeliveryStatus, Operation
from django_talonone.outbox import cart_lane, deliver_lane, deliver_pending
from django_talonone.outbox.lanes import session_lane
from django_talonone.testing import TalonOneHarness
from tests.clocks import OutboxClock
from tests.shop.models import Cart, Order, OrderLine

from .conftest import fill, sent_sessions, session_of

pytestmark = pytest.mark.django_db(transaction=True)


def calls() -> list[Delivery]:
    """The calls queued for the test's one session (not its cart snapshots)."""
    return list(Delivery.objects.filter(supersedable=False).order_by("pk"))


@pytest.fixture
def no_worker(shop: TalonOneHarness) -> Any:
    """Queued rows stay queued until the test delivers them."""
    current_app.conf.task_always_eager = False
    yield
    current_app.conf.task_always_eager = True


def test_the_close_is_written_at_the_save_that_places_the_order(
    shop: TalonOneHarness, user: Any, no_worker: None
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user, coupon_code="WELCOME10")
        fill(cart, ("MUG", "20.00", 2))
    lane = cart_lane("shop.cart", cart.pk)
    with transaction.atomic():
        order = Order.objects.create(
            user=user, cart=cart, status=Order.Status.PAID, coupon_code="WELCOME10"
        )
        # Inside the shop's transaction, before any line and before the commit:
        [close] = calls()
        assert close.operation == Operation.UPDATE_SESSION
        # From its close on, the session's calls queue on a lane of its own, not the cart's
        assert close.lane == session_lane(close.session.session_id) != lane
        assert close.payload["order"] == {"model": "shop.order", "pk": str(order.pk)}
        assert close.session is not None
        assert close.session.state == "closed"
        OrderLine.objects.create(order=order, sku="MUG", name="Mug", quantity=2, price=20)
        OrderLine.objects.create(order=order, sku="TEA", name="Tea", quantity=1, price=4)
    deliver_pending()
    closed = sent_sessions(shop)[-1]
    assert closed["state"] == "closed"
    assert [(i["sku"], i["quantity"]) for i in closed["cartItems"]] == [("MUG", 2), ("TEA", 1)]
    assert closed["couponCodes"] == ["WELCOME10"]
    [close] = calls()
    assert close.status == DeliveryStatus.DONE
    assert close.payload["body"]["customerSession"]["state"] == "closed"  # what was sent


def test_a_rolled_back_placement_writes_nothing(shop: TalonOneHarness, user: Any) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, ("MUG", "20.00", 1))
    before = Delivery.objects.count()

    def checkout_that_fails() -> None:
        with transaction.atomic():
            Order.objects.create(user=user, cart=cart, status=Order.Status.PAID)
            raise RuntimeError("payment failed")

    with pytest.raises(RuntimeError):
        checkout_that_fails()
    assert Delivery.objects.count() == before
    assert not CustomerSession.objects.filter(state="closed").exists()


def test_the_cancel_is_written_at_the_save_that_cancels(
    shop: TalonOneHarness, user: Any, no_worker: None
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, ("MUG", "20.00", 1))
        order = Order.objects.create(user=user, cart=cart, status=Order.Status.PAID)
    with transaction.atomic():
        order.status = Order.Status.CANCELLED
        order.save()
        close, cancel = calls()
        assert cancel.lane == close.lane  # the cancel follows the close
        assert cancel.payload["body"]["customerSession"]["state"] == "cancelled"
    deliver_pending()
    assert [s["state"] for s in sent_sessions(shop)][-2:] == ["closed", "cancelled"]


def test_the_charge_is_read_when_the_close_is_built(
    shop: TalonOneHarness, user: Any, no_worker: None
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, ("BOOTS", "120.00", 1))
        order = Order.objects.create(user=user, cart=cart, status=Order.Status.PAID)
        OrderLine.objects.create(order=order, sku="BOOTS", name="Boots", price=Decimal(120))
        order.discount_total = Decimal(0)  # checkout decided after placing: full price
        order.save()
    deliver_pending()
    session = session_of(order)
    assert (session.charged_discount, session.recorded_discount) == (Decimal(0), Decimal(5))
    assert session.charge_difference == Decimal(5)


def test_an_order_deleted_before_its_close_is_settled_without_a_call(
    shop: TalonOneHarness, user: Any, no_worker: None
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, ("MUG", "20.00", 1))
        order = Order.objects.create(user=user, cart=cart, status=Order.Status.PAID)
    order_pk = order.pk
    order.delete()
    sent = len(sent_sessions(shop))
    deliver_pending()
    assert len(sent_sessions(shop)) == sent
    [close] = calls()
    assert close.status == DeliveryStatus.DONE
    assert close.last_error == f"order shop.order #{order_pk} was deleted; its close was not sent"


def test_order_data_talon_one_would_refuse_parks_the_close_dead_naming_the_field(
    shop: TalonOneHarness, user: Any, no_worker: None
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, ("MUG", "20.00", 1))
        order = Order.objects.create(user=user, cart=cart, status=Order.Status.PAID)
        OrderLine.objects.create(order=order, sku="MUG", name="Mug", quantity=0, price=20)
    deliver_pending()
    [close] = calls()
    assert close.status == DeliveryStatus.DEAD
    assert "items[0].quantity" in close.last_error
    assert all(s["state"] != "closed" for s in sent_sessions(shop))


def test_a_reply_to_a_snapshot_sent_before_the_close_does_not_reopen_the_session(
    shop: TalonOneHarness, user: Any, no_worker: None
) -> None:
    from django_talonone.services import record_evaluation

    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, ("MUG", "20.00", 1))
        order = Order.objects.create(user=user, cart=cart, status=Order.Status.PAID)
    session = session_of(order)
    assert session.state == "closed"
    # The snapshot that was in flight while the shopper paid answers now: "open".
    late = {"customerSession": {"state": "open"}, "effects": []}
    record_evaluation(session, late)
    assert session.state == "closed"
    session.refresh_from_db()
    assert session.state == "closed"
    deliver_pending()
    session.refresh_from_db()
    assert session.state == "closed"
    record_evaluation(session, {"customerSession": {"state": "cancelled"}, "effects": []})
    assert CustomerSession.objects.get(pk=session.pk).state == "cancelled"  # forward is fine


def _close_failing_once(
    shop: TalonOneHarness, user: Any, fault: dict[str, Any]
) -> tuple[Order, Delivery]:
    """An order whose close's first delivery met ``fault``, and a line added after it: a
    close rebuilt now would hold two lines, which a closed session refuses (400)."""
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, ("MUG", "20.00", 1))
        order = Order.objects.create(user=user, cart=cart, status=Order.Status.PAID)
        OrderLine.objects.create(order=order, sku="MUG", name="Mug", quantity=1, price=20)
    deliver_lane(cart_lane("shop.cart", cart.pk))
    [close] = calls()
    shop.emulator.set_faults(seed=1, operations=["updateCustomerSessionV2"], **fault)
    deliver_lane(close.lane)
    shop.heal()
    close.refresh_from_db()
    assert close.status == DeliveryStatus.PENDING
    OrderLine.objects.create(order=order, sku="TEA", name="Tea", quantity=1, price=4)
    return order, close


def _deliver_later(close: Delivery) -> None:
    clock = OutboxClock()
    clock.advance(3600)
    deliver_lane(close.lane, clock=clock)
    close.refresh_from_db()
    assert close.status == DeliveryStatus.DONE


def test_a_close_that_may_have_applied_is_sent_again_unchanged(
    shop: TalonOneHarness, user: Any, no_worker: None
) -> None:
    lost = {"drop_rate": 1.0, "drop_after_apply": True}  # applied, every reply lost
    order, close = _close_failing_once(shop, user, lost)
    assert close.maybe_applied
    assert shop.session(close.session.session_id)["state"] == "closed"  # it did apply
    sent = close.payload["body"]
    _deliver_later(close)
    assert close.payload["body"] == sent
    assert sent_sessions(shop)[-1]["cartItems"] == sent_sessions(shop)[-2]["cartItems"]
    assert session_of(order).recorded_discount is not None  # the close's reply was mirrored


def test_a_close_refused_before_it_reached_talon_one_is_rebuilt(
    shop: TalonOneHarness, user: Any, no_worker: None
) -> None:
    _, close = _close_failing_once(shop, user, {"error_rates": {429: 1.0}})  # nothing applied
    assert not close.maybe_applied
    _deliver_later(close)
    assert [i["sku"] for i in sent_sessions(shop)[-1]["cartItems"]] == ["MUG", "TEA"]
