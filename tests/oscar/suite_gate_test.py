"""Says, in the main suite, why the oscar tests did not run (they need their own settings).

With the oscar shop's settings it checks that the shop is the one the tests assume."""

from __future__ import annotations

import pytest

from .conftest import ACTIVE, HAS_OSCAR, OSCAR_SETTINGS


@pytest.mark.skipif(
    not (ACTIVE and HAS_OSCAR),
    reason=f"tests/oscar runs with django-oscar installed and --ds={OSCAR_SETTINGS}",
)
def test_the_oscar_shop_is_configured_with_settings_only() -> None:
    from django.apps import apps
    from django.conf import settings

    assert apps.is_installed("django_talonone.contrib.oscar")
    names = [config.name for config in apps.get_app_configs()]
    assert names.index("django_talonone.contrib.oscar") > names.index("django_talonone")
    assert "django_talonone.contrib.oscar.vouchers.TalonOneVoucherMiddleware" in (
        settings.MIDDLEWARE
    )
