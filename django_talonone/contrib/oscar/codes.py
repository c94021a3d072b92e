"""The basket's Talon.One codes as oscar draws vouchers: a line each, with its Remove form.

Oscar's ``basket/partials/basket_totals.html`` draws a "Remove" form, posting to
``basket:vouchers-remove`` with the voucher's ``id``, for every voucher discount of the
basket's offer applications (``basket.grouped_voucher_discounts``: applications whose
offer carries a voucher and whose discount is above zero), and for nothing else. The
Talon.One site offer carries no voucher, so its codes would get no control.

So, once a view has answered and before its page is drawn (the voucher middleware's
``process_template_response``), :func:`present_codes` splits the Talon.One application of
the basket being shown: each accepted code (coupon or referral) whose promotion discounts
the basket becomes a voucher application of its own (a :class:`CodeVoucher`: the code,
the promotion's name and the id of its ``BasketCoupon`` row), and what no code gave
(automatic promotions) stays with the site offer. It is presentation only: views, and
oscar's ``OrderCreator`` at checkout, see the applications oscar made (one "Talon.One
promotions" discount).

The Remove form posts the ``BasketCoupon`` id; the middleware tells it from an oscar
voucher's id by looking at the basket's oscar vouchers first. Two ids cannot be told
apart if they are equal, so a code whose row id equals the id of an oscar voucher on the
same basket gets a new row (a new id) before it is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, empty
from oscar.core.loading import get_model

from . import offers
from .adapters import BENEFIT_CLASS

#: Set on an ``OfferApplications`` object once split (oscar makes a new one per apply).
_SPLIT = "_talonone_split"


@dataclass(frozen=True)
class CodeVoucher:
    """What oscar's template reads of a voucher: ``id`` (the remove URL), ``code``,
    ``name`` and ``voucher_set``. Not an oscar ``Voucher``: never saved, never on orders."""

    id: int
    code: str
    name: str
    voucher_set: None = None

    def __str__(self) -> str:
        return self.code


def loaded(basket: Any) -> Any:
    """The basket if it is loaded already, else ``None``.

    Oscar's ``BasketMiddleware`` sets ``request.basket`` lazily; loading it here would
    load (for a signed-in user, create) a basket on pages that never show one.
    """
    if isinstance(basket, SimpleLazyObject):
        wrapped = basket.__dict__.get("_wrapped", empty)
        return None if wrapped is empty else wrapped
    return basket


def talonone_codes(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the same split for pages a view renders itself.

    Oscar's basket page re-renders its content with ``render_to_string`` after an AJAX
    quantity change (no template response for the middleware to see); with this
    processor in ``TEMPLATES``, the refreshed content keeps its Remove forms.
    """
    basket = loaded(getattr(request, "basket", None))
    if basket is not None:
        present_codes(basket)
    return {}


def present_codes(basket: Any) -> None:
    """Give each discounting Talon.One code of ``basket`` its own voucher line (once)."""
    applications = getattr(basket, "offer_applications", None)
    if applications is None or getattr(applications, _SPLIT, False) or basket.pk is None:
        return
    setattr(applications, _SPLIT, True)
    found = next(
        (
            (key, app)
            for key, app in applications.applications.items()
            if app["offer"].benefit.proxy_class == BENEFIT_CLASS and app["discount"] > 0
        ),
        None,
    )
    evaluation = offers.basket_evaluation(basket) if found else None
    if found is None or evaluation is None:
        return
    campaigns = {v.code: v.campaign_id for v in evaluation.coupons if v.accepted}
    if evaluation.referral is not None and evaluation.referral.accepted:
        campaigns[evaluation.referral.code] = evaluation.referral.campaign_id
    if not campaigns:
        return
    key, ours = found
    given, names = _by_campaign(evaluation)
    left: Decimal = ours["discount"]
    lines: dict[Any, dict[str, Any]] = {}
    for row in distinct_ids(basket):
        if row.code not in campaigns:
            continue
        campaign = campaigns[row.code]
        share = min(given.pop(campaign, Decimal(0)), left)
        if share <= 0:
            continue
        left -= share
        voucher = CodeVoucher(row.pk, row.code, names.get(campaign) or row.code)
        lines[f"talonone:{row.code}"] = {
            **ours,
            "name": voucher.name,
            "description": "",
            "voucher": voucher,
            "freq": 1,
            "discount": share,
        }
    if not lines:
        return
    rest = "; ".join(dict.fromkeys(names[c] for c in given if names.get(c)))
    unshown = [c for c in evaluation.accepted_coupons if f"talonone:{c}" not in lines]
    if unshown:
        rest += f" (coupon {', '.join(unshown)})"
    ours = {**ours, "discount": left, "description": rest.strip()}
    rebuilt: dict[Any, dict[str, Any]] = {}
    for other_key, app in applications.applications.items():
        if other_key == key:  # the code lines right after the offer's own line
            rebuilt.update({key: ours, **lines})
        else:
            rebuilt[other_key] = app
    applications.applications = rebuilt


def _by_campaign(evaluation: Any) -> tuple[dict[int | None, Decimal], dict[int | None, str]]:
    """Talon.One's basket discounts summed per campaign, and each campaign's first name."""
    given: dict[int | None, Decimal] = {}
    names: dict[int | None, str] = {}
    for discount in evaluation.discounts:
        if discount.additional_cost is None:  # shipping and other costs are not applied
            given[discount.campaign_id] = given.get(discount.campaign_id, 0) + discount.amount
            names.setdefault(discount.campaign_id, discount.name)
    return given, names


def distinct_ids(basket: Any) -> list[Any]:
    """The basket's Talon.One code rows, none sharing its id with an oscar voucher on it."""
    coupon_model = get_model("talonone_oscar", "BasketCoupon")
    coupons = list(basket.talonone_coupons.all())
    taken = set(basket.vouchers.values_list("pk", flat=True)) if coupons else set()
    result = []
    for coupon in coupons:
        while coupon is not None and coupon.pk in taken:
            coupon = _new_row(coupon_model, coupon)
        if coupon is not None:
            result.append(coupon)
    return result


def _new_row(coupon_model: Any, coupon: Any) -> Any:
    """The same code on a new row (a new id, after every other row's: a coupon moves to
    the end of ``couponCodes``); ``None`` if another request has just moved it."""
    try:
        with transaction.atomic():
            deleted, _ = coupon_model.objects.filter(pk=coupon.pk).delete()
            if not deleted:
                return None
            return coupon_model.objects.create(
                basket_id=coupon.basket_id, code=coupon.code, kind=coupon.kind
            )
    except IntegrityError:
        return None
