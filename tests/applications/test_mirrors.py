"""Audiences, coupon reservations and referral codes remember their Application: their
calls go there, on lanes of their own, and one code may exist in both Applications."""

from __future__ import annotations

import pytest

from django_talonone.models import Audience, CouponReservation, Delivery, ReferralCode
from django_talonone.outbox import coupon_lane
from django_talonone.services import (
    add_members,
    create_audience,
    referral_code_for,
    release_coupon,
    reserve_coupon,
)
from django_talonone.services.audiences import sync_audience
from django_talonone.services.referrals import create_referral_codes, request_referral_codes
from django_talonone.services.reservations import reconcile_reservations
from django_talonone.testing import TalonOneHarness

pytestmark = pytest.mark.django_db(transaction=True)


def reserved(shop: TalonOneHarness, code: str, application: str) -> list[str]:
    with shop.client(application) as client:
        reply = client.get_reserved_customers(code)
    return sorted(profile["integrationId"] for profile in reply.get("data") or [])


def test_one_coupon_code_reserved_in_each_application(shop: TalonOneHarness) -> None:
    reserve_coupon("WELCOME10", ["ann"])
    reserve_coupon("WELCOME10", ["bob"], application="gbp")
    rows = dict(CouponReservation.objects.values_list("profile_id", "application"))
    assert rows == {"ann": "default", "bob": "gbp"}
    assert reserved(shop, "WELCOME10", "default") == ["ann"]
    assert reserved(shop, "WELCOME10", "gbp") == ["bob"]
    lanes = set(Delivery.objects.values_list("lane", flat=True))
    assert lanes == {coupon_lane("WELCOME10"), "coupon@gbp:WELCOME10"}
    release_coupon("WELCOME10", ["bob"], application="gbp")
    assert reserved(shop, "WELCOME10", "gbp") == []
    assert reserved(shop, "WELCOME10", "default") == ["ann"]
    # Reconciling one Application never touches the other's mirror.
    outcome = reconcile_reservations("WELCOME10", application="gbp")
    assert (outcome.added, outcome.removed) == ([], [])
    assert CouponReservation.objects.get().profile_id == "ann"


def test_an_audience_lives_in_its_application(shop: TalonOneHarness) -> None:
    audience = create_audience("VIP", application="gbp")
    assert audience.application == "gbp"
    sync_audience(Audience.objects.get(pk=audience.pk))
    audience.refresh_from_db()
    assert audience.talonone_id is not None
    assert str(audience.talonone_id) in shop.emulator.state_of("gbp").data["audiences"]
    assert shop.emulator.state.data["audiences"] == {}
    add_members(audience, ["ann"])
    [row] = Delivery.objects.all()
    assert row.application == "gbp"
    assert row.lane == f"audience@gbp:{audience.talonone_id}"
    assert {e["application"] for e in shop.requests() if "audience" in e["path"]} == {"gbp"}


def test_referral_codes_are_created_in_their_application(shop: TalonOneHarness) -> None:
    gbp = referral_code_for("ann", 2, application="gbp")
    eur = referral_code_for("ann", 2)
    assert gbp.code
    assert eur.code
    assert (gbp.application, eur.application) == ("gbp", "default")
    assert ReferralCode.objects.count() == 2
    rows = request_referral_codes(2, ["bob", "cy"], application="gbp")
    create_referral_codes([row.pk for row in rows])
    assert all(row.code for row in ReferralCode.objects.filter(application="gbp"))
    referrals = shop.requests("createReferralsForMultipleAdvocates")
    assert [entry["application"] for entry in referrals] == ["gbp"]
