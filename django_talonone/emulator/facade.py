"""``Emulator``: the one object a test or a script needs to run the emulator.

It owns an :class:`EmulatorApp` and offers every way to reach it: an in-process
``requests.Session`` (no socket), a ready ``TalonOneClient``, or a real HTTP server in a
background thread. All of them share the same state, log and faults.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from requests import Session

from .adapter import EmulatorAdapter
from .app import EmulatorApp, Sleep
from .applications import DEFAULT_APPLICATION
from .catalog import parse_items
from .clock import Clock
from .faults import FaultSpec, parse_faults
from .notifier import Notifier
from .requestlog import DEFAULT_LOG_SIZE
from .server import RunningEmulator, serve_in_thread
from .state import EmulatorState
from .validation import strict_validation

if TYPE_CHECKING:
    from django_talonone.client import TalonOneClient

_FAULT_FIELDS = {
    "seed": "seed",
    "error_rates": "errorRates",
    "latency_ms": "latencyMs",
    "drop_rate": "dropRate",
    "drop_after_apply": "dropAfterApply",
    "operations": "operations",
}


class Emulator:
    """A Talon.One emulator with fresh state; see ``docs/emulator.md``."""

    #: The base URL the in-process session answers on (nothing listens there).
    base_url = "http://talonone.emulator"

    def __init__(
        self,
        api_key: str = "test-api-key",
        management_key: str | None = None,
        config: Mapping[str, Any] | None = None,
        state_file: str | os.PathLike[str] | None = None,
        *,
        clock: Clock | None = None,
        sleep: Sleep = time.sleep,
        log_size: int = DEFAULT_LOG_SIZE,
        strict: bool = False,
        notifier: Notifier | None = None,
    ) -> None:
        self.api_key = api_key
        self.management_key = management_key
        #: Each Application's credentials, for :meth:`client`; never shown.
        self._keys: dict[str, tuple[str, str | None]] = {
            DEFAULT_APPLICATION: (api_key, management_key)
        }
        self.app = EmulatorApp(
            EmulatorState(config, clock=clock),
            api_key,
            management_key,
            state_file=state_file,
            sleep=sleep,
            log_size=log_size,
            validator=strict_validation if strict else None,
            notifier=notifier,
        )

    def __repr__(self) -> str:
        # The keys are left out on purpose: reprs end up in logs and test reports.
        return f"<Emulator base_url={self.base_url!r}>"

    @property
    def state(self) -> EmulatorState:
        return self.app.state

    @property
    def notifier(self) -> Notifier:
        """Where Talon.One's notifications go (``notifier.configure([Target(...)])``)."""
        return self.app.notifier

    def sync_catalog(self, items: list[dict[str, Any]]) -> list[str]:
        """Sync a cart item catalogue (``[{"sku", "price", "category"?}]``); its
        strikethrough prices are pushed. Returns the notifications' X-UUIDs."""
        return self.app.sync_catalog(parse_items({"items": items}), trigger="catalog_sync")

    def move_clock(self, **delta: float) -> list[str]:
        """Move the emulator's clock forward (``days=14``, the ``timedelta`` fields);
        pending points that become active are announced. Returns the X-UUIDs."""
        return self.app.move_clock(timedelta(**delta))

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The recorded API requests, oldest first (credentials redacted); the log keeps
        the last ``log_size`` of them (500 by default)."""
        return self.app.requests.entries()

    def session(self) -> Session:
        """A ``requests.Session`` whose calls to :attr:`base_url` reach the app in process."""
        session = Session()
        session.mount(f"{self.base_url}/", EmulatorAdapter(self.app))
        return session

    def client(self, application: str | None = None, **options: Any) -> TalonOneClient:
        """A ``TalonOneClient`` wired to the in-process session; ``options`` go to it.

        ``application`` names one added with :meth:`add_application` (its keys are used);
        an ``api_key`` option reaches whichever Application that key belongs to.
        """
        from django_talonone.client import TalonOneClient

        api_key, management_key = self._keys.get(application or DEFAULT_APPLICATION, (None, None))
        if application is not None and api_key is None:
            raise KeyError(f"no emulated application named {application!r}")
        options.setdefault("api_key", api_key or self.api_key)
        options.setdefault("management_key", management_key)
        return TalonOneClient(base_url=self.base_url, session=self.session(), **options)

    def add_application(
        self,
        name: str,
        api_key: str,
        config: Mapping[str, Any] | None = None,
        *,
        management_key: str | None = None,
    ) -> EmulatorState:
        """Emulate one more Application (own campaigns, currency and data) for ``api_key``."""
        state = self.app.add_application(
            name,
            api_key,
            EmulatorState(config, clock=self.state.clock),
            management_key=management_key,
        )
        self._keys[name] = (api_key, management_key)
        return state

    def state_of(self, application: str) -> EmulatorState:
        """The state of one Application (``"default"``: :attr:`state`)."""
        return self.app.state_of(application)

    def serve(
        self, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False
    ) -> RunningEmulator:
        """Serve over real HTTP from a background thread (``port=0``: any free port)."""
        return serve_in_thread(self.app, host, port, verbose=verbose)

    def set_faults(self, **fields: Any) -> FaultSpec:
        """Inject faults; fields are the JSON ones in snake_case (``error_rates={503: 1}``)."""
        unknown = sorted(set(fields) - set(_FAULT_FIELDS))
        if unknown:
            raise TypeError(f"set_faults() got unknown field(s): {', '.join(unknown)}")
        spec = parse_faults({_FAULT_FIELDS[name]: value for name, value in fields.items()})
        self.app.faults.set(spec)
        return spec

    def clear_faults(self) -> None:
        self.app.faults.set(None)

    def reset(self) -> None:
        """Forget everything the API created, clear the log and the faults; keep campaigns."""
        self.app.reset()
