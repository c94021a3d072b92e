"""What a refund may return: only what Talon.One will accept, and never a unit twice.

Talon.One returns units of a line only when the Application flattens cart items
(``CART_ITEM_FLATTENING``, a named Application's own). Without flattening, ReturnCartItems
ignores the quantity and returns the whole line, and a second return of that line is refused with a
400 that would park the outbox row dead. So a refund is checked here before anything is
written: partial quantities need flattening, and the units returned so far (pending and
done returns of the session) plus this refund never exceed what was ordered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models

from django_talonone.adapters import InvalidPayload, OrderAdapter
from django_talonone.conf import get_settings
from django_talonone.conf_values import setting_name
from django_talonone.models import CustomerSession, ReturnState, SessionReturn

from .sessions import order_session

FLATTENING = "CART_ITEM_FLATTENING"

#: Returns that hold units: sent or still to be sent. Failed ones were refused by Talon.One.
_COUNTED_STATES = (ReturnState.PENDING, ReturnState.DONE)


@dataclass(frozen=True)
class ReturnLine:
    """One entry of a refund, resolved to its session position."""

    index: int  # in the shop's ``lines`` argument, for error messages
    line: Any
    position: int
    ordered: int
    quantity: int

    def item(self) -> dict[str, int]:
        return {"position": self.position, "quantity": self.quantity}


def _flattening_setting(order: models.Model) -> str:
    """The flattening setting of the Application the order was placed in (its own one for
    a named Application): the one the refusal tells staff to change."""
    placed = order_session(order)
    application = get_settings().applications.get(placed.application if placed else "")
    return setting_name(application.key(FLATTENING) if application else FLATTENING)


def _partial_refused(entry: ReturnLine, order: models.Model) -> InvalidPayload:
    return InvalidPayload(
        f"lines[{entry.index}].quantity",
        f"{entry.line!r}: {entry.quantity} of its {entry.ordered} units cannot be returned: "
        f"the Application does not flatten cart items, so Talon.One can only return whole "
        f"lines; return all {entry.ordered} units or enable flattening (in Talon.One, then "
        f"{_flattening_setting(order)} = True)",
    )


def resolve_lines(
    order: models.Model, lines: Iterable[Any], adapter: OrderAdapter, *, flattening: bool
) -> list[ReturnLine]:
    """The refund's entries with their positions, checked against the order alone.

    ``lines`` holds order lines (returned whole) or ``(line, quantity)`` pairs.
    """
    items = list(adapter.get_items(order))
    positions = {item.key: index for index, item in enumerate(items)}
    resolved: list[ReturnLine] = []
    for index, entry in enumerate(lines):
        line, quantity = entry if isinstance(entry, tuple) else (entry, None)
        position = positions.get(adapter.get_line_key(line))
        if position is None:
            raise InvalidPayload(f"lines[{index}]", f"{line!r} is not a line of order {order.pk}")
        ordered = items[position].quantity
        quantity = ordered if quantity is None else quantity
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 1 <= quantity <= ordered
        ):
            raise InvalidPayload(
                f"lines[{index}].quantity",
                f"must be an integer from 1 to {ordered}, got {quantity!r}",
            )
        resolved.append(ReturnLine(index, line, position, ordered, quantity))
        if not flattening and quantity < ordered:
            raise _partial_refused(resolved[-1], order)
    if not resolved:
        raise InvalidPayload("lines", "no line to return")
    return resolved


def _already_returned(session: CustomerSession, *, flattening: bool) -> dict[int, int]:
    """Units per position held by the session's pending and done returns.

    Without flattening Talon.One returned the whole line whatever quantity was sent, so
    any earlier return of a position counts as all of it (``-1`` stands for "whole line").
    """
    returned: dict[int, int] = {}
    rows = SessionReturn.objects.filter(session=session, state__in=_COUNTED_STATES)
    for items in rows.values_list("items", flat=True):
        for item in items or []:
            if not isinstance(item, Mapping):
                continue
            position = int(item.get("position") or 0)
            quantity = item.get("quantity")
            if not flattening or not isinstance(quantity, int) or quantity < 1:
                returned[position] = -1
            elif returned.get(position, 0) != -1:
                returned[position] = returned.get(position, 0) + quantity
    return returned


def guard_cumulative(
    session: CustomerSession, entries: Sequence[ReturnLine], *, flattening: bool
) -> None:
    """Refuse a refund that would return a line beyond what was ordered.

    Call it with ``session`` locked (``select_for_update``) inside the transaction that
    writes the return, so two concurrent refunds cannot both pass.
    """
    before = _already_returned(session, flattening=flattening)
    asked: dict[int, int] = {}
    for entry in entries:
        earlier = before.get(entry.position, 0)
        already = entry.ordered if earlier == -1 else earlier
        in_this_refund = asked.get(entry.position, 0)
        if not flattening and (already or in_this_refund):
            where = "earlier in this refund" if in_this_refund else "by an earlier refund"
            raise InvalidPayload(
                f"lines[{entry.index}]",
                f"{entry.line!r} was already returned {where} ({entry.ordered} ordered, "
                f"{entry.ordered} returned): without cart-item flattening Talon.One returns "
                f"a line once, whole",
            )
        if already + in_this_refund + entry.quantity > entry.ordered:
            raise InvalidPayload(
                f"lines[{entry.index}].quantity",
                f"{entry.line!r}: {entry.ordered} ordered, {already} already returned"
                f"{f' and {in_this_refund} earlier in this refund' if in_this_refund else ''}"
                f", so at most {entry.ordered - already - in_this_refund} more can go back; "
                f"got {entry.quantity}",
            )
        asked[entry.position] = in_this_refund + entry.quantity
