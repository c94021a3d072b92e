"""Stored payloads: exact Decimals come back as Decimals, and nothing else changes type."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import UUID

import pytest

from django_talonone.client.encoding import dumps
from django_talonone.json_values import WireJSONDecoder, WireJSONEncoder
from django_talonone.outbox import decode_payload, encode_payload, json_safe


def test_round_trip_keeps_exactly_the_decimals() -> None:
    body = {
        "a/b~c": {"price": Decimal("19.990"), "sku": "19.99"},
        "lines": [{"q": 2, "price": Decimal("1E+2")}, {"ratio": 0.5, "ok": True, "none": None}],
    }
    query = {"dry": True, "now": datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc)}
    encoded = json.dumps(encode_payload(["s-1", 7], body, query), cls=WireJSONEncoder)
    assert '"price":19.990' in encoded  # a JSON number, exactly as the client sends it
    stored = json.loads(encoded, cls=WireJSONDecoder)
    assert set(stored) == {"args", "body", "query"}
    args, restored, restored_query = decode_payload(stored)
    assert args == ["s-1", 7]
    price = restored["a/b~c"]["price"]
    assert isinstance(price, Decimal)
    assert str(price) == "19.990"
    assert restored["a/b~c"]["sku"] == "19.99"
    assert restored["lines"][0]["price"] == Decimal("100")
    assert restored["lines"][1] == {"ratio": Decimal("0.5"), "ok": True, "none": None}
    assert restored_query == {"dry": True, "now": "2026-01-02T03:04:00+00:00"}


def test_what_is_stored_is_what_the_client_sends() -> None:
    body = {"customerSession": {"cartItems": [{"sku": "7", "price": Decimal("0.10")}]}}
    stored = json.loads(
        json.dumps(encode_payload(["s"], body, None), cls=WireJSONEncoder), cls=WireJSONDecoder
    )
    assert dumps(decode_payload(stored)[1]) == dumps(body)


def test_decoding_does_not_mutate_the_stored_payload() -> None:
    stored = encode_payload([], {"p": Decimal("1.10")}, None)
    body = decode_payload(stored)[1]
    body["p"] = Decimal("0")
    assert stored["body"] == {"p": Decimal("1.10")}


def test_call_without_body_stores_only_its_arguments() -> None:
    assert encode_payload(["ann"], None, None) == {"args": ["ann"], "body": None, "query": {}}


def test_json_safe_stringifies_decimals_dates_and_uuids() -> None:
    value = {"d": Decimal("2.50"), "day": date(2026, 1, 2), "id": UUID(int=1), "t": (1, 2)}
    assert json_safe(value) == {
        "d": "2.50",
        "day": "2026-01-02",
        "id": "00000000-0000-0000-0000-000000000001",
        "t": [1, 2],
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"when": datetime(2026, 1, 1)}, "/body/when is a naive datetime"),
        ({"x": float("inf")}, "/body/x"),
        ({1: "a"}, "non-string key"),
        ({"blob": b"raw"}, "/body/blob holds a bytes"),
    ],
)
def test_values_json_cannot_hold_are_rejected(body: dict[object, object], message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        encode_payload([], body, None)  # type: ignore[arg-type]
