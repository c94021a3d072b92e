"""The ``/_emulator/`` control endpoints and the request log they expose."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from django_talonone.emulator import Emulator
from django_talonone.emulator.requestlog import RequestLog, redact_authorization

API_KEY = "api-secret-1"
MANAGEMENT_KEY = "mgmt-secret-2"
CART = {"customerSession": {"cartItems": [{"name": "Mug", "sku": "M", "quantity": 1, "price": 5}]}}


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(api_key=API_KEY, management_key=MANAGEMENT_KEY)


@pytest.fixture
def http(emulator: Emulator) -> requests.Session:
    session = emulator.session()
    session.headers["Authorization"] = f"ApiKey-v1 {API_KEY}"
    return session


def control(emulator: Emulator, method: str, path: str, **kwargs: Any) -> requests.Response:
    return emulator.session().request(method, f"{emulator.base_url}/_emulator/{path}", **kwargs)


def update_session(emulator: Emulator, http: requests.Session, session_id: str) -> None:
    reply = http.put(
        f"{emulator.base_url}/v2/customer_sessions/{session_id}",
        json=CART,
        headers={"Idempotency-Key": "idem-1"},
    )
    assert reply.status_code == 200


def test_health(emulator: Emulator) -> None:
    reply = control(emulator, "GET", "health")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok"}


def test_state_dump_shows_what_the_api_created(emulator: Emulator, http: requests.Session) -> None:
    update_session(emulator, http, "s1")
    dump = control(emulator, "GET", "state").json()
    assert "s1" in dump["data"]["sessions"]
    assert dump["config"]["campaigns"]


def test_reset_forgets_data_log_and_faults(emulator: Emulator, http: requests.Session) -> None:
    update_session(emulator, http, "s1")
    emulator.set_faults(error_rates={"503": 0.5})
    assert control(emulator, "POST", "reset").status_code == 204
    assert control(emulator, "GET", "state").json()["data"]["sessions"] == {}
    assert control(emulator, "GET", "requests").json() == {"requests": []}
    assert control(emulator, "GET", "faults").json() == {"faults": None}
    assert control(emulator, "GET", "config").json()["campaigns"]  # campaigns are kept


def test_request_log_entries(emulator: Emulator, http: requests.Session) -> None:
    update_session(emulator, http, "s1")
    [entry] = control(emulator, "GET", "requests").json()["requests"]
    assert entry["operation"] == "updateCustomerSessionV2"
    assert entry["method"] == "PUT"
    assert entry["path"] == "/v2/customer_sessions/s1"
    assert entry["status"] == 200
    assert entry["dropped"] is False
    assert entry["durationMs"] >= 0
    assert entry["requestBody"] == CART
    assert "effects" in entry["responseBody"]
    assert entry["headers"]["Authorization"] == "ApiKey-v1 ***"
    assert entry["headers"]["Idempotency-Key"] == "idem-1"
    assert entry["time"].endswith("Z")


def test_request_log_never_holds_a_key(emulator: Emulator, http: requests.Session) -> None:
    update_session(emulator, http, "s1")
    http.get(f"{emulator.base_url}/v2/customer_sessions/s1", headers={"Authorization": "x"})
    audience = http.post(f"{emulator.base_url}/v2/audiences", json={"name": "A"}).json()
    http.delete(
        f"{emulator.base_url}/v2/audiences/{audience['id']}",
        headers={"Authorization": f"Bearer {MANAGEMENT_KEY}"},
    )
    text = control(emulator, "GET", "requests").text
    assert API_KEY not in text
    assert MANAGEMENT_KEY not in text
    schemes = [e["headers"]["Authorization"] for e in emulator.requests]
    assert schemes == ["ApiKey-v1 ***", "***", "ApiKey-v1 ***", "Bearer ***"]


def test_unknown_routes_and_rejected_requests_are_logged(emulator: Emulator) -> None:
    session = emulator.session()
    session.get(f"{emulator.base_url}/v9/unknown")
    session.get(f"{emulator.base_url}/v2/customer_sessions/s1")
    statuses = [(e["operation"], e["status"]) for e in emulator.requests]
    assert statuses == [(None, 404), ("getCustomerSession", 401)]


def test_control_requests_are_not_logged(emulator: Emulator) -> None:
    control(emulator, "GET", "health")
    assert control(emulator, "GET", "requests").json() == {"requests": []}


def test_request_log_limit_and_clear(emulator: Emulator, http: requests.Session) -> None:
    for n in range(3):
        update_session(emulator, http, f"s{n}")
    recent = control(emulator, "GET", "requests", params={"limit": "2"}).json()["requests"]
    assert [e["path"] for e in recent] == ["/v2/customer_sessions/s1", "/v2/customer_sessions/s2"]
    assert control(emulator, "GET", "requests", params={"limit": "x"}).status_code == 400
    assert control(emulator, "DELETE", "requests").status_code == 204
    assert emulator.requests == []


def test_request_log_is_bounded() -> None:
    log = RequestLog(size=3)
    for n in range(5):
        log.append({"n": n})
    assert [e["n"] for e in log.entries()] == [2, 3, 4]
    assert log.entries(0) == []
    assert len(log) == 3


@pytest.mark.parametrize(
    ("header", "redacted"),
    [("ApiKey-v1 abc", "ApiKey-v1 ***"), ("Bearer  t", "Bearer ***"), ("secret", "***")],
)
def test_redaction_keeps_only_the_scheme(header: str, redacted: str) -> None:
    assert redact_authorization(header) == redacted


def test_faults_round_trip(emulator: Emulator) -> None:
    spec = {"seed": 4, "errorRates": {"503": 0.25}, "latencyMs": 10, "operations": ["trackEvent"]}
    reply = control(emulator, "PUT", "faults", json=spec)
    assert reply.status_code == 200
    expected = spec | {"dropRate": 0.0, "dropAfterApply": False}
    assert reply.json() == {"faults": expected}
    assert control(emulator, "GET", "faults").json() == {"faults": expected}
    assert control(emulator, "DELETE", "faults").status_code == 204
    assert control(emulator, "GET", "faults").json() == {"faults": None}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"errorRates": {"404": 0.1}}, "status '404' cannot be injected"),
        ({"errorRates": {"500": 0.7, "503": 0.6}}, "add up to more than 1"),
        ({"dropRate": 2}, "dropRate: must be between 0 and 1"),
        ({"latencyMs": -1}, "latencyMs"),
        ({"operations": ["nope"]}, "unknown operation(s) nope"),
        ({"colour": "red"}, "unknown field(s) colour"),
        ([], "must be a JSON object"),
    ],
)
def test_bad_faults_are_400_with_a_clear_message(
    emulator: Emulator, spec: Any, message: str
) -> None:
    reply = control(emulator, "PUT", "faults", json=spec)
    assert reply.status_code == 400
    assert message in reply.json()["message"]
    assert control(emulator, "GET", "faults").json() == {"faults": None}


def test_faults_need_a_body(emulator: Emulator) -> None:
    reply = control(emulator, "PUT", "faults")
    assert reply.status_code == 400
    assert reply.json()["message"] == "A JSON body is required"
    assert control(emulator, "PUT", "faults", data=b"{").status_code == 400


def test_config_round_trip(emulator: Emulator, http: requests.Session) -> None:
    config = {"campaigns": [{"id": 9, "name": "Only", "rules": []}]}
    reply = control(emulator, "PUT", "config", json=config)
    assert reply.status_code == 200
    assert [c["id"] for c in reply.json()["campaigns"]] == [9]
    assert [c["id"] for c in control(emulator, "GET", "config").json()["campaigns"]] == [9]
    assert [c["id"] for c in emulator.state.campaigns] == [9]


def test_bad_config_is_400_and_keeps_the_old_one(emulator: Emulator) -> None:
    before = control(emulator, "GET", "config").json()
    reply = control(emulator, "PUT", "config", json={"campaigns": [{"name": "no id"}]})
    assert reply.status_code == 400
    assert reply.json()["message"].startswith("Invalid campaigns config: campaigns[0]")
    assert control(emulator, "GET", "config").json() == before


def test_unknown_control_endpoint_is_404_and_wrong_method_405(emulator: Emulator) -> None:
    assert control(emulator, "GET", "nothing").status_code == 404
    reply = control(emulator, "POST", "faults")
    assert reply.status_code == 405
    assert reply.headers["Allow"] == "DELETE, GET, PUT"
