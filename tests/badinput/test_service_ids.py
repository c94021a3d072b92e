"""Every public service refuses an id that is not text Talon.One can store, naming the
field, with an ``InvalidPayload`` (never a bare ``UnicodeEncodeError`` or a call)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from django_talonone.adapters import InvalidPayload
from django_talonone.services import (
    forget_customer,
    referral_code_for,
    release_coupon,
    reserve_coupon,
    track_event,
)
from django_talonone.testing import TalonOneHarness
from django_talonone.wallet import get_wallet, invalidate_wallet

pytestmark = pytest.mark.django_db(transaction=True)

LONE_SURROGATE = "a\ud800"

CALLS: list[tuple[str, Callable[[], Any]]] = [
    ("profile_id", lambda: get_wallet(LONE_SURROGATE)),
    ("profile_id", lambda: invalidate_wallet(LONE_SURROGATE)),
    ("profile_id", lambda: forget_customer(LONE_SURROGATE)),
    ("profile_id", lambda: track_event(LONE_SURROGATE, "viewed")),
    ("advocate_profile_id", lambda: referral_code_for(LONE_SURROGATE, 2)),
    ("friend_profile_id", lambda: referral_code_for("ann", 2, friend_profile_id=LONE_SURROGATE)),
    ("coupon_code", lambda: reserve_coupon(LONE_SURROGATE, ["ann"])),
    ("profile_ids", lambda: reserve_coupon("WELCOME10", [LONE_SURROGATE])),
    ("profile_ids", lambda: release_coupon("WELCOME10", [LONE_SURROGATE])),
]


@pytest.mark.parametrize(
    ("field", "call"), CALLS, ids=[f"{i}-{f}" for i, (f, _) in enumerate(CALLS)]
)
def test_a_lone_surrogate_is_refused_naming_the_field(
    talonone: TalonOneHarness, field: str, call: Callable[[], Any]
) -> None:
    with pytest.raises(InvalidPayload) as caught:
        call()
    assert caught.value.field.startswith(field)
    assert talonone.requests() == []
