"""The outbox status panel on the admin index: dead rows, rows waiting too long and the
last delivery, each linked to the deliveries it counts; hidden from staff who may not
see deliveries."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from django_talonone.models import Delivery, DeliveryStatus
from django_talonone.testing import TalonOneHarness
from tests.admin.conftest import logged_in, page, staff
from tests.admin.test_deliveries import PROFILE, dead_update, profile_update

pytestmark = pytest.mark.django_db(transaction=True)


def panel(html: str) -> str:
    match = re.search(
        r'<div class="module talonone-status[^"]*" id="talonone-status">.*?</div>', html, re.S
    )
    assert match, "no status panel on the page"
    return match.group(0)


def cell(panel_html: str, row: str) -> str:
    match = re.search(rf'<tr class="talonone-status-{row}">(.*?)</tr>', panel_html, re.S)
    assert match
    return match.group(1)


def link(row_html: str) -> str:
    match = re.search(r'<a href="([^"]+)">', row_html)
    assert match
    return unescape(match.group(1))


def test_a_quiet_outbox_says_so(superuser_client: Client, talonone: TalonOneHarness) -> None:
    Delivery.objects.all().delete()  # the superuser's own profile update, delivered
    shown = panel(page(superuser_client, "/admin/", talonone))
    assert "talonone-status-alert" not in shown
    assert "<td>0</td>" in cell(shown, "dead")
    assert "Waiting over 15 minutes" in cell(shown, "stalled")
    assert "none yet" in cell(shown, "last")


def test_dead_and_stalled_rows_are_counted_and_linked(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    delivered = profile_update("ann", Name="Ann")
    assert Delivery.objects.get(pk=delivered.pk).status == DeliveryStatus.DONE
    dead = dead_update(talonone, "bob")
    talonone.fail(503, operations=[PROFILE])
    waiting = profile_update("cy", Name="Cy")  # failed once, waits for its retry
    fresh = profile_update("di", Name="Di")
    talonone.heal()
    half_an_hour_ago = timezone.now() - timedelta(minutes=30)
    Delivery.objects.filter(pk=waiting.pk).update(created_at=half_an_hour_ago)
    assert Delivery.objects.get(pk=fresh.pk).status == DeliveryStatus.PENDING

    shown = panel(page(superuser_client, "/admin/", talonone))
    assert "talonone-status-alert" in shown
    assert '<strong class="talonone-status-bad">1</strong>' in cell(shown, "dead")
    assert '<strong class="talonone-status-bad">1</strong>' in cell(shown, "stalled")
    assert "ago" in cell(shown, "last")
    assert "holds up its lane" in shown

    dead_list = page(superuser_client, link(cell(shown, "dead")), talonone)
    assert f">{dead.pk}<" in dead_list
    assert f">{delivered.pk}<" not in dead_list
    stalled_list = page(superuser_client, link(cell(shown, "stalled")), talonone)
    assert f">{waiting.pk}<" in stalled_list
    assert f">{fresh.pk}<" not in stalled_list  # written a moment ago: not stalled
    assert f">{dead.pk}<" not in stalled_list
    done_list = page(superuser_client, link(cell(shown, "last")), talonone)
    assert f">{delivered.pk}<" in done_list


def test_the_threshold_is_a_setting(
    superuser_client: Client, talonone: TalonOneHarness, settings: object
) -> None:
    settings.TALONONE = {**settings.TALONONE, "OUTBOX_STALLED_AFTER": 120}  # type: ignore[attr-defined]
    shown = panel(page(superuser_client, "/admin/", talonone))
    assert "Waiting over 2 minutes" in cell(shown, "stalled")


def test_staff_who_cannot_see_deliveries_get_no_panel(talonone: TalonOneHarness) -> None:
    sessions_only = logged_in(staff("support", "view_customersession"))
    assert 'id="talonone-status"' not in page(sessions_only, "/admin/", talonone)
    viewer = logged_in(staff("watcher", "view_delivery"))
    assert 'id="talonone-status"' in page(viewer, "/admin/", talonone)
