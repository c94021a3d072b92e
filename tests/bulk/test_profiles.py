"""Bulk profile sync (UpdateCustomerProfilesV2) and bulk GDPR erasure (DeleteCustomerData)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured

from django_talonone.adapters import InvalidPayload
from django_talonone.models import Delivery, DeliveryStatus, Operation
from django_talonone.outbox import deliver_pending, profile_lane
from django_talonone.registry import register_customer
from django_talonone.services import forget_customer, sync_customer, track_event
from django_talonone.services.bulk_profiles import (
    bulk_profile_lane,
    erase_customers,
    start_customer_erasure,
    start_profile_sync,
    sync_profiles,
)
from django_talonone.testing import TalonOneHarness
from tests.shop.adapters import ShopCustomerAdapter, register
from tests.shop.models import Cart

from .conftest import calls, one_attempt, statuses

pytestmark = pytest.mark.django_db(transaction=True)

LANE = bulk_profile_lane("auth.user")


def make_users(count: int) -> list[Any]:
    """Users created without signals, so nothing is sent before the bulk sync."""
    User = get_user_model()
    User.objects.bulk_create(
        [
            User(username=f"user{n}", email=f"user{n}@example.com", first_name=f"U{n}")
            for n in range(count)
        ]
    )
    return list(User.objects.order_by("pk"))


def test_profiles_are_sent_in_batches_of_1000(talonone: TalonOneHarness) -> None:
    users = make_users(1203)
    pks = [user.pk for user in users]

    assert start_profile_sync("auth.User", [*pks, 10**9]) == 1203

    batches = calls(talonone, "updateCustomerProfilesV2")
    assert [len(body["customerProfiles"]) for body in batches] == [1000, 203]
    first = batches[0]["customerProfiles"][0]
    assert first == {
        "integrationId": str(users[0].pk),
        "attributes": {"Name": "U0", "Email": "user0@example.com"},
    }
    assert statuses(lane=LANE) == [DeliveryStatus.DONE] * 2
    profiles = talonone.emulator.state.data["profiles"]
    assert profiles[str(users[-1].pk)]["attributes"]["Email"] == "user1202@example.com"


def test_a_customer_the_adapter_rejects_is_reported_the_rest_go(
    talonone: TalonOneHarness,
) -> None:
    users = make_users(2)

    class Picky(ShopCustomerAdapter):
        def get_attributes(self, customer: Any) -> dict[str, Any]:
            if customer.pk == users[0].pk:
                return {"": "no name"}
            return dict(super().get_attributes(customer))

    register_customer(get_user_model(), Picky, watch=False)
    try:
        result = sync_profiles("auth.user", [users[0].pk, users[1].pk, 10**9])
    finally:
        register()
    assert (result.done, result.failed, result.skipped, result.queued) == (1, 1, 1, 1)
    assert result.errors == {str(users[0].pk): "attributes: keys must be non-empty strings, got ''"}
    [body] = calls(talonone, "updateCustomerProfilesV2")
    assert [p["integrationId"] for p in body["customerProfiles"]] == [str(users[1].pk)]


def test_transient_failure_is_retried_through_the_outbox(talonone: TalonOneHarness) -> None:
    users = make_users(3)
    talonone.fail(503, operations=["updateCustomerProfilesV2"])
    start_profile_sync("auth.user", [user.pk for user in users])
    row = Delivery.objects.get(lane=LANE)
    assert (row.status, row.last_error_status) == (DeliveryStatus.PENDING, 503)
    talonone.heal()
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    deliver_pending()
    assert statuses(lane=LANE) == [DeliveryStatus.DONE]
    assert len(talonone.emulator.state.data["profiles"]) == 3


def test_unregistered_or_unknown_models_are_refused(talonone: TalonOneHarness) -> None:
    with pytest.raises(ImproperlyConfigured, match="Cart is not registered with django-talonone"):
        start_profile_sync("shop.cart", [1])
    with pytest.raises(ImproperlyConfigured, match=r"'shop\.nothing' is not an installed model"):
        start_profile_sync("shop.nothing", [1])
    with pytest.raises(InvalidPayload, match="pks: holds a value that is not a User key"):
        start_profile_sync("auth.user", ["abc"])
    assert Cart.objects.count() == 0
    assert talonone.requests() == []


def test_erasure_deletes_each_profile_on_its_lane(talonone: TalonOneHarness) -> None:
    with talonone.client() as client:
        client.update_customer_profiles_v2(
            {"customerProfiles": [{"integrationId": "ann"}, {"integrationId": "bob"}]}
        )

    assert start_customer_erasure(["ann", "bob", "ann"]) == 2

    assert [e["path"] for e in talonone.requests("deleteCustomerData")] == [
        "/v1/customer_data/ann",
        "/v1/customer_data/bob",
    ]
    assert statuses(lane=profile_lane("ann")) == [DeliveryStatus.DONE]
    # An unknown profile answers 404: nothing to erase, so the row is done, not dead.
    start_customer_erasure(["ghost"])
    assert statuses(lane=profile_lane("ghost")) == [DeliveryStatus.DONE]


def test_erasure_is_idempotent_and_not_blocked_by_dead_rows(talonone: TalonOneHarness) -> None:
    track_event("ann", "review")
    talonone.fail(503, operations=["deleteCustomerData"])
    forget_customer("ann")  # waits in backoff
    lane = profile_lane("ann")
    assert statuses(lane=lane) == [DeliveryStatus.DONE, DeliveryStatus.PENDING]

    result = erase_customers(["ann"])  # already queued: not queued twice
    assert (result.done, result.skipped) == (0, 1)

    Delivery.objects.filter(lane=lane).delete()
    talonone.fail(503, operations=["updateCustomerProfileV2"])
    with one_attempt():
        sync_customer(make_users(1)[0])
    user_lane = Delivery.objects.get(operation=Operation.UPDATE_PROFILE).lane
    assert statuses(lane=user_lane) == [DeliveryStatus.DEAD]
    talonone.heal()
    profile_id = user_lane.split(":", 1)[1]
    assert erase_customers([profile_id]).done == 1
    assert statuses(lane=user_lane) == [DeliveryStatus.SUPERSEDED, DeliveryStatus.DONE]


def test_erasure_takes_the_profile_out_of_waiting_bulk_batches(
    talonone: TalonOneHarness,
) -> None:
    users = make_users(2)
    talonone.fail(503, operations=["updateCustomerProfilesV2"])
    start_profile_sync("auth.user", [user.pk for user in users])
    talonone.heal()
    first, second = str(users[0].pk), str(users[1].pk)

    erase_customers([first])

    row = Delivery.objects.get(lane=LANE)
    assert [p["integrationId"] for p in row.payload["body"]["customerProfiles"]] == [second]
    erase_customers([second])
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SUPERSEDED


def test_erasure_refuses_bad_ids(talonone: TalonOneHarness) -> None:
    with pytest.raises(InvalidPayload, match=r"profile_ids\[1\]: must be a non-empty string"):
        start_customer_erasure(["ann", None])  # type: ignore[list-item]
    with pytest.raises(InvalidPayload, match="profile_ids: must be a list of strings"):
        start_customer_erasure("ann")
    assert talonone.requests() == []
