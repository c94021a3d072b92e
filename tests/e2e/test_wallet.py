"""A signed-in shopper's coupon wallet: unavailable (but rendered) during an outage, the
coupon the demo data reserved for them, then that coupon redeemed and the referral code
they asked for, on the page and from the API."""

from __future__ import annotations

import os
from typing import Any

from tests.e2e.conftest import DemoStack, Shot, eventually
from tests.e2e.shopping import add_products, apply_coupon, check_out, sign_in


def _rows(page: Any, table: str) -> dict[str, str]:
    """``code → data-state`` of one wallet table's rows."""
    cells = page.locator(f"table.{table} tbody tr")
    return {row.get_attribute("data-code"): row.get_attribute("data-state") for row in cells.all()}


def test_wallet_page_and_api(page: Any, shot: Shot, demo_stack: DemoStack) -> None:
    sign_in(page, "demo", "demo")

    # Talon.One down: the page still renders and says so; the API answers 200, unavailable.
    # (A wallet another test read is served from the cache meanwhile: start without one.)
    demo_stack.fail_all(503)
    demo_stack.forget_cached_wallets()
    page.get_by_role("link", name="Wallet").click()
    page.wait_for_url("**/accounts/wallet/")
    assert page.locator("h1").inner_text() == "Your wallet"
    notice = page.locator('[data-test="wallet-unavailable"]')
    assert "can't be shown right now" in notice.inner_text()
    shot("outage")
    during = page.request.get("/api/talonone/wallet/")
    assert during.status == 200
    assert during.json()["available"] is False
    demo_stack.heal()

    # The demo data reserved WELCOME10 for this shopper: it is ready to use.
    page.reload()
    seeded = _rows(page, "talonone-wallet-coupons")
    assert seeded["WELCOME10"] == "active"  # unlimited: ready to use, used before or not
    assert seeded["SPRING5"] == "expired"
    shot("seeded")

    # Buy with WELCOME10: once the worker has closed the session, the coupon is redeemed.
    add_products(page, "TEA-EARL", "MUG-1")
    apply_coupon(page, "WELCOME10")
    session_id = check_out(page)
    closed = eventually(
        lambda: (s := demo_stack.emulator_session(session_id)) and s["state"] == "closed" and s,
        "the worker to close the session in the emulator",
    )
    profile_id = closed["profileId"]
    assert profile_id

    # The shopper asks for a referral code to hand out; the shop creates it in Talon.One.
    api_key = os.environ.get("TALONONE_API_KEY", "demo-api-key")
    # (Tests share one demo stack: another may have asked for this shopper's code first.)
    page.goto("/accounts/wallet/")
    asked_now = page.locator('[data-test="invite"]').count() == 1
    if asked_now:
        with page.expect_navigation():
            page.locator('[data-test="invite"]').click()
    [referral] = [
        r["code"]
        for r in demo_stack.emulator_state()["referrals"].values()
        if r["advocateProfileIntegrationId"] == profile_id
    ]
    if asked_now:
        assert referral in page.locator(".message.success").inner_text()
    assert page.locator('[data-test="invite"]').count() == 0  # one code per shopper
    coupons = _rows(page, "talonone-wallet-coupons")
    # Talon.One says "used" once the shopper redeemed it, but WELCOME10 has no limit: it
    # still applies, and the wallet says so
    assert coupons["WELCOME10"] == "active"
    welcome = page.locator('table.talonone-wallet-coupons tr[data-code="WELCOME10"]')
    assert welcome.locator(".state").inner_text().startswith("Ready to use (you used it")
    # ONCE5 had one use in all, spent by the demo data's past order: used up
    eventually(
        lambda: page.reload() or _rows(page, "talonone-wallet-coupons").get("ONCE5") == "used",
        "the seeded order's close to spend ONCE5",
    )
    once = page.locator('table.talonone-wallet-coupons tr[data-code="ONCE5"]')
    assert once.locator(".state").inner_text() == "Used"
    assert _rows(page, "talonone-wallet-referrals") == {referral: "active"}
    referral_row = page.locator(f'table.talonone-wallet-referrals tr[data-code="{referral}"]')
    assert referral_row.locator(".state").inner_text() == "Ready to use"
    # the promise matches the code: no limit of its own, no "first order" the campaign
    # does not enforce
    terms = page.locator('[data-test="referral-terms"]').inner_text()
    assert "no limit of its own" in terms
    assert "first order" not in terms
    shot("wallet")

    reply = page.request.get("/api/talonone/wallet/")
    assert reply.status == 200
    assert reply.headers["cache-control"] == "private, no-store"
    body = reply.json()
    assert body["available"] is True
    assert body["profile"] == profile_id
    welcome_api = {c["code"]: c for c in body["coupons"]}["WELCOME10"]
    assert (welcome_api["state"], welcome_api["still_applies"]) == ("used", True)
    assert [(r["code"], r["uses_left"]) for r in body["referrals"]] == [(referral, None)]
    assert api_key not in reply.text()

    page.context.clear_cookies()  # signed out: no wallet link, and the API refuses
    page.goto("/")
    assert page.get_by_role("link", name="Wallet").count() == 0
    assert page.request.get("/api/talonone/wallet/").status == 403
