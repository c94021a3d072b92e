"""A local, stateful emulator of Talon.One's Integration API (no Django import).

The names below are loaded on first use, so importing this package (as the pytest
plugin does for every test run) costs nothing and needs none of the optional
dependencies until the emulator is actually used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .adapter import EmulatorAdapter
    from .app import EmulatorApp
    from .campaigns import DEFAULT_CONFIG, load_config_file
    from .facade import Emulator
    from .faults import FaultSpec
    from .server import RunningEmulator, serve_in_thread
    from .state import EmulatorState

_EXPORTS = {
    "DEFAULT_CONFIG": ".campaigns",
    "Emulator": ".facade",
    "EmulatorAdapter": ".adapter",
    "EmulatorApp": ".app",
    "EmulatorState": ".state",
    "FaultSpec": ".faults",
    "RunningEmulator": ".server",
    "load_config_file": ".campaigns",
    "serve_in_thread": ".server",
}

__all__ = [
    "DEFAULT_CONFIG",
    "Emulator",
    "EmulatorAdapter",
    "EmulatorApp",
    "EmulatorState",
    "FaultSpec",
    "RunningEmulator",
    "load_config_file",
    "serve_in_thread",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
