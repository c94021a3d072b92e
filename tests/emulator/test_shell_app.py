"""The emulator's request pipeline: routing, auth, decoding and error body shapes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import requests
import simplejson

from django_talonone.emulator import Emulator, EmulatorApp, EmulatorState
from django_talonone.emulator.routing import Request, Response

API_KEY = "api-secret-1"
MANAGEMENT_KEY = "mgmt-secret-2"
CART = {"customerSession": {"cartItems": [{"name": "Mug", "sku": "M", "quantity": 1, "price": 5}]}}


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(api_key=API_KEY, management_key=MANAGEMENT_KEY)


def call(
    emulator: Emulator,
    method: str,
    path: str,
    *,
    auth: str | None = f"ApiKey-v1 {API_KEY}",
    body: Any = None,
    data: bytes | None = None,
) -> requests.Response:
    headers = {"Authorization": auth} if auth is not None else {}
    if body is not None:
        data = simplejson.dumps(body, use_decimal=True).encode()
    if data is not None:
        headers["Content-Type"] = "application/json"
    return emulator.session().request(
        method, emulator.base_url + path, headers=headers, data=data, timeout=5
    )


def test_success_is_json_with_exact_decimals(emulator: Emulator) -> None:
    body = {
        "customerSession": {
            "cartItems": [{"name": "A", "sku": "A", "quantity": 3, "price": Decimal("19.99")}]
        }
    }
    reply = call(emulator, "PUT", "/v2/customer_sessions/s1", body=body)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.reason == "OK"
    stored = call(emulator, "GET", "/v2/customer_sessions/s1")
    assert b"19.99" in stored.content
    assert b"19.990000" not in stored.content
    total = stored.json(use_decimal=True)["customerSession"]["total"]
    assert total == Decimal("59.97")


@pytest.mark.parametrize(
    "auth",
    [None, "ApiKey-v1 wrong", f"Bearer {API_KEY}", f"ApiKey-v1{API_KEY}", API_KEY, "ApiKey-v1 "],
)
def test_missing_or_wrong_api_key_is_401(emulator: Emulator, auth: str | None) -> None:
    reply = call(emulator, "GET", "/v2/customer_sessions/s1", auth=auth)
    assert reply.status_code == 401
    assert reply.json() == {
        "message": "Unauthorized - Invalid API key",
        "errors": [],
        "StatusCode": 401,
    }


@pytest.mark.parametrize("scheme", ["ManagementKey-v1", "Bearer", "ApiKey-v1"])
def test_audience_deletes_accept_the_management_key_schemes(
    emulator: Emulator, scheme: str
) -> None:
    audience = call(emulator, "POST", "/v2/audiences", body={"name": "VIP"}).json()
    key = API_KEY if scheme == "ApiKey-v1" else MANAGEMENT_KEY
    path = f"/v2/audiences/{audience['id']}"
    assert (
        call(emulator, "DELETE", path + "/memberships", auth=f"{scheme} {key}").status_code == 204
    )
    assert call(emulator, "DELETE", path, auth=f"{scheme} {key}").status_code == 204


def test_management_key_is_only_for_manager_operations(emulator: Emulator) -> None:
    reply = call(emulator, "GET", "/v2/customer_sessions/s1", auth=f"Bearer {MANAGEMENT_KEY}")
    assert reply.status_code == 401
    reply = call(
        emulator,
        "POST",
        "/v2/audiences",
        auth=f"ManagementKey-v1 {MANAGEMENT_KEY}",
        body={"name": "A"},
    )
    assert reply.status_code == 401


def test_management_schemes_refused_when_no_management_key_is_configured() -> None:
    emulator = Emulator(api_key=API_KEY)
    audience = call(emulator, "POST", "/v2/audiences", body={"name": "VIP"}).json()
    reply = call(emulator, "DELETE", f"/v2/audiences/{audience['id']}", auth="Bearer ")
    assert reply.status_code == 401


def test_unknown_path_is_404_with_status_body(emulator: Emulator) -> None:
    reply = call(emulator, "GET", "/v1/nothing/here")
    assert reply.status_code == 404
    assert reply.json()["StatusCode"] == 404
    assert reply.json()["errors"] == []


def test_wrong_method_is_405_with_allow(emulator: Emulator) -> None:
    reply = call(emulator, "POST", "/v2/customer_sessions/s1", body={})
    assert reply.status_code == 405
    assert reply.headers["Allow"] == "GET, PUT"
    assert reply.json()["StatusCode"] == 405


def test_routing_precedes_auth(emulator: Emulator) -> None:
    assert call(emulator, "GET", "/v1/nothing", auth=None).status_code == 404


def test_invalid_json_is_400_naming_the_problem(emulator: Emulator) -> None:
    reply = call(emulator, "PUT", "/v2/customer_sessions/s1", data=b'{"customerSession": ')
    assert reply.status_code == 400
    body = reply.json()
    assert body["message"].startswith("Request body is not valid JSON")
    assert "StatusCode" not in body  # updateCustomerSessionV2 answers ErrorResponse
    assert body["errors"][0]["source"] == {"pointer": ""}


@pytest.mark.parametrize("payload", [b"NaN", b'{"a": Infinity}', b"\xff\xfe"])
def test_non_standard_json_is_refused(emulator: Emulator, payload: bytes) -> None:
    assert call(emulator, "POST", "/v2/audiences", data=payload).status_code == 400


def test_body_must_be_an_object(emulator: Emulator) -> None:
    reply = call(emulator, "PUT", "/v2/audience_customers/1/attributes", body=[1, 2])
    assert reply.status_code == 400
    assert reply.json()["message"] == "Request body must be a JSON object"
    assert reply.json()["StatusCode"] == 400


def test_body_of_a_bodyless_operation_is_ignored(emulator: Emulator) -> None:
    call(emulator, "PUT", "/v2/customer_sessions/s1", body=CART)
    assert call(emulator, "GET", "/v2/customer_sessions/s1", data=b"junk").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "with_status"),
    [
        ("PUT", "/v2/customer_sessions/s1", False),
        ("POST", "/v2/customer_sessions/s1/returns", False),
        ("POST", "/v1/referrals", False),
        ("POST", "/v2/audiences", True),
        ("PUT", "/v2/customer_profiles/p1", True),
    ],
)
def test_validation_400_body_shape_depends_on_the_operation(
    emulator: Emulator, method: str, path: str, with_status: bool
) -> None:
    reply = call(
        emulator,
        method,
        path,
        body={"name": [], "customerSession": 1, "return": 1, "attributes": 1},
    )
    assert reply.status_code == 400
    body = reply.json()
    assert body["message"]
    assert body["errors"]
    assert ("StatusCode" in body) is with_status


def test_not_found_from_a_handler_keeps_status_code(emulator: Emulator) -> None:
    reply = call(emulator, "GET", "/v1/customer_profiles/never-created/inventory")
    assert reply.status_code == 404
    assert reply.json()["StatusCode"] == 404


def test_no_content_replies_have_an_empty_body(emulator: Emulator) -> None:
    audience = call(emulator, "POST", "/v2/audiences", body={"name": "VIP"}).json()
    reply = call(emulator, "DELETE", f"/v2/audiences/{audience['id']}/memberships")
    assert reply.status_code == 204
    assert reply.content == b""
    assert "Content-Type" not in reply.headers


def test_query_parameters_reach_the_handler_last_value_wins() -> None:
    seen: list[Request] = []

    def record(state: EmulatorState, request: Request) -> Response:
        seen.append(request)
        return Response(200, {"ok": True})

    app = EmulatorApp(EmulatorState(), API_KEY, handlers={"getCustomerInventory": record})
    environ = _environ("GET", "/v1/customer_profiles/p%2F1/inventory", "coupons=true&coupons=false")
    status, _, _ = _run(app, environ)
    assert status.startswith("200")
    assert seen[0].query == {"coupons": "false"}
    assert seen[0].path_params == {"integrationId": "p/1"}
    assert "Authorization" not in seen[0].headers


def test_unexpected_handler_error_is_a_500_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(state: EmulatorState, request: Request) -> Response:
        raise RuntimeError("boom")

    app = EmulatorApp(EmulatorState(), API_KEY, handlers={"getCustomerInventory": broken})
    status, _, payload = _run(app, _environ("GET", "/v1/customer_profiles/p1/inventory"))
    assert status.startswith("500")
    assert simplejson.loads(payload) == {
        "message": "Internal emulator error",
        "errors": [],
        "StatusCode": 500,
    }
    assert "boom" in caplog.text
    assert API_KEY not in caplog.text


def test_empty_api_key_is_refused() -> None:
    with pytest.raises(ValueError, match="api_key"):
        EmulatorApp(EmulatorState(), "")


def test_repr_hides_the_keys(emulator: Emulator) -> None:
    assert API_KEY not in repr(emulator)
    assert MANAGEMENT_KEY not in repr(emulator.app)


def _environ(method: str, path: str, query: str = "") -> dict[str, Any]:
    import io

    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "RAW_URI": path + (f"?{query}" if query else ""),
        "QUERY_STRING": query,
        "HTTP_AUTHORIZATION": f"ApiKey-v1 {API_KEY}",
        "wsgi.input": io.BytesIO(b""),
    }


def _run(app: EmulatorApp, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    started: list[Any] = []
    payload = b"".join(app(environ, lambda status, headers: started.extend([status, headers])))
    return started[0], started[1], payload


def test_percent_encoded_path_parameters_are_decoded_once(emulator: Emulator) -> None:
    path = "/v1/coupon_reservations/customerprofiles/A%2FB%25"
    in_process = call(emulator, "GET", path)
    with emulator.serve() as running:
        over_http = requests.get(
            running.url + path, headers={"Authorization": f"ApiKey-v1 {API_KEY}"}, timeout=5
        )
    for reply in (in_process, over_http):
        assert reply.status_code == 404
        assert reply.json()["message"] == "Coupon 'A/B%' not found"


def test_unknown_properties_are_ignored_unless_strict() -> None:
    body = {"customerSession": {"cartitems": [], "cartItems": [{"sku": "M", "quantity": 1}]}}
    relaxed = Emulator(api_key=API_KEY)
    assert call(relaxed, "PUT", "/v2/customer_sessions/s1", body=body).status_code == 200
    strict = Emulator(api_key=API_KEY, strict=True)
    reply = call(strict, "PUT", "/v2/customer_sessions/s1", body=body)
    assert reply.status_code == 400
    assert "did you mean 'cartItems'?" in reply.json()["message"]


def test_unmodelled_sections_are_left_out_and_named() -> None:
    """Campaign eligibility is not modelled: never answered as "none". Loyalty, giveaways
    and achievements are modelled, so they are answered and no header names them."""
    emulator = Emulator(api_key=API_KEY)
    call(emulator, "PUT", "/v2/customer_profiles/mia", body={"attributes": {}})
    query = "?coupons=true&loyalty=true&giveaways=true&achievements=true"
    reply = call(emulator, "GET", f"/v1/customer_profiles/mia/inventory{query}")
    assert reply.status_code == 200
    assert set(reply.json()) == {"coupons", "loyalty", "giveaways", "achievements"}
    assert "X-Emulator-Unmodelled" not in reply.headers
    body = {**CART, "responseContent": ["customerSession", "loyalty", "awardedGiveaways"]}
    session = call(emulator, "PUT", "/v2/customer_sessions/s1", body=body)
    assert session.json()["loyalty"] == {"programs": {}}
    assert "X-Emulator-Unmodelled" not in session.headers
    plain = call(emulator, "PUT", "/v2/customer_sessions/s2", body=CART)
    assert "X-Emulator-Unmodelled" not in plain.headers
    eligibility = {"attributes": {}, "responseContent": ["customerProfile", "campaignEligibility"]}
    profile = call(
        emulator, "PUT", "/v2/customer_profiles/mia?runRuleEngine=true", body=eligibility
    )
    assert profile.status_code == 200
    assert "campaignEligibility" not in profile.json()
    assert profile.headers["X-Emulator-Unmodelled"] == "campaignEligibility"
