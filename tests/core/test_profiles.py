"""Customers and events: profile sync, GDPR erasure, custom events."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from django_talonone.adapters import InvalidPayload
from django_talonone.models import Delivery, DeliveryStatus, Operation
from django_talonone.services import forget_customer, open_session, sync_customer, track_event
from django_talonone.signals import customer_deleted, event_tracked
from django_talonone.testing import TalonOneHarness
from tests.shop.models import Cart

from .conftest import fill

pytestmark = pytest.mark.django_db(transaction=True)


def test_customer_changes_reach_the_profile_attributes(shop: TalonOneHarness, user) -> None:
    user.first_name = "Alicia"
    user.save()
    profile = shop.inventory(str(user.pk), profile=True)["profile"]
    assert profile["attributes"] == {"Name": "Alicia Liddell", "Email": "alice@example.com"}


def test_login_only_saves_are_not_sent(shop: TalonOneHarness, user) -> None:
    before = len(shop.requests("updateCustomerProfileV2"))
    user.save(update_fields=["last_login"])
    assert len(shop.requests("updateCustomerProfileV2")) == before


def test_deleting_a_customer_erases_their_data(shop: TalonOneHarness, user) -> None:
    profile_id = str(user.pk)
    user.delete()
    [request] = shop.requests("deleteCustomerData")
    assert request["path"].endswith(f"/customer_data/{profile_id}")
    assert shop.inventory(profile_id, profile=True)["profile"]["attributes"] == {}


def test_customer_deleted_signal_erases(shop: TalonOneHarness, user) -> None:
    customer_deleted.send(sender=None, profile_id=str(user.pk))
    assert len(shop.requests("deleteCustomerData")) == 1


def test_erasure_waits_behind_the_profile_update_in_one_transaction(
    shop: TalonOneHarness,
) -> None:
    with transaction.atomic():
        bob = get_user_model().objects.create_user("bob", email="bob@example.com")
        forget_customer(str(bob.pk))
    operations = [entry["operation"] for entry in shop.requests()]
    assert operations == ["updateCustomerProfileV2", "deleteCustomerData"]


def test_events_are_tracked(shop: TalonOneHarness, user) -> None:
    event_tracked.send(
        sender=None, profile_id=str(user.pk), event_type="review", attributes={"stars": 5}
    )
    [request] = shop.requests("trackEventV2")
    assert request["requestBody"] == {
        "profileId": str(user.pk),
        "type": "review",
        "attributes": {"stars": 5},
    }
    row = Delivery.objects.get(operation=Operation.TRACK_EVENT)
    assert row.status == DeliveryStatus.DONE


def test_event_profile_can_come_from_the_session(shop: TalonOneHarness, user) -> None:
    cart = Cart.objects.create(user=user)
    fill(cart, ("MUG", "1.00", 1))
    track_event("", "newsletter_signup", session_id=open_session(cart).session_id)
    [request] = shop.requests("trackEventV2")
    assert request["requestBody"]["profileId"] == str(user.pk)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("", "review"), "profile_id"),
        (("p", ""), "event_type"),
        (("p", "talon_session_created"), "event_type"),
        (("p", "review", {1: "x"}), "attributes"),
    ],
)
def test_bad_events_are_rejected_naming_the_field(
    shop: TalonOneHarness, args: tuple, field: str
) -> None:
    with pytest.raises(InvalidPayload) as caught:
        track_event(*args)
    assert caught.value.field == field
    assert not Delivery.objects.exists()


def test_sync_mode_calls_at_once_and_keeps_failures_queued(shop: TalonOneHarness, settings) -> None:
    settings.TALONONE = {**settings.TALONONE, "DELIVERY": {"profile": "sync"}}
    from celery import current_app

    current_app.conf.task_always_eager = False
    settings.CELERY_BROKER_URL = "memory://"
    shop.fail(503, operations=["updateCustomerProfileV2"])
    try:
        sync_customer(get_user_model()(pk=7, first_name="Ann"))
    finally:
        current_app.conf.task_always_eager = True
    requests = shop.requests("updateCustomerProfileV2")  # the client's own retries too
    assert requests
    assert {request["status"] for request in requests} == {503}
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.last_error_status) == (DeliveryStatus.PENDING, 1, 503)


@pytest.mark.parametrize(("fault", "kicks"), [(None, []), (503, ["talonone.deliver_lane"])])
def test_sync_mode_hands_celery_only_what_is_left(
    shop: TalonOneHarness, settings, fault: int | None, kicks: list[str]
) -> None:
    settings.TALONONE = {**settings.TALONONE, "DELIVERY": {"profile": "sync"}}
    from celery import current_app
    from celery.signals import before_task_publish

    published: list[str] = []

    def record(sender: str, **kwargs: object) -> None:
        published.append(sender)

    if fault is not None:
        shop.fail(fault, operations=["updateCustomerProfileV2"])
    current_app.conf.task_always_eager = False
    before_task_publish.connect(record, weak=False)
    try:
        sync_customer(get_user_model()(pk=7, first_name="Ann"))
    finally:
        before_task_publish.disconnect(record)
        current_app.conf.task_always_eager = True
    assert published == kicks  # delivered here: no second, redundant delivery task
    expected = DeliveryStatus.DONE if fault is None else DeliveryStatus.PENDING
    assert Delivery.objects.get().status == expected


def test_erasing_a_profile_talon_one_never_saw_is_done_not_dead(shop: TalonOneHarness) -> None:
    forget_customer("ghost")
    [request] = shop.requests("deleteCustomerData")
    assert request["status"] == 404
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.last_error_status) == (DeliveryStatus.DONE, 1, 404)
    assert "nothing to delete" in row.last_error
    assert row.delivered_at is not None
