"""A REST API for shop front-ends (Django REST framework): ``GET wallet/``.

Mount it in the shop's URLconf::

    path("api/talonone/", include("django_talonone.api.urls")),

See ``docs/wallet.md`` for the responses, permissions and throttling.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

try:
    import rest_framework  # type: ignore[import-untyped]  # noqa: F401
except ImportError as error:
    raise ImproperlyConfigured(
        "django_talonone.api needs Django REST framework: install it with "
        "`pip install django-talonone[drf]` and add 'rest_framework' to INSTALLED_APPS."
    ) from error
