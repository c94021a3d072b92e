"""The shopper's account pages: their coupon wallet, and a referral code to hand out."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_talonone.registry import customer_adapter_for
from django_talonone.services.referrals import referral_code_for


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    """Coupons and referral codes from Talon.One; the template asks for them (cached)."""
    return render(request, "accounts/wallet.html")


@login_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    """Give the shopper their referral code (created in Talon.One the first time only)."""
    profile_id = customer_adapter_for(request.user).get_profile_id(request.user)
    referral = referral_code_for(profile_id, settings.SHOP_REFERRAL_CAMPAIGN_ID)
    if referral.code:
        messages.success(
            request, f"Your referral code is {referral.code}: friends enter it in their cart."
        )
    else:  # Talon.One could not be reached; the next click tries again
        messages.error(request, "We could not get your referral code just now. Please try again.")
    return redirect("wallet")
