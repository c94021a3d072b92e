"""Every admin page of the app, after a day of failures, shows no key."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from django_talonone.emulator import Emulator

from .conftest import leaks
from .flow import shop_day

pytestmark = pytest.mark.django_db(transaction=True)


def test_changelists_and_change_pages_show_no_key(emulator: Emulator) -> None:
    shop_day(emulator, [])
    staff = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    browser = Client()
    browser.force_login(staff)
    models = [model for model in admin.site._registry if model._meta.app_label == "django_talonone"]
    assert models, "the app registers no admin page"
    pages = 0
    for model in models:
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        urls = [changelist]
        urls += [
            reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[pk])
            for pk in model._default_manager.values_list("pk", flat=True)[:20]
        ]
        for url in urls:
            response = browser.get(url)
            assert response.status_code == 200, url
            assert leaks([response.content.decode()]) == [], url
            pages += 1
    assert pages > len(models)  # change pages were rendered too, not only lists
