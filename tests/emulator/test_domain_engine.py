"""The rules engine: every rejection reason, discount maths, caps and flattening."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from django_talonone.emulator.errors import ApiError
from django_talonone.emulator.handlers import HANDLERS
from django_talonone.emulator.routing import Request
from django_talonone.emulator.state import EmulatorState

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
PAST = "2026-01-01T00:00:00Z"
FUTURE = "2026-12-01T00:00:00Z"


class Clock:
    """A settable clock so date rules are tested without waiting."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def item(sku: str, price: str, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    return {"name": sku, "sku": sku, "quantity": quantity, "price": Decimal(price), **extra}


def put(state: EmulatorState, session_id: str, /, **fields: Any) -> dict[str, Any]:
    request = Request(
        "updateCustomerSessionV2",
        "PUT",
        {"customerSessionId": session_id},
        {},
        {},
        {"customerSession": fields},
    )
    body: dict[str, Any] = HANDLERS["updateCustomerSessionV2"](state, request).body
    return body


def of_type(reply: dict[str, Any], effect_type: str) -> list[dict[str, Any]]:
    return [e for e in reply["effects"] if e["effectType"] == effect_type]


def discount_rule(**effect: Any) -> dict[str, Any]:
    return {"name": "rule", "effects": [{"type": "discount", "name": "d", **effect}]}


COUPON_CONFIG: dict[str, Any] = {
    "campaigns": [
        {
            "id": 10,
            "name": "Coupons",
            "coupons": [
                {"code": "PLAIN"},
                {"code": "ONCE", "usageLimit": 1},
                {"code": "MINE", "recipientIntegrationId": "alice"},
                {"code": "OLD-10", "expiryDate": PAST},
                {"code": "SOON", "startDate": FUTURE},
                {"code": "PERPROFILE", "perProfileLimit": 1},
                {"code": "RESERVED", "reservationRequired": True},
            ],
            "rules": [discount_rule(amount=1)],
        },
        {
            "id": 11,
            "name": "Off",
            "state": "disabled",
            "coupons": [{"code": "DISABLED"}],
            "rules": [discount_rule(amount=1)],
        },
        {
            "id": 12,
            "name": "Ended",
            "endTime": PAST,
            "coupons": [{"code": "ENDED"}],
            "rules": [discount_rule(amount=1)],
        },
        {
            "id": 13,
            "name": "Big carts",
            "coupons": [{"code": "BIG-10"}],
            "rules": [{**discount_rule(amount=1), "condition": {"minSubtotal": 50}}],
        },
        {
            "id": 14,
            "name": "Capped",
            "limits": {"redemptions": 1},
            "coupons": [{"code": "CAP1"}, {"code": "CAP2"}],
            "rules": [discount_rule(amount=1)],
        },
    ]
}


@pytest.fixture
def coupons() -> EmulatorState:
    return EmulatorState(COUPON_CONFIG, clock=Clock())


def _close(state: EmulatorState, session_id: str, profile: str, code: str) -> None:
    put(
        state,
        session_id,
        profileId=profile,
        state="closed",
        couponCodes=[code],
        cartItems=[item("A", "10")],
    )


@pytest.mark.parametrize(
    ("code", "profile", "reason"),
    [
        ("NOPE", "bob", "CouponNotFound"),
        ("DISABLED", "bob", "CouponPartOfNotRunningCampaign"),
        ("ENDED", "bob", "CouponPartOfNotRunningCampaign"),
        ("MINE", "bob", "CouponRecipientDoesNotMatch"),
        ("MINE", "", "CouponRecipientDoesNotMatch"),
        ("OLD-10", "bob", "CouponExpired"),
        ("SOON", "bob", "CouponStartDateInFuture"),
        ("PERPROFILE", "", "ProfileRequired"),
        ("RESERVED", "bob", "CouponReservationRequired"),
        ("BIG-10", "bob", "CouponRejectedByCondition"),
    ],
)
def test_static_coupon_rejections(
    coupons: EmulatorState, code: str, profile: str, reason: str
) -> None:
    reply = put(coupons, "s", profileId=profile, couponCodes=[code], cartItems=[item("A", "10")])
    [rejected] = reply["effects"]
    assert rejected["effectType"] == "rejectCoupon"
    assert rejected["props"]["value"] == code
    assert rejected["props"]["rejectionReason"] == reason


def test_unknown_coupon_rejection_belongs_to_no_campaign(coupons: EmulatorState) -> None:
    [rejected] = put(coupons, "s", couponCodes=["NOPE"])["effects"]
    assert (rejected["campaignId"], rejected["rulesetId"], rejected["ruleName"]) == (0, 0, "")


@pytest.mark.parametrize(
    ("code", "first_profile", "second_profile", "reason"),
    [
        ("ONCE", "a", "b", "CouponLimitReached"),
        ("CAP1", "a", "b", "CampaignLimitReached"),
        ("PERPROFILE", "a", "a", "ProfileLimitReached"),
    ],
)
def test_usage_rejections_after_a_redemption(
    coupons: EmulatorState, code: str, first_profile: str, second_profile: str, reason: str
) -> None:
    _close(coupons, "first", first_profile, code)
    reply = put(coupons, "second", profileId=second_profile, couponCodes=[code])
    assert of_type(reply, "rejectCoupon")[0]["props"]["rejectionReason"] == reason


def test_other_coupon_of_a_spent_campaign_hits_the_campaign_limit(coupons: EmulatorState) -> None:
    _close(coupons, "first", "a", "CAP1")
    reply = put(coupons, "second", profileId="b", couponCodes=["CAP2"])
    assert of_type(reply, "rejectCoupon")[0]["props"]["rejectionReason"] == "CampaignLimitReached"


def test_cancel_frees_the_usage_again(coupons: EmulatorState) -> None:
    _close(coupons, "first", "a", "ONCE")
    put(coupons, "first", state="cancelled")
    reply = put(coupons, "second", profileId="b", couponCodes=["ONCE"])
    assert len(of_type(reply, "acceptCoupon")) == 1


def test_reserved_coupon_is_accepted_for_its_holder(coupons: EmulatorState) -> None:
    request = Request(
        "createCouponReservation",
        "POST",
        {"couponValue": "RESERVED"},
        {},
        {},
        {"integrationIDs": ["bob"]},
    )
    HANDLERS["createCouponReservation"](coupons, request)
    reply = put(coupons, "s", profileId="bob", couponCodes=["RESERVED"])
    [accepted] = of_type(reply, "acceptCoupon")
    assert accepted["triggeredByCoupon"] == 7
    assert accepted["campaignId"] == 10


def test_recipient_and_dates_move_with_the_clock(coupons: EmulatorState) -> None:
    assert of_type(put(coupons, "s", profileId="alice", couponCodes=["MINE"]), "acceptCoupon")
    clock = coupons.clock
    assert isinstance(clock, Clock)
    clock.now = NOW + timedelta(days=300)
    assert of_type(put(coupons, "s2", couponCodes=["SOON"]), "acceptCoupon")


def test_only_one_coupon_per_campaign_and_duplicates_collapse(coupons: EmulatorState) -> None:
    reply = put(
        coupons,
        "s",
        profileId="bob",
        couponCodes=["PLAIN", "PLAIN", "ONCE"],
        cartItems=[item("A", "10")],
    )
    assert [e["props"]["value"] for e in of_type(reply, "acceptCoupon")] == ["PLAIN"]
    [rejected] = of_type(reply, "rejectCoupon")
    assert rejected["props"]["value"] == "ONCE"
    assert rejected["props"]["rejectionReason"] == "CouponRejectedByCondition"


def _engine(*campaigns: dict[str, Any], flatten: bool = False) -> EmulatorState:
    config = {"application": {"flattenCartItems": flatten}, "campaigns": list(campaigns)}
    return EmulatorState(config, clock=Clock())


def _auto(*rules: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": 1, "name": "Auto", "rules": list(rules), **extra}


@pytest.mark.parametrize(
    ("percent", "price", "expected"),
    [
        ("10", "0.05", "0.01"),  # 0.005 rounds half-up
        ("15", "0.30", "0.05"),  # 0.045 rounds half-up
        ("33", "10.01", "3.30"),
        ("12.5", "19.99", "2.50"),
        ("100", "7.77", "7.77"),
    ],
)
def test_percent_discounts_round_half_up_to_cents(percent: str, price: str, expected: str) -> None:
    state = _engine(_auto(discount_rule(percent=Decimal(percent))))
    [effect] = put(state, "s", cartItems=[item("A", price)])["effects"]
    assert effect["props"]["value"] == Decimal(expected)
    assert str(effect["props"]["value"]) == expected


def test_cart_discount_never_exceeds_the_cart_and_reports_desired_value() -> None:
    state = _engine(_auto(discount_rule(amount=50, scope="cartItems")))
    [effect] = put(
        state,
        "s",
        cartItems=[item("A", "20.00")],
        additionalCosts={"ship": {"price": Decimal("9")}},
    )["effects"]
    assert effect["props"] == {
        "name": "d",
        "value": Decimal("20.00"),
        "scope": "cartItems",
        "desiredValue": Decimal("50.00"),
    }


def test_session_total_scope_also_covers_additional_costs() -> None:
    state = _engine(_auto(discount_rule(amount=50)))
    [effect] = put(
        state,
        "s",
        cartItems=[item("A", "20.00")],
        additionalCosts={"ship": {"price": Decimal("9")}},
    )["effects"]
    assert effect["props"]["value"] == Decimal("29.00")


def test_stacked_discounts_share_what_is_left() -> None:
    state = _engine(_auto(discount_rule(amount=8), discount_rule(amount=8)))
    values = [e["props"]["value"] for e in put(state, "s", cartItems=[item("A", "10")])["effects"]]
    assert values == [Decimal("8.00"), Decimal("2")]


def _per_item(**effect: Any) -> dict[str, Any]:
    return {"name": "per item", "effects": [{"type": "discountPerItem", "name": "Sale", **effect}]}


def test_per_item_discount_by_sku_and_category() -> None:
    state = _engine(_auto(_per_item(percent=20, skus=["MUG"], categories=["tea"])))
    cart = [item("MUG", "10.00", 2), item("BAG", "30.00"), item("TEA", "5.00", category="tea")]
    effects = put(state, "s", cartItems=cart)["effects"]
    assert [(e["props"]["name"], e["props"]["position"], e["props"]["value"]) for e in effects] == [
        ("Sale#0", 0, Decimal("4.00")),
        ("Sale#2", 2, Decimal("1.00")),
    ]
    assert all("subPosition" not in e["props"] for e in effects)


def test_fixed_per_item_discount_is_per_unit_and_capped_at_the_line() -> None:
    state = _engine(_auto(_per_item(amount=3)))
    effects = put(state, "s", cartItems=[item("A", "10", 2), item("B", "2.50")])["effects"]
    assert [e["props"]["value"] for e in effects] == [Decimal("6.00"), Decimal("2.50")]
    assert effects[1]["props"]["desiredValue"] == Decimal("3.00")


def test_flattening_gives_one_effect_per_unit_with_sub_positions() -> None:
    state = _engine(_auto(_per_item(percent=10)), flatten=True)
    effects = put(state, "s", cartItems=[item("A", "9.99", 3)])["effects"]
    assert [(e["props"]["position"], e["props"]["subPosition"]) for e in effects] == [
        (0, 0),
        (0, 1),
        (0, 2),
    ]
    assert {e["props"]["value"] for e in effects} == {Decimal("1.00")}
    assert {e["props"]["name"] for e in effects} == {"Sale#0"}


def test_free_item_and_notification_effects() -> None:
    rule = {
        "name": "gifts",
        "condition": {"skus": ["TEA"]},
        "effects": [
            {"type": "addFreeItem", "sku": "CUP", "name": "Free cup"},
            {"type": "showNotification", "notificationType": "Offer", "title": "Hi", "body": "B"},
        ],
    }
    state = _engine(_auto(rule))
    assert put(state, "s1", cartItems=[item("MUG", "1")])["effects"] == []
    effects = put(state, "s2", cartItems=[item("TEA", "1")])["effects"]
    assert [(e["effectType"], e["props"]) for e in effects] == [
        ("addFreeItem", {"sku": "CUP", "name": "Free cup"}),
        ("showNotification", {"notificationType": "Offer", "title": "Hi", "body": "B"}),
    ]
    assert effects[0]["ruleName"] == "gifts"


def test_category_condition_and_rule_indexes() -> None:
    rules = [
        {**discount_rule(amount=1), "name": "first", "condition": {"categories": ["x"]}},
        {**discount_rule(amount=2), "name": "second"},
    ]
    state = _engine(_auto(*rules))
    [effect] = put(state, "s", cartItems=[item("A", "10")])["effects"]
    assert (effect["ruleIndex"], effect["ruleName"]) == (1, "second")


def test_automatic_campaign_limits_stop_it_firing() -> None:
    state = _engine(_auto(discount_rule(amount=1), limits={"perProfileRedemptions": 1}))
    put(state, "s1", profileId="p", state="closed", cartItems=[item("A", "10")])
    assert put(state, "s2", profileId="p", cartItems=[item("A", "10")])["effects"] == []
    assert len(put(state, "s3", profileId="q", cartItems=[item("A", "10")])["effects"]) == 1


def test_campaign_window_by_start_time() -> None:
    state = _engine(_auto(discount_rule(amount=1), startTime=FUTURE))
    assert put(state, "s", cartItems=[item("A", "10")])["effects"] == []


REFERRAL_CONFIG: dict[str, Any] = {
    "campaigns": [
        {
            "id": 2,
            "name": "Refer",
            "kind": "referral",
            "limits": {"redemptions": 2},
            "rules": [{**discount_rule(amount=5), "condition": {"minSubtotal": 20}}],
        },
        {
            "id": 3,
            "name": "Old refer",
            "kind": "referral",
            "state": "disabled",
            "rules": [discount_rule(amount=5)],
        },
    ]
}


def _referral(state: EmulatorState, campaign_id: int = 2, **extra: Any) -> str:
    body = {"campaignId": campaign_id, "advocateProfileIntegrationId": "adv", **extra}
    code: str = HANDLERS["createReferral"](
        state, Request("createReferral", "POST", {}, {}, {}, body)
    ).body["code"]
    return code


@pytest.mark.parametrize(
    ("extra", "campaign", "friend", "total", "reason"),
    [
        ({}, 2, "adv", "30", "ReferralRecipientIdSameAsAdvocate"),
        ({}, 3, "fred", "30", "ReferralPartOfNotRunningCampaign"),
        ({"expiryDate": PAST}, 2, "fred", "30", "ReferralExpired"),
        ({"startDate": FUTURE}, 2, "fred", "30", "ReferralStartDateInFuture"),
        ({"friendProfileIntegrationId": "gina"}, 2, "fred", "30", "ReferralRecipientDoesNotMatch"),
        ({}, 2, "", "30", "ReferralRecipientDoesNotMatch"),
        ({}, 2, "fred", "10", "ReferralRejectedByCondition"),
    ],
)
def test_referral_rejections(
    extra: dict[str, Any], campaign: int, friend: str, total: str, reason: str
) -> None:
    state = EmulatorState(REFERRAL_CONFIG, clock=Clock())
    code = _referral(state, campaign, **extra)
    reply = put(state, "s", profileId=friend, referralCode=code, cartItems=[item("A", total)])
    [rejected] = reply["effects"]
    assert rejected["effectType"] == "rejectReferral"
    assert (rejected["props"]["value"], rejected["props"]["rejectionReason"]) == (code, reason)


def test_referral_usage_and_campaign_limits() -> None:
    state = EmulatorState(REFERRAL_CONFIG, clock=Clock())
    once = _referral(state, usageLimit=1)
    put(state, "s1", profileId="f1", state="closed", referralCode=once, cartItems=[item("A", "30")])
    reply = put(state, "s2", profileId="f2", referralCode=once, cartItems=[item("A", "30")])
    assert reply["effects"][0]["props"]["rejectionReason"] == "ReferralLimitReached"
    other = _referral(state)
    put(
        state, "s3", profileId="f3", state="closed", referralCode=other, cartItems=[item("A", "30")]
    )
    reply = put(
        state, "s4", profileId="f4", referralCode=_referral(state), cartItems=[item("A", "30")]
    )
    assert reply["effects"][0]["props"]["rejectionReason"] == "CampaignLimitReached"
    assert put(state, "s5", referralCode="NOPE")["effects"][0]["props"]["rejectionReason"] == (
        "ReferralNotFound"
    )


def test_dry_run_with_now_previews_a_future_date(coupons: EmulatorState) -> None:
    body = {"customerSession": {"couponCodes": ["SOON"]}}
    request = Request(
        "updateCustomerSessionV2",
        "PUT",
        {"customerSessionId": "s"},
        {"dry": "true", "now": "2026-12-24T00:00:00Z"},
        {},
        body,
    )
    reply = HANDLERS["updateCustomerSessionV2"](coupons, request).body
    assert of_type(reply, "acceptCoupon")
    assert coupons.now() == NOW
    bad = Request(
        "updateCustomerSessionV2",
        "PUT",
        {"customerSessionId": "s"},
        {"dry": "true", "now": "soon"},
        {},
        body,
    )
    with pytest.raises(ApiError) as caught:
        HANDLERS["updateCustomerSessionV2"](coupons, bad)
    assert caught.value.errors[0]["source"] == {"parameter": "now"}
