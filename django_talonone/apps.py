"""Django application configuration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from .outbox.snapshots import SnapshotRecorder


class TalonOneConfig(AppConfig):
    name = "django_talonone"
    label = "django_talonone"
    verbose_name = "Talon.One"
    default_auto_field = "django.db.models.BigAutoField"

    #: The process's cart-snapshot recorder: when it last woke a worker, its compiled
    #: INSERTs. Held here rather than in a module global, so it lives and dies with the app.
    snapshots: SnapshotRecorder

    def ready(self) -> None:
        # Imported for their side effects: registering the system checks and connecting
        # the receivers of the shop-sent signals and the wallet's cache invalidation.
        from . import checks, project_checks, receivers  # noqa: F401
        from .outbox.snapshots import SnapshotRecorder
        from .wallet import receivers as wallet_receivers  # noqa: F401

        self.snapshots = SnapshotRecorder()
