"""Issue 15 in the browser: what staff see in the admin (a session's history after two
refunds, the outbox status panel, the forms that create audiences, members and
reservations), what a view-only staff member is offered (nothing they cannot do, and a
styled refusal), and the shopper's pages (order states and itemised discounts, plain
messages, the wallet's wording). Screenshots under test-output/e2e/."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import DemoStack, Shot, eventually
from tests.e2e.shopping import add_products, apply_coupon, check_out, sign_in


def _staff_page(chromium: Any, demo_stack: DemoStack, username: str) -> Any:
    context = chromium.new_context(
        base_url=demo_stack.shop_url, viewport={"width": 1200, "height": 800}
    )
    context.set_default_timeout(20_000)
    staff = context.new_page()
    sign_in(staff, username, username)
    return staff


def _refund_line(staff: Any, order_id: str, name: str) -> None:
    staff.goto(f"/admin/orders/order/{order_id}/change/")
    staff.get_by_role("link", name="Refund lines").click()
    staff.get_by_label(f"Refund {name}").check()
    staff.get_by_role("button", name="Review refund").click()
    staff.get_by_role("button", name=re.compile(r"^Yes, refund ")).click()
    staff.wait_for_selector("text=Refunded 1 line(s)")


def test_staff_follow_a_session_and_the_outbox_and_create_audiences_and_reservations(
    page: Any, shot: Shot, demo_stack: DemoStack, chromium: Any
) -> None:
    add_products(page, "TEA-GREEN", "MUG-1")  # 8.50 + 12.00, as a guest
    apply_coupon(page, "WELCOME10")  # 2.05 off
    session_id = check_out(page)
    order_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    eventually(
        lambda: (s := demo_stack.emulator_session(session_id)) and s["state"] == "closed",
        "the order's session to be closed",
    )
    staff = _staff_page(chromium, demo_stack, "admin")
    _refund_line(staff, order_id, "Sencha green tea")
    _refund_line(staff, order_id, "Stoneware mug")
    eventually(
        lambda: len(demo_stack.emulator_state()["returns"].get(session_id, [])) == 2,
        "both returns to reach the emulator",
    )

    # The shopper's page: refunded, with what came back
    page.reload()
    assert page.locator('[data-test="order-status"]').inner_text() == "refunded"
    assert page.locator('[data-test="refunded-total"]').inner_text() == "\u2212$18.45"
    assert page.locator('[data-test="kept-total"]').inner_text() == "$0.00"
    shot("shopper-refunded-order")

    # The session's history still shows the discount the order was sold with
    def timeline_complete() -> Any:
        staff.goto(f"/admin/django_talonone/customersession/?q={session_id}")
        staff.locator("#result_list tbody th a").first.click()
        rows = staff.locator("table.talonone-history tbody tr")
        return rows.count() >= 4 and rows

    rows = eventually(timeline_complete, "the session's timeline to show both returns")
    kinds = [row.locator("td").nth(1).inner_text() for row in rows.all()]
    assert kinds[-3:] == ["order placed (session closed)", "items returned", "items returned"]
    close = staff.locator("tr.talonone-step-closed")
    assert close.locator(".talonone-step-discount").inner_text() == "2.05"
    kept = staff.locator("tr.talonone-step-returned .talonone-step-kept").all_inner_texts()
    assert kept == ["1.20", "0.00"]  # 2.05 less the tea's 0.85, then the mug's 1.20
    assert staff.locator(".talonone-discount-total").inner_text() == "0"  # the last reply
    staff.locator("table.talonone-history").scroll_into_view_if_needed()
    shot.page = staff
    shot("session-history")

    # The admin index: the outbox status panel, linked to the lists it counts
    staff.goto("/admin/")
    panel = staff.locator("#talonone-status")
    assert panel.locator(".talonone-status-dead td").inner_text() == "0"
    assert "ago" in panel.locator(".talonone-status-last td").inner_text()
    shot("status-panel")
    panel.get_by_role("link", name="Last delivery").click()
    assert "status__exact=done" in staff.url

    # Create an audience, add a member found by search, follow its progress
    staff.goto("/admin/django_talonone/audience/")
    staff.get_by_role("link", name=re.compile("Add audience")).click()
    staff.fill("#id_name", "Coffee lovers")
    shot("audience-create")
    staff.get_by_role("button", name="Create").click()
    staff.wait_for_url("**/members/")
    staff.fill("#talonone-q", "demo")
    staff.get_by_role("button", name="Search").click()
    staff.locator('input[name="customers"]').first.check()
    staff.fill("#id_pasted", "csv-friend-1\ncsv-friend-2")
    shot("audience-members")
    staff.get_by_role("button", name="Add them").click()
    assert "3 of 3 customers are new members" in staff.locator(".messagelist").inner_text()

    def all_synced() -> bool:
        staff.reload()
        return "100% in Talon.One" in staff.locator(".field-member_summary").inner_text()

    eventually(all_synced, "the members to reach Talon.One")
    shot("audience-progress")

    # Reserve a coupon for a chosen customer
    staff.goto("/admin/django_talonone/couponreservation/add/")
    staff.fill("#id_coupon_code", "WELCOME10")
    staff.fill("#id_pasted", "reserved-by-staff")
    staff.get_by_role("button", name="Reserve it").click()
    assert "WELCOME10 is reserved for 1 more customer" in staff.locator(".messagelist").inner_text()
    assert "reserved-by-staff" in staff.locator("#result_list").inner_text()
    shot("reservation")
    staff.context.close()


def test_view_only_staff_are_offered_only_what_they_may_do(
    page: Any, shot: Shot, demo_stack: DemoStack
) -> None:
    sign_in(page, "viewer", "viewer")
    page.goto("/admin/")
    assert page.locator("#talonone-status").is_visible()
    shot("viewer-index")
    page.goto("/admin/orders/order/")
    assert page.locator('select[name="action"]').count() == 0
    page.locator("#result_list tbody th a").first.click()
    assert page.get_by_role("link", name="Refund lines").count() == 0
    shot("viewer-order")
    order_url = page.url
    refused = page.goto(order_url.replace("/change/", "/refund/"))
    assert refused is not None
    assert refused.status == 403
    assert page.locator("#header").is_visible()  # the admin's own page, styled
    assert "Can change order" in page.locator(".talonone-needed").inner_text()
    shot("viewer-refused")
    page.goto("/admin/django_talonone/delivery/")
    assert page.locator('select[name="action"]').count() == 0
    page.goto("/admin/django_talonone/audience/")
    assert page.get_by_role("link", name=re.compile("Add audience")).count() == 0
    shot("viewer-audiences")


def test_shopper_pages_say_what_happened_in_plain_words(
    page: Any, shot: Shot, demo_stack: DemoStack, chromium: Any
) -> None:
    advocate = _staff_page(chromium, demo_stack, "demo")  # a shopper, signed in
    advocate.goto("/accounts/wallet/")
    if advocate.locator('[data-test="invite"]').count():
        with advocate.expect_navigation():
            advocate.locator('[data-test="invite"]').click()
    code = advocate.locator("table.talonone-wallet-referrals tr[data-code]").first
    referral = code.get_attribute("data-code")
    eventually(
        lambda: (
            advocate.reload()
            or advocate.locator('tr[data-code="ONCE5"]').get_attribute("data-state") == "used"
        ),
        "the seeded order to spend ONCE5",
    )
    assert advocate.locator('tr[data-code="SPRING5"] .state').inner_text() == "Expired"
    assert advocate.locator('tr[data-code="ONCE5"] .state').inner_text() == "Used"
    assert "first order" not in advocate.locator('[data-test="referral-terms"]').inner_text()
    shot.page = advocate
    shot("wallet-states")
    advocate.context.close()
    shot.page = page

    add_products(page, "COF-ESP", "MUG-TRAVEL")
    page.goto("/cart/")
    page.fill("#referral-code", referral)
    page.get_by_role("button", name="Save").click()
    sign_in_note = page.locator('[data-test="referral-sign-in"]')
    assert sign_in_note.inner_text() == "Sign in to use a referral code."
    assert "issued to someone else" not in page.locator(".codes").inner_text()
    apply_coupon(page, "NOPE")
    assert page.locator('li[data-code="NOPE"] .verdict').inner_text() == "Not applied"
    shot("plain-messages")
