"""Pytest fixtures for the Talon.One emulator, installed with the package (``pytest11``).

``talonone_emulator`` gives a fresh in-process :class:`~django_talonone.emulator.Emulator`
per test; ``talonone_emulator_server`` gives a fresh one served over real HTTP on a free
loopback port. The emulator is imported inside the fixtures only, so merely having the
package installed never slows down or breaks a test run (no Django import either).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from django_talonone.emulator import Emulator, RunningEmulator


@pytest.fixture
def talonone_emulator() -> Emulator:
    """An in-process emulator with fresh state; use ``.client()`` or ``.session()``."""
    from django_talonone.emulator import Emulator

    return Emulator()


@pytest.fixture
def talonone_emulator_server() -> Iterator[RunningEmulator]:
    """A fresh emulator on ``http://127.0.0.1:<free port>``, stopped after the test.

    ``.url`` is the base URL; ``.app`` the app behind it, for its state and log.
    """
    from django_talonone.emulator import Emulator

    with Emulator().serve("127.0.0.1", 0) as running:
        yield running
