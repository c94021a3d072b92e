"""Point 6: oscar's registration and profile edits sync profiles; deleting the account
erases the customer's data in Talon.One through the outbox."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from .shop import Shop

PROFILE = "updateCustomerProfileV2"
DELETE = "deleteCustomerData"
ATTRIBUTES = {"Name": "get_full_name", "Email": "email"}


def oscar_settings(**oscar: object) -> dict[str, object]:
    from django.conf import settings

    return {**settings.TALONONE, "OSCAR": oscar}


def test_registering_and_editing_the_profile_sync_it(shop: Shop) -> None:
    with override_settings(TALONONE=oscar_settings(PROFILE_ATTRIBUTES=ATTRIBUTES)):
        response = shop.client.post(
            reverse("customer:register"),
            {
                "email": "ada@example.com",
                "password1": "a-long-pass-phrase-9",
                "password2": "a-long-pass-phrase-9",
            },
        )
        assert response.status_code == 302
        user = get_user_model().objects.get(email="ada@example.com")
        sent = shop.talonone.requests(PROFILE)
        assert sent[-1]["path"].endswith(f"/customer_profiles/{user.pk}")
        assert sent[-1]["requestBody"]["attributes"]["Email"] == "ada@example.com"

        response = shop.client.post(
            reverse("customer:profile-update"),
            {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"},
        )
        assert response.status_code == 302
        assert shop.talonone.requests(PROFILE)[-1]["requestBody"]["attributes"] == {
            "Name": "Ada Lovelace",
            "Email": "ada@example.com",
        }


def test_deleting_the_account_erases_the_profile(shop: Shop) -> None:
    user = get_user_model().objects.create_user(
        "ada", email="ada@example.com", password="a-long-pass-phrase-9"
    )
    shop.client.force_login(user)
    response = shop.client.post(
        reverse("customer:profile-delete"), {"password": "a-long-pass-phrase-9"}
    )
    assert response.status_code == 302
    erased = shop.talonone.requests(DELETE)
    assert len(erased) == 1
    assert erased[0]["path"].endswith(f"/customer_data/{user.pk}")
