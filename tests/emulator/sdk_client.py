"""The official Talon.One SDK aimed at an emulator, configured as the vendor documents."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import talon_one

from django_talonone.emulator import Emulator


@contextmanager
def sdk_for(emulator: Emulator, api_key: str) -> Iterator[Any]:
    """An ``IntegrationApi`` talking to ``emulator`` over real HTTP with ``api_key``."""
    with emulator.serve("127.0.0.1", 0) as running:
        configuration = talon_one.Configuration(
            host=running.url,
            api_key={"api_key_v1": api_key},
            api_key_prefix={"api_key_v1": "ApiKey-v1"},
        )
        with talon_one.ApiClient(configuration) as client:
            yield talon_one.IntegrationApi(client)
