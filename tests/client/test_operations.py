"""Every operation: HTTP method, exact encoded path and query, headers and body bytes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import responses

from django_talonone import __version__
from django_talonone.client import OPERATIONS, TalonOneClient, TalonOneValidationError
from tests.clocks import MonotonicClock

from .cases import CASES, SESSION, Case
from .conftest import API_KEY, BASE, MANAGEMENT_KEY, MANAGEMENT_TOKEN, make_client


def test_every_operation_is_covered() -> None:
    assert sorted(case.operation for case in CASES) == sorted(OPERATIONS)
    assert len(OPERATIONS) == 20


def _register(mocked: responses.RequestsMock, case: Case) -> None:
    kwargs: dict[str, Any] = {"status": case.status}
    if case.reply is None:
        kwargs["body"] = b""
    else:
        kwargs["json"] = case.reply
    mocked.add(case.method, re.compile(re.escape(BASE) + r"/.*"), **kwargs)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.operation)
def test_wire_request(case: Case, client: TalonOneClient, mocked: responses.RequestsMock) -> None:
    _register(mocked, case)
    result = case.call(client)

    assert result == case.reply
    [sent] = mocked.calls
    request = sent.request
    assert request.method == case.method
    assert request.url == BASE + case.target
    assert request.body == case.body
    assert request.headers["Authorization"] == f"ApiKey-v1 {API_KEY}"
    assert request.headers["User-Agent"] == f"django-talonone/{__version__}"
    assert request.headers["Accept"] == "application/json"
    if case.body is None:
        assert "Content-Type" not in request.headers
    else:
        assert request.headers["Content-Type"] == "application/json"
    for name, value in case.headers.items():
        assert request.headers[name] == value
    if "Idempotency-Key" not in case.headers and case.operation != "returnCartItems":
        assert "Idempotency-Key" not in request.headers


MANAGER_CASES = [case for case in CASES if OPERATIONS[case.operation].management]


@pytest.mark.parametrize("case", MANAGER_CASES, ids=lambda case: case.operation)
@pytest.mark.parametrize(
    ("credentials", "expected"),
    [
        ({"management_key": MANAGEMENT_KEY}, f"ManagementKey-v1 {MANAGEMENT_KEY}"),
        ({"management_token": MANAGEMENT_TOKEN}, f"Bearer {MANAGEMENT_TOKEN}"),
        ({}, f"ApiKey-v1 {API_KEY}"),
    ],
    ids=["management-key", "bearer-token", "integration-key"],
)
def test_manager_auth_operations(
    case: Case,
    credentials: dict[str, str],
    expected: str,
    clock: MonotonicClock,
    mocked: responses.RequestsMock,
) -> None:
    _register(mocked, case)
    case.call(make_client(clock, **credentials))
    assert mocked.calls[0].request.headers["Authorization"] == expected


def test_management_key_is_not_used_for_integration_operations(
    clock: MonotonicClock, mocked: responses.RequestsMock
) -> None:
    mocked.get(f"{BASE}/v2/customer_sessions/s", json={})
    make_client(clock, management_key=MANAGEMENT_KEY).get_customer_session("s")
    assert mocked.calls[0].request.headers["Authorization"] == f"ApiKey-v1 {API_KEY}"


def test_return_cart_items_generates_an_idempotency_key(
    client: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(f"{BASE}/v2/customer_sessions/o/returns", json={})
    body = {"return": {"returnedCartItems": [{"position": 0}]}}
    client.return_cart_items("o", body)
    client.return_cart_items("o", body)
    keys = [call.request.headers["Idempotency-Key"] for call in mocked.calls]
    assert all(
        re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", k)
        for k in keys
    )
    assert keys[0] != keys[1]


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.track_event({"type": "t"}, idempotency_key="k"),
        lambda c: c.track_event_v2({"type": "t"}, idempotency_key="k"),
        lambda c: c.create_referral({"campaignId": 1}, idempotency_key="k"),
        lambda c: c.create_referrals_for_multiple_advocates({}, idempotency_key="k"),
        lambda c: c.create_audience_v2({"name": "n"}, idempotency_key="k"),
        lambda c: c.update_customer_profile_audiences({}, idempotency_key="k"),
    ],
    ids=["track_event", "track_event_v2", "referral", "referrals", "audience", "memberships"],
)
def test_caller_idempotency_key_is_sent_on_posts(
    call: Callable[[TalonOneClient], Any],
    client: TalonOneClient,
    mocked: responses.RequestsMock,
) -> None:
    # one reply with what each of these operations documents (an id, a code, a listing)
    reply = {"id": 1, "code": "REF-1234", "data": []}
    mocked.post(re.compile(re.escape(BASE) + r"/.*"), json=reply)
    call(client)
    assert mocked.calls[0].request.headers["Idempotency-Key"] == "k"


def test_unset_query_parameters_are_omitted(
    client: TalonOneClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(re.compile(re.escape(BASE) + r"/.*"), json={})
    mocked.put(re.compile(re.escape(BASE) + r"/.*"), json={})
    client.get_customer_inventory("p1", coupons=True)
    client.update_customer_session_v2(
        "s", SESSION, dry=True, now=dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    )
    client.update_customer_profile_v2("p1", {})
    urls = [call.request.url for call in mocked.calls]
    assert urls == [
        f"{BASE}/v1/customer_profiles/p1/inventory?coupons=true",
        f"{BASE}/v2/customer_sessions/s?dry=true&now=2030-01-01T00%3A00%3A00%2B00%3A00",
        f"{BASE}/v2/customer_profiles/p1",
    ]


def test_custom_user_agent_keeps_ours(
    clock: MonotonicClock, mocked: responses.RequestsMock
) -> None:
    mocked.get(f"{BASE}/v2/customer_sessions/s", json={})
    make_client(clock, user_agent="acme-shop/2.1").get_customer_session("s")
    agent = mocked.calls[0].request.headers["User-Agent"]
    assert agent == f"acme-shop/2.1 django-talonone/{__version__}"


def test_base_url_with_path_prefix(clock: MonotonicClock, mocked: responses.RequestsMock) -> None:
    mocked.get("http://proxy.local:8080/talon/v2/customer_sessions/s", json={})
    TalonOneClient("http://proxy.local:8080/talon/", API_KEY).get_customer_session("s")
    assert len(mocked.calls) == 1


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda c: c.get_customer_session(""), "customer_session_id"),
        (lambda c: c.get_customer_session(None), "customer_session_id"),
        (lambda c: c.delete_audience_v2(True), "audience_id"),
        (lambda c: c.update_customer_session_v2("s", {}, dry="yes"), "dry"),
        (lambda c: c.update_customer_profiles_v2({}, silent="maybe"), "silent"),
        (lambda c: c.return_cart_items("s", {}, idempotency_key="has space"), "idempotency_key"),
        (lambda c: c.return_cart_items("s", {}, idempotency_key="k" * 256), "idempotency_key"),
        (
            lambda c: c.get_customer_inventory(
                "p", loyalty_projection_end_date=dt.datetime(2030, 1, 1)
            ),
            "loyalty_projection_end_date",
        ),
    ],
)
def test_bad_arguments_fail_before_sending(
    call: Callable[[TalonOneClient], Any],
    named: str,
    client: TalonOneClient,
    mocked: responses.RequestsMock,
) -> None:
    with pytest.raises(TalonOneValidationError, match=named):
        call(client)
    assert len(mocked.calls) == 0
