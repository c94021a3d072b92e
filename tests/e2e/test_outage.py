"""Talon.One down: the cart still renders at full price, flagged, checkout still sells,
and the worker closes the session once Talon.One is back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.e2e.conftest import DemoStack, Shot, eventually
from tests.e2e.shopping import add_products, amount, apply_coupon, check_out


def test_shop_sells_through_an_outage(page: Any, shot: Shot, demo_stack: DemoStack) -> None:
    demo_stack.fail_all(503)
    add_products(page, "COF-ESP", "SWT-CHOC")  # 14.00 + 4.30
    apply_coupon(page, "WELCOME10")

    flag = page.locator('[data-test="promotions-unavailable"]')
    assert "Promotions unavailable" in flag.inner_text()
    assert page.locator("table.lines tbody tr").count() == 2
    assert amount(page, '[data-test="total"]') == Decimal("18.30")
    assert page.locator('li[data-code="WELCOME10"] .verdict').inner_text() == "Not checked"
    shot("cart")

    session_id = check_out(page)
    assert amount(page, '[data-test="total"]') == Decimal("18.30")
    shot("order")
    during = demo_stack.emulator_session(session_id)
    assert during is None or during["state"] == "open"  # the close waits in the outbox

    demo_stack.heal()
    closed = eventually(
        lambda: (s := demo_stack.emulator_session(session_id)) and s["state"] == "closed" and s,
        "the worker to deliver the queued close after the outage",
        timeout=60,
    )
    # The shopper paid full price, so the close redeems no coupon.
    assert closed["couponCodes"] == []
    assert [item["sku"] for item in closed["cartItems"]] == ["COF-ESP", "SWT-CHOC"]
