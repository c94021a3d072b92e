"""The campaigns file's reward sections: loyalty programs, giveaway pools, achievements,
and the reward effects that need a profile (points, giveaways, progress, created coupons).

Loyalty programs and giveaway pools belong to the Application (top-level
``loyaltyPrograms`` and ``giveawayPools``); achievements belong to the campaign whose
rules make progress on them (``campaigns[].achievements``), as in Talon.One. The reward
effects a rule may give (earning, spending, a giveaway, achievement progress, a coupon)
are read here too, and :func:`check_references` makes sure each names a program, pool,
achievement or coupon campaign that exists, so a typo fails when the file loads rather
than mid-checkout.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .confread import (
    check_unique,
    no_unknown,
    read_int,
    read_mapping,
    read_money,
    read_required,
    read_str,
    read_str_list,
)

REWARD_EFFECT_TYPES = (
    "addLoyaltyPoints",
    "addLoyaltyPointsPerItem",
    "redeemLoyaltyPoints",
    "awardGiveaway",
    "increaseAchievementProgress",
    "createCoupon",
)
#: Today's schemas allow only this shape for an achievement's ``name``.
ACHIEVEMENT_NAME = re.compile(r"^[a-zA-Z]\w+$")


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{where}: must be a list")
    return value


def loyalty_programs(raw: Any) -> list[dict[str, Any]]:
    """``loyaltyPrograms``: profile-based programs with activation, expiry and tiers."""
    programs: list[dict[str, Any]] = []
    for index, entry in enumerate(_list(raw, "loyaltyPrograms")):
        where = f"loyaltyPrograms[{index}]"
        data = read_mapping(entry, where)
        no_unknown(
            data,
            where,
            {"id", "name", "title", "pendingDays", "expiryDays", "expiryNoticeDays", "tiers"},
        )
        name = read_str(read_required(data, "name", where), f"{where}.name")
        expiry = data.get("expiryDays")
        programs.append(
            {
                "id": read_int(read_required(data, "id", where), f"{where}.id", minimum=1),
                "name": name,
                "title": read_str(data.get("title", name), f"{where}.title"),
                "pendingDays": read_int(data.get("pendingDays", 0), f"{where}.pendingDays"),
                "expiryDays": (
                    None if expiry is None else read_int(expiry, f"{where}.expiryDays", minimum=1)
                ),
                "expiryNoticeDays": _notice_days(data.get("expiryNoticeDays", []), where),
                "tiers": _tiers(data.get("tiers", []), f"{where}.tiers"),
            }
        )
    check_unique([p["id"] for p in programs], "loyaltyPrograms", "id")
    check_unique([p["name"] for p in programs], "loyaltyPrograms", "name")
    return programs


def _notice_days(raw: Any, where: str) -> list[int]:
    """``expiryNoticeDays``: up to three reminders ahead of expiry, as Talon.One allows."""
    at = f"{where}.expiryNoticeDays"
    days = [read_int(value, f"{at}[{i}]", minimum=1) for i, value in enumerate(_list(raw, at))]
    if len(days) > 3 or len(set(days)) != len(days):
        raise ValueError(f"{at}: at most three different numbers of days")
    return sorted(days, reverse=True)


def _tiers(raw: Any, where: str) -> list[dict[str, Any]]:
    tiers: list[dict[str, Any]] = []
    for index, entry in enumerate(_list(raw, where)):
        at = f"{where}[{index}]"
        data = read_mapping(entry, at)
        no_unknown(data, at, {"name", "minPoints"})
        tiers.append(
            {
                "name": read_str(read_required(data, "name", at), f"{at}.name"),
                "minPoints": read_money(read_required(data, "minPoints", at), f"{at}.minPoints"),
            }
        )
    check_unique([t["name"] for t in tiers], where, "name")
    thresholds: list[Decimal] = [t["minPoints"] for t in tiers]
    if thresholds != sorted(set(thresholds)):
        raise ValueError(f"{where}: minPoints must increase from one tier to the next")
    return tiers


def giveaway_pools(raw: Any) -> list[dict[str, Any]]:
    """``giveawayPools``: named pools of codes, handed out in the order listed."""
    pools: list[dict[str, Any]] = []
    for index, entry in enumerate(_list(raw, "giveawayPools")):
        where = f"giveawayPools[{index}]"
        data = read_mapping(entry, where)
        no_unknown(data, where, {"id", "name", "codes"})
        pools.append(
            {
                "id": read_int(read_required(data, "id", where), f"{where}.id", minimum=1),
                "name": read_str(read_required(data, "name", where), f"{where}.name"),
                "codes": read_str_list(data.get("codes", []), f"{where}.codes"),
            }
        )
    check_unique([p["id"] for p in pools], "giveawayPools", "id")
    codes: list[str] = [c for p in pools for c in p["codes"]]
    check_unique(codes, "giveawayPools[].codes", "code")
    return pools


def achievements(raw: Any, where: str) -> list[dict[str, Any]]:
    """A campaign's ``achievements``: one-time targets its rules make progress on."""
    found: list[dict[str, Any]] = []
    for index, entry in enumerate(_list(raw, where)):
        at = f"{where}[{index}]"
        data = read_mapping(entry, at)
        no_unknown(data, at, {"id", "name", "title", "description", "target"})
        name = read_str(read_required(data, "name", at), f"{at}.name")
        if not ACHIEVEMENT_NAME.fullmatch(name):
            raise ValueError(f"{at}.name: a letter, then letters, digits or _ (as Talon.One's)")
        target = read_money(read_required(data, "target", at), f"{at}.target")
        if target <= 0:
            raise ValueError(f"{at}.target: must be more than 0")
        found.append(
            {
                "id": read_int(read_required(data, "id", at), f"{at}.id", minimum=1),
                "name": name,
                "title": read_str(data.get("title", name), f"{at}.title"),
                "description": str(data.get("description", "")),
                "target": target,
            }
        )
    return found


def _one_of(data: Mapping[str, Any], where: str, keys: tuple[str, str]) -> str:
    present = [key for key in keys if key in data]
    if len(present) != 1:
        raise ValueError(f"{where}: give exactly one of {keys[0]} or {keys[1]}")
    return present[0]


def reward_effect(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """One reward effect of a rule (``type`` is one of :data:`REWARD_EFFECT_TYPES`)."""
    kind = data["type"]
    if kind in ("addLoyaltyPoints", "addLoyaltyPointsPerItem"):
        per = "perCartTotal" if kind == "addLoyaltyPoints" else "perItemTotal"
        allowed = {"type", "programId", "name", "points", per}
        if kind == "addLoyaltyPointsPerItem":
            allowed |= {"skus", "categories"}
        no_unknown(data, where, allowed)
        basis = _one_of(data, where, ("points", per))
        effect: dict[str, Any] = {
            "type": kind,
            "programId": read_int(read_required(data, "programId", where), f"{where}.programId"),
            "name": read_str(read_required(data, "name", where), f"{where}.name"),
            basis: read_money(data[basis], f"{where}.{basis}"),
        }
        if kind == "addLoyaltyPointsPerItem":
            effect["skus"] = read_str_list(data.get("skus", []), f"{where}.skus")
            effect["categories"] = read_str_list(data.get("categories", []), f"{where}.categories")
        return effect
    if kind == "redeemLoyaltyPoints":
        no_unknown(data, where, {"type", "programId", "name", "attribute", "pointValue", "scope"})
        scope = data.get("scope", "sessionTotal")
        if scope not in ("sessionTotal", "cartItems"):
            raise ValueError(f"{where}.scope: must be sessionTotal or cartItems")
        value = read_money(read_required(data, "pointValue", where), f"{where}.pointValue")
        if value <= 0:
            raise ValueError(f"{where}.pointValue: must be more than 0")
        return {
            "type": kind,
            "programId": read_int(read_required(data, "programId", where), f"{where}.programId"),
            "name": read_str(read_required(data, "name", where), f"{where}.name"),
            "attribute": read_str(read_required(data, "attribute", where), f"{where}.attribute"),
            "pointValue": value,
            "scope": scope,
        }
    if kind == "createCoupon":
        no_unknown(data, where, {"type", "campaignId", "prefix", "usageLimit", "expiryDays"})
        prefix = data.get("prefix", "")
        if not isinstance(prefix, str) or len(prefix) > 90:
            raise ValueError(f"{where}.prefix: must be a string of at most 90 characters")
        expiry = data.get("expiryDays")
        return {
            "type": kind,
            "campaignId": read_int(
                read_required(data, "campaignId", where), f"{where}.campaignId", minimum=1
            ),
            "prefix": prefix,
            "usageLimit": read_int(data.get("usageLimit", 1), f"{where}.usageLimit"),
            "expiryDays": (
                None if expiry is None else read_int(expiry, f"{where}.expiryDays", minimum=1)
            ),
        }
    if kind == "awardGiveaway":
        no_unknown(data, where, {"type", "poolId"})
        pool = read_int(read_required(data, "poolId", where), f"{where}.poolId")
        return {"type": kind, "poolId": pool}
    no_unknown(data, where, {"type", "achievementId", "delta"})
    delta = read_money(data.get("delta", 1), f"{where}.delta")
    if delta <= 0:
        raise ValueError(f"{where}.delta: must be more than 0")
    return {
        "type": kind,
        "achievementId": read_int(
            read_required(data, "achievementId", where), f"{where}.achievementId"
        ),
        "delta": delta,
    }


def check_references(config: Mapping[str, Any]) -> None:
    """Every reward effect names a configured program, pool or (own) achievement."""
    programs = {p["id"] for p in config["loyaltyPrograms"]}
    coupon_campaigns = {c["id"] for c in config["campaigns"] if c["kind"] == "coupon"}
    pools = {p["id"] for p in config["giveawayPools"]}
    every_achievement = [a["id"] for c in config["campaigns"] for a in c["achievements"]]
    check_unique(every_achievement, "campaigns[].achievements", "id")
    for c_index, campaign in enumerate(config["campaigns"]):
        own = {a["id"] for a in campaign["achievements"]}
        for r_index, rule in enumerate(campaign["rules"]):
            for e_index, effect in enumerate(rule["effects"]):
                where = f"campaigns[{c_index}].rules[{r_index}].effects[{e_index}]"
                if "programId" in effect and effect["programId"] not in programs:
                    raise ValueError(f"{where}.programId: no loyalty program {effect['programId']}")
                if (
                    effect["type"] == "createCoupon"
                    and effect["campaignId"] not in coupon_campaigns
                ):
                    raise ValueError(
                        f"{where}.campaignId: no coupon campaign {effect['campaignId']}"
                    )
                if effect["type"] == "awardGiveaway" and effect["poolId"] not in pools:
                    raise ValueError(f"{where}.poolId: no giveaway pool {effect['poolId']}")
                achievement = effect.get("achievementId")
                if effect["type"] == "increaseAchievementProgress" and achievement not in own:
                    raise ValueError(
                        f"{where}.achievementId: campaign {campaign['id']} has no "
                        f"achievement {achievement}"
                    )
