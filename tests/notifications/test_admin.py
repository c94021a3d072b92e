"""The admin: notifications listed, filtered, shown read-only, reprocessed after asking."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from django_talonone.models import Notification, NotificationState
from tests.admin.conftest import action_names, logged_in, messages_of, run_action, staff

from .conftest import POINTS_ADDED, post

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = "admin:django_talonone_notification_changelist"


@pytest.fixture
def root() -> Client:
    return logged_in(get_user_model().objects.create_superuser("root", password="pw"))


def _failed(**extra: Any) -> Notification:
    return Notification.objects.create(
        kind="points_added",
        payload=POINTS_ADDED,
        state=NotificationState.FAILED,
        error="RuntimeError: boom",
        attempts=1,
        **extra,
    )


def test_the_list_filters_by_kind_and_state(root: Client) -> None:
    _failed(uuid="a")
    Notification.objects.create(kind="webhook", payload={"hello": "shop"}, uuid="b")
    changelist = reverse(CHANGELIST)
    text = root.get(changelist).content.decode()
    assert "points added" in text
    assert "webhook" in text
    filtered = root.get(changelist, {"kind": "webhook"})
    assert [row.kind for row in filtered.context["cl"].result_list] == ["webhook"]
    failed = root.get(changelist, {"state": "failed"})
    assert [row.kind for row in failed.context["cl"].result_list] == ["points_added"]


def test_the_payload_is_shown_read_only(root: Client) -> None:
    row = _failed(uuid="c")
    response = root.get(reverse("admin:django_talonone_notification_change", args=[row.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "LoyaltyPointsAdded" in text
    assert "RuntimeError: boom" in text
    assert 'name="payload"' not in text  # no form field: nothing to edit
    assert root.post(reverse("admin:django_talonone_notification_add")).status_code == 403


def test_reprocess_asks_first_then_processes(root: Client) -> None:
    row = _failed(uuid="d")
    changelist = reverse(CHANGELIST)
    response = run_action(root, changelist, "reprocess_notifications", [row.pk])
    assert "Process 1 notification again?" in response.content.decode()
    row.refresh_from_db()
    assert row.state == NotificationState.FAILED  # nothing happens before confirming
    response = run_action(root, changelist, "reprocess_notifications", [row.pk], confirm=True)
    assert response.status_code == 302
    assert messages_of(response) == ["1 notification is being processed again."]
    row.refresh_from_db()
    assert (row.state, row.error, row.attempts) == (NotificationState.PROCESSED, "", 2)


def test_processed_notifications_are_left_alone(root: Client, client: Client) -> None:
    post(client, POINTS_ADDED)
    row = Notification.objects.get()
    response = run_action(root, reverse(CHANGELIST), "reprocess_notifications", [row.pk])
    assert response.status_code == 302
    assert messages_of(response) == [
        "None of the selected notifications failed or waits: nothing to reprocess."
    ]


def test_staff_without_the_permission_cannot_reprocess() -> None:
    row = _failed(uuid="e")
    viewer = logged_in(staff("viewer", "view_notification"))
    changelist = reverse(CHANGELIST)
    assert "reprocess_notifications" not in action_names(viewer, changelist)
    run_action(viewer, changelist, "reprocess_notifications", [row.pk], confirm=True)
    row.refresh_from_db()
    assert row.state == NotificationState.FAILED
