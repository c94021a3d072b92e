"""The shop's Celery app: it delivers django-talonone's outbox and runs its sweeper.

The broker is ``REDIS_URL`` when set. Otherwise it is kombu's ``filesystem://`` transport
(see ``demoshop/broker.py``): messages are files in a folder under the demo directory,
shared by every process on the machine, so the shop, the worker and beat talk with no
server to install, and no extra Python package is needed (the SQLAlchemy transport would
need one, and polls a database SQLite serialises writes to, the same file the shop writes
orders to).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demoshop.settings")

app = Celery("demoshop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["django_talonone"])

#: Written once the worker consumes, so ``demo.py`` (and the tests) can wait for it.
READY_FILE_ENV = "SHOP_WORKER_READY_FILE"


@worker_ready.connect
def _announce_ready(**kwargs: Any) -> None:
    ready_file = os.environ.get(READY_FILE_ENV)
    if ready_file:
        Path(ready_file).write_text(str(os.getpid()), encoding="utf-8")
