"""Two Applications in one shop: each cart is priced by its own Application's campaigns,
the session remembers its Application, and every later call (close, refund, cancel) goes
there with that Application's key, even after the routing rule changed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.test import override_settings

from django_talonone.adapters import InvalidPayload
from django_talonone.conf import get_settings
from django_talonone.models import CustomerSession, Delivery, DeliveryStatus
from django_talonone.services import cancel_order, evaluate_cart, order_session, refund_order_lines
from django_talonone.testing import TalonOneHarness
from tests.shop.models import Order, OrderLine

from .conftest import cart_in

pytestmark = pytest.mark.django_db(transaction=True)


def names(evaluation: Any) -> list[tuple[str, Decimal]]:
    return [(discount.name, discount.amount) for discount in evaluation.discounts]


def order_from(cart: Any) -> Order:
    with transaction.atomic():
        order = Order.objects.create(user=cart.user, cart=cart, status=Order.Status.PAID)
        for line in cart.lines.order_by("pk"):
            OrderLine.objects.create(
                order=order, sku=line.sku, name=line.name, quantity=line.quantity, price=line.price
            )
    return order


def by_application(shop: TalonOneHarness, session_id: str) -> set[str | None]:
    """The Applications whose key the requests about ``session_id`` carried."""
    return {entry["application"] for entry in shop.requests() if session_id in entry["path"]}


def test_carts_in_each_currency_are_evaluated_by_their_own_campaigns(
    shop: TalonOneHarness, user: Any
) -> None:
    eur, gbp = cart_in("EUR", user), cart_in("GBP", user)
    assert names(evaluate_cart(eur)) == [("EUR 10% off", Decimal("4.00"))]
    assert names(evaluate_cart(gbp)) == [("GBP 3 off", Decimal("3.00"))]
    eur_session = CustomerSession.objects.get(object_id=str(eur.pk))
    gbp_session = CustomerSession.objects.get(object_id=str(gbp.pk))
    assert (eur_session.application, gbp_session.application) == ("default", "gbp")
    assert by_application(shop, eur_session.session_id) == {"default"}
    assert by_application(shop, gbp_session.session_id) == {"gbp"}


def test_a_cart_without_currency_goes_to_the_default_application(
    shop: TalonOneHarness, user: Any
) -> None:
    cart = cart_in("", user)
    assert names(evaluate_cart(cart)) == [("EUR 10% off", Decimal("4.00"))]


def test_queued_carts_reach_their_application_and_keys_never_cross(
    shop: TalonOneHarness, user: Any
) -> None:
    with transaction.atomic():
        gbp = cart_in("GBP", user)
    with transaction.atomic():
        eur = cart_in("EUR", user)
    gbp_session = CustomerSession.objects.get(object_id=str(gbp.pk))
    eur_session = CustomerSession.objects.get(object_id=str(eur.pk))
    assert gbp_session.session_id in shop.emulator.state_of("gbp").data["sessions"]
    assert gbp_session.session_id not in shop.emulator.state.data["sessions"]
    assert eur_session.session_id in shop.emulator.state.data["sessions"]
    assert eur_session.session_id not in shop.emulator.state_of("gbp").data["sessions"]
    rows = Delivery.objects.filter(session=gbp_session, status=DeliveryStatus.DONE)
    assert set(rows.values_list("application", flat=True)) == {"gbp"}
    assert by_application(shop, gbp_session.session_id) == {"gbp"}
    assert by_application(shop, eur_session.session_id) == {"default"}


def test_a_refund_after_a_routing_change_reaches_the_application_of_its_session(
    shop: TalonOneHarness, user: Any
) -> None:
    with transaction.atomic():
        cart = cart_in("GBP", user, ("MUG", "20.00", 2), ("TEA", "4.00", 1))
    order = order_from(cart)
    session = order_session(order)
    assert session is not None
    assert session.application == "gbp"
    stored = shop.session(session.session_id, application="gbp")
    assert stored["state"] == "closed"
    # The shop now sends every cart to the default Application: the order stays in GBP's.
    changed = {
        **get_settings_dict(),
        "APPLICATION_ROUTER": f"{__package__}.routers.everything_to_default",
    }
    with override_settings(TALONONE=changed):
        assert get_settings().application_router is not None
        line = order.lines.get(sku="TEA")
        refund_order_lines(order, [line])
        returns = shop.requests("returnCartItems")
        assert [entry["application"] for entry in returns] == ["gbp"]
        assert returns[0]["status"] == 200
        cancel_order(order)
    assert shop.requests("returnCartItems", application="default") == []
    assert by_application(shop, session.session_id) == {"gbp"}
    assert shop.session(session.session_id, application="gbp")["state"] == "cancelled"


def test_a_refund_follows_the_flattening_of_its_applications_own_setting(
    shop: TalonOneHarness, user: Any
) -> None:
    """The top level flattens, gbp does not: a partial GBP refund is refused, naming the
    setting to change, gbp's own."""
    applications = get_settings_dict()["APPLICATIONS"]
    gbp_unflattened = {
        **get_settings_dict(),
        "APPLICATIONS": {"gbp": {**applications["gbp"], "CART_ITEM_FLATTENING": False}},
    }
    with override_settings(TALONONE=gbp_unflattened):
        with transaction.atomic():
            cart = cart_in("GBP", user, ("MUG", "20.00", 2))
        order = order_from(cart)
        with pytest.raises(InvalidPayload) as refused:
            refund_order_lines(order, [(order.lines.get(sku="MUG"), 1)])
    assert "does not flatten cart items" in str(refused.value)
    assert "TALONONE['APPLICATIONS']['gbp']['CART_ITEM_FLATTENING'] = True" in str(refused.value)
    assert shop.requests("returnCartItems") == []


def get_settings_dict() -> dict[str, Any]:
    from django.conf import settings

    return dict(settings.TALONONE)


def test_the_router_hook_decides_before_the_currency(shop: TalonOneHarness, user: Any) -> None:
    from django.contrib.auth import get_user_model

    uk = get_user_model().objects.create_user("uk-bob")
    routed = {**get_settings_dict(), "APPLICATION_ROUTER": f"{__package__}.routers.uk_storefront"}
    with override_settings(TALONONE=routed):
        assert names(evaluate_cart(cart_in("EUR", uk))) == [("GBP 3 off", Decimal("3.00"))]
        # None from the router: the currency decides.
        assert names(evaluate_cart(cart_in("EUR", user))) == [("EUR 10% off", Decimal("4.00"))]


def test_a_router_naming_an_unconfigured_application_is_refused(
    shop: TalonOneHarness, user: Any
) -> None:
    routed = {**get_settings_dict(), "APPLICATION_ROUTER": f"{__package__}.routers.nowhere"}
    with override_settings(TALONONE=routed), pytest.raises(ImproperlyConfigured, match="'usd'"):
        evaluate_cart(cart_in("EUR", user))


def test_a_cart_moved_to_another_currency_gets_a_session_in_that_application(
    shop: TalonOneHarness, user: Any
) -> None:
    cart = cart_in("EUR", user)
    evaluate_cart(cart)
    cart.currency = "GBP"
    cart.save()
    assert names(evaluate_cart(cart)) == [("GBP 3 off", Decimal("3.00"))]
    sessions = CustomerSession.objects.filter(object_id=str(cart.pk)).order_by("pk")
    assert [s.application for s in sessions] == ["default", "gbp"]


def test_a_cart_switched_and_ordered_before_its_reevaluation_closes_in_its_new_application(
    shop: TalonOneHarness, user: Any
) -> None:
    """The close routes the cart again: the order closes a session in the Application the
    cart belongs to now, and the session of its old currency is left open, untouched."""
    cart = cart_in("EUR", user)
    old = CustomerSession.objects.get(object_id=str(cart.pk))
    assert old.application == "default"
    with transaction.atomic():
        # The switch's snapshot is still queued when the order is placed.
        cart.currency = "GBP"
        cart.save()
        order = order_from(cart)
    session = order_session(order)
    assert session is not None
    assert (session.application, session.state) == ("gbp", "closed")
    assert session.session_id != old.session_id
    assert shop.session(session.session_id, application="gbp")["state"] == "closed"
    assert by_application(shop, session.session_id) == {"gbp"}
    old.refresh_from_db()
    assert (old.application, old.state, old.object_id) == ("default", "open", str(cart.pk))
    assert shop.session(old.session_id)["state"] == "open"
    assert by_application(shop, old.session_id) == {"default"}
