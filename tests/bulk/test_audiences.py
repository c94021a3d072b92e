"""Audiences: create/rename/delete in Talon.One, members through the outbox."""

from __future__ import annotations

import pytest

from django_talonone.adapters import InvalidPayload
from django_talonone.client import TalonOneError
from django_talonone.models import Audience, AudienceMembership, Delivery, DeliveryStatus, SyncState
from django_talonone.outbox import audience_lane, retry_dead
from django_talonone.services import audiences
from django_talonone.services.audiences import (
    add_members,
    clear_members,
    remove_members,
    set_member_attributes,
    start_audience_deletion,
    start_audience_sync,
)
from django_talonone.testing import TalonOneHarness

from .conftest import calls, one_attempt, statuses

pytestmark = pytest.mark.django_db(transaction=True)


def remote_members(talonone: TalonOneHarness, audience_id: int) -> set[str]:
    profiles = talonone.emulator.state.data["profiles"].values()
    return {p["integrationId"] for p in profiles if audience_id in p["audienceIds"]}


def memberships(audience: Audience) -> dict[str, str]:
    return dict(audience.memberships.values_list("profile_id", "sync_state"))


def test_sync_creates_the_audience_then_sends_its_members(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="VIP", integration_id="crm-vip")
    AudienceMembership.objects.create(audience=audience, profile_id="ann")
    AudienceMembership.objects.create(audience=audience, profile_id="bob")

    assert start_audience_sync([audience.pk, 999_999]) == 1

    audience.refresh_from_db()
    assert audience.talonone_id is not None
    assert (audience.sync_state, audience.last_error) == (SyncState.SYNCED, "")
    assert calls(talonone, "createAudienceV2") == [{"name": "VIP", "integrationId": "crm-vip"}]
    assert remote_members(talonone, audience.talonone_id) == {"ann", "bob"}
    assert memberships(audience) == {"ann": SyncState.SYNCED, "bob": SyncState.SYNCED}


def test_a_second_sync_renames_and_sends_nothing_twice(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="VIP")
    add_members(audience, ["ann"])
    audience.refresh_from_db()
    Audience.objects.filter(pk=audience.pk).update(name="Very important")

    start_audience_sync([audience.pk])
    start_audience_sync([audience.pk])

    assert len(calls(talonone, "createAudienceV2")) == 1
    assert calls(talonone, "updateAudienceV2") == [{"name": "Very important"}] * 2
    assert len(calls(talonone, "updateCustomerProfileAudiences")) == 1
    name = talonone.emulator.state.data["audiences"][str(audience.talonone_id)]["name"]
    assert name == "Very important"


def test_members_go_in_batches_of_at_most_1000(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="Everyone")
    start_audience_sync([audience.pk])
    audience.refresh_from_db()
    profiles = [f"p{n}" for n in range(2500)]

    assert add_members(audience, profiles) == 2500

    sizes = [len(body["data"]) for body in calls(talonone, "updateCustomerProfileAudiences")]
    assert sizes == [1000, 1000, 500]
    assert len(remote_members(talonone, audience.talonone_id)) == 2500
    assert set(memberships(audience).values()) == {SyncState.SYNCED}
    assert add_members(audience, profiles[:10]) == 0  # already members: nothing sent
    assert len(calls(talonone, "updateCustomerProfileAudiences")) == 3


def test_remove_members_deletes_them_once_talonone_confirmed(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="VIP")
    add_members(audience, ["ann", "bob"])
    audience.refresh_from_db()

    assert remove_members(audience, ["bob", "nobody"]) == 1

    assert memberships(audience) == {"ann": SyncState.SYNCED}
    assert remote_members(talonone, audience.talonone_id) == {"ann"}
    last = calls(talonone, "updateCustomerProfileAudiences")[-1]["data"]
    change = {"action": "delete", "profileIntegrationId": "bob"}
    assert last == [{**change, "audienceId": audience.talonone_id}]


def test_remove_before_the_add_was_delivered_ends_removed(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="VIP")
    start_audience_sync([audience.pk])
    audience.refresh_from_db()
    talonone.fail(503, operations=["updateCustomerProfileAudiences"])
    add_members(audience, ["ann"])  # stays queued: Talon.One answers 503
    remove_members(audience, ["ann"])
    talonone.heal()

    Delivery.objects.update(next_attempt_at=Delivery.objects.first().created_at)
    from django_talonone.outbox import deliver_lane

    deliver_lane(audience_lane(audience.talonone_id))

    assert memberships(audience) == {}
    assert remote_members(talonone, audience.talonone_id) == set()


def test_members_of_a_new_audience_wait_for_it(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="New")
    assert add_members(audience, ["ann"]) == 1  # creates the audience after the commit
    audience.refresh_from_db()
    assert audience.talonone_id is not None
    assert remote_members(talonone, audience.talonone_id) == {"ann"}
    assert remove_members(Audience.objects.create(name="Local"), ["x"]) == 0


def test_talonone_errors_are_mirrored_as_failed(talonone: TalonOneHarness) -> None:
    with talonone.client() as client:
        client.create_audience_v2({"name": "Taken", "integrationId": "crm-1"})
    audience = Audience.objects.create(name="Taken", integration_id="crm-1")

    start_audience_sync([audience.pk])

    audience.refresh_from_db()
    assert audience.sync_state == SyncState.FAILED
    assert audience.last_error.startswith("409 An Audience with this ID already exists")
    assert "set this audience's Talon.One id" in audience.last_error
    assert audience.talonone_id is None


def test_a_failed_batch_is_retried_by_a_re_run(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="VIP")
    start_audience_sync([audience.pk])
    audience.refresh_from_db()
    talonone.fail(503, operations=["updateCustomerProfileAudiences"])
    with one_attempt():
        add_members(audience, ["ann"])
    assert memberships(audience) == {"ann": SyncState.FAILED}
    lane = audience_lane(audience.talonone_id)
    assert statuses(lane=lane) == [DeliveryStatus.DEAD]
    assert AudienceMembership.objects.get().last_error.startswith("503 ")

    talonone.heal()
    start_audience_sync([audience.pk])

    assert statuses(lane=lane) == [DeliveryStatus.SUPERSEDED, DeliveryStatus.DONE]
    assert memberships(audience) == {"ann": SyncState.SYNCED}


def test_transient_errors_are_retried_through_the_outbox(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="VIP")
    start_audience_sync([audience.pk])
    audience.refresh_from_db()
    talonone.fail(503, operations=["updateCustomerProfileAudiences"])
    add_members(audience, ["ann"])
    row = Delivery.objects.get(lane=audience_lane(audience.talonone_id))
    assert (row.status, row.last_error_status) == (DeliveryStatus.PENDING, 503)
    assert start_audience_sync([audience.pk]) == 1  # still queued: not queued again
    assert Delivery.objects.filter(lane=row.lane).count() == 1

    talonone.heal()
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    from django_talonone.outbox import deliver_pending

    deliver_pending()
    assert memberships(audience) == {"ann": SyncState.SYNCED}
    assert retry_dead([row.pk]) == 0


def test_deletion_removes_the_audience_there_and_here(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="Old")
    add_members(audience, ["ann"])
    audience.refresh_from_db()
    remote = audience.talonone_id
    local_only = Audience.objects.create(name="Never sent")

    assert start_audience_deletion([audience.pk, local_only.pk]) == 2

    assert not Audience.objects.exists()
    assert not AudienceMembership.objects.exists()
    assert str(remote) not in talonone.emulator.state.data["audiences"]
    assert remote_members(talonone, remote) == set()
    assert len(calls(talonone, "deleteAudienceV2")) == 1


def test_deletion_failure_keeps_the_row_deleting_with_the_reason(
    talonone: TalonOneHarness,
) -> None:
    audience = Audience.objects.create(name="Old")
    start_audience_sync([audience.pk])
    talonone.fail(500, operations=["deleteAudienceV2"])
    start_audience_deletion([audience.pk])
    audience.refresh_from_db()
    assert audience.sync_state == SyncState.DELETING
    assert audience.last_error.startswith("500 ")
    assert start_audience_sync([audience.pk]) == 1  # skipped: on its way out
    assert audiences.sync_audiences([audience.pk]).skipped == 1

    talonone.heal()
    start_audience_deletion([audience.pk])
    assert not Audience.objects.exists()


def test_already_deleted_in_talonone_counts_as_deleted(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="Old")
    start_audience_sync([audience.pk])
    audience.refresh_from_db()
    with talonone.client() as client:
        client.delete_audience_v2(audience.talonone_id)
    start_audience_deletion([audience.pk])
    assert not Audience.objects.exists()


def test_clear_members_and_set_attributes(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="VIP")
    add_members(audience, ["ann", "bob"])
    audience.refresh_from_db()

    set_member_attributes(audience, {"tier": "gold"})
    profiles = talonone.emulator.state.data["profiles"]
    assert profiles["ann"]["attributes"]["tier"] == "gold"

    assert clear_members(audience) == 2
    assert remote_members(talonone, audience.talonone_id) == set()
    assert not AudienceMembership.objects.exists()


def test_bad_input_is_refused_before_any_call(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="VIP")
    with pytest.raises(InvalidPayload, match=r"profile_ids\[1\]: must be a non-empty string"):
        add_members(audience, ["ann", ""])
    with pytest.raises(InvalidPayload, match="profile_ids: must be a list"):
        add_members(audience, "ann")
    with pytest.raises(InvalidPayload, match="audience_ids: holds 'x', not an id"):
        start_audience_sync(["x"])  # type: ignore[list-item]
    with pytest.raises(InvalidPayload, match=r"is not in Talon\.One yet"):
        clear_members(audience)
    with pytest.raises(InvalidPayload, match="attributes: must be a non-empty mapping"):
        set_member_attributes(audience, {})
    assert talonone.requests() == []


def test_sync_audience_raises_after_mirroring(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="VIP", talonone_id=4242)
    with pytest.raises(TalonOneError):
        audiences.sync_audience(audience)
    audience.refresh_from_db()
    assert audience.sync_state == SyncState.FAILED
    assert "Clear its Talon.One id to create it again" in audience.last_error


def test_a_racing_creation_keeps_one_audience_in_talonone(talonone: TalonOneHarness) -> None:
    audience = Audience.objects.create(name="VIP")
    stale = Audience.objects.get(pk=audience.pk)  # read before the other sync stored its id
    start_audience_sync([audience.pk])
    audience.refresh_from_db()

    audiences.sync_audience(stale)

    assert stale.talonone_id == audience.talonone_id
    assert list(talonone.emulator.state.data["audiences"]) == [str(audience.talonone_id)]
    assert len(calls(talonone, "createAudienceV2")) == 2
    assert len(calls(talonone, "deleteAudienceV2")) == 1
