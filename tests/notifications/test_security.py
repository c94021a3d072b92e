"""The notification secrets stay secret: not in logs, stored rows, admin pages or errors."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse
from django.views.debug import SafeExceptionReporterFilter

from django_talonone.conf import get_settings
from django_talonone.models import Notification

from .conftest import HEADER, OLD_SECRET, POINTS_ADDED, SECRET, SETTINGS, basic, post

pytestmark = pytest.mark.django_db(transaction=True)

WRONG = "attacker-guess-0123456789abcdef"


def _forms(secret: str) -> list[str]:
    """A secret as it could leak: itself, and inside a basic auth header."""
    return [secret, base64.b64encode(f"talonone:{secret}".encode()).decode()]


SECRET_FORMS = [form for secret in (SECRET, OLD_SECRET, WRONG) for form in _forms(secret)]


def leaks(text: str) -> list[str]:
    return [form for form in SECRET_FORMS if form in text]


def _every_request(client: Client) -> None:
    """Accepted and refused pushes, by basic auth and by header, and a failing one."""
    post(client, POINTS_ADDED)
    post(client, POINTS_ADDED, secret=OLD_SECRET)
    post(client, POINTS_ADDED, secret=None, **{f"HTTP_{HEADER.upper().replace('-', '_')}": SECRET})
    post(client, POINTS_ADDED, secret=WRONG)
    post(client, POINTS_ADDED, secret=None, HTTP_X_SHOP_WEBHOOK_SECRET=WRONG)
    post(client, POINTS_ADDED, secret=None)
    post(client, {**POINTS_ADDED, "Amount": "oops"})  # stored, fails processing
    post(client, b"{broken")


def test_no_secret_in_any_log_record(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        _every_request(client)
    assert caplog.records  # refusals and the failure were logged
    texts = [record.getMessage() for record in caplog.records]
    texts += [repr(record.args) for record in caplog.records]
    assert [leak for text in texts for leak in leaks(text)] == []


def test_no_secret_in_stored_rows(client: Client) -> None:
    _every_request(client)
    assert Notification.objects.count() == 4
    dumped = serializers.serialize("json", Notification.objects.all())
    assert leaks(dumped) == []
    assert "Authorization" not in dumped
    assert HEADER not in dumped


def test_no_secret_in_admin_pages(client: Client) -> None:
    _every_request(client)
    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("root", password="pw"))
    pages = [reverse("admin:django_talonone_notification_changelist")]
    pages += [
        reverse("admin:django_talonone_notification_change", args=[pk])
        for pk in Notification.objects.values_list("pk", flat=True)
    ]
    for address in pages:
        response = admin.get(address)
        assert response.status_code == 200
        assert leaks(response.content.decode()) == [], address


def test_no_secret_in_the_settings_repr_or_the_error_report() -> None:
    assert leaks(repr(get_settings())) == []
    with override_settings(TALONONE=SETTINGS):
        safe: Any = SafeExceptionReporterFilter().get_safe_settings()
    assert leaks(repr(safe["TALONONE"])) == []


@pytest.mark.parametrize(
    "secrets",
    [["short-secret"], [SECRET, f"{SECRET}\n"], [SECRET, 12345678901234567]],
    ids=["short", "newline", "not-text"],
)
def test_a_bad_secret_is_refused_naming_its_place_not_its_value(secrets: list[Any]) -> None:
    with (
        override_settings(TALONONE={**SETTINGS, "NOTIFICATION_SECRETS": secrets}),
        pytest.raises(ImproperlyConfigured) as raised,
    ):
        get_settings()
    message = str(raised.value)
    assert "TALONONE['NOTIFICATION_SECRETS'][" in message
    assert "short-secret" not in message
    assert leaks(message) == []


def test_basic_auth_with_the_secret_as_user_name_is_refused(client: Client) -> None:
    header = "Basic " + base64.b64encode(f"{SECRET}:".encode()).decode()
    assert post(client, POINTS_ADDED, secret=None, HTTP_AUTHORIZATION=header).status_code == 403
    assert basic(SECRET) != header
