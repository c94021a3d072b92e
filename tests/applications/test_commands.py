"""The bulk commands per Application: ``--application`` chooses one, erasure covers all."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from django_talonone.models import Delivery, Operation, ReferralCode
from django_talonone.testing import TalonOneHarness

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_profile_sync_to_one_application(shop: TalonOneHarness) -> None:
    User = get_user_model()
    User.objects.bulk_create([User(username="ann"), User(username="bob")])
    run("talonone_sync_profiles", "--all", "--application", "gbp", "--deliver")
    [row] = Delivery.objects.filter(operation=Operation.UPDATE_PROFILES)
    assert row.application == "gbp"
    assert [e["application"] for e in shop.requests("updateCustomerProfilesV2")] == ["gbp"]
    with pytest.raises(CommandError, match="'usd'"):
        run("talonone_sync_profiles", "--all", "--application", "usd")


def test_referral_codes_in_one_application(shop: TalonOneHarness) -> None:
    printed = run("talonone_referral_codes", "ann", "--campaign", "2", "--application", "gbp")
    assert printed.startswith("ann,")
    assert ReferralCode.objects.get().application == "gbp"


def test_erasure_through_every_application(shop: TalonOneHarness) -> None:
    run("talonone_erase_customers", "ann", "--noinput", "--deliver")
    erasures = shop.requests("deleteCustomerData")
    assert sorted(entry["application"] for entry in erasures) == ["default", "gbp"]
