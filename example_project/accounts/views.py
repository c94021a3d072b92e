"""The shopper's account pages: their coupon wallet."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    """Coupons and referral codes from Talon.One; the template asks for them (cached)."""
    return render(request, "accounts/wallet.html")
