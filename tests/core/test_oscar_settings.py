"""``TALONONE["OSCAR"]`` (read by the oscar contrib) is checked by the settings accessor,
with errors that name the key; it needs no oscar installed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from django_talonone.conf import get_settings


def test_the_defaults() -> None:
    with override_settings(TALONONE={}):
        oscar = get_settings().oscar
    assert oscar.vouchers == "talonone"
    assert oscar.cancelled_statuses == ("Cancelled",)
    assert oscar.refund_event_types == ("refund", "returned")
    assert oscar.profile_attributes == {}


@pytest.mark.parametrize(
    ("oscar", "message"),
    [
        ({"VOUCHER": "both"}, "Unknown TALONONE['OSCAR'] key(s): VOUCHER"),
        ({"VOUCHERS": "local"}, "TALONONE['OSCAR']['VOUCHERS'] must be 'talonone' or 'both'"),
        ({"CANCELLED_STATUSES": "Cancelled"}, "['CANCELLED_STATUSES'] must be a list"),
        ({"REFUND_EVENT_TYPES": [""]}, "['REFUND_EVENT_TYPES'] must be a list"),
        ({"EVALUATION_CACHE_TTL": 0}, "['EVALUATION_CACHE_TTL'] must be whole seconds"),
        ({"OFFER_NAME": " "}, "['OFFER_NAME'] must be text"),
        ({"PROFILE_ATTRIBUTES": {"Name": 3}}, "['PROFILE_ATTRIBUTES'] must map"),
        ("both", "TALONONE['OSCAR'] must be a dict"),
    ],
)
def test_bad_oscar_settings_name_the_key(oscar: Any, message: str) -> None:
    with (
        override_settings(TALONONE={"OSCAR": oscar}),
        pytest.raises(ImproperlyConfigured, match=re.escape(message)),
    ):
        get_settings()
