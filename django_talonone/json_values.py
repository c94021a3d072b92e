"""How the app keeps JSON in its rows: queued calls as the wire JSON, the rest as plain JSON.

Two kinds of JSON are stored, and each goes through one encoder:

- **Queued calls** (``Delivery.payload``) are kept as exactly the JSON the client will send:
  the client's own encoder writes them (Decimals as exact JSON numbers, aware datetimes as
  ISO 8601) and :class:`WireJSONDecoder` reads numbers with a fraction back as ``Decimal``,
  so a stored ``19.90`` is sent as ``19.90``, never ``19.899999...`` nor ``"19.90"``.
- **Replies and effects** kept for people and for the shop (:func:`json_safe`) are plain
  JSON, written by Django's ``DjangoJSONEncoder``: amounts become exact strings, which every
  reader of those rows parses with ``Decimal``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from django_talonone.client.encoding import dumps

__all__ = ["WireJSONDecoder", "WireJSONEncoder", "json_safe", "wire_copy"]


class WireJSONEncoder(json.JSONEncoder):
    """``json.JSONEncoder`` that writes what the client sends (Django's JSONField uses it)."""

    def encode(self, o: Any) -> str:
        return dumps(o).decode("utf-8")

    def iterencode(self, o: Any, _one_shot: bool = False) -> Any:
        yield self.encode(o)


class WireJSONDecoder(json.JSONDecoder):
    """Reads numbers with a fraction or an exponent as ``Decimal``; integers stay ``int``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["parse_float"] = Decimal
        super().__init__(*args, **kwargs)


def wire_copy(value: Any) -> Any:
    """``value`` as it reads back once stored as wire JSON (tuples become lists, ...)."""
    return json.loads(WireJSONEncoder().encode(value), cls=WireJSONDecoder)


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON (Decimals and UUIDs as strings, dates in ISO 8601).

    Non-finite numbers are refused (``ValueError``): JSON has none, and PostgreSQL would
    refuse the row later, further from the cause.
    """
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, allow_nan=False))
