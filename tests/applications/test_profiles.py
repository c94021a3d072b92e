"""Profiles per Application: a customer exists in each Application they shop in, bulk
syncs go per Application, and a GDPR erasure reaches every Application."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from django_talonone.models import Delivery, DeliveryStatus, Operation
from django_talonone.services import evaluate_cart, forget_customer, sync_customer, track_event
from django_talonone.services.bulk_profiles import (
    bulk_profile_lane,
    erase_customers,
    start_profile_sync,
)
from django_talonone.testing import TalonOneHarness

from .conftest import cart_in

pytestmark = pytest.mark.django_db(transaction=True)


def profiles(shop: TalonOneHarness, application: str) -> set[str]:
    return set(shop.emulator.state_of(application).data["profiles"])


def shopper(username: str) -> Any:
    """A user created without the save signal (so nothing is sent before the test)."""
    User = get_user_model()
    User.objects.bulk_create([User(username=username, email=f"{username}@example.com")])
    return User.objects.get(username=username)


def test_a_profile_goes_to_every_application_the_customer_shops_in(
    shop: TalonOneHarness,
) -> None:
    ann, bob = shopper("ann"), shopper("bob")
    evaluate_cart(cart_in("GBP", ann))  # ann shops in GBP too
    with transaction.atomic():
        ann_rows = sync_customer(ann)
        bob_rows = sync_customer(bob)
    assert [row.application for row in ann_rows] == ["default", "gbp"]
    assert [row.application for row in bob_rows] == ["default"]
    assert {str(ann.pk), str(bob.pk)} <= profiles(shop, "default")
    assert str(ann.pk) in profiles(shop, "gbp")
    assert str(bob.pk) not in profiles(shop, "gbp")
    assert [e["application"] for e in shop.requests("updateCustomerProfileV2")] == [
        "default",
        "gbp",
        "default",
    ]


def test_a_bulk_sync_goes_to_the_application_asked_for(shop: TalonOneHarness) -> None:
    users = [shopper(f"user{n}") for n in range(3)]
    assert start_profile_sync("auth.User", [user.pk for user in users], "gbp") == 3
    [row] = Delivery.objects.filter(operation=Operation.UPDATE_PROFILES)
    assert (row.application, row.lane) == ("gbp", bulk_profile_lane("auth.user", "gbp"))
    assert row.lane == "profiles@gbp:auth.user"
    assert row.status == DeliveryStatus.DONE
    assert {str(user.pk) for user in users} <= profiles(shop, "gbp")
    assert profiles(shop, "default") == set()
    [request] = shop.requests("updateCustomerProfilesV2")
    assert request["application"] == "gbp"


def test_a_bulk_sync_by_default_follows_each_customers_applications(
    shop: TalonOneHarness,
) -> None:
    ann, bob = shopper("ann"), shopper("bob")
    evaluate_cart(cart_in("GBP", ann))
    start_profile_sync("auth.User", [ann.pk, bob.pk])
    batches = {
        row.application: [p["integrationId"] for p in row.payload["body"]["customerProfiles"]]
        for row in Delivery.objects.filter(operation=Operation.UPDATE_PROFILES)
    }
    assert batches == {"default": [str(ann.pk), str(bob.pk)], "gbp": [str(ann.pk)]}


def test_an_erasure_reaches_every_application(shop: TalonOneHarness) -> None:
    ann = shopper("ann")
    evaluate_cart(cart_in("GBP", ann))
    with transaction.atomic():
        sync_customer(ann)
    assert shop.emulator.state_of("gbp").data["profiles"][str(ann.pk)]["attributes"]
    result = erase_customers([str(ann.pk)])
    assert (result.done, result.queued) == (1, 1)
    erasures = shop.requests("deleteCustomerData")
    assert sorted(entry["application"] for entry in erasures) == ["default", "gbp"]
    for application in ("default", "gbp"):
        stored = shop.emulator.state_of(application).data["profiles"][str(ann.pk)]
        assert stored["attributes"] == {}, application


def test_an_erasure_in_an_application_never_seen_settles(shop: TalonOneHarness) -> None:
    """Talon.One erases across an environment; an Application that no longer (or never)
    knew the profile answers 404, which settles its row instead of killing it."""
    bob = shopper("bob")
    with transaction.atomic():
        sync_customer(bob)  # default only
    with transaction.atomic():
        rows = forget_customer(str(bob.pk))
    assert [row.application for row in rows] == ["default", "gbp"]
    statuses = dict(
        Delivery.objects.filter(operation=Operation.DELETE_CUSTOMER).values_list(
            "application", "status"
        )
    )
    assert statuses["default"] == DeliveryStatus.DONE
    assert statuses["gbp"] == DeliveryStatus.DONE  # settled, not pending nor dead


def test_an_event_goes_to_the_application_of_the_shoppers_session(
    shop: TalonOneHarness,
) -> None:
    ann = shopper("ann")
    evaluate_cart(cart_in("GBP", ann))
    with transaction.atomic():
        row = track_event(str(ann.pk), "newsletter_signup")
    assert row.application == "gbp"
    assert [e["application"] for e in shop.requests("trackEventV2")] == ["gbp"]
