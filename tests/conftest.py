"""What every test directory shares: one Celery app for the whole run.

Shared tasks bind to the current app. Each directory used to install its own, process
wide, so whichever ran last decided for the others (an eager one made another
directory's queued tasks run at once, a lazy one left the outbox tests' kicks undelivered)
and a shuffled order failed. One app, made current once; a test or fixture that needs
it eager (the ``talonone`` harness, the outbox tests) sets that for itself and restores it.

The order is shuffled on every run (pytest-randomly: ``-p no:randomly`` turns it off,
``--randomly-seed=N`` replays a run); ``--reverse`` runs the collected
order backwards. The slow directories' tests are marked ``slow``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from celery import Celery

TESTS = Path(__file__).resolve().parent
#: Directories whose tests start processes, browsers, builds or real services.
SLOW_DIRECTORIES = frozenset({"e2e", "docs", "integration"})


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--reverse",
        action="store_true",
        help="run the tests in the reverse of the collected (or shuffled) order",
    )


def pytest_itemcollected(item: pytest.Item) -> None:
    """Mark the slow directories' tests ``slow`` (``-m "not slow"`` is a quick run)."""
    if item.path.resolve().relative_to(TESTS).parts[0] in SLOW_DIRECTORIES:
        item.add_marker(pytest.mark.slow)


@pytest.hookimpl(trylast=True)  # after pytest-randomly's shuffle
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--reverse"):
        items.reverse()


@pytest.fixture(autouse=True, scope="session")
def celery_test_app() -> Celery:
    """The suite's Celery app: in-memory broker, not eager unless a test makes it so."""
    app = Celery("talonone-tests", broker="memory://", set_as_current=True)
    app.set_default()
    return app
