"""The client's judgement of a 2xx reply: bounded size and nesting, JSON only, the shape
each operation documents; redirects are not followed. (The same replies served by a real
server on loopback, end to end: ``tests/badinput/test_hostile_talonone.py``.)"""

from __future__ import annotations

import gzip
from typing import Any

import pytest
import responses

from django_talonone.client import (
    TalonOneAPIError,
    TalonOneClient,
    TalonOneConfigurationError,
    TalonOneInvalidReply,
    TalonOneResponseError,
)
from tests.clocks import MonotonicClock

from .conftest import BASE, make_client

SESSION_URL = f"{BASE}/v2/customer_sessions/s"
BODY = {"customerSession": {"profileId": "p"}}


def put(client: TalonOneClient) -> Any:
    return client.update_customer_session_v2("s", BODY)


@pytest.mark.parametrize(
    ("reply", "where"),
    [
        ([], "the reply should be an object, got an array"),
        ({"effects": {}}, "effects should be an array, got an object"),
        ({"effects": [1]}, "effects[0] should be an object, got a number"),
        ({"effects": [{"props": {}}]}, "effects[0].effectType should be present"),
        (
            {"effects": [{"effectType": "setDiscount", "props": {"value": "5"}}]},
            "effects[0].props.value should be a number, got a string",
        ),
        (
            {"effects": [{"effectType": "acceptCoupon", "props": {"value": 5}}]},
            "effects[0].props.value should be a string, got a number",
        ),
        ({"customerSession": {"state": True}}, "customerSession.state should be a string"),
    ],
)
def test_a_reply_without_the_documented_shape_is_invalid_and_not_retried(
    client: TalonOneClient, mocked: responses.RequestsMock, reply: Any, where: str
) -> None:
    mocked.put(SESSION_URL, json=reply)
    with pytest.raises(TalonOneInvalidReply, match=where.replace("[", r"\[")) as caught:
        put(client)
    assert isinstance(caught.value, TalonOneResponseError)
    assert len(mocked.calls) == 1  # retrying cannot change what Talon.One answers


def test_fields_the_app_does_not_read_are_left_alone(
    client: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    reply = {"effects": [{"effectType": "somethingNew", "props": {"value": "x"}}], "new": []}
    mocked.put(SESSION_URL, json=reply)
    assert put(client) == reply


def test_json_nested_too_deep_is_a_typed_error(
    client: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    mocked.put(SESSION_URL, body=b"[" * 100_000 + b"]" * 100_000, content_type="application/json")
    with pytest.raises(TalonOneResponseError, match="nested"):
        put(client)
    mocked.replace(
        responses.PUT,
        SESSION_URL,
        body=b'{"a":' * 70 + b"1" + b"}" * 70,
        content_type="application/json",
    )
    with pytest.raises(TalonOneResponseError, match="nested deeper than 64 levels"):
        put(client)


def test_a_reply_over_the_size_limit_is_refused_even_compressed(
    clock: MonotonicClock, mocked: responses.RequestsMock
) -> None:
    client = make_client(clock, max_reply_bytes=64 * 1024)
    packed = gzip.compress(b'{"effects": [], "pad": "' + b"0" * (10 * 1024 * 1024) + b'"}')
    assert len(packed) < 64 * 1024  # small on the wire, 10 MB once inflated
    mocked.put(
        SESSION_URL,
        body=packed,
        headers={"Content-Encoding": "gzip"},
        content_type="application/json",
    )
    with pytest.raises(TalonOneResponseError, match="larger than 65536 bytes once decoded"):
        put(client)


def test_a_gzip_reply_under_the_limit_is_inflated(
    client: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    mocked.put(
        SESSION_URL,
        body=gzip.compress(b'{"effects": []}'),
        headers={"Content-Encoding": "gzip"},
        content_type="application/json",
    )
    assert put(client) == {"effects": []}
    assert mocked.calls[0].request.headers["Accept-Encoding"] == "gzip, deflate"


def test_an_encoding_not_asked_for_is_refused(
    client: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    mocked.put(SESSION_URL, body=b"\x00", headers={"Content-Encoding": "br"})
    with pytest.raises(TalonOneResponseError, match="Content-Encoding 'br'"):
        put(client)


def test_a_reply_that_is_not_labelled_json_is_refused(
    client: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    mocked.put(SESSION_URL, body=b'{"effects": []}', content_type="text/html")
    with pytest.raises(TalonOneResponseError, match="reply is text/html, not JSON"):
        put(client)


def test_a_redirect_is_not_followed_and_names_the_setting(
    client: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    mocked.put(SESSION_URL, status=301, headers={"Location": "https://elsewhere.example/v2"})
    with pytest.raises(
        TalonOneAPIError, match=r"redirect to https://elsewhere\.example/v2.*BASE_URL"
    ):
        put(client)
    assert [call.request.url for call in mocked.calls] == [SESSION_URL]


def test_limits_are_checked_when_the_client_is_built(clock: MonotonicClock) -> None:
    with pytest.raises(TalonOneConfigurationError, match="max_reply_bytes must be an int >= 1024"):
        make_client(clock, max_reply_bytes=10)
    with pytest.raises(TalonOneConfigurationError, match="max_reply_depth"):
        make_client(clock, max_reply_depth=True)
