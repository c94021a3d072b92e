"""Oscar's voucher form, answered by Talon.One.

Oscar's ``VoucherAddView`` only knows local ``Voucher`` rows. This middleware takes the
POST of oscar's own voucher form (``basket:vouchers-add``) first: the code becomes a
Talon.One coupon of the basket (no local ``Voucher``), the basket is evaluated, and
Talon.One's verdict is shown on oscar's basket page as a message, in plain words. A
rejected code is taken off the basket again. A code Talon.One does not know as a coupon
(``CouponNotFound``) is tried as the session's referral code, so a friend's referral code
typed into the same form works too. With ``VOUCHERS = "both"``, a code that is an oscar
``Voucher`` is left to oscar's view.

Removing: oscar's basket page draws each discounting Talon.One code as a voucher line
with oscar's own Remove form (see :mod:`.codes`), which posts to ``basket:vouchers-remove``
with the code's ``BasketCoupon`` id; the middleware takes that POST when the id is not
one of the basket's oscar vouchers. Posting ``remove_code`` to ``basket:vouchers-add``
removes a code too (a form of the shop's own, or a code that gives no discount).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from oscar.core.loading import get_class, get_model
from oscar.core.utils import redirect_to_referrer

from django_talonone.conf import get_settings

from . import offers
from .codes import loaded, present_codes

BasketVoucherForm: Any = get_class("basket.forms", "BasketVoucherForm")
Applicator: Any = get_class("offer.applicator", "Applicator")

ADD_VIEW = "basket:vouchers-add"
REMOVE_VIEW = "basket:vouchers-remove"
VIEWS = (ADD_VIEW, REMOVE_VIEW)
#: Talon.One's rejection reasons for a code it does not know as a coupon / a referral.
NOT_A_COUPON = "CouponNotFound"
NOT_A_REFERRAL = "ReferralNotFound"
#: Referral rejections that depend on who the shopper is: a signed-out shopper (no
#: profile) is asked to sign in, not told the code is someone else's.
WHO_YOU_ARE = frozenset(
    {
        "ReferralRecipientDoesNotMatch",
        "ReferralRecipientIdSameAsAdvocate",
        "ReferralCustomerAlreadyReferred",
        "ProfileLimitReached",
        "ProfileRequired",
    }
)


class TalonOneVoucherMiddleware:
    """Put it after oscar's ``BasketMiddleware`` in ``MIDDLEWARE``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if request.method != "POST" or match is None or match.view_name not in VIEWS:
            return None
        basket = getattr(request, "basket", None)
        if basket is None or basket.pk is None:
            return None  # oscar's view says what to do with a basket that does not exist
        if match.view_name == REMOVE_VIEW:
            return _remove_by_id(request, basket, kwargs.get("pk"))
        if "remove_code" in request.POST:
            remove_code(request, basket, str(request.POST["remove_code"]).strip().upper())
            return _back(request)
        form = BasketVoucherForm(data=request.POST)
        if not form.is_valid():
            return None
        code = form.cleaned_data["code"]
        if get_settings().oscar.vouchers == "both":
            voucher = get_model("voucher", "Voucher")
            if voucher._default_manager.filter(code=code).exists():
                return None  # an oscar voucher: oscar's own view applies it
        add_code(request, basket, code)
        return _back(request)

    def process_template_response(
        self, request: HttpRequest, response: TemplateResponse
    ) -> TemplateResponse:
        """Draw the Talon.One codes of the basket shown as oscar voucher lines.

        The basket is the one the page shows (a view may pass a frozen one), else the
        request's: oscar's ``BasketMiddleware`` puts that one in the context after us.
        Only a basket the view loaded is split (see :func:`.codes.loaded`).
        """
        context = getattr(response, "context_data", None) or {}
        basket = loaded(context.get("basket", getattr(request, "basket", None)))
        if basket is not None:
            present_codes(basket)
        return response


def _remove_by_id(request: HttpRequest, basket: Any, pk: Any) -> HttpResponse | None:
    """Oscar's Remove form of a Talon.One code's line; an oscar voucher's stays oscar's."""
    if basket.vouchers.filter(pk=pk).exists():
        return None
    coupon = get_model("talonone_oscar", "BasketCoupon")
    code = coupon.objects.filter(basket=basket, pk=pk).values_list("code", flat=True).first()
    if code is None:
        return None  # oscar's view: "No voucher found with id ..."
    remove_code(request, basket, code)
    response: HttpResponse = redirect("basket:summary")  # where oscar's remove view goes
    return response


def _back(request: HttpRequest) -> HttpResponse:
    """Where oscar's own voucher view goes: back to the page the form was on."""
    response: HttpResponse = redirect_to_referrer(request, "basket:summary")
    return response


def _reapply(request: HttpRequest, basket: Any) -> None:
    basket.reset_offer_applications()
    Applicator().apply(basket, request.user, request)


def add_code(request: HttpRequest, basket: Any, code: str) -> None:
    """Add ``code`` as a coupon; one Talon.One does not know as a coupon is tried as the
    basket's referral code (see :func:`_as_referral`)."""
    coupon = get_model("talonone_oscar", "BasketCoupon")
    try:
        with transaction.atomic():
            coupon.objects.create(basket=basket, code=code)
    except IntegrityError:
        messages.error(request, f"You have already added the coupon {code} to your basket.")
        return
    _reapply(request, basket)
    evaluation = offers.basket_evaluation(basket)
    verdict = next((v for v in evaluation.coupons if v.code == code), None) if evaluation else None
    if evaluation is None or not evaluation.available:
        messages.warning(
            request,
            f"Coupon {code} is on your basket, but promotions are temporarily unavailable: "
            "it will be checked again.",
        )
    elif verdict is not None and verdict.accepted:
        messages.success(request, f"Coupon {code} added to your basket.")
    elif verdict is not None and verdict.reason == NOT_A_COUPON:
        _as_referral(request, basket, code, verdict.message)
    else:
        coupon.objects.filter(basket=basket, code=code).delete()
        _reapply(request, basket)
        reason = verdict.message if verdict else "This coupon code cannot be used right now."
        messages.error(request, f"Coupon {code} was not accepted: {reason}")


def _as_referral(request: HttpRequest, basket: Any, code: str, not_a_coupon: str) -> None:
    """Send ``code`` as the session's referral code instead (one call, which also takes it
    out of ``couponCodes``). Accepted, it replaces the basket's earlier referral code; a
    code Talon.One knows as neither is explained as a coupon, and taken off again."""
    coupon = get_model("talonone_oscar", "BasketCoupon")
    rows = coupon.objects.filter(basket=basket)
    rows.filter(code=code).update(kind=coupon.REFERRAL)
    _reapply(request, basket)
    evaluation = offers.basket_evaluation(basket)
    verdict = evaluation.referral if evaluation else None
    if evaluation is None or not evaluation.available:
        messages.warning(
            request,
            f"Referral code {code} is on your basket, but promotions are temporarily "
            "unavailable: it will be checked again.",
        )
    elif verdict is not None and verdict.code == code and verdict.accepted:
        rows.filter(kind=coupon.REFERRAL).exclude(code=code).delete()  # not sent: newest wins
        messages.success(request, f"Referral code {code} added to your basket.")
    else:
        rows.filter(code=code).delete()
        _reapply(request, basket)
        if verdict is None or verdict.code != code or verdict.reason == NOT_A_REFERRAL:
            messages.error(request, f"Coupon {code} was not accepted: {not_a_coupon}")
        elif basket.owner_id is None and verdict.reason in WHO_YOU_ARE:
            messages.error(
                request, f"Referral code {code} needs you to be signed in: sign in, then add it."
            )
        else:
            messages.error(request, f"Referral code {code} was not accepted: {verdict.message}")


def remove_code(request: HttpRequest, basket: Any, code: str) -> None:
    coupon = get_model("talonone_oscar", "BasketCoupon")
    row = coupon.objects.filter(basket=basket, code=code).first()
    if row is None:
        messages.error(request, f"Coupon {code} is not on your basket.")
        return
    row.delete()
    _reapply(request, basket)
    what = "Referral code" if row.kind == coupon.REFERRAL else "Coupon"
    messages.info(request, f"{what} {code} removed from your basket.")
