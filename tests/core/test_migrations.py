"""Models and migrations agree, for the app and for the test shop."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.mark.django_db
@pytest.mark.parametrize("app", ["django_talonone", "shop"])
def test_no_missing_migrations(app: str) -> None:
    call_command("makemigrations", app, check=True, dry_run=True, verbosity=0, skip_checks=True)
