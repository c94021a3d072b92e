"""Talon.One's dates in loyalty effects are read as Django reads the rest of them: a
``Z`` and fractions of any length parse on every supported Python (3.10's
``fromisoformat`` refuses both)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django_talonone.points import fold_points


def test_an_earning_keeps_its_dates_whatever_their_fraction() -> None:
    effect = {
        "effectType": "addLoyaltyPoints",
        "campaignId": 3,
        "ruleName": "earn",
        "props": {
            "programId": 7,
            "value": 12,
            "name": "points",
            "startDate": "2026-12-14T10:00:00.12345Z",
            "expiryDate": "2027-12-14T10:00:00Z",
        },
    }
    [earned] = fold_points([effect]).earned
    assert earned.points == Decimal(12)
    assert earned.starts_at == dt.datetime(2026, 12, 14, 10, 0, 0, 123450, tzinfo=dt.timezone.utc)
    assert earned.expires_at == dt.datetime(2027, 12, 14, 10, tzinfo=dt.timezone.utc)
