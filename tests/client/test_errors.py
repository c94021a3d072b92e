"""Non-2xx and malformed replies map to typed errors carrying status, body and errors."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
import responses

from django_talonone.client import (
    TalonOneAPIError,
    TalonOneBadRequest,
    TalonOneClient,
    TalonOneConflict,
    TalonOneError,
    TalonOneNotFound,
    TalonOneRateLimited,
    TalonOneResponseError,
    TalonOneServerError,
    TalonOneUnauthorized,
)
from tests.clocks import MonotonicClock

from .conftest import API_KEY, BASE, make_client

URL = f"{BASE}/v2/customer_sessions/s1"
PATH = "/v2/customer_sessions/s1"

FIELD_ERROR = {
    "title": "must be >= 1",
    "details": "quantity 0",
    "source": {"pointer": "/customerSession/cartItems/1/quantity"},
}


@pytest.fixture
def once(clock: MonotonicClock) -> TalonOneClient:
    """A client that never retries, so each test sees one reply's mapping."""
    return make_client(clock, max_attempts=1)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, TalonOneBadRequest),
        (401, TalonOneUnauthorized),
        (403, TalonOneAPIError),
        (404, TalonOneNotFound),
        (409, TalonOneConflict),
        (429, TalonOneRateLimited),
        (500, TalonOneServerError),
        (502, TalonOneServerError),
        (503, TalonOneServerError),
        (504, TalonOneServerError),
    ],
)
@pytest.mark.parametrize("shape", ["ErrorResponse", "ErrorResponseWithStatus"])
def test_status_maps_to_class(
    status: int,
    cls: type[TalonOneAPIError],
    shape: str,
    once: TalonOneClient,
    mocked: responses.RequestsMock,
) -> None:
    body: dict[str, Any] = {"message": "Something is off", "errors": [FIELD_ERROR]}
    if shape == "ErrorResponseWithStatus":
        body["StatusCode"] = status
    mocked.get(URL, status=status, json=body, headers={"X-Request-Id": "r-1"})

    with pytest.raises(cls) as caught:
        once.get_customer_session("s1")

    error = caught.value
    assert type(error) is cls
    assert isinstance(error, TalonOneAPIError)
    assert not isinstance(error, TalonOneResponseError)
    assert error.status_code == status
    assert error.message == "Something is off"
    assert error.errors == [FIELD_ERROR]
    assert error.body == body
    assert error.method == "GET"
    assert error.path == PATH
    assert error.attempts == 1
    assert error.response_headers["X-Request-Id"] == "r-1"
    assert str(error) == (
        f"GET {PATH} -> {status}: Something is off "
        "[must be >= 1 (pointer /customerSession/cartItems/1/quantity)]"
    )


def test_str_lists_parameters_and_caps_the_error_count(
    once: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    errors = [{"title": "bad flag", "source": {"parameter": "dry"}}] + [
        {"title": f"e{n}", "source": {"pointer": f"/x/{n}"}} for n in range(4)
    ]
    mocked.get(URL, status=400, json={"message": "Invalid", "errors": errors})
    with pytest.raises(TalonOneBadRequest) as caught:
        once.get_customer_session("s1")
    assert str(caught.value) == (
        f"GET {PATH} -> 400: Invalid [bad flag (parameter dry); e0 (pointer /x/0); "
        "e1 (pointer /x/1); +2 more]"
    )


@pytest.mark.parametrize(
    ("content", "expected_body"),
    [
        (b"", None),
        (b"   ", None),
        (b'["not", "an", "object"]', ["not", "an", "object"]),
        (b'"just a string"', "just a string"),
        (b'{"errors": "not a list", "message": 5}', {"errors": "not a list", "message": 5}),
        (b'{"StatusCode": 404}', {"StatusCode": 404}),
    ],
    ids=["empty", "blank", "list", "string", "odd-fields", "status-only"],
)
def test_error_bodies_that_are_not_error_objects(
    content: bytes, expected_body: Any, once: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(URL, status=404, body=content)
    with pytest.raises(TalonOneNotFound) as caught:
        once.get_customer_session("s1")
    assert caught.value.body == expected_body
    assert caught.value.message == "HTTP 404 Not Found"
    assert caught.value.errors == []
    assert not isinstance(caught.value, TalonOneResponseError)


def test_html_502_is_a_server_error_and_a_response_error(
    once: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body>" + "x" * 500 + "</body>"
    mocked.get(URL, status=502, body=page, content_type="text/html")
    with pytest.raises(TalonOneServerError) as caught:
        once.get_customer_session("s1")
    error = caught.value
    assert isinstance(error, TalonOneResponseError)
    assert error.status_code == 502
    assert error.body == page[:200]
    assert "non-JSON" in error.message


def test_truncated_json_error_body(once: TalonOneClient, mocked: responses.RequestsMock) -> None:
    mocked.get(URL, status=400, body=b'{"message": "Inval')
    with pytest.raises(TalonOneBadRequest) as caught:
        once.get_customer_session("s1")
    assert isinstance(caught.value, TalonOneResponseError)
    assert caught.value.body == '{"message": "Inval'


@pytest.mark.parametrize(
    "content",
    [b"<html>oops</html>", b'{"customerSession": {"id": 1', b"", b"\xff\xfe{}"],
    ids=["html", "truncated", "empty", "not-utf8"],
)
def test_malformed_success_reply(
    content: bytes, once: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(URL, status=200, body=content)
    with pytest.raises(TalonOneResponseError) as caught:
        once.get_customer_session("s1")
    error = caught.value
    assert type(error) is TalonOneResponseError
    assert error.status_code == 200
    assert error.method == "GET"
    assert error.path == PATH
    assert error.body == content.decode("utf-8", "replace")[:200]


def test_long_malformed_reply_is_truncated(
    once: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(URL, status=200, body="é" * 1000)
    with pytest.raises(TalonOneResponseError) as caught:
        once.get_customer_session("s1")
    assert caught.value.body == "é" * 200


def test_204_returns_none(once: TalonOneClient, mocked: responses.RequestsMock) -> None:
    mocked.delete(f"{BASE}/v1/customer_data/p1", status=204)
    reply: Any = once.delete_customer_data("p1")  # type: ignore[func-returns-value]
    assert reply is None


def test_errors_hold_no_request_and_no_chained_exception(
    once: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(URL, status=401, json={"message": "Unauthorized", "StatusCode": 401})
    with pytest.raises(TalonOneUnauthorized) as caught:
        once.get_customer_session("s1")
    error = caught.value
    assert error.__cause__ is None
    assert error.__context__ is None
    dumped = repr(vars(error)) + repr(error) + str(error)
    assert API_KEY not in dumped
    assert "Authorization" not in dumped


def test_errors_survive_pickling(once: TalonOneClient, mocked: responses.RequestsMock) -> None:
    mocked.get(URL, status=502, body="<html/>")
    with pytest.raises(TalonOneServerError) as caught:
        once.get_customer_session("s1")
    copy = pickle.loads(pickle.dumps(caught.value))  # noqa: S301 - our own bytes
    assert type(copy) is type(caught.value)
    assert vars(copy) == vars(caught.value)
    assert str(copy) == str(caught.value)


def test_root_class_and_repr() -> None:
    error = TalonOneError("plain")
    assert str(error) == "plain"
    assert repr(error) == "TalonOneError('plain')"
    assert error.errors == []
    assert error.response_headers == {}
