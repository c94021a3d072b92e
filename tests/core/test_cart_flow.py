"""Cart changes and the cart page's evaluation, end to end against the emulator."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from django_talonone.client import TalonOneServerError, TalonOneTimeoutError
from django_talonone.evaluation import COUPON_MESSAGES, Evaluation
from django_talonone.models import CustomerSession, SessionState
from django_talonone.services import evaluate_cart, open_session
from django_talonone.signals import session_evaluated
from django_talonone.testing import TalonOneHarness
from tests.shop.models import Cart, Order

from .conftest import UPDATE, fill, order_from, sent_sessions

pytestmark = pytest.mark.django_db(transaction=True)


def test_cart_change_opens_a_session_with_its_items_and_coupons(
    shop: TalonOneHarness, user
) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user, coupon_code="WELCOME10")
        fill(cart, ("MUG", "12.50", 2), ("TEA", "4.99", 1))
    session = CustomerSession.objects.get(object_id=str(cart.pk))
    stored = shop.session(session.session_id)
    assert stored["state"] == "open"
    assert stored["profileId"] == str(user.pk)
    assert [(line["sku"], line["position"]) for line in stored["cartItems"]] == [
        ("MUG", 0),
        ("TEA", 1),
    ]
    assert stored["couponCodes"] == ["WELCOME10"]
    assert Decimal(stored["cartItemTotal"]) == Decimal("29.99")


def test_welcome10_gives_ten_percent_in_the_evaluation(shop: TalonOneHarness, user) -> None:
    cart = Cart.objects.create(user=user, coupon_code="WELCOME10")
    fill(cart, ("MUG", "20.00", 2))
    evaluation = evaluate_cart(cart)
    assert evaluation.available
    assert evaluation.discount_total == Decimal("4.00")
    assert evaluation.accepted_coupons == ("WELCOME10",)
    [discount] = evaluation.discounts
    assert (discount.campaign_id, discount.amount) == (1, Decimal("4.00"))
    session = open_session(cart)
    assert Evaluation.from_dict(session.last_evaluation) == evaluation
    assert session.last_effects
    assert not session.evaluation_failed


def test_unknown_coupon_is_rejected_in_plain_words(shop: TalonOneHarness) -> None:
    cart = Cart.objects.create(coupon_code="NOPE")
    fill(cart, ("MUG", "20.00", 1))
    evaluation = evaluate_cart(cart)
    [rejected] = evaluation.rejected_coupons
    assert (rejected.code, rejected.reason) == ("NOPE", "CouponNotFound")
    assert rejected.message == "This coupon code does not exist."
    assert rejected.message == COUPON_MESSAGES["CouponNotFound"]
    assert evaluation.discount_total == 0


def test_anonymous_cart_is_an_anonymous_session(shop: TalonOneHarness) -> None:
    cart = Cart.objects.create()
    fill(cart, ("MUG", "20.00", 1))
    evaluate_cart(cart)
    assert sent_sessions(shop)[-1]["profileId"] == ""


def test_evaluation_is_announced(shop: TalonOneHarness) -> None:
    seen: list[Evaluation] = []

    def receiver(
        sender: object, session: CustomerSession, evaluation: Evaluation, **kw: object
    ) -> None:
        seen.append(evaluation)

    session_evaluated.connect(receiver)
    try:
        cart = Cart.objects.create()
        fill(cart, ("BAG", "100.00", 1))
        evaluation = evaluate_cart(cart)
    finally:
        session_evaluated.disconnect(receiver)
    assert seen == [evaluation]
    assert evaluation.discount_total == Decimal("5.00")


def test_outage_fails_open_and_the_cart_still_renders(shop: TalonOneHarness, caplog) -> None:
    cart = Cart.objects.create(coupon_code="WELCOME10")
    fill(cart, ("MUG", "20.00", 1))
    shop.fail(503)
    evaluation = evaluate_cart(cart)
    assert not evaluation.available
    assert evaluation.discount_total == 0
    assert "unavailable" in evaluation.message
    assert open_session(cart).evaluation_failed
    assert any("unavailable" in record.getMessage() for record in caplog.records)
    shop.heal()
    assert evaluate_cart(cart).available
    assert not open_session(cart).evaluation_failed


def test_latency_above_the_timeout_fails_open(shop: TalonOneHarness, settings) -> None:
    settings.TALONONE = {**settings.TALONONE, "TIMEOUT": (1.0, 0.5), "MAX_ATTEMPTS": 1}
    cart = Cart.objects.create()
    fill(cart, ("MUG", "20.00", 1))
    shop.slow(2000, operations=[UPDATE])
    assert evaluate_cart(cart).available is False
    with pytest.raises(TalonOneTimeoutError):
        evaluate_cart(cart, strict=True)


def test_strict_mode_raises(shop: TalonOneHarness, settings) -> None:
    settings.TALONONE = {**settings.TALONONE, "FAIL_MODE": "strict"}
    cart = Cart.objects.create()
    fill(cart, ("MUG", "20.00", 1))
    shop.fail(503)
    with pytest.raises(TalonOneServerError):
        evaluate_cart(cart)
    assert evaluate_cart(cart, strict=False).available is False


def test_rejected_request_is_logged_as_an_error_and_fails_open(
    shop: TalonOneHarness, caplog
) -> None:
    cart = Cart.objects.create()
    fill(cart, ("MUG", "20.00", 1))
    session_id = open_session(cart).session_id
    with shop.client() as client:  # closed behind the shop's back: reopening it is a 400
        client.update_customer_session_v2(session_id, {"customerSession": {"state": "closed"}})
    assert evaluate_cart(cart).available is False
    assert any(record.levelname == "ERROR" for record in caplog.records)


def test_a_closed_session_id_is_never_reused(shop: TalonOneHarness, user) -> None:
    with transaction.atomic():
        cart = Cart.objects.create(user=user)
        fill(cart, ("MUG", "20.00", 1))
    first = open_session(cart).session_id
    with transaction.atomic():
        order = order_from(cart)
        cart.lines.all().delete()
    closed = CustomerSession.objects.get(session_id=first)
    assert closed.state == SessionState.CLOSED
    assert closed.shop_object == order
    with transaction.atomic():
        fill(cart, ("TEA", "4.00", 1))
    second = open_session(cart).session_id
    assert second != first
    assert shop.session(first)["state"] == "closed"
    assert [line["sku"] for line in shop.session(second)["cartItems"]] == ["TEA"]


def test_emptied_cart_without_a_session_sends_nothing(shop: TalonOneHarness) -> None:
    cart = Cart.objects.create()
    assert shop.requests(UPDATE) == []
    cart.save()
    assert shop.requests(UPDATE) == []
    assert not Order.objects.exists()


def test_the_cart_page_previews_and_leaves_the_writes_to_the_cart_lane(
    shop: TalonOneHarness, user
) -> None:
    """One writer per session: the page's evaluation is a dry run, so it never races the
    cart's outbox lane, which alone stores the session in Talon.One."""
    cart = Cart.objects.create(user=user)  # created outside a transaction: no snapshot yet
    session = open_session(cart)
    CartLine = cart.lines.model
    CartLine.objects.bulk_create(  # bulk_create sends no signal: no lane row either
        [CartLine(cart=cart, sku="MUG", name="Mug", price=Decimal("20.00"), quantity=1)]
    )
    evaluation = evaluate_cart(cart)
    assert evaluation.available
    [call] = shop.requests(UPDATE)
    assert call["query"] == {"dry": "true"}
    assert session.session_id not in shop.emulator.state.data["sessions"]
