"""What a shopper and a staff member do in the browser, step by step."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any


def sign_in(page: Any, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/(admin/)?$"))


def empty_cart(page: Any) -> None:
    """Take every line out of the shopper's cart: the e2e tests share the demo's users,
    and another test may have left something in it (signing in takes a cart along)."""
    page.goto("/cart/")
    forms = page.locator('form[action*="/cart/lines/"]')
    while forms.count():
        forms.first.locator('input[name="quantity"]').fill("0")
        forms.first.get_by_role("button", name="Update").click()
        page.wait_for_url(re.compile(r".*/cart/$"))
        forms = page.locator('form[action*="/cart/lines/"]')


def add_products(page: Any, *skus: str) -> None:
    page.goto("/")
    for sku in skus:
        page.locator(f'li.product[data-sku="{sku}"] button').click()
        page.wait_for_selector(".message.success")


def apply_coupon(page: Any, code: str) -> None:
    page.goto("/cart/")
    page.fill("#coupon-code", code)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_selector(f'li[data-code="{code}"]')


def amount(page: Any, selector: str) -> Decimal:
    """A money cell's value: ``"-$2.05"`` (any sign) → ``Decimal("2.05")``."""
    text = page.locator(selector).inner_text()
    return Decimal(re.sub(r"[^0-9.]", "", text))


def check_out(page: Any) -> str:
    """Pay for the cart; returns the order's Talon.One session id shown on its page."""
    page.goto("/cart/")
    page.get_by_role("link", name="Checkout").click()
    page.fill("#id_holder", "Demo Shopper")
    page.fill("#id_card_number", "4242 4242 4242 4242")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    page.wait_for_selector("text=is placed and paid")
    session_id: str = page.locator('[data-test="session-id"]').inner_text()
    return session_id
