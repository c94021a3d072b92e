"""Bodies go out as exact JSON (Decimal money, ISO dates); replies come back as Decimal."""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from decimal import Decimal
from typing import Any

import pytest
import responses

from django_talonone.client import TalonOneClient, TalonOneValidationError
from django_talonone.client.encoding import dumps, loads

from .conftest import BASE

URL = f"{BASE}/v2/customer_profiles/p1"
Point = namedtuple("Point", "x y")


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (Decimal("19.99"), b"19.99"),
        (Decimal("0.1") + Decimal("0.2"), b"0.3"),
        (Decimal("19.990"), b"19.990"),
        (
            Decimal("123456789012345678901234567890.123456789"),
            b"123456789012345678901234567890.123456789",
        ),
        (Decimal("-0.000000000000000001"), b"-1E-18"),
        (12, b"12"),
        (True, b"true"),
        (None, b"null"),
        ("Grüße €", '"Grüße €"'.encode()),
        (dt.date(2025, 2, 28), b'"2025-02-28"'),
        (
            dt.datetime(2025, 2, 28, 23, 59, 1, tzinfo=dt.timezone.utc),
            b'"2025-02-28T23:59:01+00:00"',
        ),
        (
            dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            b'"2025-06-01T08:00:00+02:00"',
        ),
        ((1, 2), b"[1,2]"),
        (Point(1, 2), b"[1,2]"),
    ],
)
def test_values_on_the_wire(value: Any, wire: bytes) -> None:
    assert dumps({"v": value}) == b'{"v":' + wire + b"}"


def test_decimal_exponent_form_is_still_a_json_number() -> None:
    assert loads(dumps({"v": Decimal("-1E-18")}))["v"] == Decimal("-1E-18")


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(TalonOneValidationError, match=r"naive datetime \(2025-01-01T10:00:00\)"):
        dumps({"attributes": {"birthday": dt.datetime(2025, 1, 1, 10)}})


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ({1, 2}, "builtins.set"),
        (object(), "builtins.object"),
        (b"bytes", "builtins.bytes"),
        (float("nan"), "nan"),
        (Decimal("Infinity"), "not JSON compliant: inf"),
    ],
    ids=["set", "object", "bytes", "nan", "decimal-inf"],
)
def test_unencodable_values_name_the_type(value: Any, named: str) -> None:
    with pytest.raises(TalonOneValidationError, match=named):
        dumps({"v": value})


def test_body_keys_and_values_pass_through_untouched(
    client: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    mocked.put(URL, json={})
    body = {
        "attributes": {"snake_case": 1, "CamelCase": Decimal("2.50"), "with space": None},
        "audiencesChanges": {"adds": [1], "deletes": []},
        "unknownFutureField": {"nested": [Decimal("1.0")]},
    }
    snapshot = repr(body)
    client.update_customer_profile_v2("p1", body)
    assert mocked.calls[0].request.body == (
        b'{"attributes":{"snake_case":1,"CamelCase":2.50,"with space":null},'
        b'"audiencesChanges":{"adds":[1],"deletes":[]},"unknownFutureField":{"nested":[1.0]}}'
    )
    assert repr(body) == snapshot


def test_invalid_body_is_rejected_before_sending(
    client: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    with pytest.raises(TalonOneValidationError):
        client.update_customer_profile_v2("p1", {"attributes": {"at": dt.datetime(2025, 1, 1)}})
    assert len(mocked.calls) == 0


def test_replies_decode_non_integers_as_decimal(
    client: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(
        f"{BASE}/v2/customer_sessions/s",
        body=b'{"customerSession":{"total":19.99,"cartItemTotal":0.30000000000000004,'
        b'"applicationId":7,"big":123456789012345678901234567890.5,"exp":1e2}}',
        content_type="application/json",
    )
    session = client.get_customer_session("s")["customerSession"]
    assert session["total"] == Decimal("19.99")
    assert session["cartItemTotal"] == Decimal("0.30000000000000004")
    assert session["applicationId"] == 7
    assert type(session["applicationId"]) is int
    assert session["big"] == Decimal("123456789012345678901234567890.5")  # type: ignore[typeddict-item]
    assert session["exp"] == Decimal("100")  # type: ignore[typeddict-item]


def test_round_trip_keeps_every_digit() -> None:
    amounts = [Decimal("0.01"), Decimal("19.99"), Decimal("1000000.000001"), Decimal("-3.5")]
    assert loads(dumps({"prices": amounts}))["prices"] == amounts
