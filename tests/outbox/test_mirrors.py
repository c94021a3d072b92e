"""Delivered (or dead) audience and reservation rows update their local mirrors."""

from __future__ import annotations

import pytest

from django_talonone.emulator import Emulator
from django_talonone.models import (
    Audience,
    AudienceMembership,
    CouponReservation,
    Operation,
    SyncState,
)
from django_talonone.outbox import audience_lane, coupon_lane, deliver_lane, enqueue

pytestmark = pytest.mark.django_db


def test_reservations_are_synced_then_forgotten(emulator: Emulator) -> None:
    kept = CouponReservation.objects.create(coupon_code="WELCOME10", profile_id="ann")
    body = {"integrationIDs": ["ann"]}
    enqueue(
        Operation.CREATE_RESERVATION, lane=coupon_lane("WELCOME10"), args=["WELCOME10"], body=body
    )
    deliver_lane(coupon_lane("WELCOME10"))
    kept.refresh_from_db()
    assert (kept.sync_state, kept.last_error) == (SyncState.SYNCED, "")
    assert kept.synced_at is not None
    reservation = [e for e in emulator.requests if e["operation"] == "createCouponReservation"]
    assert reservation[0]["headers"]["Idempotency-Key"]

    CouponReservation.objects.filter(pk=kept.pk).update(sync_state=SyncState.DELETING)
    enqueue(
        Operation.DELETE_RESERVATION, lane=coupon_lane("WELCOME10"), args=["WELCOME10"], body=body
    )
    deliver_lane(coupon_lane("WELCOME10"))
    assert not CouponReservation.objects.exists()


def test_membership_changes_sync_and_failures_are_recorded(emulator: Emulator) -> None:
    with emulator.client() as client:
        remote_id = client.create_audience_v2({"name": "VIP"})["id"]
    audience = Audience.objects.create(name="VIP", talonone_id=remote_id)
    member = AudienceMembership.objects.create(audience=audience, profile_id="ann")
    change = {"audienceId": remote_id, "profileIntegrationId": "ann", "action": "add"}
    enqueue(Operation.UPDATE_AUDIENCES, lane=audience_lane(remote_id), body={"data": [change]})
    deliver_lane(audience_lane(remote_id))
    member.refresh_from_db()
    assert member.sync_state == SyncState.SYNCED

    ghost = Audience.objects.create(name="Gone", talonone_id=remote_id + 1000)
    lost = AudienceMembership.objects.create(audience=ghost, profile_id="ann")
    change = {"audienceId": ghost.talonone_id, "profileIntegrationId": "ann", "action": "add"}
    enqueue(
        Operation.UPDATE_AUDIENCES, lane=audience_lane(ghost.talonone_id), body={"data": [change]}
    )
    result = deliver_lane(audience_lane(ghost.talonone_id))
    lost.refresh_from_db()
    assert result.dead == 1
    assert lost.sync_state == SyncState.FAILED
    assert lost.last_error.startswith("404 ")
