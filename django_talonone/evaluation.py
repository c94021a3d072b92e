"""What Talon.One decided about a cart, as a plain, frozen summary a shop can render.

Talon.One answers every session update with the full current list of effects. Rendering
those raw dicts in templates would couple shops to the wire format, so they are folded into
an :class:`Evaluation`: discounts keyed by campaign, ruleset, rule and cart position (never
by label: labels are edited in the Campaign Manager at any time), coupon and referral
verdicts with a sentence a shopper understands, notifications and free items. Effect types
this module does not know are kept raw (amounts as strings) in ``unknown_effects``, so a
new Talon.One feature never silently disappears.

Evaluations round-trip through JSON (``to_dict``/``from_dict``, Decimals as strings) so the
last one can be stored on ``CustomerSession.last_evaluation`` and rendered without a call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .discounts import CartLimits, amount_of
from .json_values import json_safe
from .points import PointsShortcuts, SessionPoints, fold_points

__all__ = [
    "COUPON_MESSAGES",
    "REFERRAL_MESSAGES",
    "CodeVerdict",
    "Discount",
    "Evaluation",
    "FreeItem",
    "Notification",
    "summarise",
]

#: Plain words for every coupon rejection reason Talon.One documents (v4 and 2026).
COUPON_MESSAGES: Mapping[str, str] = {
    "CouponNotFound": "This coupon code does not exist.",
    "CouponPartOfNotRunningCampaign": "This coupon belongs to a promotion that is not running.",
    "CouponPartOfNotTriggeredCampaign": "This coupon's promotion does not apply to this cart.",
    "CouponLimitReached": "This coupon has already been used the maximum number of times.",
    "CampaignLimitReached": "This promotion has reached its limit.",
    "ProfileLimitReached": "You have already used this coupon the maximum number of times.",
    "CouponRecipientDoesNotMatch": "This coupon belongs to another customer.",
    "CouponExpired": "This coupon has expired.",
    "CouponStartDateInFuture": "This coupon is not valid yet.",
    "CouponRejectedByCondition": "Your cart does not meet this coupon's conditions.",
    "EffectCouldNotBeApplied": "This coupon's discount could not be applied to your cart.",
    "CouponReservationRequired": "This coupon must be assigned to you before you can use it.",
    "ProfileRequired": "Please sign in to use this coupon.",
}

#: Plain words for every referral rejection reason Talon.One documents (v4 and 2026).
REFERRAL_MESSAGES: Mapping[str, str] = {
    "ReferralNotFound": "This referral code does not exist.",
    "ReferralRecipientIdSameAsAdvocate": "You cannot use your own referral code.",
    "ReferralPartOfNotRunningCampaign": "This referral code belongs to a promotion that ended.",
    "ReferralPartOfNotTriggeredCampaign": "This referral's promotion does not apply to this cart.",
    "ReferralLimitReached": "This referral code has already been used the maximum times.",
    "CampaignLimitReached": "This promotion has reached its limit.",
    "ProfileLimitReached": "You have already used a referral code the maximum number of times.",
    "ReferralRecipientDoesNotMatch": "This referral code was issued to someone else.",
    "ReferralExpired": "This referral code has expired.",
    "ReferralStartDateInFuture": "This referral code is not valid yet.",
    "ReferralRejectedByCondition": "Your cart does not meet this referral's conditions.",
    "EffectCouldNotBeApplied": "This referral's discount could not be applied to your cart.",
    "AdvocateNotFound": "The customer who shared this referral code no longer exists.",
    "ReferralCustomerAlreadyReferred": "You have already been referred by someone.",
}

_COUPON_FALLBACK = "This coupon code cannot be used right now."
_REFERRAL_FALLBACK = "This referral code cannot be used right now."
UNAVAILABLE_MESSAGE = "Promotions are temporarily unavailable."

_DISCOUNT_TYPES = frozenset({"setDiscount", "setDiscountPerItem", "setDiscountPerAdditionalCost"})
#: Effects with no consequence for the cart summary; recognised so they are not "unknown".
_SILENT_TYPES = frozenset(
    {
        "couponCreated",
        "referralCreated",
        "addLoyaltyPoints",
        "deductLoyaltyPoints",
        "rollbackAddedLoyaltyPoints",
        "rollbackDeductedLoyaltyPoints",
        "changeLoyaltyTierLevel",
        "updateAttribute",
        "triggerWebhook",
        "customEffect",
        "awardGiveaway",
        "willAwardGiveaway",
        "reserveCoupon",
        "error",
    }
)


@dataclass(frozen=True)
class Discount:
    """One rule's discount; ``position`` is the cart line (``None`` for cart-wide ones)."""

    campaign_id: int | None
    ruleset_id: int | None
    rule_index: int | None
    amount: Decimal
    name: str = ""
    position: int | None = None
    additional_cost: str | None = None

    @property
    def key(self) -> tuple[int | None, int | None, int | None, int | None, str | None]:
        return (
            self.campaign_id,
            self.ruleset_id,
            self.rule_index,
            self.position,
            self.additional_cost,
        )


@dataclass(frozen=True)
class CodeVerdict:
    """Whether a coupon or referral code was accepted and, if not, why in plain words."""

    code: str
    accepted: bool
    reason: str = ""
    message: str = ""
    campaign_id: int | None = None


@dataclass(frozen=True)
class Notification:
    campaign_id: int | None
    type: str
    title: str
    body: str


@dataclass(frozen=True)
class FreeItem:
    campaign_id: int | None
    sku: str
    name: str


@dataclass(frozen=True)
class Evaluation(PointsShortcuts):
    """The promotions Talon.One applied to one session, ready to render.

    ``available`` is False when Talon.One could not be asked (timeout, outage, rejected
    request): the cart then shows full prices and ``message`` says promotions are
    unavailable. ``rolled_back`` lists discounts taken back by a cancel or a return.
    ``points`` holds the loyalty points this session earns, spends and had rolled back,
    and the balances the reply told (see :mod:`.points`).
    """

    available: bool = True
    discount_total: Decimal = Decimal(0)
    discounts: tuple[Discount, ...] = ()
    item_discounts: Mapping[int, Decimal] = field(default_factory=dict)
    coupons: tuple[CodeVerdict, ...] = ()
    referral: CodeVerdict | None = None
    notifications: tuple[Notification, ...] = ()
    free_items: tuple[FreeItem, ...] = ()
    rolled_back: tuple[Discount, ...] = ()
    rolled_back_coupons: tuple[str, ...] = ()
    unknown_effects: tuple[Mapping[str, Any], ...] = ()
    points: SessionPoints = field(default_factory=SessionPoints)
    session_id: str = ""
    state: str = ""
    message: str = ""
    evaluated_at: dt.datetime | None = None

    @classmethod
    def unavailable(
        cls, *, session_id: str = "", evaluated_at: dt.datetime | None = None
    ) -> Evaluation:
        return cls(
            available=False,
            session_id=session_id,
            message=UNAVAILABLE_MESSAGE,
            evaluated_at=evaluated_at,
        )

    @property
    def accepted_coupons(self) -> tuple[str, ...]:
        return tuple(verdict.code for verdict in self.coupons if verdict.accepted)

    @property
    def rejected_coupons(self) -> tuple[CodeVerdict, ...]:
        return tuple(verdict for verdict in self.coupons if not verdict.accepted)

    @property
    def rolled_back_total(self) -> Decimal:
        return sum((discount.amount for discount in self.rolled_back), Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (Decimals as strings, so no float ever touches money)."""
        return {
            "available": self.available,
            "discountTotal": str(self.discount_total),
            "discounts": [_discount_dict(discount) for discount in self.discounts],
            "itemDiscounts": {str(pos): str(value) for pos, value in self.item_discounts.items()},
            "coupons": [_verdict_dict(verdict) for verdict in self.coupons],
            "referral": _verdict_dict(self.referral) if self.referral else None,
            "notifications": [vars(note).copy() for note in self.notifications],
            "freeItems": [vars(item).copy() for item in self.free_items],
            "rolledBack": [_discount_dict(discount) for discount in self.rolled_back],
            "rolledBackCoupons": list(self.rolled_back_coupons),
            "unknownEffects": [json_safe(effect) for effect in self.unknown_effects],
            "points": self.points.to_dict(),
            "sessionId": self.session_id,
            "state": self.state,
            "message": self.message,
            "evaluatedAt": self.evaluated_at.isoformat() if self.evaluated_at else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evaluation:
        """Rebuild an evaluation stored with :meth:`to_dict` (an empty dict gives the default)."""
        evaluated_at = data.get("evaluatedAt")
        referral = data.get("referral")
        return cls(
            available=bool(data.get("available", True)),
            discount_total=Decimal(data.get("discountTotal", "0")),
            discounts=tuple(_discount_from(item) for item in data.get("discounts", ())),
            item_discounts={
                int(pos): Decimal(value) for pos, value in data.get("itemDiscounts", {}).items()
            },
            coupons=tuple(CodeVerdict(**item) for item in data.get("coupons", ())),
            referral=CodeVerdict(**referral) if referral else None,
            notifications=tuple(Notification(**item) for item in data.get("notifications", ())),
            free_items=tuple(FreeItem(**item) for item in data.get("freeItems", ())),
            rolled_back=tuple(_discount_from(item) for item in data.get("rolledBack", ())),
            rolled_back_coupons=tuple(data.get("rolledBackCoupons", ())),
            unknown_effects=tuple(data.get("unknownEffects", ())),
            points=SessionPoints.from_dict(data.get("points")),
            session_id=str(data.get("sessionId", "")),
            state=str(data.get("state", "")),
            message=str(data.get("message", "")),
            evaluated_at=dt.datetime.fromisoformat(evaluated_at) if evaluated_at else None,
        )


def summarise(
    effects: Iterable[Mapping[str, Any]],
    *,
    session_id: str = "",
    state: str = "",
    evaluated_at: dt.datetime | None = None,
    limits: CartLimits | None = None,
    loyalty: Any = None,
) -> Evaluation:
    """Fold Talon.One's effect list into an :class:`Evaluation`.

    Discounts from one rule on one position are summed (with cart item flattening a line
    gets one effect per unit, told apart only by ``subPosition``). An amount that cannot be
    a discount is ignored, and with the ``limits`` of the cart sent none exceeds its line
    or the cart (see :mod:`.discounts`). ``loyalty`` is the reply's loyalty content,
    which says how many points the shopper can spend.
    """
    effects = list(effects)
    discounts: dict[tuple[Any, ...], Discount] = {}
    rolled_back: dict[tuple[Any, ...], Discount] = {}
    coupons: dict[str, CodeVerdict] = {}
    referral: CodeVerdict | None = None
    notifications: list[Notification] = []
    free_items: list[FreeItem] = []
    rolled_back_coupons: list[str] = []
    unknown: list[Mapping[str, Any]] = []
    for effect in effects:
        if not isinstance(effect, Mapping):
            unknown.append(json_safe(effect))
            continue
        kind = str(effect.get("effectType", ""))
        raw_props = effect.get("props")
        props: Mapping[str, Any] = raw_props if isinstance(raw_props, Mapping) else {}
        campaign_id = _int_or_none(effect.get("campaignId"))
        if kind in _DISCOUNT_TYPES:
            _add(discounts, _discount(effect, props, props.get("position")))
        elif kind == "rollbackDiscount":
            _add(rolled_back, _discount(effect, props, props.get("cartItemPosition")))
        elif kind == "acceptCoupon":
            code = str(props.get("value", ""))
            coupons[code] = CodeVerdict(code=code, accepted=True, campaign_id=campaign_id)
        elif kind == "rejectCoupon":
            code = str(props.get("value", ""))
            if not coupons.get(code, CodeVerdict(code, False)).accepted:
                reason = str(props.get("rejectionReason", ""))
                message = COUPON_MESSAGES.get(reason, _COUPON_FALLBACK)
                coupons[code] = CodeVerdict(code, False, reason, message, campaign_id)
        elif kind == "acceptReferral":
            referral = CodeVerdict(str(props.get("value", "")), True, campaign_id=campaign_id)
        elif kind == "rejectReferral":
            if referral is None or not referral.accepted:
                reason = str(props.get("rejectionReason", ""))
                message = REFERRAL_MESSAGES.get(reason, _REFERRAL_FALLBACK)
                referral = CodeVerdict(
                    str(props.get("value", "")), False, reason, message, campaign_id
                )
        elif kind == "showNotification":
            notifications.append(
                Notification(
                    campaign_id,
                    str(props.get("notificationType", "")),
                    str(props.get("title", "")),
                    str(props.get("body", "")),
                )
            )
        elif kind == "addFreeItem":
            free_items.append(
                FreeItem(campaign_id, str(props.get("sku", "")), str(props.get("name", "")))
            )
        elif kind in ("rollbackCoupon", "rollbackReferral"):
            if kind == "rollbackCoupon":
                rolled_back_coupons.append(str(props.get("value", "")))
        elif kind not in _SILENT_TYPES:
            unknown.append(json_safe(effect))
    if limits is not None:
        discounts = {d.key: d for d in limits.clamp(discounts.values())}
    item_discounts: dict[int, Decimal] = {}
    for discount in discounts.values():
        if discount.position is not None:
            item_discounts[discount.position] = (
                item_discounts.get(discount.position, Decimal(0)) + discount.amount
            )
    return Evaluation(
        available=True,
        discount_total=sum((d.amount for d in discounts.values()), Decimal(0)),
        discounts=tuple(discounts.values()),
        item_discounts=item_discounts,
        coupons=tuple(coupons.values()),
        referral=referral,
        notifications=tuple(notifications),
        free_items=tuple(free_items),
        rolled_back=tuple(rolled_back.values()),
        rolled_back_coupons=tuple(rolled_back_coupons),
        unknown_effects=tuple(unknown),
        points=fold_points(effects, loyalty),
        session_id=session_id,
        state=state,
        evaluated_at=evaluated_at,
    )


def _discount(
    effect: Mapping[str, Any], props: Mapping[str, Any], position: Any
) -> Discount | None:
    amount = amount_of(props.get("value", 0), effect=effect)
    if amount is None:
        return None
    cost = props.get("additionalCostId", props.get("additionalCost"))
    return Discount(
        campaign_id=_int_or_none(effect.get("campaignId")),
        ruleset_id=_int_or_none(effect.get("rulesetId")),
        rule_index=_int_or_none(effect.get("ruleIndex")),
        amount=amount,
        name=str(props.get("name", "")),
        position=_int_or_none(position),
        additional_cost=str(cost) if cost is not None else None,
    )


def _add(into: dict[tuple[Any, ...], Discount], discount: Discount | None) -> None:
    if discount is None:
        return
    previous = into.get(discount.key)
    if previous is not None:
        discount = Discount(**{**vars(discount), "amount": previous.amount + discount.amount})
    into[discount.key] = discount


def _int_or_none(value: Any) -> int | None:
    return (
        int(value) if isinstance(value, (int, str)) and str(value).lstrip("-").isdigit() else None
    )


def _discount_dict(discount: Discount) -> dict[str, Any]:
    return {**vars(discount), "amount": str(discount.amount)}


def _discount_from(data: Mapping[str, Any]) -> Discount:
    return Discount(**{**data, "amount": Decimal(data["amount"])})


def _verdict_dict(verdict: CodeVerdict) -> dict[str, Any]:
    return dict(vars(verdict))
