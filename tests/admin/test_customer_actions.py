"""The shop's customer admin with the mixin: send profiles, erase in Talon.One (GDPR)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory
from django.urls import reverse

from django_talonone.admin import erase_in_talonone
from django_talonone.testing import TalonOneHarness
from tests.admin.conftest import action_names, checked, logged_in, messages_of, run_action, staff
from tests.admin.urls import shop_site
from tests.shop.models import Cart

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.admin.urls")]

ACTIONS = ["send_profiles_to_talonone", "erase_in_talonone"]


def changelist() -> str:
    return reverse("shop_admin:auth_user_changelist")


def customer(username: str, **fields: Any) -> Any:
    return get_user_model().objects.create_user(username, email=f"{username}@example.com", **fields)


def shop_staff(*codenames: str) -> Client:
    """Staff who may view users, plus the given django_talonone permissions."""
    user = staff("clerk", *codenames)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="auth", codename__in=["view_user"])
    )
    return logged_in(user)


def test_send_profiles_confirms_then_sends_a_bulk_update(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    alice = customer("alice", first_name="Alice", last_name="Liddell")
    assert [
        name for name in action_names(superuser_client, changelist()) if name in ACTIONS
    ] == ACTIONS
    response = run_action(superuser_client, changelist(), "send_profiles_to_talonone", [alice.pk])
    text = checked(response, talonone)
    assert response.status_code == 200
    assert "Send the profiles of 1 user to Talon.One?" in text
    assert "errornote" not in text  # a routine sync is not styled as a danger
    assert "cannot be undone" not in text
    assert f"alice (profile {alice.pk})" in text
    assert reverse("shop_admin:auth_user_change", args=[alice.pk]) in text
    assert talonone.requests("updateCustomerProfilesV2") == []

    response = run_action(
        superuser_client, changelist(), "send_profiles_to_talonone", [alice.pk], confirm=True
    )
    assert response.status_code == 302
    assert messages_of(response)[-1] == "1 customer profile is on its way to Talon.One."
    [sent] = talonone.requests("updateCustomerProfilesV2")
    profiles = sent["requestBody"]["customerProfiles"]
    assert [(p["integrationId"], p["attributes"]["Name"]) for p in profiles] == [
        (str(alice.pk), "Alice Liddell")
    ]


def test_erase_warns_it_cannot_be_undone_then_erases(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    alice = customer("alice", first_name="Alice")
    bob = customer("bob")
    response = run_action(superuser_client, changelist(), "erase_in_talonone", [alice.pk, bob.pk])
    text = checked(response, talonone)
    assert "Erase everything Talon.One holds about 2 users?" in text
    assert "This cannot be undone." in text
    assert talonone.requests("deleteCustomerData") == []

    response = run_action(
        superuser_client, changelist(), "erase_in_talonone", [alice.pk, bob.pk], confirm=True
    )
    assert messages_of(response)[-1] == "Talon.One is erasing 2 customers' data."
    erased = {entry["path"].rsplit("/", 1)[1] for entry in talonone.requests("deleteCustomerData")}
    assert erased == {str(alice.pk), str(bob.pk)}
    assert get_user_model().objects.filter(pk=alice.pk).exists()  # the shop keeps its account
    # The admin history says who asked for what, for each customer, and what came of it.
    for user in (alice, bob):
        [entry] = LogEntry.objects.filter(object_id=str(user.pk))
        assert entry.user.is_superuser
        assert entry.get_change_message() == (
            "Erase in Talon.One (GDPR): Talon.One is erasing 2 customers' data."
        )


def test_each_action_needs_its_permission(talonone: TalonOneHarness) -> None:
    alice = customer("alice")
    clerk = shop_staff()
    assert [name for name in action_names(clerk, changelist()) if name in ACTIONS] == []
    for action in ACTIONS:
        run_action(clerk, changelist(), action, [alice.pk], confirm=True)
    assert talonone.requests("deleteCustomerData") == []
    assert talonone.requests("updateCustomerProfilesV2") == []


def test_erase_permission_alone_offers_only_erasure(talonone: TalonOneHarness) -> None:
    alice = customer("alice")
    clerk = shop_staff("erase_customer_data")
    assert [name for name in action_names(clerk, changelist()) if name in ACTIONS] == [
        "erase_in_talonone"
    ]
    run_action(clerk, changelist(), "send_profiles_to_talonone", [alice.pk], confirm=True)
    assert talonone.requests("updateCustomerProfilesV2") == []
    run_action(clerk, changelist(), "erase_in_talonone", [alice.pk], confirm=True)
    assert len(talonone.requests("deleteCustomerData")) == 1


def test_a_model_that_is_no_registered_customer_gets_a_clear_message(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    cart = Cart.objects.create()
    carts = reverse("shop_admin:shop_cart_changelist")
    response = run_action(superuser_client, carts, "erase_in_talonone", [cart.pk])
    assert f"cart {cart.pk}" in checked(response, talonone)  # listed without a profile id
    for action in ACTIONS:
        response = run_action(superuser_client, carts, action, [cart.pk], confirm=True)
        assert response.status_code == 302
        assert "Cart is not registered with django-talonone" in messages_of(response)[-1]
    assert talonone.requests("deleteCustomerData") == []
    assert talonone.requests("updateCustomerProfilesV2") == []


def test_the_action_itself_refuses_a_user_without_the_permission(
    talonone: TalonOneHarness,
) -> None:
    """Second line of defence, for an action called past Django's own filtering."""
    alice = customer("alice")
    request = RequestFactory().post(changelist(), {"confirm": "yes"})
    request.user = staff("clerk", "sync_profiles")
    model_admin = shop_site.get_model_admin(get_user_model())
    users = get_user_model().objects.filter(pk=alice.pk)
    response = erase_in_talonone(model_admin, request, users)
    assert response is not None
    assert response.status_code == 403
    page = response.render().content.decode()
    assert "Your account may not use the action “Erase in Talon.One (GDPR)”." in page
    assert "<li>Can erase customers&#x27; data in Talon.One</li>" in page
    assert talonone.requests("deleteCustomerData") == []
