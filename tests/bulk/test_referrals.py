"""Referral codes: created once per advocate and campaign, reused after; bulk creation."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from django.conf import settings
from django.test import override_settings

from django_talonone.adapters import InvalidPayload
from django_talonone.client import TalonOneError
from django_talonone.models import ReferralCode, SyncState
from django_talonone.services.referrals import (
    create_referral_codes,
    referral_code_for,
    request_referral_codes,
    start_referral_code_creation,
    start_referral_codes,
)
from django_talonone.testing import TalonOneHarness

from .conftest import calls

pytestmark = pytest.mark.django_db(transaction=True)

CAMPAIGN = 2  # the emulator's default referral campaign
EXPIRY = datetime(2030, 1, 1, tzinfo=timezone.utc)


def remote_codes(talonone: TalonOneHarness) -> dict[str, str]:
    referrals = talonone.emulator.state.data["referrals"].values()
    return {r["code"]: r["advocateProfileIntegrationId"] for r in referrals}


def test_a_code_is_created_once_and_reused(talonone: TalonOneHarness) -> None:
    first = referral_code_for("ann", CAMPAIGN, usage_limit=5, expiry_date=EXPIRY)
    again = referral_code_for("ann", CAMPAIGN)

    assert first.code
    assert first.code == again.code
    assert (first.sync_state, first.usage_limit, first.talonone_id) == (SyncState.SYNCED, 5, 1)
    assert remote_codes(talonone) == {first.code: "ann"}
    [body] = calls(talonone, "createReferral")
    assert body == {
        "campaignId": CAMPAIGN,
        "usageLimit": 5,
        "expiryDate": "2030-01-01T00:00:00+00:00",
        "advocateProfileIntegrationId": "ann",
    }
    inventory = talonone.inventory("ann", referrals=True)
    assert [r["code"] for r in inventory["referrals"]] == [first.code]


def test_a_friend_gets_a_code_of_its_own(talonone: TalonOneHarness) -> None:
    plain = referral_code_for("ann", CAMPAIGN)
    for_bob = referral_code_for("ann", CAMPAIGN, friend_profile_id="bob")
    assert plain.code != for_bob.code
    assert calls(talonone, "createReferral")[1]["friendProfileIntegrationId"] == "bob"


def test_failure_fails_open_and_the_next_call_retries(talonone: TalonOneHarness) -> None:
    talonone.fail(503, operations=["createReferral"])
    row = referral_code_for("ann", CAMPAIGN)
    assert (row.code, row.sync_state) == ("", SyncState.FAILED)
    assert row.last_error.startswith("503 ")

    talonone.heal()
    row = referral_code_for("ann", CAMPAIGN)
    assert row.code
    assert row.sync_state == SyncState.SYNCED
    assert row.last_error == ""


def test_strict_mode_raises(talonone: TalonOneHarness) -> None:
    with pytest.raises(TalonOneError, match="does not exist"):
        referral_code_for("ann", 99, strict=True)
    row = ReferralCode.objects.get()
    assert row.sync_state == SyncState.FAILED
    assert "campaign 99 does not exist" in row.last_error
    strict = override_settings(TALONONE={**settings.TALONONE, "FAIL_MODE": "strict"})
    with strict, pytest.raises(TalonOneError):
        referral_code_for("ann", 99)


def test_bulk_codes_for_many_advocates(talonone: TalonOneHarness) -> None:
    advocates = [f"adv{n}" for n in range(1500)]
    referral_code_for("adv0", CAMPAIGN)  # already has one: reused, not asked again

    assert start_referral_codes(CAMPAIGN, advocates, usage_limit=3, pattern="FRIEND-####") == 1499

    rows = ReferralCode.objects.filter(campaign_id=CAMPAIGN)
    assert rows.count() == 1500
    assert set(rows.values_list("sync_state", flat=True)) == {SyncState.SYNCED}
    assert (
        rows.exclude(advocate_profile_id="adv0").filter(code__startswith="FRIEND-").count() == 1499
    )
    bulk = calls(talonone, "createReferralsForMultipleAdvocates")
    assert [len(b["advocateProfileIntegrationIds"]) for b in bulk] == [1000, 499]
    assert bulk[0]["usageLimit"] == 3
    assert bulk[0]["referralPattern"] == "FRIEND-####"
    assert talonone.requests("createReferralsForMultipleAdvocates")[0]["query"] == {"silent": "no"}
    remote = remote_codes(talonone)
    assert all(remote[row.code] == row.advocate_profile_id for row in rows)

    assert start_referral_codes(CAMPAIGN, advocates) == 0  # idempotent re-run
    assert len(calls(talonone, "createReferralsForMultipleAdvocates")) == 2


def test_bulk_failure_is_mirrored_and_a_re_run_retries(talonone: TalonOneHarness) -> None:
    rows = request_referral_codes(CAMPAIGN, ["ann", "bob"])
    talonone.fail(500, operations=["createReferralsForMultipleAdvocates"])
    result = create_referral_codes([row.pk for row in rows])
    assert (result.failed, result.done) == (2, 0)
    assert set(ReferralCode.objects.values_list("sync_state", flat=True)) == {SyncState.FAILED}
    assert ReferralCode.objects.first().last_error.startswith("500 ")

    talonone.heal()
    result = create_referral_codes([row.pk for row in rows])
    assert (result.failed, result.done) == (0, 2)
    assert set(ReferralCode.objects.values_list("sync_state", flat=True)) == {SyncState.SYNCED}


def test_bulk_rows_for_a_friend_use_single_calls(talonone: TalonOneHarness) -> None:
    row = ReferralCode.objects.create(
        campaign_id=CAMPAIGN, advocate_profile_id="ann", friend_profile_id="bob"
    )
    result = create_referral_codes([row.pk])
    row.refresh_from_db()
    assert result.done == 1
    assert row.code
    assert calls(talonone, "createReferralsForMultipleAdvocates") == []


def test_bad_input_is_refused(talonone: TalonOneHarness) -> None:
    with pytest.raises(InvalidPayload, match="campaign_id: must be a positive integer"):
        referral_code_for("ann", 0)
    with pytest.raises(InvalidPayload, match="usage_limit: must be 0"):
        referral_code_for("ann", CAMPAIGN, usage_limit=1_000_000)
    with pytest.raises(InvalidPayload, match="expiry_date: must be a timezone-aware datetime"):
        referral_code_for("ann", CAMPAIGN, expiry_date=datetime(2030, 1, 1))
    with pytest.raises(InvalidPayload, match="pattern: must be 3-100 characters"):
        request_referral_codes(CAMPAIGN, ["ann"], pattern="ABC")
    with pytest.raises(InvalidPayload, match="advocate_profile_id: must be a non-empty string"):
        referral_code_for("", CAMPAIGN)
    assert talonone.requests() == []
    assert not ReferralCode.objects.exists()


def test_failed_rows_can_be_retried_by_id(talonone: TalonOneHarness) -> None:
    talonone.fail(503, operations=["createReferral"])
    failed = referral_code_for("ann", CAMPAIGN)
    talonone.heal()
    done = referral_code_for("bob", CAMPAIGN)

    assert start_referral_code_creation([failed.pk, done.pk]) == 1

    failed.refresh_from_db()
    assert failed.code
    assert failed.sync_state == SyncState.SYNCED


def test_a_new_code_shows_in_the_advocates_cached_wallet(talonone: TalonOneHarness) -> None:
    from django_talonone.wallet import get_wallet

    assert get_wallet("ann").referrals == ()  # now cached, without a code
    code = referral_code_for("ann", CAMPAIGN).code
    assert [referral.code for referral in get_wallet("ann").referrals] == [code]
