"""The (fake) payment form and the admin's refund form."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import OrderLine


class FakePaymentForm(forms.Form):
    """Looks like a card form; the demo accepts any well-formed number."""

    holder = forms.CharField(label="Name on card", max_length=100)
    card_number = forms.RegexField(
        label="Card number",
        regex=r"^[0-9 ]{12,23}$",
        error_messages={"invalid": "Enter 12 to 19 digits."},
    )
    #: The total the Pay button showed: checkout charges that, or nothing.
    expected_total = forms.DecimalField(widget=forms.HiddenInput, decimal_places=2)


class RefundLinesForm(forms.Form):
    lines = forms.ModelMultipleChoiceField(
        queryset=OrderLine.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one line to refund."},
    )

    def __init__(self, *args: Any, order_lines: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lines"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = order_lines.filter(refunded_at__isnull=True)
