"""The campaigns file: what promotions the emulator runs, validated with clear errors.

A campaigns file is a JSON object ``{"application": {...}, "campaigns": [...]}`` (see
``docs/emulator-campaigns.md``). :func:`validate_config` returns a normalised copy in
which every optional field has its default and every amount is a ``Decimal``, so the
engine never has to guess; any mistake raises ``ValueError`` naming the field, such as
``campaigns[1].coupons[0].code: required``.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import simplejson

from .clock import parse_timestamp

CAMPAIGN_KINDS = ("automatic", "coupon", "referral")
NOTIFICATION_TYPES = ("Info", "Offer", "Error", "Misc")
DISCOUNT_SCOPES = ("sessionTotal", "cartItems")
EFFECT_TYPES = ("discount", "discountPerItem", "addFreeItem", "showNotification")

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
    root = _mapping(config, "config")
    _no_unknown(root, "", {"application", "campaigns"})
    app = _mapping(root.get("application", {}), "application")
    _no_unknown(app, "application", {"id", "accountId", "flattenCartItems", "currency"})
    application = {
        "id": _int(app.get("id", 1), "application.id", minimum=1),
        "accountId": _int(app.get("accountId", 1), "application.accountId", minimum=1),
        "flattenCartItems": _bool(
            app.get("flattenCartItems", False), "application.flattenCartItems"
        ),
        "currency": _str(app.get("currency", "USD"), "application.currency"),
    }
    raw_campaigns = root.get("campaigns", [])
    if not isinstance(raw_campaigns, list):
        raise ValueError("campaigns: must be a list")
    campaigns = [_campaign(raw, f"campaigns[{i}]") for i, raw in enumerate(raw_campaigns)]
    _unique([c["id"] for c in campaigns], "campaigns", "id")
    codes = [coupon["code"] for c in campaigns for coupon in c["coupons"]]
    _unique(codes, "campaigns[].coupons", "code")
    return {"application": application, "campaigns": campaigns}


def _campaign(raw: Any, where: str) -> dict[str, Any]:
    data = _mapping(raw, where)
    allowed = {"id", "name", "state", "kind", "startTime", "endTime", "coupons", "limits", "rules"}
    _no_unknown(data, where, allowed)
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
    limits = _mapping(data.get("limits", {}), f"{where}.limits")
    _no_unknown(limits, f"{where}.limits", {"redemptions", "perProfileRedemptions"})
    rules_raw = data.get("rules", [])
    if not isinstance(rules_raw, list):
        raise ValueError(f"{where}.rules: must be a list")
    return {
        "id": _int(_required(data, "id", where), f"{where}.id", minimum=1),
        "name": _str(_required(data, "name", where), f"{where}.name"),
        "state": state,
        "kind": kind,
        "startTime": _timestamp(data.get("startTime"), f"{where}.startTime"),
        "endTime": _timestamp(data.get("endTime"), f"{where}.endTime"),
        "coupons": [_coupon(c, f"{where}.coupons[{i}]") for i, c in enumerate(coupons_raw)],
        "limits": {
            "redemptions": _int(limits.get("redemptions", 0), f"{where}.limits.redemptions"),
            "perProfileRedemptions": _int(
                limits.get("perProfileRedemptions", 0), f"{where}.limits.perProfileRedemptions"
            ),
        },
        "rules": [_rule(r, f"{where}.rules[{i}]") for i, r in enumerate(rules_raw)],
    }


def _coupon(raw: Any, where: str) -> dict[str, Any]:
    data = _mapping(raw, where)
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
    _no_unknown(data, where, allowed)
    code = _str(_required(data, "code", where), f"{where}.code")
    if not 4 <= len(code) <= 100:
        raise ValueError(f"{where}.code: 4 to 100 characters (as Talon.One's codes)")
    recipient = data.get("recipientIntegrationId")
    return {
        "code": code,
        "usageLimit": _int(data.get("usageLimit", 0), f"{where}.usageLimit"),
        "perProfileLimit": _int(data.get("perProfileLimit", 0), f"{where}.perProfileLimit"),
        "startDate": _timestamp(data.get("startDate"), f"{where}.startDate"),
        "expiryDate": _timestamp(data.get("expiryDate"), f"{where}.expiryDate"),
        "recipientIntegrationId": (
            None if recipient is None else _str(recipient, f"{where}.recipientIntegrationId")
        ),
        "reservationRequired": _bool(
            data.get("reservationRequired", False), f"{where}.reservationRequired"
        ),
        "attributes": dict(_mapping(data.get("attributes", {}), f"{where}.attributes")),
    }


def _rule(raw: Any, where: str) -> dict[str, Any]:
    data = _mapping(raw, where)
    _no_unknown(data, where, {"name", "condition", "effects"})
    cond = _mapping(data.get("condition", {}), f"{where}.condition")
    _no_unknown(cond, f"{where}.condition", {"minSubtotal", "skus", "categories"})
    condition: dict[str, Any] = {}
    if "minSubtotal" in cond:
        condition["minSubtotal"] = _money(cond["minSubtotal"], f"{where}.condition.minSubtotal")
    for key in ("skus", "categories"):
        if key in cond:
            condition[key] = _str_list(cond[key], f"{where}.condition.{key}")
    effects_raw = _required(data, "effects", where)
    if not isinstance(effects_raw, list) or not effects_raw:
        raise ValueError(f"{where}.effects: must be a non-empty list")
    return {
        "name": _str(_required(data, "name", where), f"{where}.name"),
        "condition": condition,
        "effects": [_effect(e, f"{where}.effects[{i}]") for i, e in enumerate(effects_raw)],
    }


def _effect(raw: Any, where: str) -> dict[str, Any]:
    data = _mapping(raw, where)
    kind = _required(data, "type", where)
    if kind not in EFFECT_TYPES:
        raise ValueError(f"{where}.type: must be one of {', '.join(EFFECT_TYPES)}")
    if kind == "addFreeItem":
        _no_unknown(data, where, {"type", "sku", "name"})
        return {
            "type": kind,
            "sku": _str(_required(data, "sku", where), f"{where}.sku"),
            "name": _str(_required(data, "name", where), f"{where}.name"),
        }
    if kind == "showNotification":
        _no_unknown(data, where, {"type", "notificationType", "title", "body"})
        notification_type = data.get("notificationType", "Info")
        if notification_type not in NOTIFICATION_TYPES:
            raise ValueError(f"{where}.notificationType: must be one of Info, Offer, Error, Misc")
        return {
            "type": kind,
            "notificationType": notification_type,
            "title": _str(_required(data, "title", where), f"{where}.title"),
            "body": _str(_required(data, "body", where), f"{where}.body"),
        }
    allowed = {"type", "name", "percent", "amount", "scope", "skus", "categories"}
    _no_unknown(
        data, where, allowed if kind == "discountPerItem" else allowed - {"skus", "categories"}
    )
    if ("percent" in data) == ("amount" in data):
        raise ValueError(f"{where}: give exactly one of percent or amount")
    effect: dict[str, Any] = {
        "type": kind,
        "name": _str(_required(data, "name", where), f"{where}.name"),
    }
    if "percent" in data:
        percent = _money(data["percent"], f"{where}.percent")
        if percent > 100:
            raise ValueError(f"{where}.percent: at most 100")
        effect["percent"] = percent
    else:
        effect["amount"] = _money(data["amount"], f"{where}.amount")
    if kind == "discount":
        scope = data.get("scope", "sessionTotal")
        if scope not in DISCOUNT_SCOPES:
            raise ValueError(f"{where}.scope: must be sessionTotal or cartItems")
        effect["scope"] = scope
    else:
        if "scope" in data:
            raise ValueError(f"{where}.scope: not allowed on discountPerItem")
        effect["skus"] = _str_list(data.get("skus", []), f"{where}.skus")
        effect["categories"] = _str_list(data.get("categories", []), f"{where}.categories")
    return effect


# -- small typed readers -------------------------------------------------------------------


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: must be an object")
    return value


def _required(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data or data[key] is None:
        raise ValueError(f"{where}.{key}: required")
    return data[key]


def _no_unknown(data: Mapping[str, Any], where: str, allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            prefix = f"{where}." if where else ""
            raise ValueError(f"{prefix}{key}: unknown field")


def _int(value: Any, where: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{where}: must be an integer >= {minimum}")
    return int(value)


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{where}: must be true or false")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: must be a non-empty string")
    return value


def _str_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise ValueError(f"{where}: must be a list of strings")
    return [_str(item, f"{where}[{i}]") for i, item in enumerate(value)]


def _money(value: Any, where: str) -> Decimal:
    """Read a non-negative amount; floats go through ``str`` so 0.1 stays 0.1."""
    if isinstance(value, bool):
        raise ValueError(f"{where}: must be a number")
    try:
        amount = Decimal(str(value)) if isinstance(value, (int, float, str)) else value
    except InvalidOperation:
        raise ValueError(f"{where}: must be a number") from None
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        raise ValueError(f"{where}: must be a non-negative number")
    return amount


def _timestamp(value: Any, where: str) -> str | None:
    if value is None:
        return None
    try:
        parse_timestamp(value)
    except (ValueError, TypeError):
        raise ValueError(f"{where}: must be an RFC 3339 timestamp") from None
    return str(value)


def _unique(values: list[Any], where: str, key: str) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{where}: duplicate {key} {value!r}")
        seen.add(value)


def default_config() -> dict[str, Any]:
    """A fresh, validated copy of :data:`DEFAULT_CONFIG`."""
    return validate_config(copy.deepcopy(DEFAULT_CONFIG))
