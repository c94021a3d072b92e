"""One shop's day with everything going wrong once: the flow the secrecy tests watch."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings

from django_talonone.client import TalonOneError
from django_talonone.emulator import Emulator
from django_talonone.outbox import deliver_pending
from django_talonone.services import evaluate_cart, forget_customer, track_event
from django_talonone.services.clients import get_client
from tests.clocks import OutboxClock
from tests.shop.models import Cart, CartLine, Order, OrderLine

from .conftest import REVOKED_KEY, SETTINGS, TalonOneClient


class Clock(OutboxClock):
    def deliver(self, seconds: float = 10.0) -> None:
        """Deliver what is due now, then move past any backoff."""
        deliver_pending(clock=self)
        self.now += timedelta(seconds=seconds)


def shop_day(emulator: Emulator, errors: list[BaseException]) -> None:
    """Sign-up, cart evaluations (one failing, one timing out), checkout through a 500, a
    time-out and a dropped connection, a refund, a revoked key (401, dead row), a cancel,
    an event, a GDPR erasure and management-key calls. Errors met are appended."""
    clock = Clock()
    user = get_user_model().objects.create_user("ann", email="ann@example.com")
    with transaction.atomic():
        cart = Cart.objects.create(user=user, coupon_code="WELCOME10")
        CartLine.objects.create(cart=cart, sku="SHOES", name="Shoes", price=Decimal("80"))
    clock.deliver()
    evaluate_cart(cart)
    emulator.set_faults(seed=1, error_rates={500: 1.0})
    evaluate_cart(cart)  # fails open, logged
    emulator.set_faults(seed=1, latency_ms=5000)
    evaluate_cart(cart)  # times out, logged
    try:
        evaluate_cart(cart, strict=True)
    except TalonOneError as error:
        errors.append(error)
    with transaction.atomic():
        order = Order.objects.create(user=user, cart=cart, status=Order.Status.PAID)
        line = OrderLine.objects.create(order=order, sku="SHOES", name="Shoes", price=Decimal(80))
    clock.deliver()  # time-out
    emulator.set_faults(seed=1, error_rates={500: 1.0})
    clock.deliver()  # 500
    emulator.set_faults(seed=1, drop_rate=1.0)
    clock.deliver()  # connection dropped
    emulator.clear_faults()
    clock.deliver()
    from django_talonone import signals

    with transaction.atomic():
        signals.order_refunded.send(sender=Order, order=order, lines=[line])
    with override_settings(TALONONE={**SETTINGS, "API_KEY": REVOKED_KEY}):
        clock.deliver()  # 401: the return is parked as dead
        revoked = TalonOneClient(
            base_url=emulator.base_url, api_key=REVOKED_KEY, session=emulator.session()
        )
        try:
            revoked.get_customer_session("nope")
        except TalonOneError as error:
            errors.append(error)
    order.status = Order.Status.CANCELLED
    order.save()
    track_event("ann-profile", "newsletter_signup", {"source": "footer"})
    forget_customer(str(user.pk))
    clock.deliver()
    client = get_client("delivery")
    audience = client.create_audience_v2({"name": "vip"})
    client.delete_audience_v2(audience["id"])
    try:
        client.delete_audience_v2(audience["id"])  # 404, with the management key
    except TalonOneError as error:
        errors.append(error)
