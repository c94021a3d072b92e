"""A compiled first pass over request bodies: valid bodies skip the full schema walk.

``jsonschema`` walks a 20-item cart in about 150 validator steps and dominated the
emulator's time per request. The same schemas compiled to Python code by
``fastjsonschema`` accept a valid body in a fraction of that. The compiled check only ever
*accepts*: a body it refuses goes through :mod:`.validation`'s full ``jsonschema`` pass,
which lists every problem with its pointer and hint, so messages are unchanged.

Accepting must never be looser than the full pass. Both agree on JSON as the emulator
decodes it (numbers are ``int`` or ``Decimal``; ``true`` is no number; ``1.0`` is no
integer); a Python ``float`` or a non-finite ``Decimal`` anywhere in a body (``1.0`` or
``NaN`` built by a test, never decoded from JSON) is where they could differ, so such a
body is left to the full pass. A differential test
(``tests/emulator/test_validation_fastcheck.py``) holds the two to the same verdicts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import fastjsonschema

from django_talonone.emulator.schemas import BODY_SCHEMAS

Check = Callable[[Any], Any]


def _lenient(schema: Any) -> Any:
    """``schema`` without ``additionalProperties: false``: unknown fields are accepted,
    as Talon.One does outside strict mode."""
    if isinstance(schema, dict):
        return {
            key: _lenient(value)
            for key, value in schema.items()
            if not (key == "additionalProperties" and value is False)
        }
    if isinstance(schema, list):
        return [_lenient(value) for value in schema]
    return schema


def _outside_json(value: Any) -> bool:
    """Whether ``value`` holds what decoded JSON never does: a float, a NaN or infinity."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is dict:
            pending.extend(item.values())
        elif kind is list:
            pending.extend(item)
        elif kind is float or (kind is Decimal and not item.is_finite()):
            return True
        elif kind not in _PLAIN and isinstance(item, (float, Decimal, dict, list)):
            return True  # a subclass: judged by the full pass
    return False


_PLAIN = frozenset({str, int, bool, type(None), Decimal})


@functools.cache
def _compiled(operation: str, strict: bool, date_time: Callable[[object], bool]) -> Check:
    """The compiled check of one operation's body schema: a pure function of its
    arguments, compiled on first use (compiling all of them costs ~0.3 s, too much for
    import time) and kept, like the schemas themselves, for the process's life."""
    schema = BODY_SCHEMAS[operation]
    return fastjsonschema.compile(
        schema if strict else _lenient(schema), formats={"date-time": date_time}
    )


def accepts(
    operation: str,
    body: Any,
    *,
    strict: bool,
    date_time: Callable[[object], bool],
    from_wire: bool = False,
) -> bool:
    """True only when ``body`` surely passes the full schema check of ``operation``.

    ``date_time`` is the full pass's own ``date-time`` format check, so both share it;
    ``from_wire`` says ``body`` was decoded from JSON bytes, which spares the float walk.
    """
    if operation not in BODY_SCHEMAS or (not from_wire and _outside_json(body)):
        return False
    try:
        _compiled(operation, strict, date_time)(body)
    except fastjsonschema.JsonSchemaException:
        return False
    return True
