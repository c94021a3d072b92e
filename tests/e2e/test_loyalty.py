"""The demo shopper's loyalty points in the browser: an order earns points, a voucher and
progress (the wallet shows them with the tier), the next cart uses some of the points;
staff refund a line of the first order (its share of the points is rolled back) and
cancel the second (what it earned is rolled back, what it spent given back).

The demo stack is shared by the e2e tests, so balances are compared with what the wallet
said before, never with fixed numbers."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from tests.e2e.conftest import DemoStack, Shot, eventually
from tests.e2e.shopping import add_products, check_out, empty_cart, sign_in

BEANS = 'table.talonone-wallet-loyalty tr[data-program="beans"]'


def _balance(page: Any) -> Decimal:
    """The wallet's spendable Bean points (0 before the shopper's first points)."""
    page.goto("/accounts/wallet/")
    cell = page.locator(f'{BEANS} [data-test="points-active"]')
    if cell.count() == 0:
        return Decimal(0)
    return Decimal(cell.inner_text().split()[0])


def _number(text: str) -> Decimal:
    found = re.search(r"[0-9]+(?:\.[0-9]+)?", text)
    assert found, text
    return Decimal(found[0])


def _order_points(page: Any, order_path: str, test: str, words: str) -> str:
    """The order page's points cell ``test`` once it says ``words`` (the worker records
    the close, return or cancel asynchronously: reload until it shows)."""

    def shown() -> str | None:
        page.goto(order_path)
        cell = page.locator(f'[data-test="{test}"]')
        text: str = cell.inner_text() if cell.count() else ""
        return text if words in text else None

    return eventually(shown, f"the order page to show {test} {words!r}")


def _wallet_balance_is(page: Any, expected: Decimal) -> None:
    eventually(lambda: _balance(page) == expected, f"the wallet to show {expected} points")


def test_points_earned_spent_and_rolled_back(page: Any, shot: Shot, demo_stack: DemoStack) -> None:
    sign_in(page, "demo", "demo")
    empty_cart(page)
    before = _balance(page)

    # 14.00 + 19.99 + 16.40 = 50.39: a point per dollar, and a coffee voucher from 50.
    add_products(page, "COF-ESP", "MUG-TRAVEL", "CUP-ESP")
    page.goto("/cart/")
    assert _number(page.locator('[data-test="points-to-earn"]').inner_text()) == Decimal("50.39")
    shot("cart-earns")
    check_out(page)
    first_order = page.url.removeprefix(demo_stack.shop_url)
    earned = _order_points(page, first_order, "points-earned", "ready to spend")
    assert _number(earned) == Decimal("50.39")
    shot("order-earned")

    after_first = before + Decimal("50.39")
    _wallet_balance_is(page, after_first)
    tier = page.locator(f'{BEANS} [data-test="points-tier"]').inner_text()
    assert tier.startswith(("Silver", "Gold"))  # 50 points reach Silver
    gifts = page.locator("table.talonone-wallet-giveaways tbody tr")
    assert gifts.count() >= 1
    assert (gifts.first.get_attribute("data-code") or "").startswith("COFFEE-")
    progress = page.locator('tr[data-achievement="ThreeOrders"]')
    assert progress.count() == 1
    shot("wallet")

    # The next cart uses 20 of the points: 2.00 off at 10 cents a point.
    add_products(page, "TEA-EARL")
    page.goto("/cart/")
    assert _number(page.locator('[data-test="points-balance"]').inner_text()) == after_first
    page.fill("#id_points", "20")
    page.get_by_role("button", name="Use my points").click()
    page.wait_for_selector('[data-test="points-spent"]')
    assert _number(page.locator('[data-test="points-spent"]').inner_text()) == Decimal(20)
    discount = page.locator('[data-test="cart-discount"][data-source="points"]')
    assert "Bean points discount" in discount.inner_text()
    assert "$2.00" in discount.inner_text()
    assert page.locator('[data-test="total"]').inner_text() == "$5.25"
    shot("cart-uses-points")
    check_out(page)
    second_order = page.url.removeprefix(demo_stack.shop_url)
    _order_points(page, second_order, "points-earned", "ready to spend")
    assert _number(page.locator('[data-test="points-spent"]').inner_text()) == Decimal(20)
    after_second = after_first - 20 + Decimal("7.25")
    _wallet_balance_is(page, after_second)

    # Staff refund the espresso cups of the first order (16.40 of its 50.39) and cancel
    # the second order: the points they earned go back, the spent ones come back.
    first_id = first_order.strip("/").rsplit("/", 1)[-1]
    order_id = second_order.strip("/").rsplit("/", 1)[-1]
    page.context.clear_cookies()
    sign_in(page, "admin", "admin")
    page.goto(f"/admin/orders/order/{first_id}/change/")
    page.get_by_role("link", name="Refund lines").click()
    page.get_by_label("Refund Espresso cups (pair)").check()
    page.get_by_role("button", name="Review refund").click()
    page.get_by_role("button", name=re.compile(r"^Yes, refund ")).click()
    assert "Refunded 1 line(s) of order" in page.locator(".messagelist").inner_text()
    page.goto("/admin/orders/order/")
    page.locator(f'input[name="_selected_action"][value="{order_id}"]').check()
    page.select_option('select[name="action"]', "cancel_orders")
    page.locator('button[name="index"]').click()
    page.get_by_role("button", name="Yes, cancel them").click()
    assert "1 order(s) cancelled" in page.locator(".messagelist").inner_text()
    page.context.clear_cookies()

    sign_in(page, "demo", "demo")
    refunded = _order_points(page, first_order, "points-rolled-back", "16.4")
    assert _number(refunded) == Decimal("16.40")
    assert _number(page.locator('[data-test="points-kept"]').inner_text()) == Decimal("33.99")
    assert page.locator('[data-test="points-earned"]').get_attribute("data-state") == "active"
    shot("order-refunded")
    rolled = _order_points(page, second_order, "points-rolled-back", "7.25")
    assert _number(rolled) == Decimal("7.25")
    assert _number(page.locator('[data-test="points-given-back"]').inner_text()) == Decimal(20)
    earned_cell = page.locator('[data-test="points-earned"]')
    assert earned_cell.get_attribute("data-state") == "rolled back"
    shot("order-rolled-back")
    _wallet_balance_is(page, after_first - Decimal("16.40"))
