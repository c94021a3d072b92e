"""The example shop's states as shoppers and staff read them, over plain HTTP on the demo
stack: refunded and partly refunded orders with their totals, discounts itemised by what
gave them, rejections in plain words (and "sign in" for a signed-out friend's referral),
the demo data's expired and used-up coupons, audience and reservations, and staff who
may only look."""

from __future__ import annotations

import re

from tests.e2e.conftest import DemoStack, eventually
from tests.e2e.test_shop_http import Visitor

CHANGE = "/admin/orders/order/{}/change/"
MINUS = "\u2212"  # the shop writes discounts and refunds with a real minus sign


def _order_id(page: str) -> str:
    found = re.search(r"Order #0*(\d+) is placed", page)
    assert found
    return found[1]


def _refund(staff: Visitor, order_id: str, line: str) -> None:
    refund_url = f"/admin/orders/order/{order_id}/refund/"
    done = staff.post(refund_url, {"lines": line, "confirm": "yes"}, form_page=refund_url)
    assert "Refunded 1 line(s)" in done


def test_refunds_show_as_partly_refunded_then_refunded_with_their_totals(
    demo_stack: DemoStack,
) -> None:
    shopper = Visitor(demo_stack)
    shopper.add("COF-FIL")  # 12.50
    shopper.add("CUP-ESP")  # 16.40
    order_id = _order_id(shopper.pay())
    order_page = f"/orders/{order_id}/"
    assert (
        '<span class="status" data-test="order-status">paid</span>' in shopper.get(order_page).text
    )

    staff = Visitor(demo_stack)
    staff.sign_in("admin")
    refund_url = f"/admin/orders/order/{order_id}/refund/"
    first, second = re.findall(r'name="lines" value="(\d+)"', staff.get(refund_url).text)
    _refund(staff, order_id, second)
    page = shopper.get(order_page).text
    assert 'data-test="order-status">partly refunded</span>' in page
    assert f'data-test="refunded-total">{MINUS}$16.40</td>' in page
    assert 'data-test="kept-total">$12.50</td>' in page
    listed = shopper.get("/orders/").text
    assert '<td class="status" data-test="order-status">partly refunded</td>' in listed
    assert f'<td class="num" data-test="refunded">{MINUS}$16.40</td>' in listed
    admin_list = staff.get("/admin/orders/order/").text
    row = admin_list[admin_list.index(f'{order_id}/change/">#{int(order_id):05d}</a>') :]
    row = row[: row.index("</tr>")]
    assert '<td class="field-status_shown">partly refunded</td>' in row
    assert '<td class="field-refunded">$16.40</td>' in row
    admin_page = staff.get(CHANGE.format(order_id)).text
    assert '<div class="readonly">partly refunded</div>' in admin_page
    assert '<div class="readonly">$12.50</div>' in admin_page  # paid after refunds

    _refund(staff, order_id, first)
    page = shopper.get(order_page).text
    assert 'data-test="order-status">refunded</span>' in page
    assert f'data-test="refunded-total">{MINUS}$28.90</td>' in page
    assert 'data-test="kept-total">$0.00</td>' in page
    assert '<td class="field-status_shown">refunded</td>' in staff.get("/admin/orders/order/").text


def _referral_code_of(advocate: Visitor) -> str:
    wallet = advocate.get("/accounts/wallet/").text
    if 'data-test="invite"' in wallet:
        wallet = advocate.post("/accounts/wallet/invite/", {}, form_page="/accounts/wallet/")
    code = re.search(r'talonone-wallet-referrals.*?data-code="([^"]+)"', wallet, re.S)
    assert code, "the advocate's wallet lists their referral code"
    return code[1]


def test_discounts_are_itemised_and_a_friends_referral_asks_a_guest_to_sign_in(
    demo_stack: DemoStack,
) -> None:
    advocate = Visitor(demo_stack)
    advocate.sign_in("demo")
    code = _referral_code_of(advocate)

    friend = Visitor(demo_stack)
    for sku in ("MUG-TRAVEL", "COF-ESP", "CUP-ESP", "COF-FIL", "COF-DEC", "MUG-1", "TEA-GREEN"):
        friend.add(sku)  # 95.14
    friend.add("TEA-EARL")  # 102.39: over 100; 10 % of it is 10.24
    friend.post("/cart/coupons/", {"code": "WELCOME10"}, form_page="/cart/")
    friend.post("/cart/referral/", {"code": code}, form_page="/cart/")
    cart = friend.get("/cart/").text
    shown = re.sub(r'data-reason="[^"]*"', "", cart)  # the code is kept for scripts only
    assert "ReferralRecipientDoesNotMatch" not in shown
    assert "issued to someone else" not in cart
    sign_in = '<a href="/accounts/login/?next=/cart/">Sign in</a> to use a referral code.'
    assert f'data-test="referral-sign-in">{sign_in}' in cart

    friend.sign_in("admin")  # the friend signs in: the cart, code included, goes along
    cart = friend.get("/cart/").text
    assert "to use a referral code" not in cart
    rows = re.findall(
        r'data-test="cart-discount" data-source="(\w+)"><th colspan="5">(.*?) '
        r'<span class="source">\((.*?)\)</span>',
        cart,
    )
    assert rows == [
        ("coupon", "Welcome 10%", "coupon WELCOME10"),
        ("referral", "Refer a friend", "referral"),
        ("promotion", "5 off orders of 100+", "automatic"),
    ]
    order = friend.pay()
    order_id = _order_id(order)
    itemised = re.findall(
        r'data-test="order-discount" data-source="(\w+)"><th colspan="5">(.*?) '
        r'<span class="source">\((.*?)\)</span></th><td class="num">(.*?)</td>',
        order,
    )
    assert itemised == [
        ("coupon", "Welcome 10%", "coupon WELCOME10", f"{MINUS}$10.24"),
        ("referral", "Refer a friend", "referral", f"{MINUS}$5.00"),
        ("promotion", "5 off orders of 100+", "automatic", f"{MINUS}$5.00"),
    ]
    assert f'data-test="discount-total">{MINUS}$20.24</td>' in order
    assert "Discount (WELCOME10)" not in order
    admin_page = friend.get(CHANGE.format(order_id)).text
    assert '<div class="order-discount">Refer a friend (referral): &minus;$5.00</div>' in admin_page


def test_the_demo_data_shows_every_state(demo_stack: DemoStack) -> None:
    shopper = Visitor(demo_stack)
    shopper.sign_in("demo")

    def coupon_states() -> dict[str, str] | None:
        page = shopper.get("/accounts/wallet/").text
        states = dict(re.findall(r'data-code="([A-Z0-9]+)" data-state="(\w+)"', page))
        return states if states.get("ONCE5") == "used" else None

    states = eventually(coupon_states, "the seeded order to spend ONCE5 in Talon.One")
    assert states["SPRING5"] == "expired"
    assert states["WELCOME10"] == "active"
    orders = shopper.get("/orders/").text
    assert orders.count('data-test="order-status"') >= 1

    staff = Visitor(demo_stack)
    staff.sign_in("admin")
    audiences = staff.get("/admin/django_talonone/audience/").text
    assert "Tea lovers" in audiences
    reservations = staff.get("/admin/django_talonone/couponreservation/").text
    for coupon in ("WELCOME10", "SPRING5", "ONCE5"):
        assert coupon in reservations


def test_view_only_staff_see_everything_and_are_offered_nothing(demo_stack: DemoStack) -> None:
    viewer = Visitor(demo_stack)
    viewer.sign_in("viewer")
    index = viewer.get("/admin/").text
    assert 'id="talonone-status"' in index  # they may view deliveries
    orders = viewer.get("/admin/orders/order/").text
    order_id = re.search(r"/admin/orders/order/(\d+)/change/", orders)
    assert order_id
    assert 'name="action"' not in orders  # no refund, no cancel
    change = viewer.get(CHANGE.format(order_id[1])).text
    assert "Refund lines" not in change
    refused = viewer.http.get(
        demo_stack.shop_url + f"/admin/orders/order/{order_id[1]}/refund/", timeout=20
    )
    assert refused.status_code == 403
    assert "Not allowed" in refused.text
    assert "<li>Can change order</li>" in refused.text
    assert '<header id="header">' in refused.text  # the admin's own page, not a bare 403
    audiences = viewer.get("/admin/django_talonone/audience/").text
    assert "/admin/django_talonone/audience/add/" not in audiences
    deliveries = viewer.get("/admin/django_talonone/delivery/").text
    assert 'name="action"' not in deliveries
