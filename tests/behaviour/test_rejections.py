"""Every coupon and referral rejection reason the emulator produces, through the client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from django_talonone.client import TalonOneClient
from django_talonone.emulator import Emulator

from .conftest import effects_of, item, session_body

PAST = "2000-01-01T00:00:00Z"
FUTURE = "2999-01-01T00:00:00Z"
TEN_PERCENT = [{"name": "10% off", "effects": [{"type": "discount", "name": "10%", "percent": 10}]}]

CONFIG: dict[str, Any] = {
    "campaigns": [
        {
            "id": 10,
            "name": "Coupons",
            "coupons": [
                {"code": "OK-10"},
                {"code": "FUTURE", "startDate": FUTURE},
                {"code": "OLD-10", "expiryDate": PAST},
                {"code": "MINE", "recipientIntegrationId": "alice"},
                {"code": "PERPROFILE", "perProfileLimit": 1},
                {"code": "RESERVED", "reservationRequired": True},
                {"code": "ONCE", "usageLimit": 1},
            ],
            "rules": TEN_PERCENT,
        },
        {
            "id": 11,
            "name": "Off",
            "state": "disabled",
            "coupons": [{"code": "OFF-10"}],
            "rules": TEN_PERCENT,
        },
        {
            "id": 12,
            "name": "Over",
            "endTime": PAST,
            "coupons": [{"code": "OVER"}],
            "rules": TEN_PERCENT,
        },
        {
            "id": 13,
            "name": "One per campaign",
            "limits": {"redemptions": 1},
            "coupons": [{"code": "CAMP1"}],
            "rules": TEN_PERCENT,
        },
        {
            "id": 14,
            "name": "One per shopper",
            "limits": {"perProfileRedemptions": 1},
            "coupons": [{"code": "PP1-10"}],
            "rules": TEN_PERCENT,
        },
        {
            "id": 15,
            "name": "Big spenders",
            "coupons": [{"code": "BIG-10"}],
            "rules": [
                {
                    "name": "20 off from 500",
                    "condition": {"minSubtotal": 500},
                    "effects": [{"type": "discount", "name": "Big", "amount": 20}],
                }
            ],
        },
        {"id": 20, "name": "Referrals", "kind": "referral", "rules": TEN_PERCENT},
        {
            "id": 21,
            "name": "Old referrals",
            "kind": "referral",
            "state": "disabled",
            "rules": TEN_PERCENT,
        },
    ]
}


@pytest.fixture
def client() -> Iterator[TalonOneClient]:
    with Emulator(config=CONFIG).client(max_attempts=1) as client:
        yield client


def _use_coupon(client: TalonOneClient, session_id: str, profile: str, code: str) -> Any:
    return client.update_customer_session_v2(
        session_id,
        session_body(profileId=profile, couponCodes=[code], cartItems=[item("M", "50.00")]),
    )


def _redeem(client: TalonOneClient, session_id: str, profile: str, code: str) -> None:
    state = _use_coupon(client, session_id, profile, code)
    assert effects_of(state, "acceptCoupon"), state["effects"]
    client.update_customer_session_v2(session_id, session_body(state="closed"))


def _coupon_verdict(state: Any) -> str:
    [rejected] = effects_of(state, "rejectCoupon")
    reason: str = rejected["props"]["rejectionReason"]
    return reason


def test_accepted_control_case(client: TalonOneClient) -> None:
    assert effects_of(_use_coupon(client, "s", "bob", "OK-10"), "acceptCoupon")


@pytest.mark.parametrize(
    ("code", "profile", "reason"),
    [
        ("MISSING", "bob", "CouponNotFound"),
        ("OFF-10", "bob", "CouponPartOfNotRunningCampaign"),
        ("OVER", "bob", "CouponPartOfNotRunningCampaign"),
        ("FUTURE", "bob", "CouponStartDateInFuture"),
        ("OLD-10", "bob", "CouponExpired"),
        ("MINE", "bob", "CouponRecipientDoesNotMatch"),
        ("MINE", "", "CouponRecipientDoesNotMatch"),
        ("PERPROFILE", "", "ProfileRequired"),
        ("RESERVED", "bob", "CouponReservationRequired"),
        ("BIG-10", "bob", "CouponRejectedByCondition"),
    ],
)
def test_coupon_rejected_up_front(
    client: TalonOneClient, code: str, profile: str, reason: str
) -> None:
    assert _coupon_verdict(_use_coupon(client, "s", profile, code)) == reason


def test_reserved_coupon_is_accepted_once_reserved(client: TalonOneClient) -> None:
    client.create_coupon_reservation("RESERVED", {"integrationIDs": ["bob"]})
    assert effects_of(_use_coupon(client, "s", "bob", "RESERVED"), "acceptCoupon")


@pytest.mark.parametrize(
    ("code", "second_profile", "reason"),
    [
        ("ONCE", "carl", "CouponLimitReached"),
        ("CAMP1", "carl", "CampaignLimitReached"),
        ("PP1-10", "bob", "ProfileLimitReached"),
        ("PERPROFILE", "bob", "ProfileLimitReached"),
    ],
)
def test_coupon_rejected_once_used_up(
    client: TalonOneClient, code: str, second_profile: str, reason: str
) -> None:
    _redeem(client, "first", "bob", code)
    assert _coupon_verdict(_use_coupon(client, "second", second_profile, code)) == reason


def _use_referral(client: TalonOneClient, session_id: str, profile: str, code: str) -> Any:
    return client.update_customer_session_v2(
        session_id,
        session_body(profileId=profile, referralCode=code, cartItems=[item("M", "50.00")]),
    )


def _referral_verdict(state: Any) -> str:
    [rejected] = effects_of(state, "rejectReferral")
    reason: str = rejected["props"]["rejectionReason"]
    return reason


@pytest.mark.parametrize(
    ("referral", "friend", "reason"),
    [
        ({}, "ann", "ReferralRecipientIdSameAsAdvocate"),
        ({"friendProfileIntegrationId": "dan"}, "erin", "ReferralRecipientDoesNotMatch"),
        ({}, "", "ReferralRecipientDoesNotMatch"),
        ({"startDate": FUTURE}, "erin", "ReferralStartDateInFuture"),
        ({"expiryDate": PAST}, "erin", "ReferralExpired"),
        ({"campaignId": 21}, "erin", "ReferralPartOfNotRunningCampaign"),
    ],
)
def test_referral_rejected(
    client: TalonOneClient, referral: dict[str, Any], friend: str, reason: str
) -> None:
    body = {"campaignId": 20, "advocateProfileIntegrationId": "ann"} | referral
    code = client.create_referral(body)["code"]
    assert _referral_verdict(_use_referral(client, "s", friend, code)) == reason


def test_referral_rejected_once_its_limit_is_used(client: TalonOneClient) -> None:
    code = client.create_referral(
        {"campaignId": 20, "advocateProfileIntegrationId": "ann", "usageLimit": 1}
    )["code"]
    assert effects_of(_use_referral(client, "first", "erin", code), "acceptReferral")
    client.update_customer_session_v2("first", session_body(state="closed"))
    assert _referral_verdict(_use_referral(client, "second", "fred", code)) == (
        "ReferralLimitReached"
    )
