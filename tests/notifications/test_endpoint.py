"""The endpoint: who may push, what is refused (and not stored), what is kept."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from django_talonone.models import Notification, NotificationState

from .conftest import HEADER, OLD_SECRET, POINTS_ADDED, SECRET, URL, basic, post

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_notification_with_the_secret_is_stored_and_processed(client: Client) -> None:
    response = post(client, POINTS_ADDED, x_uuid="uuid-1")
    assert response.status_code == 200
    row = Notification.objects.get()
    assert (row.kind, row.uuid, row.notification_type) == (
        "points_added",
        "uuid-1",
        "LoyaltyPointsAdded",
    )
    assert row.payload == POINTS_ADDED
    assert row.state == NotificationState.PROCESSED
    assert row.attempts == 1
    assert row.processed_at is not None


def test_missing_credentials_get_401_with_a_challenge_and_nothing_is_stored(
    client: Client,
) -> None:
    response = post(client, POINTS_ADDED, secret=None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert response.content == b""
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_AUTHORIZATION": basic("not-the-secret-at-all-0000")},
        {"HTTP_AUTHORIZATION": basic(SECRET[:-1])},
        {"HTTP_AUTHORIZATION": "Basic !!!not-base64"},
        {"HTTP_AUTHORIZATION": f"Bearer {SECRET}"},
        {"HTTP_X_SHOP_WEBHOOK_SECRET": SECRET + "x"},
    ],
    ids=["wrong", "prefix", "garbled", "bearer", "wrong-header"],
)
def test_wrong_credentials_get_403_and_nothing_is_stored(
    client: Client, headers: dict[str, str]
) -> None:
    response = post(client, POINTS_ADDED, secret=None, **headers)
    assert response.status_code == 403
    assert response.content == b""
    assert not Notification.objects.exists()


def test_one_right_credential_is_enough_and_two_wrong_ones_are_refused(client: Client) -> None:
    response = post(client, POINTS_ADDED, HTTP_X_SHOP_WEBHOOK_SECRET="wrong-wrong-wrong-wrong")
    assert response.status_code == 200  # one right credential is enough ...
    response = post(
        client,
        POINTS_ADDED,
        secret=None,
        HTTP_AUTHORIZATION=basic("wrong-wrong-wrong-wrong"),
        HTTP_X_SHOP_WEBHOOK_SECRET="also-wrong-also-wrong",
    )
    assert response.status_code == 403  # ... and none right is refused
    assert Notification.objects.count() == 1


def test_the_custom_header_carries_the_secret_too(client: Client) -> None:
    assert HEADER == "X-Shop-Webhook-Secret"
    response = post(client, POINTS_ADDED, secret=None, HTTP_X_SHOP_WEBHOOK_SECRET=SECRET)
    assert response.status_code == 200
    assert Notification.objects.count() == 1


def test_both_secrets_are_accepted_while_one_is_rotated_out(client: Client) -> None:
    assert post(client, POINTS_ADDED, secret=SECRET).status_code == 200
    assert post(client, POINTS_ADDED, secret=OLD_SECRET).status_code == 200
    assert Notification.objects.count() == 2


def test_a_retired_secret_is_refused_once_removed(client: Client, settings: object) -> None:
    from django.test import override_settings

    from .conftest import SETTINGS

    with override_settings(TALONONE={**SETTINGS, "NOTIFICATION_SECRETS": [SECRET]}):
        assert post(client, POINTS_ADDED, secret=OLD_SECRET).status_code == 403
        assert post(client, POINTS_ADDED, secret=SECRET).status_code == 200
    assert Notification.objects.count() == 1


def test_without_configured_secrets_everything_is_refused(client: Client) -> None:
    from django.test import override_settings

    from .conftest import SETTINGS

    with override_settings(TALONONE={**SETTINGS, "NOTIFICATION_SECRETS": None}):
        assert post(client, POINTS_ADDED).status_code == 403
    assert not Notification.objects.exists()


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_only_post_is_allowed(client: Client, method: str) -> None:
    response = getattr(client, method)(URL, HTTP_AUTHORIZATION=basic(SECRET))
    assert response.status_code == 405


def test_no_csrf_token_is_needed() -> None:
    client = Client(enforce_csrf_checks=True)
    assert post(client, POINTS_ADDED).status_code == 200


def test_an_oversize_body_is_refused_unread(client: Client) -> None:
    big = {"NotificationType": "LoyaltyPointsAdded", "padding": "x" * (64 * 1024)}
    response = post(client, big)
    assert response.status_code == 413
    assert response.content == b""
    assert not Notification.objects.exists()


def test_a_body_just_under_the_limit_is_kept(client: Client) -> None:
    body = b'{"padding": "' + b"x" * (64 * 1024 - 20) + b'"}'
    assert len(body) <= 64 * 1024
    assert post(client, body).status_code == 200
    assert Notification.objects.get().kind == "webhook"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_refused_with_415(client: Client, content_type: str) -> None:
    response = post(client, b"NotificationType=x", content_type=content_type)
    assert response.status_code == 415
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"  ", b"[1, 2]", b'"text"', b'{"a": NaN}', b"\xff\xfe"],
    ids=["broken", "blank", "array", "string", "nan", "not-utf8"],
)
def test_invalid_json_is_refused_with_400(client: Client, body: bytes) -> None:
    response = post(client, body)
    assert response.status_code == 400
    assert response.content == b""
    assert not Notification.objects.exists()


def test_an_unreadable_x_uuid_is_refused(client: Client) -> None:
    response = post(client, POINTS_ADDED, x_uuid="x" * 101)
    assert response.status_code == 400
    assert not Notification.objects.exists()


def test_refusals_are_logged_with_the_reason(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="django_talonone.notifications"):
        post(client, POINTS_ADDED, secret=None)
        post(client, POINTS_ADDED, secret="wrong-wrong-wrong-wrong")
    messages = [record.getMessage() for record in caplog.records]
    assert any("401" in m and "missing credentials" in m for m in messages)
    assert any("403" in m and "wrong credentials" in m for m in messages)
