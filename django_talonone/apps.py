"""Django application configuration."""

from django.apps import AppConfig


class TalonOneConfig(AppConfig):
    name = "django_talonone"
    label = "django_talonone"
    verbose_name = "Talon.One"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from . import receivers  # noqa: F401  (connects the shop-sent signals)
