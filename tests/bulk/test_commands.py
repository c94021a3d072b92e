"""The ``talonone_*`` bulk management commands, run with ``call_command``."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from django_talonone.models import (
    Audience,
    AudienceMembership,
    CouponReservation,
    Delivery,
    DeliveryStatus,
    ReferralCode,
    SyncState,
)
from django_talonone.testing import TalonOneHarness

from .conftest import calls

pytestmark = pytest.mark.django_db(transaction=True)


def run(name: str, *args: Any, **options: Any) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


# -- audiences ----------------------------------------------------------------------------


def test_sync_audiences_dry_run_then_for_real(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="VIP")
    AudienceMembership.objects.create(audience=audience, profile_id="ann")

    out, _ = run("talonone_sync_audiences", "--pending", "--dry-run")
    assert "Would create 'VIP'" in out
    assert "queue 1 membership change(s)" in out
    assert talonone.requests() == []

    out, _ = run("talonone_sync_audiences", str(audience.pk), "--deliver")
    assert "Synced audiences: 1 done, 1 queued in the outbox, 0 failed" in out
    assert "Outbox: 0 delivered" in out  # eager Celery delivered on commit already
    assert AudienceMembership.objects.get().sync_state == SyncState.SYNCED
    out, _ = run("talonone_sync_audiences", "--pending")
    assert "Synced audiences: 0 done" in out


def test_sync_audiences_reports_failures_as_an_error(talonone: TalonOneHarness) -> None:
    Audience.objects.create(name="Ghost", talonone_id=777)
    err = StringIO()
    with pytest.raises(CommandError, match="1 of them failed"):
        call_command("talonone_sync_audiences", "--all", stdout=StringIO(), stderr=err)
    assert "404 " in err.getvalue()


def test_delete_audiences(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="Old")
    run("talonone_sync_audiences", "--all")
    out, _ = run("talonone_sync_audiences", str(audience.pk), "--delete", "--dry-run")
    assert "Would delete 'Old'" in out
    assert "in Talon.One and here" in out
    run("talonone_sync_audiences", str(audience.pk), "--delete")
    assert not Audience.objects.exists()
    assert len(calls(talonone, "deleteAudienceV2")) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Give audience ids, or --all, or --pending"),
        (("1", "--all"), "Give audience ids, or --all, or --pending"),
        (("--all", "--delete"), "--delete needs the ids"),
        (("42",), "No audience with id 42"),
    ],
)
def test_sync_audiences_usage_errors(
    talonone: TalonOneHarness, args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run("talonone_sync_audiences", *args)


# -- reservations -------------------------------------------------------------------------


def test_sync_and_reconcile_reservations(talonone: TalonOneHarness) -> None:
    CouponReservation.objects.create(coupon_code="WELCOME10", profile_id="ann")
    CouponReservation.objects.create(coupon_code="WELCOME10", profile_id="bob")

    out, _ = run("talonone_sync_reservations", "--pending", "--dry-run")
    assert "would reserve 2 and release 0 across 1 coupon(s)" in out
    out, _ = run("talonone_sync_reservations", "--coupon", "WELCOME10", "--deliver")
    assert "Reservations: 2 done, 2 queued in the outbox, 0 failed" in out
    assert set(CouponReservation.objects.values_list("sync_state", flat=True)) == {"synced"}
    assert calls(talonone, "createCouponReservation") == [{"integrationIDs": ["ann", "bob"]}]

    with talonone.client() as client:
        client.delete_coupon_reservation("WELCOME10", {"integrationIDs": ["bob"]})
    out, _ = run("talonone_sync_reservations", "--coupon", "WELCOME10", "--reconcile")
    assert "Reconciled WELCOME10: 0 added, 0 confirmed, 1 removed" in out
    assert list(CouponReservation.objects.values_list("profile_id", flat=True)) == ["ann"]


def test_reconcile_errors(talonone: TalonOneHarness) -> None:
    with pytest.raises(CommandError, match="--reconcile works on coupons"):
        run("talonone_sync_reservations", "--reconcile")
    with pytest.raises(CommandError, match="Could not read the reservations of NOPE"):
        run("talonone_sync_reservations", "--coupon", "NOPE", "--reconcile")
    with pytest.raises(CommandError, match="Give reservation ids"):
        run("talonone_sync_reservations")


# -- profiles -----------------------------------------------------------------------------


def test_sync_profiles(talonone: TalonOneHarness) -> None:
    User = get_user_model()
    User.objects.bulk_create([User(username=f"u{n}", email=f"u{n}@example.com") for n in range(3)])

    out, _ = run("talonone_sync_profiles", "--all", "--dry-run")
    assert "Dry run: nothing was queued." in out
    assert "Profiles: 3 done" in out
    assert talonone.requests() == []

    out, _ = run("talonone_sync_profiles", "--all", "--deliver")
    assert "Profiles: 3 done, 3 queued in the outbox, 0 failed" in out
    [body] = calls(talonone, "updateCustomerProfilesV2")
    assert len(body["customerProfiles"]) == 3


def test_sync_profiles_errors(talonone: TalonOneHarness) -> None:
    with pytest.raises(CommandError, match="is not registered with django-talonone"):
        run("talonone_sync_profiles", "--all", "--model", "shop.Cart")
    with pytest.raises(CommandError, match="not an installed model"):
        run("talonone_sync_profiles", "--all", "--model", "shop.Nothing")
    with pytest.raises(CommandError, match="Give customer primary keys, or --all"):
        run("talonone_sync_profiles")
    with pytest.raises(CommandError, match=r"Invalid primary key for auth\.User"):
        run("talonone_sync_profiles", "abc")


# -- erasure ------------------------------------------------------------------------------


def test_erase_customers(talonone: TalonOneHarness, tmp_path: Path) -> None:
    listing = tmp_path / "gone.txt"
    listing.write_text("bob\n\ncid\n", encoding="utf-8")

    out, _ = run("talonone_erase_customers", "ann", "--file", str(listing), "--dry-run")
    assert "Dry run: 3 profile(s), nothing queued." in out

    out, _ = run("talonone_erase_customers", "ann", "--file", str(listing), interactive=False)
    assert "Erasures: 3 done, 3 queued in the outbox" in out
    paths = [entry["path"] for entry in talonone.requests("deleteCustomerData")]
    assert paths == ["/v1/customer_data/ann", "/v1/customer_data/bob", "/v1/customer_data/cid"]
    out, _ = run("talonone_erase_customers", "ann", interactive=False)
    assert "Erasures: 1 done" in out  # delivered (404: nothing left), so erased again


def test_erase_customers_asks_first(
    talonone: TalonOneHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Erasure cancelled; nothing was queued"):
        run("talonone_erase_customers", "ann")
    assert not Delivery.objects.exists()
    with pytest.raises(CommandError, match="Cannot read profile ids from /nonexistent"):
        run("talonone_erase_customers", "--file", "/nonexistent/list.txt")
    with pytest.raises(CommandError, match="Give the profile ids to erase"):
        run("talonone_erase_customers", interactive=False)


# -- referral codes -----------------------------------------------------------------------


def test_referral_codes_prints_csv(talonone: TalonOneHarness) -> None:
    out, err = run(
        "talonone_referral_codes",
        "ann",
        "bob",
        "--campaign",
        "2",
        "--usage-limit",
        "2",
        "--expiry",
        "2030-01-31T23:59:59Z",
        "--pattern",
        "FRIEND-####",
    )
    lines = out.splitlines()
    assert [line.split(",")[0] for line in lines] == ["ann", "bob"]
    assert all(line.split(",")[1].startswith("FRIEND-") for line in lines)
    assert "Referral codes: 2 done" in err
    [body] = calls(talonone, "createReferralsForMultipleAdvocates")
    assert body["expiryDate"] == "2030-01-31T23:59:59+00:00"

    out, _ = run("talonone_referral_codes", "ann", "cid", "--campaign", "2", "--dry-run")
    assert "Dry run: 1 code(s) to create, 1 to reuse." in out
    again, err = run("talonone_referral_codes", "ann", "bob", "--campaign", "2")
    assert again == out_lines(lines)
    assert "0 done" in err
    assert ReferralCode.objects.count() == 2


def out_lines(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def test_referral_codes_errors(talonone: TalonOneHarness) -> None:
    with pytest.raises(CommandError, match="--expiry must be an ISO 8601 date and time"):
        run("talonone_referral_codes", "ann", "--campaign", "2", "--expiry", "tomorrow")
    with pytest.raises(CommandError, match="usage_limit: must be 0"):
        run("talonone_referral_codes", "ann", "--campaign", "2", "--usage-limit", "-1")
    with pytest.raises(CommandError, match="1 of them failed"):
        run("talonone_referral_codes", "ann", "--campaign", "1")  # not a referral campaign
    row = ReferralCode.objects.get()
    assert row.sync_state == SyncState.FAILED
    assert "not a referral campaign" in row.last_error
    assert Delivery.objects.filter(status=DeliveryStatus.DEAD).count() == 0
