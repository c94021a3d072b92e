"""The admin with two Applications: the Application is a column and a filter of every
changelist, shown on each row's page, and the profile-sync action asks which."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client
from django.urls import reverse

from django_talonone.models import (
    Audience,
    AudienceMembership,
    CouponReservation,
    CustomerSession,
    Delivery,
    Notification,
    Operation,
    ReferralCode,
    SessionReturn,
    StrikethroughPrice,
)
from django_talonone.services import evaluate_cart, reserve_coupon
from django_talonone.testing import TalonOneHarness

from .conftest import GBP_KEY, cart_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.admin.urls")]


@pytest.fixture
def admin_client(shop: TalonOneHarness) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", password="pw"))
    return client


def text(client: Client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200
    body = response.content.decode()
    assert GBP_KEY not in body
    return body


def test_changelists_show_and_filter_the_application(
    shop: TalonOneHarness, admin_client: Client, user: Any
) -> None:
    evaluate_cart(cart_in("GBP", user))
    evaluate_cart(cart_in("EUR", user))
    gbp = CustomerSession.objects.get(application="gbp")
    listing = reverse("admin:django_talonone_customersession_changelist")
    page = text(admin_client, listing)
    assert "column-application" in page
    assert "?application=gbp" in page  # the filter
    filtered = text(admin_client, listing + "?application=gbp")
    assert gbp.session_id in filtered
    assert CustomerSession.objects.get(application="default").session_id not in filtered
    detail = text(
        admin_client, reverse("admin:django_talonone_customersession_change", args=[gbp.pk])
    )
    assert "Talon.One Application" in detail
    reserve_coupon("WELCOME10", ["ann"], application="gbp")
    for model in ("delivery", "couponreservation"):
        page = text(admin_client, reverse(f"admin:django_talonone_{model}_changelist"))
        assert "column-application" in page, model


def rows_in(application: str, user: Any) -> dict[type[models.Model], models.Model]:
    """One row of each Application-bound model in ``application``."""
    evaluate_cart(cart_in("GBP" if application == "gbp" else "EUR", user))
    session = CustomerSession.objects.get(application=application)
    reserve_coupon("WELCOME10", [f"{application}-ann"], application=application)
    audience = Audience.objects.create(name=f"VIP {application}", application=application)
    return {
        CustomerSession: session,
        SessionReturn: SessionReturn.objects.create(session=session, items=[]),
        Delivery: Delivery.objects.filter(application=application).latest("pk"),
        Audience: audience,
        AudienceMembership: AudienceMembership.objects.create(
            audience=audience, profile_id=f"{application}-ann"
        ),
        CouponReservation: CouponReservation.objects.get(application=application),
        ReferralCode: ReferralCode.objects.create(
            campaign_id=2, advocate_profile_id=f"{application}-ann", application=application
        ),
    }


#: How each changelist filters by Application (a return and a membership follow the row
#: they belong to).
LOOKUPS = {SessionReturn: "session__application", AudienceMembership: "audience__application"}
#: Tied to no Application (a documented limit, docs/applications.md).
UNBOUND = {Notification, StrikethroughPrice}


def test_every_changelist_shows_and_filters_the_application(
    shop: TalonOneHarness, admin_client: Client, user: Any
) -> None:
    gbp, default = rows_in("gbp", user), rows_in("default", user)
    registered = {m for m in admin.site._registry if m._meta.app_label == "django_talonone"}
    assert registered - UNBOUND == set(gbp)  # a new model must show its Application too
    for model, row in gbp.items():
        name = model._meta.model_name
        lookup = LOOKUPS.get(model, "application")
        listing = reverse(f"admin:django_talonone_{name}_changelist")
        page = text(admin_client, listing)
        assert f"column-{lookup}" in page, name
        assert f"?{lookup}=gbp" in page, name  # the filter
        assert f"/{default[model].pk}/change/" in page, name
        filtered = text(admin_client, f"{listing}?{lookup}=gbp")
        assert f"/{row.pk}/change/" in filtered, name
        assert f"/{default[model].pk}/change/" not in filtered, name
        detail = text(admin_client, reverse(f"admin:django_talonone_{name}_change", args=[row.pk]))
        assert "Talon.One Application" in detail, name


def test_the_profile_sync_action_asks_which_application(
    shop: TalonOneHarness, admin_client: Client
) -> None:
    User = get_user_model()
    User.objects.bulk_create([User(username="ann", email="ann@example.com")])
    ann = User.objects.get(username="ann")
    changelist = reverse("shop_admin:auth_user_changelist")
    data = {
        "action": "send_profiles_to_talonone",
        helpers.ACTION_CHECKBOX_NAME: [str(ann.pk)],
        "select_across": "0",
    }
    page = admin_client.post(changelist, {**data, "index": "0"}).content.decode()
    assert 'name="talonone_application"' in page
    assert '<option value="gbp">gbp</option>' in page
    response = admin_client.post(
        changelist, {**data, "confirm": "yes", "talonone_application": "gbp"}
    )
    assert response.status_code == 302
    [row] = Delivery.objects.filter(operation=Operation.UPDATE_PROFILES)
    assert row.application == "gbp"
    forged = admin_client.post(
        changelist, {**data, "confirm": "yes", "talonone_application": "usd"}
    )
    assert forged.status_code == 302
    assert Delivery.objects.filter(operation=Operation.UPDATE_PROFILES).count() == 1


def test_the_add_forms_ask_which_application(shop: TalonOneHarness, admin_client: Client) -> None:
    add_audience = reverse("admin:django_talonone_audience_add")
    assert 'name="application"' in text(admin_client, add_audience)
    response = admin_client.post(add_audience, {"name": "VIP", "application": "gbp"})
    assert response.status_code == 302
    assert Audience.objects.get().application == "gbp"
    add_reservation = reverse("admin:django_talonone_couponreservation_add")
    response = admin_client.post(
        add_reservation, {"coupon_code": "WELCOME10", "pasted": "ann", "application": "gbp"}
    )
    assert response.status_code == 302
    assert CouponReservation.objects.get().application == "gbp"
    assert shop.requests("createCouponReservation", application="default") == []
