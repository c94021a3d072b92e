"""Creating in the admin what only a shell could: an audience, its members (found by
search, pasted or uploaded as CSV) and coupon reservations for chosen customers, each
through the services, each reaching the emulator; refused in style without the
permission."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from django_talonone.conf import get_settings
from django_talonone.models import Audience, AudienceMembership, CouponReservation, SyncState
from django_talonone.testing import TalonOneHarness
from tests.admin.conftest import logged_in, messages_of, page, staff, url
from tests.admin.test_mirrors import CODE, remote_members, reserved

pytestmark = pytest.mark.django_db(transaction=True)


def customer(username: str) -> Any:
    return get_user_model().objects.create_user(username, email=f"{username}@example.com")


def profile_of(user: Any) -> str:
    return get_settings().profile_id_for(user)


def members_url(audience: Audience) -> str:
    return f"/admin/django_talonone/audience/{audience.pk}/members/"


def test_staff_create_an_audience_then_add_members_three_ways(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    alice, bob = customer("alice"), customer("bob")
    changelist = page(superuser_client, url("audience_changelist"), talonone)
    assert f'href="{url("audience_add")}"' in changelist  # Django's "Add audience" button
    form = page(superuser_client, url("audience_add"), talonone)
    assert "Create an audience" in form

    response = superuser_client.post(url("audience_add"), {"name": "  VIP  ", "integration_id": ""})
    audience = Audience.objects.get()
    assert response.status_code == 302
    assert response["Location"] == members_url(audience)
    assert audience.name == "VIP"
    assert audience.sync_state == SyncState.SYNCED
    assert audience.talonone_id is not None

    found = page(superuser_client, members_url(audience) + "?q=ALI", talonone)
    assert f'value="{profile_of(alice)}"' in found
    assert "alice &lt;alice@example.com&gt;" in found
    assert f'value="{profile_of(bob)}"' not in found
    upload = SimpleUploadedFile(
        "members.csv", b"profile_id,name\r\ncarol,Carol\r\n\r\ndan,Dan\r\n", "text/csv"
    )
    response = superuser_client.post(
        members_url(audience) + "?q=ALI",
        {
            "customers": [profile_of(alice)],
            "pasted": f"{profile_of(bob)}\n\ncarol\n",
            "csv_file": upload,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert messages_of(response)[-1].startswith("4 of 4 customers are new members of “VIP”")
    expected = {profile_of(alice), profile_of(bob), "carol", "dan"}
    assert set(audience.memberships.values_list("profile_id", flat=True)) == expected
    assert remote_members(talonone, audience.talonone_id) == expected

    change = page(superuser_client, url("audience_change", audience.pk), talonone)
    assert 'class="talonone-progress" value="4" max="4"' in change
    assert "100% in Talon.One" in change
    assert f'href="{members_url(audience)}" class="addlink">Add members</a>' in change


def test_a_file_that_is_not_text_is_refused_before_anything_is_written(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    audience = Audience.objects.create(name="VIP")
    upload = SimpleUploadedFile("members.csv", b"\xff\xfe\x00garbage", "text/csv")
    response = superuser_client.post(members_url(audience), {"csv_file": upload})
    assert response.status_code == 200
    assert "The file is not UTF-8 text" in response.content.decode()
    empty = superuser_client.post(members_url(audience), {"pasted": "\n \n"})
    assert "Choose at least one customer" in empty.content.decode()
    assert not AudienceMembership.objects.exists()


def test_a_taken_integration_id_is_refused_with_its_reason(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    Audience.objects.create(name="VIP", integration_id="crm-vip")
    response = superuser_client.post(
        url("audience_add"), {"name": "VIP 2", "integration_id": "crm-vip"}
    )
    assert response.status_code == 200
    assert (
        "&#x27;crm-vip&#x27; is the integration id of another audience" in response.content.decode()
    )
    assert Audience.objects.count() == 1


def test_staff_reserve_a_coupon_for_chosen_customers(
    superuser_client: Client, talonone: TalonOneHarness
) -> None:
    alice = customer("alice")
    changelist = page(superuser_client, url("couponreservation_changelist"), talonone)
    assert f'href="{url("couponreservation_add")}"' in changelist
    found = page(superuser_client, url("couponreservation_add") + "?q=alice", talonone)
    assert "Reserve a coupon" in found
    assert f'value="{profile_of(alice)}"' in found
    response = superuser_client.post(
        url("couponreservation_add") + "?q=alice",
        {"coupon_code": CODE, "customers": [profile_of(alice)], "pasted": "zoe"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url('couponreservation_changelist')}?coupon_code={CODE}"
    assert messages_of(response)[-1].startswith(f"{CODE} is reserved for 2 more customers")
    rows = CouponReservation.objects.filter(coupon_code=CODE)
    assert set(rows.values_list("profile_id", flat=True)) == {profile_of(alice), "zoe"}
    assert reserved(talonone) == {profile_of(alice), "zoe"}


def test_staff_without_the_permission_get_no_button_and_a_styled_refusal(
    viewer_client: Client, talonone: TalonOneHarness
) -> None:
    audience = Audience.objects.create(name="VIP")
    changelist = page(viewer_client, url("audience_changelist"), talonone)
    assert url("audience_add") not in changelist
    change = page(viewer_client, url("audience_change", audience.pk), talonone)
    assert "Add members" not in change
    assert url("couponreservation_add") not in page(
        viewer_client, url("couponreservation_changelist"), talonone
    )
    for address, needed in (
        (url("audience_add"), "Can send audiences to Talon.One"),
        (members_url(audience), "Can send audiences to Talon.One"),
        (url("couponreservation_add"), "Can send coupon reservations to Talon.One"),
    ):
        refused = page(viewer_client, address, talonone, status=403)
        assert f"<li>{needed}</li>" in refused
        assert "Not allowed" in refused
    response = viewer_client.post(members_url(audience), {"pasted": "ann"})
    assert response.status_code == 403
    assert not AudienceMembership.objects.exists()
    operator = logged_in(staff("operator", "view_audience", "sync_audience"))
    assert url("audience_add") in page(operator, url("audience_changelist"), talonone)
