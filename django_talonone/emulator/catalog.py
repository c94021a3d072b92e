"""A cart item catalogue, and the strikethrough prices its items get from the campaigns.

Talon.One evaluates the items of a synced catalogue against the Application's running
campaigns and pushes what changed as ``StrikethroughPrice`` notifications, in batches.
The emulator does the same with its own rules engine: each item is evaluated as a
one-unit cart with no profile and no code, so only automatic campaigns' per-item
discounts apply, and those become the item's strikethrough effects. Items are synced
with ``PUT /_emulator/catalog``; a change of campaigns (``PUT /_emulator/config``)
re-evaluates the whole catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .engine import evaluate
from .money import to_decimal
from .state import EmulatorState

#: Items per notification, Talon.One's default batch size.
BATCH_SIZE = 1000


def parse_items(data: Any) -> list[dict[str, Any]]:
    """Catalogue items from JSON ``{"items": [{"sku", "price", "category"?}]}``."""
    items = data.get("items") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        raise ValueError("items: must be an array")
    parsed = []
    for index, item in enumerate(items):
        where = f"items[{index}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("sku"), str):
            raise ValueError(f"{where}.sku: required, a string")
        price = item.get("price")
        if isinstance(price, bool) or not isinstance(price, (int, Decimal)) or price < 0:
            raise ValueError(f"{where}.price: must be a number of at least 0")
        category = item.get("category")
        if category is not None and not isinstance(category, str):
            raise ValueError(f"{where}.category: must be a string")
        parsed.append({"sku": item["sku"], "price": to_decimal(price), "category": category})
    return parsed


def _effects(state: EmulatorState, item: Mapping[str, Any]) -> list[dict[str, Any]]:
    line = {"sku": item["sku"], "price": item["price"], "quantity": 1}
    if item.get("category"):
        line["category"] = item["category"]
    evaluation = evaluate(state, {"cartItems": [line]})
    effects = []
    for effect in evaluation.effects:
        if effect["effectType"] != "setDiscountPerItem":
            continue
        campaign = state.campaign(effect["campaignId"]) or {}
        strike: dict[str, Any] = {
            "campaignId": effect["campaignId"],
            "rulesetId": effect["rulesetId"],
            "ruleIndex": effect["ruleIndex"],
            "ruleName": effect["ruleName"],
            "type": "setDiscountPerItem",
            "props": {"name": effect["props"]["name"], "value": effect["props"]["value"]},
        }
        for source, target in (("startTime", "startTime"), ("endTime", "endTime")):
            if campaign.get(source):
                strike[target] = campaign[source]
        effects.append(strike)
    return effects


def strikethrough_notifications(
    state: EmulatorState,
    items: Sequence[Mapping[str, Any]],
    *,
    trigger: str,
    batch_size: int = BATCH_SIZE,
) -> list[dict[str, Any]]:
    """The ``StrikethroughPrice`` bodies for ``items``, in batches of ``batch_size``."""
    now = state.now_text()
    changed = [
        {
            "id": position + 1,
            "catalogId": 1,
            "sku": item["sku"],
            "version": 1,
            "price": item["price"],
            "evaluatedAt": now,
            "effects": _effects(state, item),
        }
        for position, item in enumerate(items)
    ]
    batches = [changed[start : start + batch_size] for start in range(0, len(changed), batch_size)]
    return [
        {
            "NotificationType": "StrikethroughPrice",
            "applicationId": state.application["id"],
            "currentBatch": number,
            "totalBatches": len(batches),
            "trigger": {"type": trigger, "triggeredAt": now},
            "changedItems": batch,
            "sentAt": now,
        }
        for number, batch in enumerate(batches, start=1)
    ]
