"""Effects → Evaluation: keyed by campaign/rule/position, never by label."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.utils import timezone

from django_talonone.evaluation import COUPON_MESSAGES, REFERRAL_MESSAGES, Evaluation, summarise

COUPON_REASONS = [
    "CouponNotFound",
    "CouponPartOfNotRunningCampaign",
    "CouponLimitReached",
    "CampaignLimitReached",
    "ProfileLimitReached",
    "CouponRecipientDoesNotMatch",
    "CouponExpired",
    "CouponStartDateInFuture",
    "CouponRejectedByCondition",
    "EffectCouldNotBeApplied",
    "CouponPartOfNotTriggeredCampaign",
    "CouponReservationRequired",
    "ProfileRequired",
]
REFERRAL_REASONS = [
    "ReferralNotFound",
    "ReferralRecipientIdSameAsAdvocate",
    "ReferralPartOfNotRunningCampaign",
    "ReferralLimitReached",
    "CampaignLimitReached",
    "ProfileLimitReached",
    "ReferralRecipientDoesNotMatch",
    "ReferralExpired",
    "ReferralStartDateInFuture",
    "ReferralRejectedByCondition",
    "EffectCouldNotBeApplied",
    "AdvocateNotFound",
    "ReferralCustomerAlreadyReferred",
    "ReferralPartOfNotTriggeredCampaign",
]


def effect(kind: str, campaign: int = 1, rule: int = 0, **props: Any) -> dict[str, Any]:
    return {
        "campaignId": campaign,
        "rulesetId": campaign * 10,
        "ruleIndex": rule,
        "ruleName": "whatever",
        "effectType": kind,
        "props": props,
    }


def test_every_documented_reason_has_plain_words() -> None:
    assert set(COUPON_REASONS) <= set(COUPON_MESSAGES)
    assert set(REFERRAL_REASONS) <= set(REFERRAL_MESSAGES)
    assert all(message.endswith(".") for message in [*COUPON_MESSAGES.values()])


def test_per_item_discounts_are_summed_per_position_across_units_and_labels() -> None:
    evaluation = summarise(
        [
            effect("setDiscountPerItem", name="10% off#0", value=Decimal("1.00"), position=0),
            effect(
                "setDiscountPerItem",
                name="renamed",
                value=Decimal("1.00"),
                position=0,
                subPosition=1,
            ),
            effect("setDiscountPerItem", campaign=2, name="x", value=Decimal("0.50"), position=0),
            effect("setDiscountPerItem", name="10% off#1", value=Decimal("2.00"), position=1),
            effect("setDiscount", campaign=3, name="5 off", value=Decimal("5")),
        ]
    )
    assert evaluation.item_discounts == {0: Decimal("2.50"), 1: Decimal("2.00")}
    assert evaluation.discount_total == Decimal("9.50")
    keyed = {(d.campaign_id, d.position): d.amount for d in evaluation.discounts}
    assert keyed == {
        (1, 0): Decimal("2.00"),
        (2, 0): Decimal("0.50"),
        (1, 1): Decimal("2.00"),
        (3, None): Decimal("5"),
    }


def test_verdicts_notifications_free_items_and_rollbacks() -> None:
    evaluation = summarise(
        [
            effect("acceptCoupon", value="A"),
            effect("rejectCoupon", campaign=2, value="A", rejectionReason="CampaignLimitReached"),
            effect("rejectCoupon", value="B", rejectionReason="SomethingNew"),
            effect("rejectReferral", value="R", rejectionReason="ReferralExpired"),
            effect("showNotification", notificationType="Info", title="Hi", body="There"),
            effect("addFreeItem", sku="GIFT", name="Gift"),
            effect("rollbackDiscount", name="d", value=Decimal("3"), cartItemPosition=0),
            effect("rollbackCoupon", value="A"),
            effect("addLoyaltyPoints", value=Decimal("10")),
            effect("brandNewEffect", anything=Decimal("1.5")),
        ]
    )
    assert evaluation.accepted_coupons == ("A",)
    [rejected] = evaluation.rejected_coupons
    assert (rejected.code, rejected.message) == ("B", "This coupon code cannot be used right now.")
    assert evaluation.referral is not None
    assert evaluation.referral.message == "This referral code has expired."
    assert evaluation.notifications[0].title == "Hi"
    assert evaluation.free_items[0].sku == "GIFT"
    assert evaluation.rolled_back_total == Decimal("3")
    assert evaluation.rolled_back_coupons == ("A",)
    assert evaluation.discount_total == 0
    assert [e["effectType"] for e in evaluation.unknown_effects] == ["brandNewEffect"]


def test_round_trips_through_json_exactly() -> None:
    evaluation = summarise(
        [
            effect("setDiscountPerItem", name="n", value=Decimal("0.10"), position=2),
            effect("rejectCoupon", value="NOPE", rejectionReason="CouponNotFound"),
            effect("acceptReferral", value="REF1"),
            effect("showNotification", notificationType="Offer", title="t", body="b"),
            effect("futureEffect", amount=Decimal("0.30")),
        ],
        session_id="s-1",
        state="open",
        evaluated_at=timezone.now(),
    )
    stored = json.loads(json.dumps(evaluation.to_dict()))
    assert Evaluation.from_dict(stored) == evaluation
    assert stored["discountTotal"] == "0.10"


def test_unavailable_and_empty() -> None:
    down = Evaluation.unavailable(session_id="s")
    assert not down.available
    assert down.message
    assert Evaluation.from_dict({}) == Evaluation()
