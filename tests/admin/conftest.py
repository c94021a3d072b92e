"""Admin tests: the Django test client against the app's ModelAdmins, as a superuser and
as staff with only some permissions, with the ``talonone`` emulator fixture behind them.

Tests that act commit for real (``transaction=True``): the outbox wakes its delivery task
on commit, and eager Celery delivers to the emulator right then.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from django_talonone.testing import TalonOneHarness, talonone

__all__ = ["talonone"]

VIEW_MODELS = [
    "delivery",
    "customersession",
    "sessionreturn",
    "audience",
    "audiencemembership",
    "couponreservation",
    "referralcode",
]


def staff(username: str, *codenames: str) -> Any:
    """A staff user holding exactly the ``django_talonone`` permissions ``codenames``."""
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    permissions = Permission.objects.filter(
        content_type__app_label="django_talonone", codename__in=codenames
    )
    assert permissions.count() == len(codenames), "unknown permission codename"
    user.user_permissions.add(*permissions)
    return user


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser_client(talonone: TalonOneHarness) -> Client:
    user = get_user_model().objects.create_superuser("root", password="pw")
    return logged_in(user)


@pytest.fixture
def viewer_client(talonone: TalonOneHarness) -> Client:
    """Staff who may look at every model of the app, and do nothing else."""
    return logged_in(staff("viewer", *(f"view_{model}" for model in VIEW_MODELS)))


def url(view: str, *args: Any) -> str:
    return reverse(f"admin:django_talonone_{view}", args=args)


def page(client: Client, address: str, harness: TalonOneHarness, status: int = 200) -> str:
    """GET ``address``, check its status, and that the API key is nowhere on the page."""
    response = client.get(address)
    assert response.status_code == status, response.content[:2000]
    return checked(response, harness)


def checked(response: HttpResponse, harness: TalonOneHarness) -> str:
    text = response.content.decode()
    assert harness.emulator.api_key not in text
    return text


def run_action(
    client: Client,
    changelist: str,
    action: str,
    pks: list[Any],
    *,
    confirm: bool = False,
    select_across: bool = False,
) -> HttpResponse:
    """POST an admin action as the changelist (or, with ``confirm``, its confirmation page)."""
    data: dict[str, Any] = {
        "action": action,
        helpers.ACTION_CHECKBOX_NAME: [str(pk) for pk in pks],
        "select_across": "1" if select_across else "0",
    }
    if confirm:
        data["confirm"] = "yes"
    else:
        data["index"] = "0"
    response: HttpResponse = client.post(changelist, data)
    return response


def messages_of(response: HttpResponse) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def action_names(client: Client, changelist: str) -> list[str]:
    """The actions the changelist offers this user."""
    response = client.get(changelist)
    assert response.status_code == 200
    form = response.context["action_form"]
    if form is None:  # no action at all for this user
        return []
    return [name for name, _label in form.fields["action"].choices if name]
