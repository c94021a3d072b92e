"""Coupon reservations, the customer inventory and referral codes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from django_talonone.client import TalonOneBadRequest, TalonOneClient, TalonOneNotFound

from .conftest import effects_of, item, session_body, total_discount


def test_reservation_shows_in_inventory_and_reserved_customers(client: TalonOneClient) -> None:
    coupon = client.create_coupon_reservation("WELCOME10", {"integrationIDs": ["kim", "lee"]})
    assert coupon["value"] == "WELCOME10"
    reserved = client.get_reserved_customers("WELCOME10")
    assert reserved["totalResultSize"] == 2
    assert sorted(p["integrationId"] for p in reserved["data"]) == ["kim", "lee"]
    [wallet] = client.get_customer_inventory("kim", coupons=True)["coupons"]
    assert wallet["value"] == "WELCOME10"
    assert wallet["state"] == "active"

    client.delete_coupon_reservation("WELCOME10", {"integrationIDs": ["kim"]})
    assert client.get_customer_inventory("kim", coupons=True)["coupons"] == []
    assert client.get_reserved_customers("WELCOME10")["totalResultSize"] == 1


def test_unknown_coupon_reservation_is_404(client: TalonOneClient) -> None:
    with pytest.raises(TalonOneNotFound):
        client.create_coupon_reservation("NOPE", {"integrationIDs": ["kim"]})
    with pytest.raises(TalonOneNotFound):
        client.get_reserved_customers("NOPE")


def test_inventory_sections_follow_the_flags(client: TalonOneClient) -> None:
    client.update_customer_profile_v2("mia", {"attributes": {}})
    bare = client.get_customer_inventory("mia")
    assert "coupons" not in bare
    assert "profile" not in bare
    full = client.get_customer_inventory(
        "mia", profile=True, coupons=True, referrals=True, loyalty=True, giveaways=True
    )
    assert full["profile"]["integrationId"] == "mia"
    assert full["coupons"] == []
    assert full["referrals"] == []
    assert full["giveaways"] == []  # modelled: this customer has won none
    assert full["loyalty"] == {"programs": {}}


def test_inventory_of_unknown_profile_is_404(client: TalonOneClient) -> None:
    with pytest.raises(TalonOneNotFound):
        client.get_customer_inventory("nobody", profile=True)


def test_referral_flow_gives_the_friend_five_off(client: TalonOneClient) -> None:
    referral = client.create_referral({"campaignId": 2, "advocateProfileIntegrationId": "nina"})
    code = referral["code"]
    assert len(code) >= 4
    assert referral["usageCounter"] == 0
    state = client.update_customer_session_v2(
        "friend-1",
        session_body(profileId="otto", referralCode=code, cartItems=[item("M", "30.00")]),
    )
    assert [e["props"]["value"] for e in effects_of(state, "acceptReferral")] == [code]
    assert total_discount(state) == Decimal("5.00")
    client.update_customer_session_v2("friend-1", session_body(state="closed"))
    [mine] = client.get_customer_inventory("nina", referrals=True)["referrals"]
    assert mine["code"] == code
    assert mine["usageCounter"] == 1
    assert mine["referredCustomers"] == ["otto"]


def test_advocate_cannot_use_own_referral(client: TalonOneClient) -> None:
    code = client.create_referral({"campaignId": 2, "advocateProfileIntegrationId": "pia"})["code"]
    state = client.update_customer_session_v2(
        "s-own", session_body(profileId="pia", referralCode=code, cartItems=[item("M", "30")])
    )
    [rejected] = effects_of(state, "rejectReferral")
    assert rejected["props"]["rejectionReason"] == "ReferralRecipientIdSameAsAdvocate"


def test_unknown_referral_code_is_rejected(client: TalonOneClient) -> None:
    state = client.update_customer_session_v2(
        "s-1", session_body(profileId="q", referralCode="ZZZZ", cartItems=[item("M", "30")])
    )
    [rejected] = effects_of(state, "rejectReferral")
    assert rejected["props"]["rejectionReason"] == "ReferralNotFound"


def test_referral_for_a_non_referral_campaign_is_400(client: TalonOneClient) -> None:
    with pytest.raises(TalonOneBadRequest):
        client.create_referral({"campaignId": 1, "advocateProfileIntegrationId": "x"})
    with pytest.raises(TalonOneBadRequest):
        client.create_referral({"campaignId": 999, "advocateProfileIntegrationId": "x"})


def test_bulk_referrals_one_unique_code_per_advocate(client: TalonOneClient) -> None:
    body = {
        "campaignId": 2,
        "advocateProfileIntegrationIds": ["a1", "a2", "a3"],
        "usageLimit": 1,
        "referralPattern": "REF-####",
    }
    assert client.create_referrals_for_multiple_advocates(body) is None
    loud = client.create_referrals_for_multiple_advocates(body, silent=False)
    codes = [referral["code"] for referral in loud["data"]]
    assert loud["totalResultSize"] == 3
    assert len(set(codes)) == 3
    assert all(code.startswith("REF-") and len(code) == 8 for code in codes)


def test_referral_expiring_on_a_leap_second_is_still_evaluated(client: TalonOneClient) -> None:
    referral = client.create_referral(
        {
            "campaignId": 2,
            "advocateProfileIntegrationId": "nina",
            "expiryDate": "2099-06-30T23:59:60Z",
        }
    )
    state = client.update_customer_session_v2(
        "leap",
        session_body(
            profileId="otto", referralCode=referral["code"], cartItems=[item("A", "40.00")]
        ),
    )
    assert [e["props"]["value"] for e in effects_of(state, "acceptReferral")] == [referral["code"]]


def test_bulk_referrals_that_run_out_of_codes_create_nothing(client: TalonOneClient) -> None:
    # "ABC#" over one character has a single code: the second advocate cannot get one.
    body = {
        "campaignId": 2,
        "advocateProfileIntegrationIds": ["ann", "bob"],
        "usageLimit": 1,
        "referralPattern": "ABC#",
        "validCharacters": ["X"],
    }
    with pytest.raises(TalonOneBadRequest, match="no unused code left"):
        client.create_referrals_for_multiple_advocates(body, silent=False)
    # Refused as a whole: re-sending with a wider pattern must not hand ann a second code.
    with pytest.raises(TalonOneNotFound):
        client.get_customer_inventory("ann", referrals=True)
    created = client.create_referral({"campaignId": 2, "advocateProfileIntegrationId": "cy"})
    assert created["id"] == 1


def test_a_pattern_shorter_than_any_code_is_refused(client: TalonOneClient) -> None:
    """Codes are at least 4 characters in Talon.One's replies: "AB#" could make none."""
    body = {
        "campaignId": 2,
        "advocateProfileIntegrationIds": ["ann"],
        "usageLimit": 1,
        "referralPattern": "AB#",
    }
    with pytest.raises(TalonOneBadRequest, match="codes of 3 characters; at least 4"):
        client.create_referrals_for_multiple_advocates(body, silent=False)
