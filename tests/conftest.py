"""What every test directory shares: one Celery app for the whole run.

Shared tasks bind to the current app. Each directory used to install its own, process
wide, so whichever ran last decided for the others (an eager one made another
directory's queued tasks run at once, a lazy one left the outbox tests' kicks undelivered)
and a shuffled order failed. One app, made current once; a test or fixture that needs
it eager (the ``talonone`` harness, the outbox tests) sets that for itself and restores it.
"""

from __future__ import annotations

import pytest
from celery import Celery


@pytest.fixture(autouse=True, scope="session")
def celery_test_app() -> Celery:
    """The suite's Celery app: in-memory broker, not eager unless a test makes it so."""
    app = Celery("talonone-tests", broker="memory://", set_as_current=True)
    app.set_default()
    return app
