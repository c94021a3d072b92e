"""Constructor validation, session ownership, and credentials kept out of reprs."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
import requests
import responses

from django_talonone.client import TalonOneClient, TalonOneConfigurationError, TalonOneError

from .conftest import API_KEY, BASE, MANAGEMENT_KEY, MANAGEMENT_TOKEN


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"api_key": ""}, "api_key"),
        ({"api_key": None}, "api_key"),
        ({"api_key": "two words"}, "api_key"),
        ({"api_key": "key\r\nX-Evil: 1"}, "api_key"),
        ({"base_url": "mycompany.talon.one"}, "base_url"),
        ({"base_url": "ftp://mycompany.talon.one"}, "base_url"),
        ({"base_url": "https://"}, "base_url"),
        ({"base_url": "https://user:pw@mycompany.talon.one"}, "base_url"),
        ({"base_url": "https://mycompany.talon.one/?x=1"}, "base_url"),
        ({"base_url": 42}, "base_url"),
        ({"management_key": ""}, "management_key"),
        ({"management_token": "a b"}, "management_token"),
        ({"management_key": "k", "management_token": "t"}, "management_token"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1.0}, "timeout"),
        ({"timeout": None}, "timeout"),
        ({"timeout": "5"}, "timeout"),
        ({"timeout": (1.0,)}, "timeout"),
        ({"timeout": (1.0, 0)}, r"timeout\[1\]"),
        ({"timeout": True}, "timeout"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_attempts": 2.5}, "max_attempts"),
        ({"deadline": 0}, "deadline"),
        ({"backoff": -1}, "backoff"),
        ({"backoff": 2.0, "backoff_max": 1.0}, "backoff_max"),
        ({"session": object()}, "session"),
        ({"user_agent": "bad\nagent"}, "user_agent"),
    ],
)
def test_bad_configuration_names_the_argument(arguments: dict[str, Any], named: str) -> None:
    options: dict[str, Any] = {"base_url": BASE, "api_key": API_KEY} | arguments
    with pytest.raises(TalonOneConfigurationError, match=named) as caught:
        TalonOneClient(**options)
    assert isinstance(caught.value, ValueError)
    # Not a Talon.One error: code that fails open on those must not hide a bad setting.
    assert not isinstance(caught.value, TalonOneError)
    for secret in ("key\r\nX-Evil", "two words", "pw@"):
        assert secret not in str(caught.value)


@pytest.mark.parametrize(
    ("timeout", "expected"), [(5, (5.0, 5.0)), (2.5, (2.5, 2.5)), ((1, 30), (1.0, 30.0))]
)
def test_timeout_forms(timeout: Any, expected: tuple[float, float]) -> None:
    assert TalonOneClient(BASE, API_KEY, timeout=timeout).timeout == expected


def test_base_url_is_normalised() -> None:
    assert TalonOneClient("https://acme.talon.one///", API_KEY).base_url == "https://acme.talon.one"


def test_defaults() -> None:
    client = TalonOneClient(BASE, API_KEY)
    assert client.timeout == (3.05, 10.0)
    assert client.max_attempts == 4
    assert client.deadline == 20.0


@pytest.mark.parametrize(
    ("credentials", "scheme"),
    [
        ({}, "ApiKey-v1"),
        ({"management_key": MANAGEMENT_KEY}, "ManagementKey-v1"),
        ({"management_token": MANAGEMENT_TOKEN}, "Bearer"),
    ],
)
def test_repr_and_str_show_no_credentials(credentials: dict[str, Any], scheme: str) -> None:
    client = TalonOneClient(BASE, API_KEY, **credentials)
    assert repr(client) == (
        f"<TalonOneClient base_url='{BASE}' auth='ApiKey-v1 ***' manager_auth='{scheme} ***'>"
    )
    for secret in (API_KEY, MANAGEMENT_KEY, MANAGEMENT_TOKEN):
        assert secret not in repr(client)
        assert secret not in str(client)


def test_client_refuses_to_be_pickled() -> None:
    with pytest.raises(TypeError, match="credentials"):
        pickle.dumps(TalonOneClient(BASE, API_KEY))


def test_owned_session_is_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[bool] = []
    with TalonOneClient(BASE, API_KEY) as client:
        monkeypatch.setattr(client._session, "close", lambda: closed.append(True))
    assert closed == [True]


def test_injected_session_is_used_and_left_open(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{BASE}/v2/customer_sessions/s", json={})
    session = requests.Session()
    session.headers["X-Shop"] = "acme"
    closed: list[bool] = []
    session.close = lambda: closed.append(True)  # type: ignore[method-assign]
    with TalonOneClient(BASE, API_KEY, session=session) as client:
        client.get_customer_session("s")
    assert closed == []
    assert mocked.calls[0].request.headers["X-Shop"] == "acme"
    assert "Authorization" not in session.headers
