"""Delivered (or dead) audience and reservation rows update their local mirrors.

The rows are queued the one way the app queues them (the services' push functions), which
links each mirror to the outbox row carrying its change.
"""

from __future__ import annotations

import pytest

from django_talonone.emulator import Emulator
from django_talonone.models import (
    Audience,
    AudienceMembership,
    CouponReservation,
    SyncState,
)
from django_talonone.outbox import audience_lane, coupon_lane, deliver_lane
from django_talonone.services.audiences import push_memberships
from django_talonone.services.reservations import push_reservations

pytestmark = pytest.mark.django_db


def test_reservations_are_synced_then_forgotten(emulator: Emulator) -> None:
    kept = CouponReservation.objects.create(coupon_code="WELCOME10", profile_id="ann")
    assert push_reservations("WELCOME10") == 1
    assert push_reservations("WELCOME10") == 0  # already on its way: not queued twice
    deliver_lane(coupon_lane("WELCOME10"))
    kept.refresh_from_db()
    assert (kept.sync_state, kept.last_error) == (SyncState.SYNCED, "")
    assert kept.synced_at is not None
    reservation = [e for e in emulator.requests if e["operation"] == "createCouponReservation"]
    assert reservation[0]["headers"]["Idempotency-Key"]

    CouponReservation.objects.filter(pk=kept.pk).update(sync_state=SyncState.DELETING)
    assert push_reservations("WELCOME10") == 1
    deliver_lane(coupon_lane("WELCOME10"))
    assert not CouponReservation.objects.exists()


def test_membership_changes_sync_and_failures_are_recorded(emulator: Emulator) -> None:
    with emulator.client() as client:
        remote_id = client.create_audience_v2({"name": "VIP"})["id"]
    audience = Audience.objects.create(name="VIP", talonone_id=remote_id)
    member = AudienceMembership.objects.create(audience=audience, profile_id="ann")
    assert push_memberships(audience) == 1
    deliver_lane(audience_lane(remote_id))
    member.refresh_from_db()
    assert member.sync_state == SyncState.SYNCED

    ghost = Audience.objects.create(name="Gone", talonone_id=remote_id + 1000)
    lost = AudienceMembership.objects.create(audience=ghost, profile_id="ann")
    assert push_memberships(ghost) == 1
    result = deliver_lane(audience_lane(ghost.talonone_id))
    lost.refresh_from_db()
    assert result.dead == 1
    assert lost.sync_state == SyncState.FAILED
    assert lost.last_error.startswith("404 ")
