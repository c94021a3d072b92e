"""Keep the emulator's state in a JSON file so a restarted emulator carries on.

Writes are atomic (a temporary file in the same directory, then ``os.replace``), so a
crash or a kill mid-write leaves the previous complete file, never a truncated one.
Amounts stay exact: the file is written and read with ``simplejson`` in Decimal mode.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import simplejson

from .clock import Clock
from .state import EmulatorState

StatePath = str | os.PathLike[str]


def save_state(state: EmulatorState, path: StatePath) -> None:
    """Write ``state`` to ``path`` atomically."""
    target = Path(path)
    payload = simplejson.dumps(state.to_dict(), use_decimal=True, indent=1, sort_keys=True)
    handle, temp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def load_state(path: StatePath, clock: Clock | None = None) -> EmulatorState | None:
    """The state saved at ``path``, or ``None`` when there is no such file.

    Raises ``ValueError`` naming the file when it exists but cannot be used.
    """
    target = Path(path)
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ValueError(f"{target}: cannot read state file: {exc}") from exc
    try:
        data = simplejson.loads(text, use_decimal=True)
        if not isinstance(data, dict) or "config" not in data:
            raise ValueError("not an emulator state dump (no 'config')")
        return EmulatorState.from_dict(data, clock=clock)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{target}: unusable state file: {exc}") from exc
