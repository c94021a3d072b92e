"""A dead row no longer blocks its lane for ever: staff discard it, and the lane moves on.

After a permanent refusal, the calls queued behind a dead row (an order's cancel behind its
failed close) never reached Talon.One, and ``retry_dead`` only failed again.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.db import transaction
from django.test import Client

from django_talonone.models import Delivery, DeliveryStatus
from django_talonone.services import discard_deliveries
from django_talonone.signals import delivery_discarded
from django_talonone.testing import TalonOneHarness
from tests.admin.conftest import (
    action_names,
    checked,
    logged_in,
    messages_of,
    page,
    run_action,
    staff,
    url,
)
from tests.admin.test_deliveries import dead_update, profile_update

pytestmark = pytest.mark.django_db(transaction=True)

PROFILE = "updateCustomerProfileV2"
CHANGELIST = "delivery_changelist"


def _blocked_lane(talonone: TalonOneHarness) -> tuple[Delivery, Delivery]:
    """A dead profile update with a second update queued behind it in its lane."""
    dead = dead_update(talonone, "bob")
    behind = profile_update("bob", Name="Bob")
    behind.refresh_from_db()
    assert behind.status == DeliveryStatus.PENDING  # held back by the dead row
    return dead, behind


def test_discarding_frees_the_lane_and_announces_it(talonone: TalonOneHarness) -> None:
    dead, behind = _blocked_lane(talonone)
    heard: list[dict[str, Any]] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs)

    delivery_discarded.connect(listener)
    try:
        with transaction.atomic():
            discarded = discard_deliveries([dead.pk, behind.pk], reason="bad data")
    finally:
        delivery_discarded.disconnect(listener)

    assert [row.pk for row in discarded] == [dead.pk]  # only dead rows are discarded
    dead.refresh_from_db()
    behind.refresh_from_db()
    assert dead.status == DeliveryStatus.DISCARDED
    assert dead.last_error  # kept for the record
    assert behind.status == DeliveryStatus.DONE  # the lane moved on
    assert talonone.inventory("bob", profile=True)["profile"]["attributes"]["Name"] == "Bob"
    [event] = heard
    assert event["delivery"].pk == dead.pk
    assert event["user"] is None
    assert event["reason"] == "bad data"


def test_the_admin_says_what_a_dead_row_holds_back(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    dead, behind = _blocked_lane(talonone)
    text = page(superuser_client, url("delivery_change", dead.pk), talonone)
    assert "1 call waits behind it" in text
    assert f"lane={dead.lane.replace(':', '%3A')}" in text
    listed = page(
        superuser_client, f"{url(CHANGELIST)}?lane={dead.lane}&id__gt={dead.pk}", talonone
    )
    assert f"#{behind.pk}" in listed or url("delivery_change", behind.pk) in listed


def test_discard_asks_first_then_discards_and_logs(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    dead, behind = _blocked_lane(talonone)
    changelist = url(CHANGELIST)
    response = run_action(superuser_client, changelist, "discard_dead_deliveries", [dead.pk])
    text = checked(response, talonone)
    assert "Talon.One will never receive them" in text
    assert "cannot be undone" in text
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DEAD  # nothing happens before confirming

    response = run_action(
        superuser_client, changelist, "discard_dead_deliveries", [dead.pk], confirm=True
    )
    assert response.status_code == 302
    dead.refresh_from_db()
    behind.refresh_from_db()
    assert (dead.status, behind.status) == (DeliveryStatus.DISCARDED, DeliveryStatus.DONE)
    assert messages_of(response) == [
        "1 dead delivery is discarded; the calls queued behind it are on their way."
    ]
    [entry] = LogEntry.objects.filter(object_id=str(dead.pk))
    assert "discarded" in entry.get_change_message()
    assert entry.user.is_superuser


def test_staff_without_the_permission_cannot_discard(talonone: TalonOneHarness) -> None:
    dead, _behind = _blocked_lane(talonone)
    client = logged_in(staff("viewer", "view_delivery", "retry_delivery"))
    changelist = url(CHANGELIST)
    assert "discard_dead_deliveries" not in action_names(client, changelist)
    response = run_action(client, changelist, "discard_dead_deliveries", [dead.pk], confirm=True)
    assert response.status_code in (200, 302, 403)
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DEAD
