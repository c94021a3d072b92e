"""The campaigns file: what promotions the emulator runs, validated with clear errors.

A campaigns file is a JSON object ``{"application": {...}, "campaigns": [...]}``, with
optional ``loyaltyPrograms`` and ``giveawayPools`` (:mod:`.rewards_config`) and
``webhooks`` (:mod:`.webhooks`; see ``docs/emulator-campaigns.md``).
:func:`validate_config` returns a normalised copy in which every optional field has its
default and every amount is a ``Decimal``, so the engine never has to guess; any mistake
raises ``ValueError`` naming the field, such as ``campaigns[1].coupons[0].code: required``.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import simplejson

from . import webhooks
from .confread import (
    check_unique,
    no_unknown,
    read_bool,
    read_int,
    read_mapping,
    read_money,
    read_required,
    read_str,
    read_str_list,
    read_timestamp,
)
from .rewards_config import (
    REWARD_EFFECT_TYPES,
    achievements,
    check_references,
    giveaway_pools,
    loyalty_programs,
    reward_effect,
)

CAMPAIGN_KINDS = ("automatic", "coupon", "referral")
NOTIFICATION_TYPES = ("Info", "Offer", "Error", "Misc")
DISCOUNT_SCOPES = ("sessionTotal", "cartItems")
EFFECT_TYPES = ("discount", "discountPerItem", "addFreeItem", "showNotification", "triggerWebhook")

DEFAULT_CONFIG: dict[str, Any] = {
    "application": {"id": 1, "accountId": 1, "flattenCartItems": False, "currency": "USD"},
    "campaigns": [
        {
            "id": 1,
            "name": "Welcome 10%",
            "kind": "coupon",
            "coupons": [{"code": "WELCOME10"}],
            "rules": [
                {
                    "name": "10% off the cart with WELCOME10",
                    "effects": [{"type": "discount", "name": "Welcome 10%", "percent": 10}],
                }
            ],
        },
        {
            "id": 2,
            "name": "Refer a friend",
            "kind": "referral",
            "rules": [
                {
                    "name": "5 off for a referred friend",
                    "effects": [{"type": "discount", "name": "Refer a friend", "amount": 5}],
                }
            ],
        },
        {
            "id": 3,
            "name": "5 off orders of 100 or more",
            "rules": [
                {
                    "name": "5 off from a subtotal of 100",
                    "condition": {"minSubtotal": 100},
                    "effects": [{"type": "discount", "name": "5 off orders of 100+", "amount": 5}],
                }
            ],
        },
    ],
}


def load_config_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and validate a campaigns file; errors name the file and the bad field."""
    try:
        with open(path, encoding="utf-8") as handle:
            raw = simplejson.load(handle, use_decimal=True)
    except OSError as exc:
        raise ValueError(f"{os.fspath(path)}: cannot read campaigns file: {exc}") from exc
    except simplejson.JSONDecodeError as exc:
        raise ValueError(f"{os.fspath(path)}: not valid JSON: {exc}") from exc
    try:
        return validate_config(raw)
    except ValueError as exc:
        raise ValueError(f"{os.fspath(path)}: {exc}") from exc


def validate_config(config: Any) -> dict[str, Any]:
    """Check ``config`` and return a normalised deep copy (defaults filled in)."""
    root = read_mapping(config, "config")
    no_unknown(
        root, "", {"application", "campaigns", "loyaltyPrograms", "giveawayPools", "webhooks"}
    )
    app = read_mapping(root.get("application", {}), "application")
    no_unknown(app, "application", {"id", "accountId", "flattenCartItems", "currency"})
    application = {
        "id": read_int(app.get("id", 1), "application.id", minimum=1),
        "accountId": read_int(app.get("accountId", 1), "application.accountId", minimum=1),
        "flattenCartItems": read_bool(
            app.get("flattenCartItems", False), "application.flattenCartItems"
        ),
        "currency": read_str(app.get("currency", "USD"), "application.currency"),
    }
    raw_campaigns = root.get("campaigns", [])
    if not isinstance(raw_campaigns, list):
        raise ValueError("campaigns: must be a list")
    campaigns = [_campaign(raw, f"campaigns[{i}]") for i, raw in enumerate(raw_campaigns)]
    check_unique([c["id"] for c in campaigns], "campaigns", "id")
    codes = [coupon["code"] for c in campaigns for coupon in c["coupons"]]
    check_unique(codes, "campaigns[].coupons", "code")
    normalised: dict[str, Any] = {
        "application": application,
        "loyaltyPrograms": loyalty_programs(root.get("loyaltyPrograms", [])),
        "giveawayPools": giveaway_pools(root.get("giveawayPools", [])),
        "webhooks": webhooks.webhooks(root.get("webhooks", [])),
        "campaigns": campaigns,
    }
    check_references(normalised)
    webhooks.check_references(normalised)
    return normalised


def _campaign(raw: Any, where: str) -> dict[str, Any]:
    data = read_mapping(raw, where)
    allowed = {
        "id",
        "name",
        "state",
        "kind",
        "startTime",
        "endTime",
        "coupons",
        "limits",
        "rules",
        "achievements",
    }
    no_unknown(data, where, allowed)
    coupons_raw = data.get("coupons", [])
    kind = data.get("kind", "coupon" if coupons_raw else "automatic")
    if kind not in CAMPAIGN_KINDS:
        raise ValueError(f"{where}.kind: must be one of {', '.join(CAMPAIGN_KINDS)}")
    if not isinstance(coupons_raw, list):
        raise ValueError(f"{where}.coupons: must be a list")
    if coupons_raw and kind != "coupon":
        raise ValueError(f"{where}.coupons: only a coupon campaign has coupons")
    state = data.get("state", "enabled")
    if state not in ("enabled", "disabled"):
        raise ValueError(f"{where}.state: must be enabled or disabled")
    limits = read_mapping(data.get("limits", {}), f"{where}.limits")
    no_unknown(limits, f"{where}.limits", {"redemptions", "perProfileRedemptions"})
    rules_raw = data.get("rules", [])
    if not isinstance(rules_raw, list):
        raise ValueError(f"{where}.rules: must be a list")
    return {
        "id": read_int(read_required(data, "id", where), f"{where}.id", minimum=1),
        "name": read_str(read_required(data, "name", where), f"{where}.name"),
        "state": state,
        "kind": kind,
        "startTime": read_timestamp(data.get("startTime"), f"{where}.startTime"),
        "endTime": read_timestamp(data.get("endTime"), f"{where}.endTime"),
        "coupons": [_coupon(c, f"{where}.coupons[{i}]") for i, c in enumerate(coupons_raw)],
        "limits": {
            "redemptions": read_int(limits.get("redemptions", 0), f"{where}.limits.redemptions"),
            "perProfileRedemptions": read_int(
                limits.get("perProfileRedemptions", 0), f"{where}.limits.perProfileRedemptions"
            ),
        },
        "rules": [_rule(r, f"{where}.rules[{i}]") for i, r in enumerate(rules_raw)],
        "achievements": achievements(data.get("achievements", []), f"{where}.achievements"),
    }


def _coupon(raw: Any, where: str) -> dict[str, Any]:
    data = read_mapping(raw, where)
    allowed = {
        "code",
        "usageLimit",
        "perProfileLimit",
        "startDate",
        "expiryDate",
        "recipientIntegrationId",
        "reservationRequired",
        "attributes",
    }
    no_unknown(data, where, allowed)
    code = read_str(read_required(data, "code", where), f"{where}.code")
    if not 4 <= len(code) <= 100:
        raise ValueError(f"{where}.code: 4 to 100 characters (as Talon.One's codes)")
    recipient = data.get("recipientIntegrationId")
    return {
        "code": code,
        "usageLimit": read_int(data.get("usageLimit", 0), f"{where}.usageLimit"),
        "perProfileLimit": read_int(data.get("perProfileLimit", 0), f"{where}.perProfileLimit"),
        "startDate": read_timestamp(data.get("startDate"), f"{where}.startDate"),
        "expiryDate": read_timestamp(data.get("expiryDate"), f"{where}.expiryDate"),
        "recipientIntegrationId": (
            None if recipient is None else read_str(recipient, f"{where}.recipientIntegrationId")
        ),
        "reservationRequired": read_bool(
            data.get("reservationRequired", False), f"{where}.reservationRequired"
        ),
        "attributes": dict(read_mapping(data.get("attributes", {}), f"{where}.attributes")),
    }


def _rule(raw: Any, where: str) -> dict[str, Any]:
    data = read_mapping(raw, where)
    no_unknown(data, where, {"name", "condition", "effects"})
    cond = read_mapping(data.get("condition", {}), f"{where}.condition")
    no_unknown(cond, f"{where}.condition", {"minSubtotal", "skus", "categories"})
    condition: dict[str, Any] = {}
    if "minSubtotal" in cond:
        condition["minSubtotal"] = read_money(cond["minSubtotal"], f"{where}.condition.minSubtotal")
    for key in ("skus", "categories"):
        if key in cond:
            condition[key] = read_str_list(cond[key], f"{where}.condition.{key}")
    effects_raw = read_required(data, "effects", where)
    if not isinstance(effects_raw, list) or not effects_raw:
        raise ValueError(f"{where}.effects: must be a non-empty list")
    return {
        "name": read_str(read_required(data, "name", where), f"{where}.name"),
        "condition": condition,
        "effects": [_effect(e, f"{where}.effects[{i}]") for i, e in enumerate(effects_raw)],
    }


def _effect(raw: Any, where: str) -> dict[str, Any]:
    data = read_mapping(raw, where)
    kind = read_required(data, "type", where)
    if kind not in EFFECT_TYPES + REWARD_EFFECT_TYPES:
        raise ValueError(
            f"{where}.type: must be one of {', '.join(EFFECT_TYPES + REWARD_EFFECT_TYPES)}"
        )
    if kind in REWARD_EFFECT_TYPES:
        return reward_effect(data, where)
    if kind == "triggerWebhook":
        return webhooks.effect(data, where)
    if kind == "addFreeItem":
        no_unknown(data, where, {"type", "sku", "name"})
        return {
            "type": kind,
            "sku": read_str(read_required(data, "sku", where), f"{where}.sku"),
            "name": read_str(read_required(data, "name", where), f"{where}.name"),
        }
    if kind == "showNotification":
        no_unknown(data, where, {"type", "notificationType", "title", "body"})
        notification_type = data.get("notificationType", "Info")
        if notification_type not in NOTIFICATION_TYPES:
            raise ValueError(f"{where}.notificationType: must be one of Info, Offer, Error, Misc")
        return {
            "type": kind,
            "notificationType": notification_type,
            "title": read_str(read_required(data, "title", where), f"{where}.title"),
            "body": read_str(read_required(data, "body", where), f"{where}.body"),
        }
    allowed = {"type", "name", "percent", "amount", "scope", "skus", "categories"}
    no_unknown(
        data, where, allowed if kind == "discountPerItem" else allowed - {"skus", "categories"}
    )
    if ("percent" in data) == ("amount" in data):
        raise ValueError(f"{where}: give exactly one of percent or amount")
    effect: dict[str, Any] = {
        "type": kind,
        "name": read_str(read_required(data, "name", where), f"{where}.name"),
    }
    if "percent" in data:
        percent = read_money(data["percent"], f"{where}.percent")
        if percent > 100:
            raise ValueError(f"{where}.percent: at most 100")
        effect["percent"] = percent
    else:
        effect["amount"] = read_money(data["amount"], f"{where}.amount")
    if kind == "discount":
        scope = data.get("scope", "sessionTotal")
        if scope not in DISCOUNT_SCOPES:
            raise ValueError(f"{where}.scope: must be sessionTotal or cartItems")
        effect["scope"] = scope
    else:
        if "scope" in data:
            raise ValueError(f"{where}.scope: not allowed on discountPerItem")
        effect["skus"] = read_str_list(data.get("skus", []), f"{where}.skus")
        effect["categories"] = read_str_list(data.get("categories", []), f"{where}.categories")
    return effect


def default_config() -> dict[str, Any]:
    """A fresh, validated copy of :data:`DEFAULT_CONFIG`."""
    return validate_config(copy.deepcopy(DEFAULT_CONFIG))
