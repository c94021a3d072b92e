"""The rules engine: a session in, Talon.One effects out.

Campaigns run in config order. A coupon campaign only fires for a valid coupon of its
own in the session, a referral campaign only for a valid referral code of its own, an
automatic campaign for every session. Within a campaign every rule whose condition
holds contributes its effects. Discounts are capped so they never exceed what is left
of the thing they discount (a line, a unit, the items, the session total); a capped
discount carries its uncapped amount as ``desiredValue``.

Reward effects (points, giveaways, achievements) come from :mod:`.rewards`. The engine
never changes state: closing, redeeming and counting are the session
module's job, using the :class:`Evaluation` this returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import webhooks
from .money import ZERO, cents, line_total, to_decimal
from .rewards import Rewards
from .rewards_config import REWARD_EFFECT_TYPES
from .state import EmulatorState
from .validity import coupon_rejection, referral_rejection


@dataclass
class Evaluation:
    """What one evaluation of a session produced."""

    effects: list[dict[str, Any]] = field(default_factory=list)
    accepted_coupons: list[str] = field(default_factory=list)
    accepted_referral: str | None = None
    triggered_campaigns: list[int] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)


def make_effect(
    campaign: Mapping[str, Any] | None,
    rule_index: int,
    rule_name: str,
    effect_type: str,
    props: dict[str, Any],
    coupon_id: int | None = None,
) -> dict[str, Any]:
    """An Effect object; effects from no campaign (unknown codes) use campaign id 0."""
    campaign_id = campaign["id"] if campaign is not None else 0
    effect: dict[str, Any] = {
        "campaignId": campaign_id,
        "rulesetId": campaign_id,
        "ruleIndex": rule_index,
        "ruleName": rule_name,
        "effectType": effect_type,
        "props": props,
    }
    if coupon_id is not None:
        effect["triggeredByCoupon"] = coupon_id
    return effect


class _Budget:
    """What is left to discount: per line (or per unit when flattening) and in total."""

    def __init__(
        self, items: list[dict[str, Any]], subtotal: Decimal, costs: Decimal, flatten: bool
    ) -> None:
        self.flatten = flatten
        self.items_left = subtotal
        self.costs_left = costs
        self.units: dict[tuple[int, int | None], Decimal] = {}
        for position, item in enumerate(items):
            if flatten:
                for sub in range(int(item["quantity"])):
                    self.units[(position, sub)] = to_decimal(item.get("price"))
            else:
                self.units[(position, None)] = line_total(item)

    def take_unit(self, key: tuple[int, int | None], desired: Decimal) -> Decimal:
        value = min(desired, self.units[key], self.items_left)
        self.units[key] -= value
        self.items_left -= value
        return value

    def take_cart(self, desired: Decimal, scope: str) -> Decimal:
        available = self.items_left + (self.costs_left if scope == "sessionTotal" else ZERO)
        value = min(desired, available)
        from_items = min(value, self.items_left)
        self.items_left -= from_items
        self.costs_left -= value - from_items
        return value


def _condition_failure(
    condition: Mapping[str, Any], items: list[dict[str, Any]], subtotal: Decimal
) -> tuple[int, str] | None:
    """``(conditionIndex, details)`` of the first unmet condition, else ``None``."""
    if "minSubtotal" in condition and subtotal < condition["minSubtotal"]:
        return 0, f"cart subtotal {subtotal} is below {condition['minSubtotal']}"
    if "skus" in condition and not any(i["sku"] in condition["skus"] for i in items):
        return 1, "no cart item has one of the SKUs " + ", ".join(condition["skus"])
    categories = condition.get("categories")
    if categories is not None and not any(i.get("category") in categories for i in items):
        return 2, "no cart item is in one of the categories " + ", ".join(categories)
    return None


def _item_matches(spec: Mapping[str, Any], item: Mapping[str, Any]) -> bool:
    if not spec["skus"] and not spec["categories"]:
        return True
    return item["sku"] in spec["skus"] or item.get("category") in spec["categories"]


def _desired(spec: Mapping[str, Any], base: Decimal, units: int) -> Decimal:
    if "percent" in spec:
        return cents(base * spec["percent"] / 100)
    amount: Decimal = spec["amount"]
    return cents(amount * units)


def _with_desired(props: dict[str, Any], value: Decimal, desired: Decimal) -> dict[str, Any]:
    if value != desired:
        props["desiredValue"] = desired
    return props


def _rule_effects(
    spec: Mapping[str, Any],
    items: list[dict[str, Any]],
    budget: _Budget,
    subtotal: Decimal,
    costs: Decimal,
) -> list[tuple[str, dict[str, Any]]]:
    """``(effectType, props)`` pairs one configured effect produces for this cart."""
    kind = spec["type"]
    if kind == "addFreeItem":
        return [("addFreeItem", {"sku": spec["sku"], "name": spec["name"]})]
    if kind == "showNotification":
        keys = ("notificationType", "title", "body")
        return [("showNotification", {key: spec[key] for key in keys})]
    if kind == "discount":
        base = subtotal + (costs if spec["scope"] == "sessionTotal" else ZERO)
        desired = _desired(spec, base, 1)
        value = budget.take_cart(desired, spec["scope"])
        if value <= 0:
            return []
        cart = {"name": spec["name"], "value": value, "scope": spec["scope"]}
        return [("setDiscount", _with_desired(cart, value, desired))]
    produced: list[tuple[str, dict[str, Any]]] = []
    for position, item in enumerate(items):
        if not _item_matches(spec, item):
            continue
        price, quantity = to_decimal(item.get("price")), int(item["quantity"])
        subs: list[int | None] = list(range(quantity)) if budget.flatten else [None]
        for sub in subs:
            base, units = (price, 1) if sub is not None else (price * quantity, quantity)
            desired = _desired(spec, base, units)
            value = budget.take_unit((position, sub), desired)
            if value <= 0:
                continue
            props: dict[str, Any] = {"name": f"{spec['name']}#{position}", "value": value}
            props["position"] = position
            if sub is not None:
                props["subPosition"] = sub
            produced.append(("setDiscountPerItem", _with_desired(props, value, desired)))
    return produced


def _failure(
    campaign: Mapping[str, Any], rule_index: int, condition_index: int | None, details: str
) -> dict[str, Any]:
    rules = campaign["rules"]
    reason: dict[str, Any] = {
        "campaignID": campaign["id"],
        "campaignName": campaign["name"],
        "rulesetID": campaign["id"],
        "ruleIndex": rule_index,
        "ruleName": rules[rule_index]["name"] if rule_index < len(rules) else "",
        "details": details,
    }
    if condition_index is not None:
        reason["conditionIndex"] = condition_index
    return reason


def evaluate(state: EmulatorState, session: Mapping[str, Any]) -> Evaluation:
    """Run every campaign against ``session`` (a stored or draft CustomerSessionV2)."""
    profile_id: str = session.get("profileId") or ""
    items: list[dict[str, Any]] = list(session.get("cartItems") or [])
    costs = sum(
        (to_decimal(cost.get("price")) for cost in (session.get("additionalCosts") or {}).values()),
        ZERO,
    )
    subtotal = sum((line_total(item) for item in items), ZERO)
    budget = _Budget(items, subtotal, costs, bool(state.application["flattenCartItems"]))
    result = Evaluation()
    session_key = f"{session.get('integrationId', '')}/{session.get('updateCount', 0)}"
    rewards = Rewards(
        state,
        profile_id,
        session_key,
        session.get("attributes") or {},
        closing=session.get("state") == "closed",
    )

    pending_rejections: list[dict[str, Any]] = []
    valid_coupon: dict[int, tuple[str, int]] = {}
    for code in dict.fromkeys(session.get("couponCodes") or []):
        found = state.coupon(code)
        campaign = found[0] if found else None
        reason = coupon_rejection(state, code, profile_id)
        if reason is None and found is not None and campaign is not None:
            if campaign["id"] in valid_coupon:
                reason = "CouponRejectedByCondition"
            else:
                valid_coupon[campaign["id"]] = (code, found[2])
                continue
        props = {"value": code, "rejectionReason": reason}
        if reason == "CouponRejectedByCondition":
            props["details"] = "only one coupon per campaign applies to a session"
        pending_rejections.append(
            make_effect(campaign, 0, _first_rule(campaign), "rejectCoupon", props)
        )

    referral_code: str = session.get("referralCode") or ""
    referral_campaign: int | None = None
    if referral_code:
        referral = state.data["referrals"].get(referral_code)
        reason = referral_rejection(state, referral_code, profile_id)
        if reason is None:
            referral_campaign = referral["campaignId"]
        else:
            campaign = state.campaign(referral["campaignId"]) if referral else None
            props = {"value": referral_code, "rejectionReason": reason}
            pending_rejections.append(
                make_effect(campaign, 0, _first_rule(campaign), "rejectReferral", props)
            )

    for campaign in state.campaigns:
        kind = campaign["kind"]
        coupon = valid_coupon.get(campaign["id"]) if kind == "coupon" else None
        if not state.campaign_running(campaign):
            continue
        if kind == "coupon" and coupon is None:
            continue
        if kind == "referral" and referral_campaign != campaign["id"]:
            continue
        if kind == "automatic":
            limit = _automatic_limit(state, campaign, profile_id)
            if limit is not None:
                result.failures.append(_failure(campaign, 0, None, limit))
                continue
        fired: list[tuple[int, str, list[tuple[str, dict[str, Any]]]]] = []
        for index, rule in enumerate(campaign["rules"]):
            unmet = _condition_failure(rule["condition"], items, subtotal)
            if unmet is not None:
                failure = _failure(campaign, index, unmet[0], unmet[1])
                if coupon is not None:
                    failure.update(couponID=coupon[1], couponValue=coupon[0])
                result.failures.append(failure)
                continue
            blocked = _reward_failure(rule, rewards)
            if blocked is not None:
                failure = _failure(campaign, index, None, blocked[1])
                failure["effectIndex"] = blocked[0]
                if coupon is not None:
                    failure.update(couponID=coupon[1], couponValue=coupon[0])
                result.failures.append(failure)
                continue
            produced: list[tuple[str, dict[str, Any]]] = []
            for spec in rule["effects"]:
                if spec["type"] == "triggerWebhook":
                    hooks = webhooks.props(state, spec, rewards.closing)
                    produced += [("triggerWebhook", hook) for hook in hooks]
                elif spec["type"] in REWARD_EFFECT_TYPES:
                    produced += rewards.effects(spec, rule["name"], items, budget.flatten, budget)
                else:
                    produced.extend(_rule_effects(spec, items, budget, subtotal, costs))
            fired.append((index, rule["name"], produced))
        coupon_id = coupon[1] if coupon is not None else None
        if kind == "coupon" and coupon is not None:
            verdict_rule = fired[0] if fired else (0, _first_rule(campaign), [])
            if fired:
                props = {"value": coupon[0]}
                verdict = make_effect(
                    campaign, verdict_rule[0], verdict_rule[1], "acceptCoupon", props, coupon_id
                )
                result.accepted_coupons.append(coupon[0])
            else:
                props = {"value": coupon[0], "rejectionReason": "CouponRejectedByCondition"}
                verdict = make_effect(campaign, 0, _first_rule(campaign), "rejectCoupon", props)
            result.effects.append(verdict)
        if kind == "referral":
            if fired:
                props = {"value": referral_code}
                result.effects.append(
                    make_effect(campaign, fired[0][0], fired[0][1], "acceptReferral", props)
                )
                result.accepted_referral = referral_code
            else:
                props = {"value": referral_code, "rejectionReason": "ReferralRejectedByCondition"}
                result.effects.append(
                    make_effect(campaign, 0, _first_rule(campaign), "rejectReferral", props)
                )
        for index, name, produced in fired:
            for effect_type, props in produced:
                result.effects.append(
                    make_effect(campaign, index, name, effect_type, props, coupon_id)
                )
        if fired:
            result.triggered_campaigns.append(campaign["id"])
    result.effects.extend(rewards.tier_changes(result.effects))
    result.effects.extend(pending_rejections)
    return result


def _reward_failure(rule: Mapping[str, Any], rewards: Rewards) -> tuple[int, str] | None:
    """``(effectIndex, details)`` of the rule's first reward that cannot apply."""
    for position, spec in enumerate(rule["effects"]):
        if spec["type"] in REWARD_EFFECT_TYPES:
            details = rewards.failure(spec)
            if details is not None:
                return position, details
    return None


def _first_rule(campaign: Mapping[str, Any] | None) -> str:
    if campaign is None or not campaign["rules"]:
        return ""
    name: str = campaign["rules"][0]["name"]
    return name


def _automatic_limit(
    state: EmulatorState, campaign: Mapping[str, Any], profile_id: str
) -> str | None:
    """Why an automatic campaign stopped firing (its limits are spent), else ``None``."""
    usage = state.data["campaignUsage"].get(str(campaign["id"]), {"total": 0, "profiles": {}})
    limits = campaign["limits"]
    if limits["redemptions"] and usage["total"] >= limits["redemptions"]:
        return "campaign redemption limit reached"
    per_profile = limits["perProfileRedemptions"]
    if per_profile and profile_id and usage["profiles"].get(profile_id, 0) >= per_profile:
        return "per-profile redemption limit reached"
    return None
