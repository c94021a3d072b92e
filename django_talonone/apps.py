"""Django application configuration."""

from django.apps import AppConfig


class TalonOneConfig(AppConfig):
    name = "django_talonone"
    label = "django_talonone"
    verbose_name = "Talon.One"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported for their side effects: registering the system checks and connecting
        # the receivers of the shop-sent signals and the wallet's cache invalidation.
        from . import checks, project_checks, receivers  # noqa: F401
        from .wallet import receivers as wallet_receivers  # noqa: F401
