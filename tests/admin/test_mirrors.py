"""Audiences, memberships, reservations and referral codes in the admin: read-only pages,
sync actions that confirm first, need their permission and reach the emulator."""

from __future__ import annotations

import pytest
from celery import Celery, current_app
from django.test import Client

from django_talonone.models import (
    Audience,
    AudienceMembership,
    CouponReservation,
    ReferralCode,
    SyncState,
)
from django_talonone.services.audiences import add_members
from django_talonone.services.reservations import reserve_coupon
from django_talonone.testing import TalonOneHarness
from tests.admin.conftest import (
    action_names,
    checked,
    logged_in,
    messages_of,
    page,
    run_action,
    staff,
    url,
)

pytestmark = pytest.mark.django_db(transaction=True)

CODE = "WELCOME10"


def remote_members(talonone: TalonOneHarness, audience_id: int) -> set[str]:
    profiles = talonone.emulator.state.data["profiles"].values()
    return {p["integrationId"] for p in profiles if audience_id in p["audienceIds"]}


def reserved(talonone: TalonOneHarness, code: str = CODE) -> set[str]:
    usage = talonone.emulator.state.data["couponUsage"].get(code, {})
    return set(usage.get("reservations", []))


def test_every_mirror_page_renders_read_only(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    audience = Audience.objects.create(name="VIP")
    member = AudienceMembership.objects.create(
        audience=audience, profile_id="ann", sync_state=SyncState.FAILED, last_error="404 nope"
    )
    reservation = CouponReservation.objects.create(coupon_code=CODE, profile_id="ann")
    referral = ReferralCode.objects.create(campaign_id=2, advocate_profile_id="ann")
    for model, obj, shown in [
        ("audience", audience, "VIP"),
        ("audiencemembership", member, "ann"),
        ("couponreservation", reservation, CODE),
        ("referralcode", referral, "ann"),
    ]:
        changelist = page(superuser_client, url(f"{model}_changelist"), talonone)
        assert f"/{obj.pk}/change/" in changelist
        assert shown in changelist
        page(superuser_client, url(f"{model}_changelist") + "?sync_state__exact=pending", talonone)
        change = page(superuser_client, url(f"{model}_change", obj.pk), talonone)
        assert 'name="_save"' not in change
        # audiences and reservations are added through their forms (test_mirror_forms)
        adds = model in ("audience", "couponreservation")
        page(superuser_client, url(f"{model}_add"), talonone, status=200 if adds else 403)
        page(superuser_client, url(f"{model}_delete", obj.pk), talonone, status=403)
    audience_page = page(superuser_client, url("audience_change", audience.pk), talonone)
    members = f"{url('audiencemembership_changelist')}?audience__id__exact={audience.pk}"
    assert f'<a href="{members}">1 member</a> · ' in audience_page
    assert f'<a href="{members}&amp;sync_state__exact=failed">1 failed</a>' in audience_page
    failed = page(superuser_client, f"{members}&sync_state__exact=failed", talonone)
    assert '<td class="field-error">404 nope</td>' in failed
    listed = page(superuser_client, url("audience_changelist"), talonone)
    assert '<td class="field-members">1</td>' in listed


def test_audience_sync_confirms_then_creates_it_with_its_members(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    audience = Audience.objects.create(name="VIP", integration_id="crm-vip")
    AudienceMembership.objects.create(audience=audience, profile_id="ann")
    changelist = url("audience_changelist")
    response = run_action(superuser_client, changelist, "sync_audiences", [audience.pk])
    text = checked(response, talonone)
    assert "Send 1 audience to Talon.One?" in text
    assert "VIP (not in Talon.One, pending)" in text
    assert talonone.requests("createAudienceV2") == []

    response = run_action(
        superuser_client, changelist, "sync_audiences", [audience.pk], confirm=True
    )
    assert response.status_code == 302
    audience.refresh_from_db()
    assert audience.sync_state == SyncState.SYNCED
    assert audience.talonone_id is not None
    assert remote_members(talonone, audience.talonone_id) == {"ann"}
    assert messages_of(response) == [
        "1 audience is on its way to Talon.One; refresh to follow its sync state."
    ]


def test_audience_deletion_warns_and_deletes_in_talonone(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    audience = Audience.objects.create(name="Old")
    add_members(audience, ["ann"])
    audience.refresh_from_db()
    remote = audience.talonone_id
    assert str(remote) in talonone.emulator.state.data["audiences"]
    changelist = url("audience_changelist")
    response = run_action(superuser_client, changelist, "delete_audiences", [audience.pk])
    assert "This cannot be undone." in checked(response, talonone)

    response = run_action(
        superuser_client, changelist, "delete_audiences", [audience.pk], confirm=True
    )
    assert messages_of(response) == ["1 audience is being deleted in Talon.One and here."]
    assert str(remote) not in talonone.emulator.state.data["audiences"]
    assert not Audience.objects.filter(pk=audience.pk).exists()


def test_reservation_sync_and_release(superuser_client: Client, talonone: TalonOneHarness) -> None:
    reserve_coupon(CODE, ["ann"])
    synced = CouponReservation.objects.get(profile_id="ann")
    pending = CouponReservation.objects.create(coupon_code=CODE, profile_id="bob")
    changelist = url("couponreservation_changelist")
    pks = [synced.pk, pending.pk]
    response = run_action(superuser_client, changelist, "sync_reservations", pks)
    text = checked(response, talonone)
    assert "Send 1 coupon reservation to Talon.One?" in text
    assert "Already in Talon.One, so left alone: 1 selected coupon reservation." in text

    run_action(superuser_client, changelist, "sync_reservations", pks, confirm=True)
    assert reserved(talonone) == {"ann", "bob"}

    response = run_action(superuser_client, changelist, "release_reservations", [pending.pk])
    assert "Release 1 coupon reservation in Talon.One?" in checked(response, talonone)
    response = run_action(
        superuser_client, changelist, "release_reservations", [pending.pk], confirm=True
    )
    assert messages_of(response) == ["1 reservation is being released in Talon.One."]
    assert reserved(talonone) == {"ann"}


def test_referral_codes_are_created_once(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    row = ReferralCode.objects.create(campaign_id=2, advocate_profile_id="ann")
    changelist = url("referralcode_changelist")
    response = run_action(superuser_client, changelist, "create_referral_codes", [row.pk])
    assert "Create 1 referral code in Talon.One?" in checked(response, talonone)
    run_action(superuser_client, changelist, "create_referral_codes", [row.pk], confirm=True)
    row.refresh_from_db()
    assert row.code
    assert row.sync_state == SyncState.SYNCED
    response = run_action(superuser_client, changelist, "create_referral_codes", [row.pk])
    assert messages_of(response)[-1] == "Every selected referral code exists in Talon.One already."
    created = [r for r in talonone.requests() if r["operation"].startswith("createReferral")]
    assert len(created) == 1


def test_actions_need_their_permission(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="VIP")
    reservation = CouponReservation.objects.create(coupon_code=CODE, profile_id="ann")
    viewer = logged_in(staff("viewer", "view_audience", "view_couponreservation"))
    assert action_names(viewer, url("audience_changelist")) == []
    assert action_names(viewer, url("couponreservation_changelist")) == []
    for confirm in (False, True):
        run_action(
            viewer, url("audience_changelist"), "sync_audiences", [audience.pk], confirm=confirm
        )
        run_action(
            viewer,
            url("couponreservation_changelist"),
            "sync_reservations",
            [reservation.pk],
            confirm=confirm,
        )
    assert talonone.requests("createAudienceV2") == []
    assert talonone.requests("createCouponReservation") == []

    operator = logged_in(
        staff("operator", "view_audience", "sync_audience", "view_couponreservation")
    )
    assert action_names(operator, url("audience_changelist")) == [
        "sync_audiences",
        "delete_audiences",
    ]
    assert action_names(operator, url("couponreservation_changelist")) == []


def test_a_broker_that_refuses_the_task_is_reported_not_a_crash(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    audience = Audience.objects.create(name="VIP")
    working = current_app._get_current_object()
    # Nothing listens on port 1: publishing fails at once, as with a broker that is down.
    broken = Celery("broken-broker", broker="redis://127.0.0.1:1/0", set_as_current=True)
    broken.conf.update(task_publish_retry=False, broker_transport_options={"max_retries": 0})
    try:
        response = run_action(
            superuser_client,
            url("audience_changelist"),
            "sync_audiences",
            [audience.pk],
            confirm=True,
        )
    finally:
        working.set_current()
    assert response.status_code == 302
    message = messages_of(response)[-1]
    assert message.startswith("Could not queue the Celery task talonone.sync_audiences")
    assert "talonone_" in message
    assert talonone.requests("createAudienceV2") == []
