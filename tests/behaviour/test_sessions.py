"""Customer sessions: lifecycle, default campaigns, dry runs and responseContent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from django_talonone.client import TalonOneBadRequest, TalonOneClient

from .conftest import effects_of, item, session_body, total_discount


def test_new_session_is_open_with_positions_and_totals(client: TalonOneClient) -> None:
    state = client.update_customer_session_v2(
        "s-1",
        session_body(
            profileId="alice",
            cartItems=[item("MUG", "12.50", 2), item("TEA", "4.99")],
            responseContent=["customerSession", "customerProfile"],
        ),
    )
    session = state["customerSession"]
    assert session["integrationId"] == "s-1"
    assert session["state"] == "open"
    assert session["profileId"] == "alice"
    assert [line["position"] for line in session["cartItems"]] == [0, 1]
    assert Decimal(session["cartItemTotal"]) == Decimal("29.99")
    assert Decimal(session["total"]) == Decimal("29.99")
    assert state["customerProfile"]["integrationId"] == "alice"
    assert state["effects"] == []
    assert state["createdCoupons"] == []
    assert state["createdReferrals"] == []


def test_welcome10_gives_ten_percent_off_the_cart(client: TalonOneClient) -> None:
    state = client.update_customer_session_v2(
        "s-1",
        session_body(
            profileId="alice", couponCodes=["WELCOME10"], cartItems=[item("MUG", "20.00", 2)]
        ),
    )
    [accepted] = effects_of(state, "acceptCoupon")
    assert accepted["props"]["value"] == "WELCOME10"
    assert accepted["campaignId"] == 1
    assert total_discount(state) == Decimal("4.00")
    for effect in state["effects"]:
        assert {"campaignId", "rulesetId", "ruleIndex", "ruleName", "effectType", "props"} <= set(
            effect
        )


def test_unknown_coupon_is_rejected_with_coupon_not_found(client: TalonOneClient) -> None:
    state = client.update_customer_session_v2(
        "s-1", session_body(couponCodes=["NOPE"], cartItems=[item("MUG", "20.00")])
    )
    [rejected] = effects_of(state, "rejectCoupon")
    assert rejected["props"]["value"] == "NOPE"
    assert rejected["props"]["rejectionReason"] == "CouponNotFound"
    assert total_discount(state) == 0


def test_threshold_campaign_gives_five_off_at_one_hundred(client: TalonOneClient) -> None:
    below = client.update_customer_session_v2("s-1", session_body(cartItems=[item("BAG", "99.99")]))
    assert total_discount(below) == 0
    at = client.update_customer_session_v2("s-1", session_body(cartItems=[item("BAG", "100.00")]))
    assert total_discount(at) == Decimal("5.00")
    assert {effect["campaignId"] for effect in at["effects"]} == {3}


def test_each_update_returns_the_full_current_effect_list(client: TalonOneClient) -> None:
    client.update_customer_session_v2(
        "s-1", session_body(couponCodes=["WELCOME10"], cartItems=[item("MUG", "10.00")])
    )
    # Leaving couponCodes out keeps the stored coupon; the effects are recomputed, not added.
    again = client.update_customer_session_v2("s-1", session_body(cartItems=[item("MUG", "30.00")]))
    assert len(effects_of(again, "acceptCoupon")) == 1
    assert total_discount(again) == Decimal("3.00")
    cleared = client.update_customer_session_v2("s-1", session_body(couponCodes=[]))
    assert effects_of(cleared, "acceptCoupon") == []
    assert total_discount(cleared) == 0


def test_omitted_fields_keep_their_stored_values(client: TalonOneClient) -> None:
    client.update_customer_session_v2(
        "s-1",
        session_body(profileId="bob", cartItems=[item("MUG", "10.00")], attributes={"a": 1}),
    )
    state = client.update_customer_session_v2(
        "s-1", session_body(couponCodes=["WELCOME10"], responseContent=["customerSession"])
    )
    session = state["customerSession"]
    assert session["profileId"] == "bob"
    assert [line["sku"] for line in session["cartItems"]] == ["MUG"]
    assert session["couponCodes"] == ["WELCOME10"]


def test_get_customer_session_returns_the_stored_session(client: TalonOneClient) -> None:
    client.update_customer_session_v2(
        "s-1", session_body(couponCodes=["WELCOME10"], cartItems=[item("MUG", "10.00")])
    )
    reply = client.get_customer_session("s-1")
    assert reply["customerSession"]["integrationId"] == "s-1"
    assert reply["customerSession"]["couponCodes"] == ["WELCOME10"]


def test_get_unknown_session_is_400(client: TalonOneClient) -> None:
    """400, the error GetCustomerSession declares; no source shows the service send 404."""
    with pytest.raises(TalonOneBadRequest) as caught:
        client.get_customer_session("missing")
    assert caught.value.status_code == 400
    assert caught.value.errors[0]["source"] == {"parameter": "customerSessionId"}


def test_dry_run_evaluates_without_persisting(client: TalonOneClient) -> None:
    state = client.update_customer_session_v2(
        "s-dry",
        session_body(couponCodes=["WELCOME10"], cartItems=[item("MUG", "50.00")], state="closed"),
        dry=True,
    )
    assert total_discount(state) == Decimal("5.00")
    with pytest.raises(TalonOneBadRequest, match="not found"):
        client.get_customer_session("s-dry")


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("open", "open"),
        ("open", "closed"),
        ("open", "cancelled"),
        ("closed", "cancelled"),
    ],
)
def test_allowed_transitions(client: TalonOneClient, first: str, then: str) -> None:
    client.update_customer_session_v2(
        "s-1", session_body(profileId="p", state=first, cartItems=[item("MUG", "10.00")])
    )
    state = client.update_customer_session_v2(
        "s-1", session_body(state=then, responseContent=["customerSession"])
    )
    assert state["customerSession"]["state"] == then


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("closed", "open"),
        ("cancelled", "open"),
        ("cancelled", "closed"),
        ("open", "partially_returned"),
        ("closed", "partially_returned"),
    ],
)
def test_forbidden_transitions_are_400(client: TalonOneClient, first: str, then: str) -> None:
    client.update_customer_session_v2(
        "s-1", session_body(profileId="p", state="open", cartItems=[item("MUG", "10.00")])
    )
    if first != "open":
        client.update_customer_session_v2("s-1", session_body(state=first))
    with pytest.raises(TalonOneBadRequest) as caught:
        client.update_customer_session_v2("s-1", session_body(state=then))
    assert first in str(caught.value) or then in str(caught.value)


def test_closed_session_content_cannot_change(client: TalonOneClient) -> None:
    client.update_customer_session_v2(
        "s-1", session_body(state="closed", cartItems=[item("MUG", "10.00")])
    )
    with pytest.raises(TalonOneBadRequest):
        client.update_customer_session_v2(
            "s-1", session_body(state="closed", cartItems=[item("MUG", "99.00")])
        )


def test_repeating_a_close_is_an_idempotent_replay(client: TalonOneClient) -> None:
    body = session_body(
        profileId="carol", state="closed", couponCodes=["WELCOME10"], cartItems=[item("M", "10")]
    )
    client.update_customer_session_v2("s-1", body)
    client.update_customer_session_v2("s-1", body)
    inventory = client.get_customer_inventory("carol", coupons=True, profile=True)
    assert inventory["profile"]["closedSessions"] == 1
    [coupon] = inventory["coupons"]
    assert coupon["usageCounter"] == 1


def test_closing_redeems_the_coupon_and_counts_the_sale(client: TalonOneClient) -> None:
    client.update_customer_session_v2(
        "s-1",
        session_body(profileId="dave", couponCodes=["WELCOME10"], cartItems=[item("M", "40.00")]),
    )
    before = client.get_customer_inventory("dave", coupons=True, profile=True)
    assert before["coupons"] == []
    client.update_customer_session_v2("s-1", session_body(state="closed"))
    after = client.get_customer_inventory("dave", coupons=True, profile=True)
    [coupon] = after["coupons"]
    assert coupon["value"] == "WELCOME10"
    assert coupon["usageCounter"] == 1
    assert coupon["profileRedemptionCount"] == 1
    assert after["profile"]["closedSessions"] == 1
    assert Decimal(after["profile"]["totalSales"]) == Decimal("40.00")


def test_cancelling_a_closed_session_rolls_back(client: TalonOneClient) -> None:
    client.update_customer_session_v2(
        "s-1",
        session_body(
            profileId="erin", state="closed", couponCodes=["WELCOME10"], cartItems=[item("M", "40")]
        ),
    )
    cancelled = client.update_customer_session_v2("s-1", session_body(state="cancelled"))
    types = {effect["effectType"] for effect in cancelled["effects"]}
    assert {"rollbackCoupon", "rollbackDiscount"} <= types
    inventory = client.get_customer_inventory("erin", coupons=True, profile=True)
    assert inventory["profile"]["closedSessions"] == 0
    assert Decimal(inventory["profile"]["totalSales"]) == 0
    assert all(coupon["usageCounter"] == 0 for coupon in inventory["coupons"])


@pytest.mark.parametrize(
    "content",
    [
        "customerSession",
        "customerProfile",
        "coupons",
        "triggeredCampaigns",
        "referral",
        "loyalty",
        "event",
        "awardedGiveaways",
        "ruleFailureReasons",
        "previousReturns",
    ],
)
def test_response_content_adds_the_requested_key(client: TalonOneClient, content: str) -> None:
    # a referral shows only for a session with a referral code (left out, never null)
    referral = client.create_referral({"campaignId": 2, "advocateProfileIntegrationId": "a"})
    state = client.update_customer_session_v2(
        "s-1",
        session_body(
            profileId="p",
            couponCodes=["WELCOME10"],
            referralCode=referral["code"],
            cartItems=[item("M", "10")],
            responseContent=[content],
        ),
    )
    assert content in state


def test_anonymous_session_has_no_profile(client: TalonOneClient) -> None:
    state = client.update_customer_session_v2(
        "s-anon",
        session_body(
            profileId="", cartItems=[item("M", "10")], responseContent=["customerSession"]
        ),
    )
    assert state["customerSession"]["profileId"] == ""
    assert state["customerSession"]["firstSession"] is True


def test_decimal_prices_round_trip_exactly(client: TalonOneClient) -> None:
    state = client.update_customer_session_v2(
        "s-1",
        session_body(
            cartItems=[item("A", "0.10", 3), item("B", "19.99")],
            responseContent=["customerSession"],
        ),
    )
    session = state["customerSession"]
    assert session["cartItems"][0]["price"] == Decimal("0.10")
    assert Decimal(session["cartItemTotal"]) == Decimal("20.29")


def test_invalid_cart_item_is_rejected_naming_the_field(client: TalonOneClient) -> None:
    with pytest.raises(TalonOneBadRequest) as caught:
        client.update_customer_session_v2(
            "s-1", session_body(cartItems=[item("A", "1.00"), item("B", "1.00", quantity=0)])
        )
    pointers = [error["source"].get("pointer") for error in caught.value.errors]
    assert "/customerSession/cartItems/1/quantity" in pointers


def test_now_previews_a_future_date_in_a_dry_run_only(client: TalonOneClient) -> None:
    """Today's rule for ``now``: a future date, and only with ``dry=true``."""
    body = session_body(couponCodes=["WELCOME10"], cartItems=[item("MUG", "50.00")])
    future = dt.datetime(2999, 1, 1, tzinfo=dt.timezone.utc)
    state = client.update_customer_session_v2("s-now", body, dry=True, now=future)
    assert total_discount(state) == Decimal("5.00")
    with pytest.raises(TalonOneBadRequest, match="only allowed with dry=true"):
        client.update_customer_session_v2("s-now", body, now=future)
    past = dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc)
    with pytest.raises(TalonOneBadRequest, match="must be a date in the future"):
        client.update_customer_session_v2("s-now", body, dry=True, now=past)
