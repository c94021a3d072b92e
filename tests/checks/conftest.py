"""The checks run in a process whose project made its own Celery app, as a project's does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from celery import Celery

from tests.celery_apps import quiet_celery


@pytest.fixture(autouse=True)
def _project_celery_app() -> Iterator[Celery]:
    # Without one, Celery's fallback app is current and django_talonone.W020 reports it.
    with quiet_celery("talonone-checks-tests") as app:
        yield app
