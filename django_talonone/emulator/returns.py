"""ReturnCartItems: give back lines (or units, with flattening) of a closed session.

Rollback rule (Talon.One does not publish one, so the emulator's is fixed here):
- a per-item discount is rolled back in full when its line (or, with flattening, its
  unit) goes back; returned units are taken from the lowest ``subPosition`` not yet
  returned;
- a cart-level discount is spread over the cart in proportion to the pre-discount
  value of the items: returning items worth ``R`` of a cart worth ``S`` rolls back
  ``discount * R / S`` rounded half-up to cents, and the return that empties the cart
  rolls back whatever is left, so the rollbacks always add up to the discount.
Loyalty points follow the same rule: points earned per item are rolled back with their
line (or unit), points earned on the cart (fixed or per cart total) in proportion
(``rollbackAddedLoyaltyPoints``). Coupon and referral redemptions, spent points,
giveaways and achievement progress stay in place (a return is not a cancel).

An ``Idempotency-Key`` header makes the call safe to retry (see :mod:`.idempotency`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from . import notices
from .errors import field_error, unknown_session
from .ledger import REDUCIBLE_EFFECTS, rollback_discount, uncount_sales
from .money import ZERO, cents, line_total, to_decimal
from .responses import integration_state
from .routing import Request, Response
from .settlement import RETURN_REASON, take_back_points
from .state import EmulatorState


def _position(
    items: list[Mapping[str, Any]],
    entry: Mapping[str, Any],
    wanted: Mapping[int, int],
    pointer: str,
) -> int:
    """The cart item an entry returns: its ``position``, or (2026) the first line with its
    ``sku`` that still has units to give back. A ``sku`` next to a ``position`` must match."""
    sku = entry.get("sku")
    if entry.get("position") is not None:
        position = int(entry["position"])
        if sku is not None and 0 <= position < len(items) and items[position].get("sku") != sku:
            raise field_error(
                400,
                f"position {position} holds sku {items[position].get('sku')!r}, not {sku!r}",
                pointer=f"{pointer}/sku",
            )
        return position
    if sku is None:
        raise field_error(400, "give the position or the sku of the item", pointer=pointer)
    for position, item in enumerate(items):
        left = (
            int(item["quantity"]) - int(item.get("returnedQuantity", 0)) - wanted.get(position, 0)
        )
        if item.get("sku") == sku and left > 0:
            return position
    raise field_error(
        400, f"no cart item with sku {sku!r} has units to return", pointer=f"{pointer}/sku"
    )


def _units_to_return(
    session: Mapping[str, Any], entries: list[Mapping[str, Any]], flatten: bool
) -> dict[int, int]:
    """Position -> units going back, validated against what is left of each line."""
    items = session["cartItems"]
    wanted: dict[int, int] = {}
    for index, entry in enumerate(entries):
        pointer = f"/return/returnedCartItems/{index}"
        position = _position(items, entry, wanted, pointer)
        if not 0 <= position < len(items):
            raise field_error(
                400,
                f"position {position} is out of range: the session has {len(items)} cart items",
                pointer=f"{pointer}/position",
            )
        item = items[position]
        remaining = int(item["quantity"]) - int(item.get("returnedQuantity", 0))
        units = int(entry.get("quantity") or remaining) if flatten else remaining
        already = wanted.get(position, 0)
        if remaining == 0 or units < 1 or already + units > remaining:
            raise field_error(
                400,
                f"cannot return {units} unit(s) of position {position}: "
                f"{remaining - already} remain",
                pointer=f"{pointer}/quantity" if flatten else f"{pointer}/position",
            )
        wanted[position] = already + units
    return wanted


def _rollbacks(
    state: EmulatorState, session: dict[str, Any], wanted: Mapping[int, int], flatten: bool
) -> list[dict[str, Any]]:
    """Rollback effects for the returned units; updates ``session["rolledBack"]``."""
    items = session["cartItems"]
    cart_value = sum((line_total(item) for item in items), ZERO)
    returned_value = sum(
        (to_decimal(items[p].get("price")) * units for p, units in wanted.items()), ZERO
    )
    empties_cart = all(
        int(item["quantity"]) - int(item.get("returnedQuantity", 0)) == wanted.get(p, 0)
        for p, item in enumerate(items)
    )
    rollbacks = []
    for index, effect in enumerate(session["effects"]):
        if effect["effectType"] not in REDUCIBLE_EFFECTS:
            continue
        value = to_decimal(effect["props"]["value"])
        already = to_decimal(session["rolledBack"].get(str(index)))
        left = value - already
        if left <= 0:
            continue
        where = _item_of(effect)
        amount = _share(where, items, wanted, flatten, left, value, returned_value, cart_value)
        if empties_cart and where is None:
            amount = left
        if amount <= 0:
            continue
        if effect["effectType"] == "addLoyaltyPoints":
            rollbacks.append(take_back_points(state, session, index, amount, RETURN_REASON))
            continue
        session["rolledBack"][str(index)] = already + amount
        rollbacks.append(rollback_discount(effect, amount))
    return rollbacks


def _item_of(effect: Mapping[str, Any]) -> tuple[int, int | None] | None:
    """``(position, subPosition)`` of the item an effect belongs to; ``None`` for the cart."""
    props = effect["props"]
    if effect["effectType"] == "setDiscountPerItem":
        return int(props["position"]), props.get("subPosition")
    if effect["effectType"] == "addLoyaltyPoints" and "cartItemPosition" in props:
        return int(props["cartItemPosition"]), props.get("cartItemSubPosition")
    return None


def _share(
    where: tuple[int, int | None] | None,
    items: list[dict[str, Any]],
    wanted: Mapping[int, int],
    flatten: bool,
    left: Decimal,
    value: Decimal,
    returned_value: Decimal,
    cart_value: Decimal,
) -> Decimal:
    if where is None:
        if cart_value <= 0:
            return ZERO
        return min(left, cents(value * returned_value / cart_value))
    position, sub_position = where
    if position not in wanted:
        return ZERO
    if not flatten or sub_position is None:
        return left
    first = int(items[position].get("returnedQuantity", 0))
    return left if first <= int(sub_position) < first + wanted[position] else ZERO


def return_cart_items(state: EmulatorState, request: Request) -> Response:
    """Return items of a closed or partially returned session."""
    dry = request.query.get("dry") == "true"
    work = state.scratch_copy() if dry else state
    session_id = request.path_params["customerSessionId"]
    session: dict[str, Any] | None = work.data["sessions"].get(session_id)
    if session is None:
        raise unknown_session(session_id)
    if session["state"] not in ("closed", "partially_returned"):
        raise field_error(
            400,
            f"only a closed or partially returned session accepts returns; "
            f"session {session_id!r} is {session['state']}",
            parameter="customerSessionId",
        )
    flatten = bool(work.application["flattenCartItems"])
    entries = request.body["return"]["returnedCartItems"]
    wanted = _units_to_return(session, entries, flatten)
    tiers = notices.tiers(work, session["profileId"])
    effects = _rollbacks(work, session, wanted, flatten)
    notices.tier_changes(work, session["profileId"], tiers)
    returned_value = ZERO
    for position, units in wanted.items():
        item = session["cartItems"][position]
        item["returnedQuantity"] = int(item.get("returnedQuantity", 0)) + units
        returned_value += to_decimal(item.get("price")) * units
    uncount_sales(work, session, returned_value)
    session["state"] = "partially_returned"
    session["updated"] = work.now_text()
    session["updateCount"] += 1
    record = _return_record(work, session, wanted)
    work.data["returns"].setdefault(session_id, []).append(record)
    reply = integration_state(
        work,
        session,
        effects,
        request.body.get("responseContent") or [],
        event_type="talon_session_partially_returned",
    )
    reply["return"] = record
    return Response(200, reply)


def _return_record(
    state: EmulatorState, session: Mapping[str, Any], wanted: Mapping[int, int]
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": state.next_id("return"),
        "created": state.now_text(),
        "applicationId": state.application["id"],
        "accountId": state.application["accountId"],
        "returnedCartItems": [{"position": p, "quantity": q} for p, q in wanted.items()],
        "eventId": state.next_id("event"),
        "sessionId": session["id"],
        "sessionIntegrationId": session["integrationId"],
    }
    profile = state.data["profiles"].get(session["profileId"] or "")
    if profile is not None:
        record["profileId"] = profile["id"]
        record["profileIntegrationId"] = profile["integrationId"]
    return record
