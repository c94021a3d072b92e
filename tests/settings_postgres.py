"""Settings for tests/integration: PostgreSQL, a Redis broker and real Celery workers.

Run with ``pytest tests/integration --ds=tests.settings_postgres`` after
``.ci/services.sh``. Worker processes import this module too; they are pointed at
pytest-django's test database by ``TALONONE_TEST_DB_NAME`` and at the emulator by the
``TALONONE_*`` environment variables, which ``django_talonone.conf`` reads.
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

from tests.settings import *  # noqa: F403

DATABASE_URL = os.environ.get(
    "TALONONE_TEST_DATABASE_URL", "postgres://talonone:talonone@127.0.0.1:5432/talonone"
)
REDIS_URL = os.environ.get("TALONONE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

_db = urlsplit(DATABASE_URL)
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("TALONONE_TEST_DB_NAME") or _db.path.lstrip("/"),
        "USER": unquote(_db.username or ""),
        "PASSWORD": unquote(_db.password or ""),
        "HOST": _db.hostname or "127.0.0.1",
        "PORT": str(_db.port or 5432),
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("TALONONE_TEST_QUEUE", "talonone-tests")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    "talonone-sweep-outbox": {"task": "talonone.sweep_outbox", "schedule": 1.0},
}

# The workers get the emulator's URL and key from the TALONONE_* environment the test
# passes them; a dict entry would win over the environment.
TALONONE: dict[str, object] = {}
