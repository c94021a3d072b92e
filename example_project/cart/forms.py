"""Forms of the cart page; codes are trimmed, and length-checked as Talon.One wants."""

from __future__ import annotations

from django import forms

from .carts import MAX_CODE_LENGTH, MAX_QUANTITY


class AddToCartForm(forms.Form):
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, initial=1)


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(min_value=0, max_value=MAX_QUANTITY)


class CouponForm(forms.Form):
    code = forms.CharField(label="Coupon code", max_length=MAX_CODE_LENGTH, strip=True)


class PointsForm(forms.Form):
    points = forms.DecimalField(
        label="Points to use", min_value=0, max_digits=12, decimal_places=2, required=True
    )


class ReferralForm(forms.Form):
    code = forms.CharField(
        label="Referral code",
        max_length=MAX_CODE_LENGTH,
        strip=True,
        required=False,
        widget=forms.TextInput(attrs={"id": "referral-code", "placeholder": "e.g. 1234-5678"}),
    )
