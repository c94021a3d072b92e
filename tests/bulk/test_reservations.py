"""Coupon reservations: created and released through the outbox, reconciled from Talon.One."""

from __future__ import annotations

import pytest

from django_talonone.adapters import InvalidPayload
from django_talonone.client import TalonOneNotFound
from django_talonone.models import CouponReservation, Delivery, DeliveryStatus, SyncState
from django_talonone.outbox import coupon_lane, deliver_pending
from django_talonone.services.reservations import (
    reconcile_reservations,
    release_coupon,
    reserve_coupon,
    start_reservation_release,
    start_reservation_sync,
)
from django_talonone.testing import TalonOneHarness

from .conftest import calls, one_attempt, statuses

pytestmark = pytest.mark.django_db(transaction=True)

CODE = "WELCOME10"


def reserved(talonone: TalonOneHarness, code: str = CODE) -> set[str]:
    usage = talonone.emulator.state.data["couponUsage"].get(code, {})
    return set(usage.get("reservations", []))


def mirror(code: str = CODE) -> dict[str, str]:
    rows = CouponReservation.objects.filter(coupon_code=code)
    return dict(rows.values_list("profile_id", "sync_state"))


def test_reserve_and_release(talonone: TalonOneHarness) -> None:
    assert reserve_coupon(CODE, ["ann", "bob", "ann"]) == 2
    assert reserved(talonone) == {"ann", "bob"}
    assert mirror() == {"ann": SyncState.SYNCED, "bob": SyncState.SYNCED}
    assert calls(talonone, "createCouponReservation") == [{"integrationIDs": ["ann", "bob"]}]
    coupons = talonone.inventory("ann", coupons=True)["coupons"]
    assert [coupon["value"] for coupon in coupons] == [CODE]

    assert reserve_coupon(CODE, ["ann"]) == 0  # held already: nothing sent
    assert release_coupon(CODE, ["bob"]) == 1

    assert reserved(talonone) == {"ann"}
    assert mirror() == {"ann": SyncState.SYNCED}
    assert len(calls(talonone, "createCouponReservation")) == 1
    assert calls(talonone, "deleteCouponReservation") == [{"integrationIDs": ["bob"]}]


def test_start_reservation_sync_sends_pending_and_releases_deleting(
    talonone: TalonOneHarness,
) -> None:
    reserve_coupon(CODE, ["old"])
    new = CouponReservation.objects.create(coupon_code=CODE, profile_id="new")
    old = CouponReservation.objects.get(profile_id="old")
    CouponReservation.objects.filter(pk=old.pk).update(sync_state=SyncState.DELETING)

    assert start_reservation_sync([new.pk, old.pk]) == 2

    assert reserved(talonone) == {"new"}
    assert mirror() == {"new": SyncState.SYNCED}
    assert start_reservation_sync([new.pk]) == 1  # synced rows need nothing
    assert len(calls(talonone, "createCouponReservation")) == 2


def test_release_by_row_ids(talonone: TalonOneHarness) -> None:
    reserve_coupon(CODE, ["ann", "bob"])
    ann = CouponReservation.objects.get(profile_id="ann")
    assert start_reservation_release([ann.pk]) == 1
    assert reserved(talonone) == {"bob"}
    assert mirror() == {"bob": SyncState.SYNCED}


def test_reservations_go_in_batches_of_at_most_1000(talonone: TalonOneHarness) -> None:
    profiles = [f"p{n}" for n in range(2001)]
    assert reserve_coupon(CODE, profiles) == 2001
    sizes = [len(body["integrationIDs"]) for body in calls(talonone, "createCouponReservation")]
    assert sizes == [1000, 1000, 1]
    assert len(reserved(talonone)) == 2001


def test_unknown_coupon_is_mirrored_as_failed_and_a_re_run_retries(
    talonone: TalonOneHarness,
) -> None:
    reserve_coupon("NOPE", ["ann"])
    row = CouponReservation.objects.get()
    assert row.sync_state == SyncState.FAILED
    assert row.last_error.startswith("404 ")
    assert statuses(lane=coupon_lane("NOPE")) == [DeliveryStatus.DEAD]

    start_reservation_sync([row.pk])  # still unknown: dead again, the old row retired
    assert statuses(lane=coupon_lane("NOPE")) == [DeliveryStatus.SUPERSEDED, DeliveryStatus.DEAD]


def test_transient_failure_is_retried_then_succeeds(talonone: TalonOneHarness) -> None:
    talonone.fail(503, operations=["createCouponReservation"])
    reserve_coupon(CODE, ["ann"])
    row = Delivery.objects.get()
    assert (row.status, row.last_error_status) == (DeliveryStatus.PENDING, 503)
    assert mirror() == {"ann": SyncState.PENDING}
    start_reservation_sync(list(CouponReservation.objects.values_list("pk", flat=True)))
    assert Delivery.objects.count() == 1  # already queued: not queued twice

    talonone.heal()
    Delivery.objects.update(next_attempt_at=row.created_at)
    deliver_pending()
    assert mirror() == {"ann": SyncState.SYNCED}
    assert reserved(talonone) == {"ann"}


def test_dead_release_keeps_the_row_deleting(talonone: TalonOneHarness) -> None:
    reserve_coupon(CODE, ["ann"])
    talonone.fail(503, operations=["deleteCouponReservation"])
    with one_attempt():
        release_coupon(CODE, ["ann"])
    row = CouponReservation.objects.get()
    assert row.sync_state == SyncState.DELETING
    assert row.last_error.startswith("503 ")
    talonone.heal()
    start_reservation_sync([row.pk])
    assert mirror() == {}
    assert reserved(talonone) == set()


def test_reconcile_follows_talonone(talonone: TalonOneHarness) -> None:
    reserve_coupon(CODE, ["kept", "gone"])
    with talonone.client() as client:
        client.create_coupon_reservation(CODE, {"integrationIDs": ["elsewhere"]})
        client.delete_coupon_reservation(CODE, {"integrationIDs": ["gone"]})
    CouponReservation.objects.filter(profile_id="kept").update(sync_state=SyncState.FAILED)
    CouponReservation.objects.create(coupon_code=CODE, profile_id="in-transit")

    preview = reconcile_reservations(CODE, dry_run=True)
    assert (preview.added, preview.confirmed, preview.removed) == (
        ["elsewhere"],
        ["kept"],
        ["gone"],
    )
    assert mirror()["gone"] == SyncState.SYNCED  # a dry run changes nothing

    result = reconcile_reservations(CODE)
    assert str(result) == "WELCOME10: 1 added, 1 confirmed, 1 removed"
    assert mirror() == {
        "kept": SyncState.SYNCED,
        "elsewhere": SyncState.SYNCED,
        "in-transit": SyncState.PENDING,
    }
    again = reconcile_reservations(CODE)
    assert (again.added, again.confirmed, again.removed) == ([], [], [])


def test_reconcile_of_an_unknown_coupon_raises(talonone: TalonOneHarness) -> None:
    with pytest.raises(TalonOneNotFound):
        reconcile_reservations("NOPE")


def test_bad_input_is_refused(talonone: TalonOneHarness) -> None:
    with pytest.raises(InvalidPayload, match="coupon_code: is 101 characters long"):
        reserve_coupon("X" * 101, ["ann"])
    with pytest.raises(InvalidPayload, match="reservation_ids: holds None"):
        start_reservation_sync([None])  # type: ignore[list-item]
    assert talonone.requests() == []
