"""Staff without a permission: what they cannot do is not offered, and what they reach
anyway (a bookmark, a stale page, a forged POST) is refused with a page in the admin's
style that names the permission, never Django's bare 403."""

from __future__ import annotations

import pytest
from django.test import Client

from django_talonone.models import DeliveryStatus
from django_talonone.testing import TalonOneHarness
from tests.admin.conftest import action_names, logged_in, page, run_action, staff, url
from tests.admin.test_deliveries import CHANGELIST, dead_update

pytestmark = pytest.mark.django_db(transaction=True)

#: What every page built on the admin's base template carries.
ADMIN_CHROME = ('<header id="header">', '<div class="breadcrumbs">', "Log out")


def styled(text: str) -> None:
    for piece in ADMIN_CHROME:
        assert piece in text, piece
    assert "Not allowed" in text


def test_a_page_they_may_not_see_is_refused_in_style(talonone: TalonOneHarness) -> None:
    sessions_only = logged_in(staff("support", "view_customersession"))
    refused = page(sessions_only, url(CHANGELIST), talonone, status=403)
    styled(refused)
    assert "Your account may not see deliveries." in refused
    assert "<li>Can view delivery</li>" in refused
    assert 'href="/admin/">Back to the admin home</a>' in refused
    # a page they may see is not refused
    page(sessions_only, url("customersession_changelist"), talonone)


def test_view_only_staff_are_offered_no_action_and_a_forged_one_is_refused(
    viewer_client: Client, talonone: TalonOneHarness
) -> None:
    dead = dead_update(talonone, "ann")
    assert action_names(viewer_client, url(CHANGELIST)) == []
    change = page(viewer_client, url("delivery_change", dead.pk), talonone)
    assert "deletelink" not in change
    assert 'name="_save"' not in change
    for confirm in (False, True):
        response = run_action(
            viewer_client, url(CHANGELIST), "retry_dead_deliveries", [dead.pk], confirm=confirm
        )
        # Django ignores an action the user is not offered: the list again, nothing done
        assert response.status_code == 200
        assert "talonone-confirm-action" not in response.content.decode()
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DEAD


def test_a_delete_page_they_may_not_use_is_refused_in_style(
    viewer_client: Client, talonone: TalonOneHarness
) -> None:
    dead = dead_update(talonone, "bob")
    refused = page(viewer_client, url("delivery_delete", dead.pk), talonone, status=403)
    styled(refused)
    assert "Your account may not delete deliveries." in refused
    assert "<li>Can delete delivery</li>" in refused
    changelist = url(CHANGELIST)
    assert f'href="{changelist}">Back to the deliveries</a>' in refused
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DEAD
