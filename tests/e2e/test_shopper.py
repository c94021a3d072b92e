"""A shopper in a real browser: discounts from WELCOME10, a plain-words rejection for an
unknown code, and a checkout whose close reaches Talon.One through the Celery worker."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.e2e.conftest import DemoStack, Shot, eventually
from tests.e2e.shopping import add_products, amount, apply_coupon, check_out


def test_coupons_and_checkout(page: Any, shot: Shot, demo_stack: DemoStack) -> None:
    add_products(page, "TEA-GREEN", "MUG-1")
    shot("catalogue")

    apply_coupon(page, "WELCOME10")
    welcome = page.locator('li[data-code="WELCOME10"]')
    assert welcome.locator(".verdict").inner_text() == "Applied"
    assert page.locator("table.lines tbody tr").count() == 2
    subtotal = amount(page, '[data-test="subtotal"]')
    assert subtotal == Decimal("20.50")
    assert amount(page, '[data-test="discount-total"]') == Decimal("2.05")  # 10 %
    assert amount(page, '[data-test="total"]') == Decimal("18.45")
    assert page.locator('[data-test="cart-discount"]').inner_text().startswith("Welcome 10%")
    shot("welcome10")

    apply_coupon(page, "NOPE")
    nope = page.locator('li[data-code="NOPE"]')
    assert "rejected" in (nope.get_attribute("class") or "")
    assert nope.locator(".verdict").inner_text() == "Not applied"  # never the reason code
    assert nope.locator(".reason").inner_text() == "This coupon code does not exist."
    assert amount(page, '[data-test="discount-total"]') == Decimal("2.05")
    shot("nope")

    session_id = check_out(page)
    assert amount(page, '[data-test="total"]') == Decimal("18.45")
    headings = page.locator("table.lines thead th").all_inner_texts()
    assert headings == ["Product", "Price", "Quantity", "Amount", "Discount", "Net"]
    shot("order")

    closed = eventually(
        lambda: (s := demo_stack.emulator_session(session_id)) and s["state"] == "closed" and s,
        "the worker to close the session in the emulator",
    )
    assert closed["couponCodes"] == ["WELCOME10"]
    assert [item["sku"] for item in closed["cartItems"]] == ["TEA-GREEN", "MUG-1"]
    assert closed["redeemed"]["coupons"] == ["WELCOME10"]
    discounts = [e["props"] for e in closed["effects"] if e["effectType"] == "setDiscount"]
    assert discounts == [{"name": "Welcome 10%", "scope": "sessionTotal", "value": Decimal("2.05")}]
    page.goto("/cart/")
    assert page.locator("text=Your cart is empty").is_visible()
