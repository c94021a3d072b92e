"""RFC 3339 parsing accepts what real clients send, on every supported Python."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from django_talonone.emulator.clock import format_timestamp, parse_timestamp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2099-06-01T12:30:00Z", datetime(2099, 6, 1, 12, 30, tzinfo=timezone.utc)),
        ("2099-06-01T12:30:00.000000+0000", datetime(2099, 6, 1, 12, 30, tzinfo=timezone.utc)),
        ("2099-06-01T14:30:00+02:00", datetime(2099, 6, 1, 12, 30, tzinfo=timezone.utc)),
        ("2099-06-01T14:30:00+0200", datetime(2099, 6, 1, 12, 30, tzinfo=timezone.utc)),
        (
            "2099-06-01T12:30:00.123456789Z",
            datetime(2099, 6, 1, 12, 30, 0, 123456, tzinfo=timezone.utc),
        ),
        ("2099-06-01T12:30:00.5Z", datetime(2099, 6, 1, 12, 30, 0, 500000, tzinfo=timezone.utc)),
        ("2099-06-01T12:30:00", datetime(2099, 6, 1, 12, 30, tzinfo=timezone.utc)),
    ],
)
def test_parse_timestamp(text: str, expected: datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    "text", ["2099-06-01", "2099-13-01T00:00:00Z", "yesterday", "2099-06-01T12:30:00+2"]
)
def test_parse_timestamp_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not an RFC 3339 timestamp"):
        parse_timestamp(text)


def test_parse_timestamp_takes_a_leap_second_as_the_end_of_its_minute() -> None:
    # Validation accepts second 60 (RFC 3339 allows it); a stored expiry such as this one
    # must not make every later evaluation of the code fail.
    moment = parse_timestamp("2030-06-30T23:59:60Z")
    assert moment == datetime(2030, 6, 30, 23, 59, 59, 999999, tzinfo=timezone.utc)


def test_format_round_trips() -> None:
    moment = datetime(2030, 1, 2, 3, 4, 5, 600000, tzinfo=timezone.utc)
    assert parse_timestamp(format_timestamp(moment)) == moment
