"""Says, in the main suite, why the oscar tests did not run (they need their own settings);
under ``CI=true`` it fails there instead if django-oscar is missing, so CI's oscar run
cannot quietly test nothing. With the oscar shop's settings it checks that the shop is
configured the way the tests assume."""

from __future__ import annotations

import os

import pytest

from .conftest import ACTIVE, HAS_OSCAR, OSCAR_SETTINGS


def test_the_oscar_shop_is_configured_with_settings_only() -> None:
    if not ACTIVE:
        if os.environ.get("CI") == "true":
            assert HAS_OSCAR, "CI must install django-oscar (the oscar extra) for tests/oscar"
            return
        pytest.skip(f"tests/oscar runs with django-oscar installed and --ds={OSCAR_SETTINGS}")
    from django.apps import apps
    from django.conf import settings

    assert apps.is_installed("django_talonone.contrib.oscar")
    names = [config.name for config in apps.get_app_configs()]
    assert names.index("django_talonone.contrib.oscar") > names.index("django_talonone")
    assert "django_talonone.contrib.oscar.vouchers.TalonOneVoucherMiddleware" in (
        settings.MIDDLEWARE
    )
    [templates] = settings.TEMPLATES
    assert (
        "django_talonone.contrib.oscar.codes.talonone_codes"
        in (templates["OPTIONS"]["context_processors"])
    )
