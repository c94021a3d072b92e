"""Several Talon.One Applications in one emulator: the API key says which.

In Talon.One an Integration API key belongs to one Application, and the Application has
its own campaigns, currency, sessions and profiles. The emulator keeps one
:class:`~.state.EmulatorState` per Application and serves each request in the state of
the Application its key belongs to. The first Application, ``default``, is the one the
emulator was built with; more are added by name.

A management key is account-wide in Talon.One. Here a management-key call is served in
the first Application registered with that key (each Application may have its own), so
give a named Application a management key of its own to delete its audiences.
"""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .state import EmulatorState

DEFAULT_APPLICATION = "default"
_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


def state_file_for(state_file: str | os.PathLike[str] | None, name: str) -> str | None:
    """Where Application ``name``'s state is kept beside the default's (``state.gbp.json``
    next to ``state.json``); ``None`` without a state file."""
    if state_file is None:
        return None
    if name == DEFAULT_APPLICATION:
        return os.fspath(state_file)
    root, extension = os.path.splitext(os.fspath(state_file))
    return f"{root}.{name}{extension}"


@dataclass
class Application:
    """One emulated Application: its name, credentials (never shown) and state."""

    name: str
    api_key: bytes
    management_key: bytes | None
    state: EmulatorState

    def __repr__(self) -> str:
        return f"<Application {self.name!r}>"


class Applications:
    """The emulator's Applications by name, found by the credential a request carries."""

    def __init__(self) -> None:
        self._by_name: dict[str, Application] = {}

    def add(
        self, name: str, api_key: str, management_key: str | None, state: EmulatorState
    ) -> Application:
        """Register ``name``; ``ValueError`` for a bad name or a key another one uses."""
        if not _NAME.fullmatch(name):
            raise ValueError(
                f"application name {name!r}: use lower-case letters, digits and underscores"
            )
        if name in self._by_name:
            raise ValueError(f"application {name!r} already exists")
        if not api_key:
            raise ValueError(f"application {name!r}: api_key must be a non-empty string")
        if management_key is not None and not management_key:
            raise ValueError(f"application {name!r}: management_key must be None or non-empty")
        key = api_key.encode("utf-8")
        if self.by_api_key(key) is not None:
            # The key is not shown: error messages end up in logs.
            raise ValueError(f"application {name!r}: its API key already belongs to another")
        application = Application(
            name, key, management_key.encode("utf-8") if management_key else None, state
        )
        self._by_name[name] = application
        return application

    def __iter__(self) -> Iterator[Application]:
        return iter(list(self._by_name.values()))

    def names(self) -> list[str]:
        return list(self._by_name)

    def get(self, name: str) -> Application | None:
        return self._by_name.get(name)

    def __getitem__(self, name: str) -> Application:
        return self._by_name[name]

    def by_api_key(self, given: bytes) -> Application | None:
        """The Application of an ``ApiKey-v1`` key (every key compared in constant time)."""
        found = None
        for application in self._by_name.values():
            if hmac.compare_digest(given, application.api_key) and found is None:
                found = application
        return found

    def by_management_key(self, given: bytes) -> Application | None:
        found = None
        for application in self._by_name.values():
            key = application.management_key
            if key is not None and hmac.compare_digest(given, key) and found is None:
                found = application
        return found
