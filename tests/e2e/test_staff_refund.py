"""Staff refund one line of an order from the admin, through its confirmation page; the
worker sends the return and Talon.One rolls back that line's share of the discount."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from tests.e2e.conftest import DemoStack, Shot, eventually
from tests.e2e.shopping import add_products, apply_coupon, check_out, sign_in

FONT_SIZE = "element => getComputedStyle(element).fontSize"


def test_refund_one_line(page: Any, shot: Shot, demo_stack: DemoStack) -> None:
    add_products(page, "TEA-GREEN", "MUG-1")  # 8.50 + 12.00, as a guest
    apply_coupon(page, "WELCOME10")  # 2.05 off the cart
    session_id = check_out(page)
    order_path = page.url.removeprefix(demo_stack.shop_url)
    order_id = order_path.strip("/").rsplit("/", 1)[-1]
    eventually(
        lambda: (s := demo_stack.emulator_session(session_id)) and s["state"] == "closed",
        "the order's session to be closed",
    )
    page.context.clear_cookies()

    sign_in(page, "admin", "admin")
    page.goto(f"/admin/orders/order/{order_id}/change/")
    assert page.locator(".session-id").inner_text() == session_id
    assert page.locator(".field-coupons .readonly").inner_text() == "WELCOME10"
    shot("order-admin")
    page.get_by_role("link", name="Refund lines").click()
    page.get_by_label("Refund Sencha green tea").check()
    shot("choose")
    page.get_by_role("button", name="Review refund").click()

    # The confirmation page: nothing is refunded until staff say yes.
    assert page.locator("h2").inner_text() == "Are you sure?"
    total = page.locator('[data-test="refund-total"]')
    assert total.inner_text() == "$7.65"  # 8.50 - 0.85
    line_refund = page.locator("#content tbody td strong").first
    assert total.evaluate(FONT_SIZE) == line_refund.evaluate(FONT_SIZE)
    shot("confirm")
    assert session_id not in demo_stack.emulator_state()["returns"]
    page.get_by_role("button", name="Yes, refund $7.65").click()
    assert "Refunded 1 line(s) of order" in page.locator(".messagelist").inner_text()
    shot("refunded")

    returned = eventually(
        lambda: (
            (s := demo_stack.emulator_session(session_id))
            and s["state"] == "partially_returned"
            and s
        ),
        "the worker to send the return to the emulator",
    )
    tea, mug = returned["cartItems"]
    assert (tea["sku"], tea.get("returnedQuantity")) == ("TEA-GREEN", 1)
    assert mug.get("returnedQuantity", 0) == 0
    # The cart discount (effect 1: setDiscount 2.05) is rolled back by the tea's share:
    # 2.05 x 8.50 / 20.50.
    assert returned["rolledBack"] == {"1": Decimal("0.85")}
    assert [r["returnedCartItems"] for r in demo_stack.emulator_state()["returns"][session_id]] == [
        [{"position": 0, "quantity": 1}]
    ]

    # The worker records the reply just after the emulator applied the return: reload
    # until the admin shows it, instead of racing the worker.
    def admin_shows_done() -> bool:
        page.reload()
        text = page.locator(".field-talonone_session").inner_text()
        return "return of 1 x Sencha green tea: done" in text

    eventually(admin_shows_done, "the admin to show the delivered return")


def test_refund_while_talon_one_fails_the_close(
    page: Any, shot: Shot, demo_stack: DemoStack
) -> None:
    """Talon.One refuses every call from checkout on: the order's close waits in the
    outbox. Staff can still refund a line; the return queues behind the close, the page
    says so, and both arrive once Talon.One is back."""
    add_products(page, "TEA-GREEN", "MUG-1")
    demo_stack.fail_all(503)
    session_id = check_out(page)  # promotions unavailable: full price, close queued
    order_path = page.url.removeprefix(demo_stack.shop_url)
    order_id = order_path.strip("/").rsplit("/", 1)[-1]
    page.context.clear_cookies()

    sign_in(page, "admin", "admin")
    page.goto(f"/admin/orders/order/{order_id}/refund/")
    page.get_by_label("Refund Sencha green tea").check()
    page.get_by_role("button", name="Review refund").click()
    assert page.locator("h2").inner_text() == "Are you sure?"
    shot("confirm-while-failing")
    page.get_by_role("button", name=re.compile(r"^Yes, refund ")).click()
    message = page.locator(".messagelist").inner_text()
    assert "Refunded 1 line(s) of order" in message
    assert "Talon.One has not recorded this order yet" in message
    shot("refunded-while-failing")

    demo_stack.heal()
    eventually(
        lambda: (
            (s := demo_stack.emulator_session(session_id)) and s["state"] == "partially_returned"
        ),
        "the close, then the return, once Talon.One is back",
        timeout=120,
    )
