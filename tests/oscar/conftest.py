"""The oscar suite: oscar's own views, through Django's test client, against the emulator.

It runs with the oscar test shop's settings (``--ds=tests.oscar_shop.settings``) and
django-oscar installed. Otherwise (the main suite, with ``tests.settings``) it is not
collected, so the main suite runs without oscar; under ``CI=true`` an oscar run whose
oscar is missing fails instead of passing with nothing tested.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

import pytest

OSCAR_SETTINGS = "tests.oscar_shop.settings"
HAS_OSCAR = importlib.util.find_spec("oscar") is not None
ACTIVE = os.environ.get("DJANGO_SETTINGS_MODULE") == OSCAR_SETTINGS

if ACTIVE and not HAS_OSCAR and os.environ.get("CI") == "true":
    raise RuntimeError(
        "tests/oscar: django-oscar is not installed (pip install 'django-oscar>=4,<5')"
    )

if not (ACTIVE and HAS_OSCAR):
    collect_ignore_glob = ["test_*.py", "shop.py"]
else:
    from django_talonone.testing import talonone

    from .shop import Shop

    __all__ = ["talonone"]

    @pytest.fixture
    def shop(talonone: Any, client: Any, transactional_db: Any) -> Shop:
        return Shop(talonone, client)
