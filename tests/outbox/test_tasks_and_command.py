"""The Celery tasks (eager here) and the ``talonone_deliver`` management command."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from django_talonone.emulator import Emulator
from django_talonone.models import Delivery, DeliveryStatus, Operation
from django_talonone.outbox import due_lanes, enqueue, profile_lane, sweep
from django_talonone.tasks import deliver_lane_task, sweep_outbox
from tests.clocks import OutboxClock

from .conftest import SETTINGS, unwoken_row

pytestmark = pytest.mark.django_db


_profile = unwoken_row


def test_deliver_lane_task_reports_and_is_idempotent(emulator: Emulator) -> None:
    row = _profile("ann")
    first = deliver_lane_task.delay(row.lane).get()
    again = deliver_lane_task.delay(row.lane).get()
    assert first == {
        "lane": "profile:ann",
        "delivered": 1,
        "retried": 0,
        "dead": 0,
        "state": "idle",
    }
    assert again["delivered"] == 0
    assert [e["operation"] for e in emulator.requests] == ["updateCustomerProfileV2"]


def test_task_arguments_are_the_lane_only() -> None:
    signature = deliver_lane_task.s(profile_lane("ann"))
    assert signature.args == ("profile:ann",)
    assert signature.kwargs == {}


def test_sweeper_wakes_due_lanes_but_not_dead_or_busy_ones(
    emulator: Emulator, clock: OutboxClock
) -> None:
    due = _profile("due")
    dead = _profile("dead")
    busy = _profile("busy")
    waiting = _profile("waiting")
    Delivery.objects.filter(pk=dead.pk).update(status=DeliveryStatus.DEAD)
    Delivery.objects.filter(pk=busy.pk).update(
        status=DeliveryStatus.IN_FLIGHT, lease_expires_at=clock.now + timedelta(seconds=5)
    )
    Delivery.objects.filter(pk=waiting.pk).update(next_attempt_at=clock.now + timedelta(hours=1))
    assert due_lanes(now=clock.now) == [due.lane]
    assert sweep(clock=clock) == [due.lane]  # the eager task delivers it at once
    assert Delivery.objects.get(pk=due.pk).status == DeliveryStatus.DONE
    assert sweep_outbox.delay().get() == []


def test_sweeper_leaves_a_lane_whose_head_waits_in_backoff(
    emulator: Emulator, clock: OutboxClock
) -> None:
    # Rows behind a head in backoff are not due: waking their lane would only re-queue its
    # task, and with a full batch it would keep a lane that is due from being woken.
    head = _profile("waiting")
    _profile("waiting")
    due = _profile("due")
    Delivery.objects.filter(pk=head.pk).update(next_attempt_at=clock.now + timedelta(hours=1))
    assert due_lanes(now=clock.now) == [due.lane]
    with override_settings(TALONONE=SETTINGS | {"OUTBOX_BATCH": 1}):
        assert sweep(clock=clock) == [due.lane]
    assert Delivery.objects.get(pk=due.pk).status == DeliveryStatus.DONE


def test_sweeper_is_bounded_by_the_batch_setting(emulator: Emulator) -> None:
    for name in ("a", "b", "c"):
        _profile(name)
    with override_settings(TALONONE=SETTINGS | {"OUTBOX_BATCH": 2}):
        assert due_lanes(now=timezone.now(), limit=2) == ["profile:a", "profile:b"]
        assert sweep() == ["profile:a", "profile:b"]
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 1


def test_command_once_delivers_and_prints_a_summary(emulator: Emulator) -> None:
    _profile("ann")
    _profile("bob")
    out = StringIO()
    call_command("talonone_deliver", "--once", stdout=out)
    assert out.getvalue().strip() == "Outbox: 2 lane(s): 2 delivered, 0 to retry, 0 dead"
    assert not Delivery.objects.exclude(status=DeliveryStatus.DONE).exists()


def test_command_reports_dead_rows(emulator: Emulator) -> None:
    row = enqueue(
        Operation.RETURN_ITEMS,
        lane="session:nope",
        args=["nope"],
        body={"return": {"returnedCartItems": [{"position": 0}]}},
    )
    out = StringIO()
    call_command("talonone_deliver", stdout=out)
    assert "1 dead" in out.getvalue()
    assert Delivery.objects.get(pk=row.pk).status == DeliveryStatus.DEAD


def test_command_loop_runs_the_given_number_of_times(emulator: Emulator) -> None:
    _profile("ann")
    out = StringIO()
    call_command("talonone_deliver", "--loop", "--iterations", "2", "--interval", "0", stdout=out)
    assert out.getvalue().splitlines() == [
        "Outbox: 1 lane(s): 1 delivered, 0 to retry, 0 dead",
        "Outbox: 0 lane(s): 0 delivered, 0 to retry, 0 dead",
    ]


@pytest.mark.parametrize("argv", [["--loop", "--iterations", "0"], ["--interval", "-1"]])
def test_command_rejects_bad_options(argv: list[str]) -> None:
    with pytest.raises(CommandError):
        call_command("talonone_deliver", *argv)
