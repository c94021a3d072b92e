"""The bulk Celery tasks: names, messages (ids only, after the commit), eager runs, and
the inline fallback when Celery is not installed."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from celery import current_app
from celery.exceptions import Retry
from celery.signals import before_task_publish
from django.db import connection, transaction

import django_talonone
from django_talonone.models import Audience, CouponReservation, SyncState
from django_talonone.services.audiences import start_audience_sync
from django_talonone.services.bulk_profiles import start_customer_erasure, start_profile_sync
from django_talonone.services.referrals import start_referral_code_creation
from django_talonone.services.reservations import reserve_coupon, start_reservation_release
from django_talonone.tasks import (
    create_referral_codes_task,
    delete_audiences_task,
    deliver_lane_task,
    erase_customers_task,
    sweep_outbox,
    sync_audiences_task,
    sync_profiles_task,
    sync_reservations_task,
    watch_outbox,
)
from django_talonone.testing import TalonOneHarness

pytestmark = pytest.mark.django_db(transaction=True)

BULK_TASKS = {
    "talonone.sync_audiences": sync_audiences_task,
    "talonone.delete_audiences": delete_audiences_task,
    "talonone.sync_reservations": sync_reservations_task,
    "talonone.sync_profiles": sync_profiles_task,
    "talonone.erase_customers": erase_customers_task,
    "talonone.create_referral_codes": create_referral_codes_task,
}


@pytest.fixture
def published(talonone: TalonOneHarness) -> Iterator[list[tuple[str, Any]]]:
    """Messages published to the (in-memory) broker, with eager mode off."""
    sent: list[tuple[str, Any]] = []
    keywords: list[Any] = []

    def record(sender: str, body: Any, **kwargs: Any) -> None:
        args, task_kwargs, _ = body
        sent.append((sender, list(args)))
        keywords.append(task_kwargs)

    before_task_publish.connect(record, weak=False)
    current_app.conf.task_always_eager = False
    try:
        yield sent
    finally:
        current_app.conf.task_always_eager = True
        before_task_publish.disconnect(record)
    assert all(task_kwargs == {} for task_kwargs in keywords)  # positional ids only


def test_task_names_and_options() -> None:
    for name, task in BULK_TASKS.items():
        assert task.name == name
        assert task.acks_late is True
    names = (deliver_lane_task.name, sweep_outbox.name, watch_outbox.name)
    assert names == ("talonone.deliver_lane", "talonone.sweep_outbox", "talonone.watch_outbox")


def test_messages_carry_ids_only_and_leave_after_the_commit(
    published: list[tuple[str, Any]],
) -> None:
    audience = Audience.objects.create(name="VIP")
    with transaction.atomic():
        assert start_audience_sync([audience.pk, audience.pk]) == 1
        assert published == []
    assert published == [("talonone.sync_audiences", [[audience.pk]])]

    published.clear()
    with transaction.atomic():
        start_audience_sync([audience.pk])
        transaction.set_rollback(True)
    assert published == []


def test_long_id_lists_are_split_into_messages(published: list[tuple[str, Any]]) -> None:
    assert start_customer_erasure([f"p{n}" for n in range(2500)]) == 2500
    sizes = [len(args[0]) for _, args in published]
    assert sizes == [1000, 1000, 500]
    assert {name for name, _ in published} == {"talonone.erase_customers"}


def test_profile_messages_name_the_model_and_the_keys(
    published: list[tuple[str, Any]], django_user_model: Any
) -> None:
    user = django_user_model.objects.create(username="ann")
    published.clear()  # the signal-driven single sync is not what this test is about
    assert start_profile_sync("auth.User", [user.pk]) == 1
    assert published == [("talonone.sync_profiles", ["auth.User", [user.pk]])]


def test_release_marks_rows_at_once_even_before_the_task_runs(
    published: list[tuple[str, Any]],
) -> None:
    row = CouponReservation.objects.create(coupon_code="WELCOME10", profile_id="ann")
    assert start_reservation_release([row.pk]) == 1
    row.refresh_from_db()
    assert row.sync_state == SyncState.DELETING
    assert published == [("talonone.sync_reservations", [[row.pk]])]


def test_eager_tasks_report_and_re_runs_do_nothing_more(talonone: TalonOneHarness) -> None:
    row = CouponReservation.objects.create(coupon_code="WELCOME10", profile_id="ann")
    first = sync_reservations_task.delay([row.pk]).get()
    again = sync_reservations_task.delay([row.pk]).get()
    assert first == {"done": 1, "queued": 1, "failed": 0, "skipped": 0, "errors": {}}
    assert again == {"done": 0, "queued": 0, "failed": 0, "skipped": 1, "errors": {}}
    assert len(talonone.requests("createCouponReservation")) == 1

    audience = Audience.objects.create(name="Ghost", talonone_id=999)
    result = sync_audiences_task.delay([audience.pk]).get()
    assert result["failed"] == 1
    assert result["errors"][str(audience.pk)].startswith("404 ")


def test_without_celery_the_work_runs_inline(
    talonone: TalonOneHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.apps import apps

    from django_talonone.apps import celery_queue

    for name in [name for name in sys.modules if name.startswith("django_talonone.tasks")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delattr(django_talonone, "tasks")
    monkeypatch.setitem(sys.modules, "celery", None)  # import celery -> ImportError
    assert celery_queue() is None  # what the app's ready() installs without Celery
    monkeypatch.setattr(apps.get_app_config("django_talonone"), "celery", None)

    audience = Audience.objects.create(name="Inline")
    assert start_audience_sync([audience.pk]) == 1

    audience.refresh_from_db()
    assert audience.sync_state == SyncState.SYNCED
    assert len(talonone.requests("createAudienceV2")) == 1


def test_audience_tasks_retry_only_what_failed_transiently(
    talonone: TalonOneHarness, published: list[tuple[str, Any]]
) -> None:
    ok = Audience.objects.create(name="Fine")
    blip = Audience.objects.create(name="Blip")
    gone = Audience.objects.create(name="Gone", talonone_id=4242)  # 404: retrying won't help
    taken = Audience.objects.create(name="Taken", integration_id="crm-1")  # 409: neither
    with talonone.client() as client:
        client.create_audience_v2({"name": "Taken", "integrationId": "crm-1"})

    result = run_as_worker([ok.pk, gone.pk, taken.pk])
    assert (result["done"], result["failed"]) == (1, 2)
    assert published == []

    talonone.fail(503, operations=["createAudienceV2"])
    with pytest.raises(Retry):
        run_as_worker([blip.pk, ok.pk])
    assert published == [("talonone.sync_audiences", [[blip.pk]])]
    assert Audience.objects.get(pk=blip.pk).last_error.startswith("503 ")
    talonone.heal()
    assert sync_audiences_task([blip.pk])["done"] == 1


def run_as_worker(ids: list[int]) -> dict[str, Any]:
    """Run the task as a worker does (not eager, not called directly): retries publish."""
    sync_audiences_task.push_request(id="worker-run", retries=0, called_directly=False)
    try:
        result: dict[str, Any] = sync_audiences_task.run(ids)
    finally:
        sync_audiences_task.pop_request()
    return result


def test_long_id_lists_are_looked_up_1000_at_a_time(talonone: TalonOneHarness) -> None:
    # Many SQLite builds refuse more than 32766 parameters in one statement (older ones
    # 999), and the admin's "select all" or a file of ids can be longer than that.
    lookups: list[int] = []
    inserts: list[int] = []

    def measure(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        (inserts if sql.startswith("INSERT") else lookups).append(len(params or ()))
        return execute(sql, params, many, context)

    many = list(range(1, 40_001))
    audience = Audience.objects.create(name="VIP")
    with connection.execute_wrapper(measure):
        assert start_audience_sync([*many, audience.pk]) == 1
        assert start_reservation_release(many) == 0
        assert start_referral_code_creation(many) == 0
        assert reserve_coupon("WELCOME10", [f"p{n}" for n in range(2500)]) == 2500
    assert max(lookups) <= 1010
    # New rows go in batches Django sizes for this database (its limit varies by version).
    limit = connection.features.max_query_params
    assert inserts
    assert limit is None or max(inserts) <= limit
