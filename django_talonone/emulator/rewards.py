"""The engine's reward effects: loyalty points earned and spent, giveaways, achievements,
coupons created for the profile.

Like the rest of the engine this only reads the state: it says what a session *would*
earn, spend, win and progress, and which coupons its close creates. The ledgers change
when the session closes (:mod:`.settlement`). One :class:`Rewards` lives for one
evaluation and remembers what earlier rules already took (points spent, codes announced,
progress), so two rules never spend the same points or announce the same last code.

A reward that cannot apply fails its whole rule, with a ``ruleFailureReasons`` entry
naming the effect: spending more points than are active, earning, spending or winning
without a profile, a giveaway pool with no code left.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_UP, Decimal, InvalidOperation
from typing import Any, Protocol

from . import achievements, coupon_effects, giveaways, loyalty
from .effects import derived_effect, transaction_uuid
from .money import CENT, ZERO, cents, line_total, to_decimal
from .state import EmulatorState


class CartBudget(Protocol):
    """What the engine has left to discount (its ``_Budget``)."""

    def take_cart(self, desired: Decimal, scope: str) -> Decimal: ...


def _asked_points(value: Any) -> Decimal | None:
    """The points a session attribute asks to spend; ``None`` when it is not a number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        points = Decimal(str(value))
    except InvalidOperation:
        return None
    return points if points.is_finite() else None


@dataclass
class Rewards:
    """What one evaluation has handed out so far."""

    state: EmulatorState
    profile_id: str
    session_key: str
    attributes: Mapping[str, Any]
    #: The session is closing: only then does a rule create a coupon.
    closing: bool = False
    spent: dict[int, Decimal] = field(default_factory=dict)
    announced: dict[int, int] = field(default_factory=dict)
    progressed: dict[int, Decimal] = field(default_factory=dict)
    transactions: int = 0

    def _uuid(self) -> str:
        self.transactions += 1
        return transaction_uuid(self.session_key, self.transactions)

    def _available(self, program_id: int) -> Decimal:
        active = loyalty.active_balance(self.state, self.profile_id, program_id)
        return active - self.spent.get(program_id, ZERO)

    def failure(self, spec: Mapping[str, Any]) -> str | None:
        """Why ``spec`` cannot apply to this session, else ``None``."""
        kind = spec["type"]
        if not self.profile_id:
            return f"{kind} needs a customer profile in the session"
        if kind == "redeemLoyaltyPoints":
            asked = _asked_points(self.attributes.get(spec["attribute"]))
            if asked is None or asked <= 0:
                return None  # nothing asked: the rule gives no discount, and is no failure
            available = self._available(spec["programId"])
            if asked > available:
                return (
                    f"cannot spend {asked} points of loyalty program {spec['programId']}: "
                    f"{available} are active"
                )
        if kind == "awardGiveaway":
            left = giveaways.codes_left(self.state, spec["poolId"])
            if left - self.announced.get(spec["poolId"], 0) <= 0:
                return f"giveaway pool {spec['poolId']} has no code left"
        return None

    def effects(
        self,
        spec: Mapping[str, Any],
        rule_name: str,
        items: list[dict[str, Any]],
        flatten: bool,
        budget: CartBudget,
    ) -> list[tuple[str, dict[str, Any]]]:
        """``(effectType, props)`` pairs a reward spec gives (its failure was checked)."""
        kind = spec["type"]
        if kind == "addLoyaltyPoints":
            if "points" in spec:
                return self._points(spec, spec["points"])
            subtotal = sum((line_total(item) for item in items), ZERO)
            return self._points(spec, cents(subtotal * spec["perCartTotal"]))
        if kind == "addLoyaltyPointsPerItem":
            return self._points_per_item(spec, items, flatten)
        if kind == "redeemLoyaltyPoints":
            return self._redeem(spec, rule_name, budget)
        if kind == "awardGiveaway":
            self.announced[spec["poolId"]] = self.announced.get(spec["poolId"], 0) + 1
            name = giveaways.pool(self.state, spec["poolId"])["name"]
            props = {
                "poolId": spec["poolId"],
                "poolName": name,
                "recipientIntegrationId": self.profile_id,
            }
            return [("willAwardGiveaway", props)]
        if kind == "createCoupon":
            if not self.closing:
                return []
            self.transactions += 1
            seed = (self.session_key, "coupon", self.transactions)
            code = coupon_effects.new_code(self.state, spec["prefix"], *seed)
            return [("couponCreated", {"value": code, "profileId": self.profile_id})]
        return self._progress(spec)

    def _points(
        self, spec: Mapping[str, Any], points: Decimal, **position: int
    ) -> list[tuple[str, dict[str, Any]]]:
        if points <= 0:
            return []
        program = loyalty.program(self.state, spec["programId"])
        start, expiry = loyalty.point_dates(self.state, program)
        props: dict[str, Any] = {
            "name": spec["name"],
            "programId": program["id"],
            "subLedgerId": loyalty.MAIN_SUBLEDGER,
            "value": points,
            "recipientIntegrationId": self.profile_id,
            "transactionUUID": self._uuid(),
        }
        if start is not None:
            props["startDate"] = start
        if expiry is not None:
            props["expiryDate"] = expiry
        props.update(position)
        return [("addLoyaltyPoints", props)]

    def _points_per_item(
        self, spec: Mapping[str, Any], items: list[dict[str, Any]], flatten: bool
    ) -> list[tuple[str, dict[str, Any]]]:
        produced: list[tuple[str, dict[str, Any]]] = []
        for position, item in enumerate(items):
            wanted = spec["skus"] or spec["categories"]
            if wanted and not (
                item["sku"] in spec["skus"] or item.get("category") in spec["categories"]
            ):
                continue
            price, quantity = to_decimal(item.get("price")), int(item["quantity"])
            if "points" in spec:
                unit_points: Decimal = spec["points"]
            else:
                unit_points = cents(price * spec["perItemTotal"])
            if not flatten:
                points = cents(unit_points * quantity)
                produced += self._points(spec, points, cartItemPosition=position)
                continue
            for sub in range(quantity):
                produced += self._points(
                    spec, unit_points, cartItemPosition=position, cartItemSubPosition=sub
                )
        return produced

    def _redeem(
        self, spec: Mapping[str, Any], rule_name: str, budget: CartBudget
    ) -> list[tuple[str, dict[str, Any]]]:
        asked = _asked_points(self.attributes.get(spec["attribute"]))
        if asked is None or asked <= 0:
            return []
        desired = cents(asked * spec["pointValue"])
        value = budget.take_cart(desired, spec["scope"])
        if value <= 0:
            return []
        # A capped discount spends only the points it used (rounded up to a cent's worth).
        points = min(asked, (value / spec["pointValue"]).quantize(CENT, rounding=ROUND_UP))
        program_id = spec["programId"]
        self.spent[program_id] = self.spent.get(program_id, ZERO) + points
        discount: dict[str, Any] = {"name": spec["name"], "value": value, "scope": spec["scope"]}
        if value != desired:
            discount["desiredValue"] = desired
        deduct = {
            "ruleTitle": rule_name,
            "programId": program_id,
            "subLedgerId": loyalty.MAIN_SUBLEDGER,
            "value": points,
            "transactionUUID": self._uuid(),
            "name": spec["name"],
        }
        return [("setDiscount", discount), ("deductLoyaltyPoints", deduct)]

    def _progress(self, spec: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        achievement_id = spec["achievementId"]
        _, definition = achievements.definition(self.state, achievement_id)
        before = achievements.progress(self.state, self.profile_id, achievement_id)
        before += self.progressed.get(achievement_id, ZERO)
        target: Decimal = definition["target"]
        delta = min(spec["delta"], target - before)
        if delta <= 0:
            return []  # completed: a one-time achievement makes no more progress
        self.progressed[achievement_id] = self.progressed.get(achievement_id, ZERO) + delta
        props = {
            "achievementId": achievement_id,
            "achievementName": definition["name"],
            "delta": delta,
            "value": before + delta,
            "target": target,
            "isJustCompleted": before + delta >= target,
        }
        return [("increaseAchievementProgress", props)]

    def tier_changes(self, effects: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``changeLoyaltyTierLevel`` for each program whose tier this session's points raise.

        Each comes from the rule of the program's last ``addLoyaltyPoints`` effect.
        """
        added: dict[int, Decimal] = {}
        last: dict[int, dict[str, Any]] = {}
        for effect in effects:
            if effect["effectType"] == "addLoyaltyPoints":
                program_id = effect["props"]["programId"]
                added[program_id] = added.get(program_id, ZERO) + effect["props"]["value"]
                last[program_id] = effect
        changes = []
        for program_id, points in added.items():
            program = loyalty.program(self.state, program_id)
            before = loyalty.earned_points(self.state, self.profile_id, program_id)
            old = loyalty.tier_index(program, before)
            new = loyalty.tier_index(program, before + points)
            if new is None or (old is not None and new <= old):
                continue
            props: dict[str, Any] = {
                "ruleTitle": last[program_id]["ruleName"],
                "programId": program_id,
                "subLedgerId": loyalty.MAIN_SUBLEDGER,
                "newTierName": program["tiers"][new]["name"],
            }
            if old is not None:
                props["previousTierName"] = program["tiers"][old]["name"]
            changes.append(derived_effect(last[program_id], "changeLoyaltyTierLevel", props))
        return changes
