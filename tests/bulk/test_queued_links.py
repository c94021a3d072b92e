"""Mirrors name the outbox row carrying their change (``queued_in``), so nothing decodes
queued payloads to know what is on its way, and a delivered row moves only the mirrors it
still carries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from celery import current_app
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from django_talonone.models import (
    Audience,
    AudienceMembership,
    CouponReservation,
    Delivery,
    DeliveryStatus,
    Operation,
    SyncState,
)
from django_talonone.outbox import deliver_pending
from django_talonone.services import add_members, release_coupon, reserve_coupon
from django_talonone.services.audiences import push_memberships
from django_talonone.testing import TalonOneHarness

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def held() -> Iterator[None]:
    """Queued rows wait for ``deliver_pending`` instead of being sent on commit."""
    current_app.conf.task_always_eager = False
    try:
        yield
    finally:
        current_app.conf.task_always_eager = True


def _reserved(talonone: TalonOneHarness, code: str) -> list[str]:
    with talonone.client() as client:
        reply = client.get_reserved_customers(code)
    return [profile["integrationId"] for profile in reply.get("data") or []]


def test_a_release_queued_behind_a_reservation_is_the_one_that_settles_the_row(
    talonone: TalonOneHarness, held: None
) -> None:
    reserve_coupon("WELCOME10", ["ann"])
    reservation = CouponReservation.objects.get()
    first = reservation.queued_in
    assert first is not None
    assert first.operation == Operation.CREATE_RESERVATION
    assert reserve_coupon("WELCOME10", ["ann"]) == 0  # on its way already: nothing new
    assert Delivery.objects.count() == 1

    release_coupon("WELCOME10", ["ann"])
    reservation.refresh_from_db()
    assert reservation.sync_state == SyncState.DELETING
    assert reservation.queued_in is not None
    assert reservation.queued_in.operation == Operation.DELETE_RESERVATION

    deliver_pending()
    assert list(Delivery.objects.values_list("status", flat=True)) == [DeliveryStatus.DONE] * 2
    assert not CouponReservation.objects.exists()  # the release settled it, not the create
    assert _reserved(talonone, "WELCOME10") == []


def test_a_dead_batch_is_queued_again_and_its_members_say_why(
    talonone: TalonOneHarness, held: None
) -> None:
    ghost = Audience.objects.create(name="Gone", talonone_id=4040)  # not in Talon.One: 404
    add_members(ghost, ["ann", "bob"])
    deliver_pending()
    dead = Delivery.objects.get()
    assert dead.status == DeliveryStatus.DEAD
    members = AudienceMembership.objects.order_by("profile_id")
    assert [(m.sync_state, m.queued_in_id) for m in members] == [(SyncState.FAILED, dead.pk)] * 2

    assert push_memberships(ghost) == 2  # a re-run: the dead row's members go again
    again = Delivery.objects.exclude(pk=dead.pk).get()
    assert [m.queued_in_id for m in members.all()] == [again.pk] * 2
    assert Delivery.objects.get(pk=dead.pk).status == DeliveryStatus.SUPERSEDED
    assert push_memberships(ghost) == 0  # and only once


BEFORE = [("django_talonone", "0011_payload_as_wire_json")]
AFTER = [("django_talonone", "0012_mirror_queued_change")]


def _models_at(targets: list[tuple[str, str]]) -> object:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def test_rows_waiting_at_the_upgrade_are_linked_to_their_mirrors() -> None:
    try:
        old = _models_at(BEFORE)
        audience = old.get_model("django_talonone", "Audience").objects.create(  # type: ignore[attr-defined]
            name="VIP", talonone_id=7
        )
        membership = old.get_model("django_talonone", "AudienceMembership")  # type: ignore[attr-defined]
        member = membership.objects.create(audience=audience, profile_id="ann")
        change = {"action": "delete", "profileIntegrationId": "ann", "audienceId": 7}
        row = old.get_model("django_talonone", "Delivery").objects.create(  # type: ignore[attr-defined]
            operation=Operation.UPDATE_AUDIENCES.value,
            lane="audience:7",
            payload={"args": [], "body": {"data": [change]}, "query": {}},
        )

        new = _models_at(AFTER)
        linked = new.get_model("django_talonone", "AudienceMembership").objects.get(pk=member.pk)  # type: ignore[attr-defined]
        assert (linked.queued_in_id, linked.queued_action) == (row.pk, "delete")
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
