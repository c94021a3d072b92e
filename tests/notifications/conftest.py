"""Notification tests: the endpoint routed, two secrets configured, eager Celery."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from celery import Celery
from django.test import Client, override_settings

SECRET = "notif-secret-CURRENT-4b8d2f6a1c9e"
OLD_SECRET = "notif-secret-RETIRING-7e3a5c9b0d2f"
HEADER = "X-Shop-Webhook-Secret"
SETTINGS: dict[str, Any] = {
    "BASE_URL": "http://talonone.emulator",
    "API_KEY": "test-api-key",
    "NOTIFICATION_SECRETS": [SECRET, OLD_SECRET],
    "NOTIFICATION_HEADER": HEADER,
    "NOTIFICATION_MAX_BYTES": 64 * 1024,
    "NOTIFICATION_LEASE": 60.0,
}
URL = "/talonone/notifications/"


@pytest.fixture(autouse=True)
def _notification_settings() -> Iterator[None]:
    with override_settings(TALONONE=SETTINGS, ROOT_URLCONF="tests.notifications.urls"):
        yield


@pytest.fixture(autouse=True)
def _eager_celery(celery_test_app: Celery) -> Iterator[Celery]:
    """Queued processing runs at once, in the test's thread (put back afterwards)."""
    conf = celery_test_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    try:
        yield celery_test_app
    finally:
        conf.task_always_eager, conf.task_eager_propagates = saved


def basic(password: str, user: str = "talonone") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def post(
    client: Client,
    body: Any,
    *,
    secret: str | None = SECRET,
    x_uuid: str | None = None,
    content_type: str = "application/json",
    **headers: str,
) -> Any:
    """POST ``body`` (JSON-encoded unless bytes) the way Talon.One does, basic auth by default."""
    data = body if isinstance(body, bytes) else json.dumps(body)
    extra: dict[str, str] = dict(headers)
    if secret is not None:
        extra.setdefault("HTTP_AUTHORIZATION", basic(secret))
    extra["HTTP_X_UUID"] = x_uuid or str(uuid.uuid4())
    return client.post(URL, data=data, content_type=content_type, **extra)


POINTS_ADDED = {
    "NotificationType": "LoyaltyPointsAdded",
    "ProfileIntegrationID": "customer-7",
    "LoyaltyProgramID": 5,
    "SubledgerID": "",
    "Amount": 12.5,
    "Reason": "Order close",
    "TypeOfChange": "rule_engine",
    "Operation": "addition",
    "SessionIntegrationID": "session-42",
    "TransactionUUID": "1a6a7599-2622-4489-9034-5a62da3944e0",
    "SomethingNew": {"Talon.One": "adds fields"},
}
