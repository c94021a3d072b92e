"""The oscar contrib's app: registers oscar's models with the core app and connects
oscar's own signals. It is a face: everything it does goes through the registry and the
services, never the outbox core."""

from __future__ import annotations

import threading

from django.apps import AppConfig


class TalonOneOscarConfig(AppConfig):
    name = "django_talonone.contrib.oscar"
    label = "talonone_oscar"
    verbose_name = "Talon.One for django-oscar"
    default_auto_field = "django.db.models.BigAutoField"

    #: Per thread: the payment/shipping events the current request saved in autocommit,
    #: returned to Talon.One when the request is finished, and the basket merge under way
    #: (see :mod:`.receivers`); held here, not in a global.
    requests: threading.local

    def ready(self) -> None:
        self.requests = threading.local()
        from django.core import checks as django_checks

        from django_talonone.checks import TAG

        from . import checks, receivers, registration

        registration.register_oscar_models()
        receivers.connect()
        django_checks.register(checks.middleware_check, TAG)
