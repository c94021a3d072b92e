"""The shop's views and admin refund over plain HTTP (no browser), on the demo stack."""

from __future__ import annotations

import re
import subprocess
import sys

import requests

from tests.e2e.conftest import ROOT, DemoStack, eventually


class Visitor:
    """A ``requests`` session that fills in Django's CSRF token like a browser form."""

    def __init__(self, stack: DemoStack) -> None:
        self.base = stack.shop_url
        self.http = requests.Session()

    def get(self, path: str) -> requests.Response:
        reply = self.http.get(self.base + path, timeout=20)
        reply.raise_for_status()
        return reply

    def post(self, path: str, data: dict[str, str | list[str]], form_page: str = "/") -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(form_page).text)
        assert token, f"no form on {form_page}"
        reply = self.http.post(
            self.base + path, data={**data, "csrfmiddlewaretoken": token[1]}, timeout=20
        )
        reply.raise_for_status()
        return reply.text

    def sign_in(self, username: str) -> None:
        page = self.post(
            "/accounts/login/",
            {"username": username, "password": username},
            form_page="/accounts/login/",
        )
        assert f"Sign out {username}" in page or "Log out" in page

    def pay(self, expected_total: str | None = None) -> str:
        """Pay on the checkout page; ``expected_total`` is the total the Pay button showed
        (the page's own, unless a test pays what an older page said)."""
        page = self.get("/orders/checkout/").text
        shown = re.search(r'name="expected_total" value="([0-9.]+)"', page)
        assert shown, "the checkout form says what it will charge"
        data = {
            "holder": "A. Shopper",
            "card_number": "4242424242424242",
            "expected_total": expected_total or shown[1],
        }
        return self.post("/orders/checkout/", data, form_page="/orders/checkout/")

    def add(self, sku: str) -> None:
        catalogue = self.get("/").text
        product = re.search(rf'data-sku="{sku}">.*?/cart/add/(\d+)/', catalogue, re.S)
        assert product, sku
        self.post(f"/cart/add/{product[1]}/", {"quantity": "1"})


def placed_order(stack: DemoStack, *skus: str) -> tuple[str, str]:
    """A shopper buys ``skus``; returns the order's id and its Talon.One session id."""
    shopper = Visitor(stack)
    for sku in skus:
        shopper.add(sku)
    order_page = shopper.pay()
    order_id = re.search(r"Order #0*(\d+) is placed", order_page)
    session_id = re.search(r'data-test="session-id">([0-9a-f]+)<', order_page)
    assert order_id
    assert session_id
    return order_id[1], session_id[1]


def test_catalogue_lists_twelve_products_in_four_categories(demo_stack: DemoStack) -> None:
    page = Visitor(demo_stack).get("/").text
    assert page.count('class="product"') == 12
    tea = Visitor(demo_stack).get("/?category=tea").text
    assert tea.count('class="product"') == 3


def test_seeding_again_creates_nothing(demo_stack: DemoStack) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=ROOT / "example_project",
        env={
            "SHOP_DEMO_DIR": str(demo_stack.directory),
            "SHOP_DATABASE": str(demo_stack.directory / "shop.sqlite3"),
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "Demo data ready (0 rows created)."


def test_signing_in_takes_the_anonymous_cart_along(demo_stack: DemoStack) -> None:
    visitor = Visitor(demo_stack)
    visitor.add("SWT-ALMOND")
    visitor.post("/cart/referral/", {"code": "0000-0000"}, form_page="/cart/")
    cart = visitor.get("/cart/").text
    assert "Not applied" in cart  # a heading in words, never the reason code
    assert "Referral not found" not in cart
    assert "This referral code does not exist." in cart  # not a matter of signing in
    assert "to use a referral code" not in cart
    visitor.sign_in("demo")
    cart = visitor.get("/cart/").text
    assert 'data-sku="SWT-ALMOND"' in cart
    # The cart's open session now belongs to demo's profile. The page only previews (a
    # dry run): the cart's outbox lane, the session's one writer, stores it in Talon.One.
    eventually(
        lambda: any(
            s["state"] == "open"
            and s["profileId"] != ""
            and [i["sku"] for i in s["cartItems"]] == ["SWT-ALMOND"]
            for s in demo_stack.emulator_state()["sessions"].values()
        ),
        "the signed-in cart's session in Talon.One",
    )


def test_checkout_of_an_empty_cart_sends_the_shopper_back(demo_stack: DemoStack) -> None:
    reply = Visitor(demo_stack).http.get(demo_stack.shop_url + "/orders/checkout/", timeout=20)
    assert reply.url.endswith("/cart/")
    assert "Your cart is empty" in reply.text


def test_checkout_refuses_to_charge_more_than_the_pay_button_said(demo_stack: DemoStack) -> None:
    shopper = Visitor(demo_stack)
    shopper.add("COF-FIL")
    page = shopper.get("/orders/checkout/").text
    shown = re.search(r'name="expected_total" value="([0-9.]+)"', page)
    assert shown
    shopper.add("CUP-ESP")  # in another tab, the cart grows
    reply = shopper.pay(expected_total=shown[1])
    assert "Your cart changed: the total is now" in reply
    assert "Nothing was charged" in reply
    assert "is placed and paid" not in reply
    assert "is placed and paid" in shopper.pay()  # the new total, confirmed, is charged


def test_refund_needs_confirmation_and_happens_once(demo_stack: DemoStack) -> None:
    order_id, session_id = placed_order(demo_stack, "COF-FIL", "CUP-ESP")
    staff = Visitor(demo_stack)
    staff.sign_in("admin")
    refund_url = f"/admin/orders/order/{order_id}/refund/"
    line_ids = re.findall(r'name="lines" value="(\d+)"', staff.get(refund_url).text)
    assert len(line_ids) == 2

    review = staff.post(refund_url, {"lines": line_ids[1]}, form_page=refund_url)
    assert "Are you sure?" in review
    assert "$16.40" in review  # no discount on this order: the whole line comes back
    done = staff.post(refund_url, {"lines": line_ids[1], "confirm": "yes"}, form_page=refund_url)
    assert "Refunded 1 line(s)" in done
    again = staff.post(refund_url, {"lines": line_ids[1], "confirm": "yes"}, form_page=refund_url)
    assert "Select a valid choice" in again  # an already refunded line cannot be chosen

    returned = eventually(
        lambda: demo_stack.emulator_state()["returns"].get(session_id),
        "the return to reach the emulator",
    )
    assert [r["returnedCartItems"] for r in returned] == [[{"position": 1, "quantity": 1}]]


def test_staff_cancel_an_order_with_a_confirmed_action_and_there_is_no_way_back(
    demo_stack: DemoStack,
) -> None:
    order_id, session_id = placed_order(demo_stack, "COF-FIL")
    staff = Visitor(demo_stack)
    staff.sign_in("admin")
    change = staff.get(f"/admin/orders/order/{order_id}/change/").text
    assert 'name="status"' not in change  # no dropdown to move an order between states
    changelist = "/admin/orders/order/"
    chosen: dict[str, str | list[str]] = {"action": "cancel_orders", "_selected_action": order_id}
    review = staff.post(changelist, chosen, form_page=changelist)
    assert "Cancel 1 order?" in review
    assert "This cannot be undone." in review
    done = staff.post(changelist, {**chosen, "confirm": "yes"}, form_page=changelist)
    assert "1 order(s) cancelled" in done
    eventually(
        lambda: (s := demo_stack.emulator_session(session_id)) and s["state"] == "cancelled",
        "the cancel to reach the emulator",
    )
    again = staff.post(changelist, {**chosen, "confirm": "yes"}, form_page=changelist)
    assert "Every selected order is cancelled already." in again


def test_a_pushed_strikethrough_price_shows_in_the_catalogue(demo_stack: DemoStack) -> None:
    """Talon.One pushes a price change to the shop's endpoint (with the demo's secret); the
    worker processes it and the catalogue shows the product's price struck through."""
    body = {
        "NotificationType": "StrikethroughPrice",
        "applicationId": 1,
        "currentBatch": 1,
        "totalBatches": 1,
        "changedItems": [
            {
                "sku": "MUG-1",
                "price": 12.0,
                "effects": [{"type": "setDiscountPerItem", "props": {"name": "sale", "value": 2}}],
            }
        ],
    }
    reply = requests.post(
        f"{demo_stack.shop_url}/talonone/notifications/",
        json=body,
        auth=("talonone", "demo-notification-secret-not-for-production"),
        headers={"X-UUID": "e2e-strikethrough-1"},
        timeout=20,
    )
    assert reply.status_code == 200
    refused = requests.post(f"{demo_stack.shop_url}/talonone/notifications/", json=body, timeout=20)
    assert refused.status_code == 401

    def struck() -> str | None:
        page = requests.get(demo_stack.shop_url + "/", timeout=20).text
        match = re.search(r'data-sku="MUG-1">.*?<p class="price">(.*?)</p>', page, re.S)
        return match[1] if match and 'class="was"' in match[1] else None

    price = eventually(struck, "the struck-through price of MUG-1")
    assert "$12.00" in price
    assert "$10.00" in price


def test_the_emulator_pushes_strikethrough_prices_to_the_demo_shop(demo_stack: DemoStack) -> None:
    """The demo wires the emulator to the shop: with an automatic per-item campaign added,
    the synced catalogue is re-priced and the shop shows the tea struck through."""
    http = demo_stack.http
    config_url = f"{demo_stack.emulator_url}/_emulator/config"
    original = http.get(config_url, timeout=10).json()
    tea_week = {
        "id": 90,
        "name": "Green tea week",
        "startTime": "2020-01-01T00:00:00Z",
        "rules": [
            {
                "name": "1 off green tea",
                "effects": [
                    {
                        "type": "discountPerItem",
                        "name": "Green tea week",
                        "amount": 1,
                        "skus": ["TEA-GREEN"],
                    }
                ],
            }
        ],
    }
    changed = {**original, "campaigns": [*original["campaigns"], tea_week]}
    try:
        assert http.put(config_url, json=changed, timeout=10).status_code == 200

        def struck() -> str | None:
            page = requests.get(demo_stack.shop_url + "/", timeout=20).text
            match = re.search(r'data-sku="TEA-GREEN">.*?<p class="price">(.*?)</p>', page, re.S)
            return match[1] if match and 'class="was"' in match[1] else None

        price = eventually(struck, "the struck-through price of TEA-GREEN")
        assert "$8.50" in price
        assert "$7.50" in price
        sent = http.get(f"{demo_stack.emulator_url}/_emulator/notifications", timeout=10).json()
        assert any(entry["state"] == "delivered" for entry in sent["sent"])
        assert "demo-notification-secret" not in str(sent)
    finally:
        assert http.put(config_url, json=original, timeout=10).status_code == 200


def test_a_cart_in_eur_is_priced_and_placed_in_the_eur_application(
    demo_stack: DemoStack,
) -> None:
    """The demo sells in two currencies: EUR carts go to the EUR Application, with its
    own key and campaigns; the USD Application never sees them."""
    shopper = Visitor(demo_stack)
    shopper.add("SWT-ALMOND")
    cart = shopper.post("/cart/currency/", {"currency": "EUR"}, form_page="/cart/")
    assert "Prices are now in EUR." in cart
    assert "€" in cart
    assert "EUR launch" in cart  # the EUR Application's automatic campaign
    order_page = shopper.pay()
    session_id = re.search(r'data-test="session-id">([0-9a-f]+)<', order_page)
    assert session_id

    def eur_state() -> str | None:
        reply = demo_stack.http.get(
            f"{demo_stack.emulator_url}/_emulator/state?application=eur", timeout=10
        )
        session = reply.json()["data"]["sessions"].get(session_id[1]) or {}
        return session.get("state")

    eventually(lambda: eur_state() == "closed", "the EUR order's close in the EUR Application")
    assert session_id[1] not in demo_stack.emulator_state()["sessions"]
