"""The Celery app the integration tests' worker and beat processes run, as a shop would."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings_postgres")

app = Celery("talonone_integration")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["django_talonone"])
