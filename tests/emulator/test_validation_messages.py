"""What a developer reads in a 400: titles, pointers, ordering and the summary message."""

from __future__ import annotations

from typing import Any

import pytest
import simplejson
from jsonschema import Draft202012Validator

from django_talonone.emulator.errors import ApiError
from django_talonone.emulator.routing import Request
from django_talonone.emulator.schemas import BODY_SCHEMAS
from django_talonone.emulator.validation import validate_request


def rejection(operation: str, body: Any, query: dict[str, str] | None = None) -> ApiError:
    request = Request(operation, "PUT", {}, query or {}, {}, body)
    with pytest.raises(ApiError) as caught:
        validate_request(request, strict=True)  # strict: unknown properties are named too
    return caught.value


def session(*items: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"customerSession": {"cartItems": list(items), **fields}}


def item(**overrides: Any) -> dict[str, Any]:
    return {"name": "Shoe", "sku": "S", "quantity": 1, "price": 10} | overrides


@pytest.mark.parametrize(
    ("body", "title"),
    [
        (
            session(item(), item(), item(), item(quantity=0)),
            "customerSession.cartItems[3].quantity: must be at least 1, got 0",
        ),
        (
            session(item(price="19.99")),
            'customerSession.cartItems[0].price: must be a number, got string "19.99"',
        ),
        (
            session(item(quantity=True)),
            "customerSession.cartItems[0].quantity: must be an integer, got boolean true",
        ),
        (
            session(item(sku="")),
            "customerSession.cartItems[0].sku: must be at least 1 character long, got 0",
        ),
        (
            session(referralCode="R" * 101),
            "customerSession.referralCode: must be at most 100 characters long, got 101",
        ),
        (
            session(identifiers=list("abcdef")),
            "customerSession.identifiers: must have at most 5 items, got 6",
        ),
        (
            session(state="done"),
            'customerSession.state: must be one of "open", "closed", "partially_returned", '
            '"cancelled"; got "done"',
        ),
        (
            session(cartitems=[]),
            "customerSession.cartitems: unknown property (did you mean 'cartItems'?)",
        ),
        (
            {"customerSession": {}, "responseContent": "coupons"},
            'responseContent: must be an array, got string "coupons"',
        ),
        ({"customer_session": {}}, "customerSession: is required"),
        ([1, 2], "body: must be an object, got an array of 2 items"),
    ],
)
def test_titles_name_the_field_the_rule_and_the_value(body: Any, title: str) -> None:
    titles = [error["title"] for error in rejection("updateCustomerSessionV2", body).errors]
    assert title in titles


def test_long_values_are_shortened_in_titles() -> None:
    error = rejection("updateCustomerSessionV2", session(state="x" * 500)).errors[0]
    assert len(error["title"]) < 200
    assert 'got "xxxx' in error["title"]


def test_every_problem_is_listed_in_document_order() -> None:
    items = [item() for _ in range(12)]
    items[10] = item(quantity=0)
    items[2] = item(price=None, colour="red")
    body = {"customerSession": {"cartItems": items, "state": "?"}, "extra": 1}
    error = rejection("updateCustomerSessionV2", body)
    assert [entry["source"]["pointer"] for entry in error.errors] == [
        "/customerSession/cartItems/2/colour",
        "/customerSession/cartItems/2/price",
        "/customerSession/cartItems/10/quantity",
        "/customerSession/state",
        "/extra",
    ]
    assert error.message.startswith("Request body is invalid: 5 problems, first: ")


def test_each_missing_required_field_is_its_own_error() -> None:
    error = rejection("trackEvent", {})
    assert [entry["source"]["pointer"] for entry in error.errors] == [
        "/attributes",
        "/sessionId",
        "/type",
    ]


def test_a_single_problem_is_spelled_out_in_the_message() -> None:
    error = rejection("createAudienceV2", {"name": ""})
    assert (
        error.message == "Request body is invalid: name: must be at least 1 character long, got 0"
    )
    assert error.errors == [
        {"title": "name: must be at least 1 character long, got 0", "source": {"pointer": "/name"}}
    ]


def test_parameter_only_problems_say_so() -> None:
    error = rejection("updateCustomerProfilesV2", {}, {"silent": "nope"})
    assert error.message == (
        'Request parameters are invalid: query parameter silent: must be yes or no, got "nope"'
    )


@pytest.mark.parametrize(
    ("key", "pointer"),
    [("a/b", "/customerSession/a~1b"), ("~x", "/customerSession/~0x"), ("", "/customerSession/")],
)
def test_pointers_escape_keys_per_rfc_6901(key: str, pointer: str) -> None:
    error = rejection("updateCustomerSessionV2", {"customerSession": {key: 1}})
    assert [entry["source"] for entry in error.errors] == [{"pointer": pointer}]


def test_a_body_decoded_from_the_wire_keeps_exact_decimals_valid() -> None:
    raw = (
        '{"customerSession": {"cartItems": [{"name": "Shoe", "sku": "S", "quantity": 2,'
        ' "price": 19.99, "weight": 1e3}], "additionalCosts": {"shipping": {"price": 4.95}}}}'
    )
    body = simplejson.loads(raw, use_decimal=True)
    validate_request(Request("updateCustomerSessionV2", "PUT", {}, {}, {}, body))


def test_secret_looking_headers_never_reach_messages() -> None:
    request = Request(
        "createAudienceV2", "POST", {}, {}, {"Authorization": "ApiKey-v1 s3cr3t"}, {"nam": "x"}
    )
    with pytest.raises(ApiError) as caught:
        validate_request(request)
    assert "s3cr3t" not in repr(caught.value.errors) + caught.value.message


def test_unknown_operation_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown operation"):
        validate_request(Request("launchRocket", "POST", {}, {}, {}, {}))


@pytest.mark.parametrize("operation", sorted(BODY_SCHEMAS))
def test_schemas_are_valid_draft_2020_12(operation: str) -> None:
    Draft202012Validator.check_schema(BODY_SCHEMAS[operation])
