"""Talon.One's verdict on an oscar basket, asked once per basket content, applied as an
oscar offer.

Oscar applies its offers on every request that loads the basket. Asking Talon.One each
time would cost a call per page view, so the evaluation is cached under the basket's
content: the exact session body (lines, prices, codes, profile) it was made for. A page
view of an unchanged basket finds it and makes no call; a change makes the next
application ask once (that call is also the session update, so a change costs one call).
Only live baskets ask: a basket that is not ``Open`` (merged, saved, frozen, submitted)
reuses what its session last recorded and never starts a session, and an unsaved basket
(an anonymous visitor's before the first add) is never evaluated at all.
"""

from __future__ import annotations

import hashlib
import logging
from decimal import Decimal
from typing import Any

import simplejson
from django.core.cache import caches

from django_talonone.cart import Evaluation, InvalidPayload
from django_talonone.conf import get_settings
from django_talonone.registry import cart_adapter_for
from django_talonone.services import evaluate_cart
from django_talonone.services.sessions import cart_session

from .adapters import line_total, offers_incl_tax, priced_lines, unit_price

logger = logging.getLogger("django_talonone.contrib.oscar")

#: Set on a basket object for the length of a request: (content key, evaluation).
_MEMO = "_talonone_evaluation"


def _cache_key(basket: Any) -> str:
    return f"django_talonone:oscar:basket:{basket.pk}"


def content_key(body: dict[str, Any]) -> str:
    text = simplejson.dumps(body["customerSession"], sort_keys=True, use_decimal=True)
    return hashlib.sha256(text.encode()).hexdigest()


def basket_evaluation(basket: Any) -> Evaluation | None:
    """Talon.One's evaluation of the basket as it is now, or ``None`` (nothing to ask)."""
    if basket.pk is None:
        return None
    try:
        body = cart_adapter_for(basket).build_session(basket, state="open")
    except InvalidPayload as error:
        logger.error("Basket #%s not sent to Talon.One: %s", basket.pk, error)
        return None
    key = content_key(body)
    memo = basket.__dict__.get(_MEMO)
    if memo is not None and memo[0] == key:
        return memo[1]  # type: ignore[no-any-return]
    evaluation = _cached_or_asked(basket, body, key)
    basket.__dict__[_MEMO] = (key, evaluation)
    return evaluation


def _cached_or_asked(basket: Any, body: dict[str, Any], key: str) -> Evaluation | None:
    cache = caches[get_settings().cache_alias]
    stored = cache.get(_cache_key(basket))
    if isinstance(stored, dict) and stored.get("key") == key:
        return Evaluation.from_dict(stored["evaluation"])
    if basket.status != basket.OPEN:
        session = cart_session(basket)
        if session is None or not session.last_evaluation:
            return None
        return Evaluation.from_dict(session.last_evaluation)
    content = body["customerSession"]
    if not content["cartItems"] and not content.get("couponCodes") and cart_session(basket) is None:
        return None  # an empty basket never starts a session
    # Baskets queue no snapshots (registered with watch=False): this call is the one
    # writer of the basket's Talon.One session, so it stores what it evaluates.
    evaluation = evaluate_cart(basket, store=True)
    if evaluation.available:
        ttl = get_settings().oscar.evaluation_cache_ttl
        cache.set(_cache_key(basket), {"key": key, "evaluation": evaluation.to_dict()}, ttl)
    return evaluation


def has_discount(basket: Any) -> bool:
    evaluation = basket_evaluation(basket)
    if evaluation is None or not evaluation.available:
        return False
    return evaluation.discount_total > 0 or bool(_free_items_in(basket, evaluation))


def _free_items_in(basket: Any, evaluation: Evaluation) -> list[Any]:
    """The ``addFreeItem`` effects whose SKU is a line of the basket: oscar's offers cannot
    add a line, but they can take one unit of an existing line off."""
    skus = {line.stockrecord.partner_sku for line in priced_lines(basket)}
    return [item for item in evaluation.free_items if item.sku in skus]


def describe(basket: Any) -> str:
    """The Talon.One promotions behind the discount, and the coupons accepted, in words."""
    evaluation = basket_evaluation(basket)
    if evaluation is None:
        return ""
    names = list(dict.fromkeys(d.name for d in evaluation.discounts if d.name))
    names += [i.name for i in _free_items_in(basket, evaluation) if i.name not in names]
    text = "; ".join(names)
    if evaluation.accepted_coupons:
        text += f" (coupon {', '.join(evaluation.accepted_coupons)})"
    return text.strip()


def apply_discounts(basket: Any, offer: Any) -> Decimal:
    """Discount the basket's lines as Talon.One decided; returns the total applied.

    Per-item discounts go to the line at their position; cart-wide ones are spread over
    the lines in proportion to what is left of each (the last line takes the rounding).
    Then each ``addFreeItem`` whose SKU is a line takes one unit of the first such line
    off (at most what is left of it): the nearest oscar comes to adding a free item.
    """
    evaluation = basket_evaluation(basket)
    if evaluation is None or not evaluation.available:
        return Decimal(0)
    lines = priced_lines(basket)
    incl_tax = offers_incl_tax()
    left = [line_total(line) for line in lines]
    given = [Decimal(0) for _ in lines]
    unit = get_settings().currency_unit
    for discount in evaluation.discounts:
        if discount.additional_cost is not None:
            continue  # shipping and other costs are not oscar basket lines
        if discount.position is not None:
            if discount.position < len(lines):
                amount = min(discount.amount, left[discount.position])
                given[discount.position] += amount
                left[discount.position] -= amount
            continue
        _spread(discount.amount, left, given, unit)
    for item in evaluation.free_items:
        index = next((i for i, line in enumerate(lines) if _sku(line) == item.sku), None)
        if index is not None:
            amount = min(unit_price(lines[index]), left[index])
            given[index] += amount
            left[index] -= amount
    total = Decimal(0)
    for line, amount in zip(lines, given, strict=True):
        if amount > 0:
            line.discount(amount, line.quantity, incl_tax=incl_tax, offer=offer)
            total += amount
    return total


def _sku(line: Any) -> str:
    return str(line.stockrecord.partner_sku)


def _spread(amount: Decimal, left: list[Decimal], given: list[Decimal], unit: Decimal) -> None:
    pool = sum(left, Decimal(0))
    amount = min(amount, pool)
    if amount <= 0:
        return
    remaining = amount
    open_lines = [i for i, value in enumerate(left) if value > 0]
    for index in open_lines[:-1]:
        share = min((amount * left[index] / pool).quantize(unit), remaining, left[index])
        given[index] += share
        left[index] -= share
        remaining -= share
    last = open_lines[-1]
    share = min(remaining, left[last])
    given[last] += share
    left[last] -= share
