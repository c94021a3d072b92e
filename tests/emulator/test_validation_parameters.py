"""Query and path parameter checks, and the RFC 3339 date-time rule they share."""

from __future__ import annotations

from typing import Any

import pytest

from django_talonone.emulator.errors import ApiError
from django_talonone.emulator.routing import OPERATIONS_BY_NAME, Request
from django_talonone.emulator.validation import is_rfc3339_date_time, validate_request

_BODIES: dict[str, Any] = {
    "updateCustomerSessionV2": {"customerSession": {}},
    "returnCartItems": {"return": {"returnedCartItems": []}},
    "trackEvent": {"type": "t", "attributes": {}, "sessionId": "s"},
    "trackEventV2": {"type": "t"},
    "updateCustomerProfileV2": {},
    "updateCustomerProfilesV2": {},
    "createReferralsForMultipleAdvocates": {
        "campaignId": 1,
        "advocateProfileIntegrationIds": ["a"],
        "usageLimit": 1,
    },
    "updateAudienceV2": {"name": "n"},
    "updateAudienceCustomersAttributes": {},
}


def errors_of(
    operation: str, query: dict[str, str] | None = None, path: dict[str, str] | None = None
) -> list[Any]:
    """The errors reported for these parameters (with a valid body), ``[]`` if none."""
    request = Request(
        operation=operation,
        method=OPERATIONS_BY_NAME[operation].method,
        path_params=path or {},
        query=query or {},
        headers={},
        body=_BODIES.get(operation),
    )
    try:
        validate_request(request)
    except ApiError as error:
        raised = error
    else:
        return []
    assert raised.status == 400
    return raised.errors


BOOLEAN_FLAGS = [
    ("updateCustomerSessionV2", "dry"),
    ("returnCartItems", "dry"),
    ("returnCartItems", "runRuleEngine"),
    ("trackEvent", "dry"),
    ("trackEventV2", "dry"),
    ("trackEventV2", "forceCompleteEvaluation"),
    ("updateCustomerProfileV2", "runRuleEngine"),
    ("updateCustomerProfileV2", "dry"),
    ("getCustomerInventory", "profile"),
    ("getCustomerInventory", "referrals"),
    ("getCustomerInventory", "coupons"),
    ("getCustomerInventory", "loyalty"),
    ("getCustomerInventory", "giveaways"),
    ("getCustomerInventory", "achievements"),
]

SILENT = ["createReferralsForMultipleAdvocates", "trackEventV2", "updateCustomerProfilesV2"]


@pytest.mark.parametrize(("operation", "name"), BOOLEAN_FLAGS)
@pytest.mark.parametrize("value", ["true", "false"])
def test_boolean_flags_accept_true_and_false(operation: str, name: str, value: str) -> None:
    assert errors_of(operation, {name: value}) == []


@pytest.mark.parametrize(("operation", "name"), BOOLEAN_FLAGS)
@pytest.mark.parametrize("value", ["yes", "1", "True", "", "maybe"])
def test_boolean_flags_reject_anything_else(operation: str, name: str, value: str) -> None:
    errors = errors_of(operation, {name: value})
    assert [error["source"] for error in errors] == [{"parameter": name}]
    assert errors[0]["title"] == f'query parameter {name}: must be true or false, got "{value}"'


@pytest.mark.parametrize("operation", SILENT)
@pytest.mark.parametrize("value", ["yes", "no"])
def test_silent_accepts_yes_and_no(operation: str, value: str) -> None:
    assert errors_of(operation, {"silent": value}) == []


@pytest.mark.parametrize("operation", SILENT)
@pytest.mark.parametrize("value", ["true", "false", "YES", ""])
def test_silent_rejects_anything_else(operation: str, value: str) -> None:
    errors = errors_of(operation, {"silent": value})
    assert [error["source"] for error in errors] == [{"parameter": "silent"}]
    assert "must be yes or no" in errors[0]["title"]


@pytest.mark.parametrize(
    ("operation", "name"),
    [("getCustomerInventory", "loyaltyProjectionEndDate"), ("updateCustomerSessionV2", "now")],
)
def test_date_time_parameters(operation: str, name: str) -> None:
    assert errors_of(operation, {name: "2024-05-01T12:00:00+02:00"}) == []
    errors = errors_of(operation, {name: "2024-05-01"})
    assert [error["source"] for error in errors] == [{"parameter": name}]
    assert "RFC 3339 date-time" in errors[0]["title"]


def test_date_time_parameters_take_the_official_sdk_format() -> None:
    # talon_one formats query date-times with strftime's colon-less %z offset.
    query = {"now": "2099-06-01T12:30:00.000000+0000"}
    assert errors_of("updateCustomerSessionV2", query) == []


def test_unknown_query_parameters_are_ignored() -> None:
    assert errors_of("getCustomerInventory", {"verbose": "please", "page": "x"}) == []
    # A flag of another operation means nothing here either.
    assert errors_of("getCustomerSession", {"dry": "perhaps"}) == []


def test_every_bad_parameter_is_listed() -> None:
    errors = errors_of("getCustomerInventory", {"profile": "1", "coupons": "true", "loyalty": "no"})
    assert [error["source"]["parameter"] for error in errors] == ["profile", "loyalty"]


AUDIENCE_OPERATIONS = [
    "updateAudienceV2",
    "deleteAudienceV2",
    "deleteAudienceMembershipsV2",
    "updateAudienceCustomersAttributes",
]


@pytest.mark.parametrize("operation", AUDIENCE_OPERATIONS)
@pytest.mark.parametrize("value", ["abc", "1.5", "12a", " 12", "1_000", "٣"])
def test_audience_id_must_be_an_integer(operation: str, value: str) -> None:
    errors = errors_of(operation, path={"audienceId": value})
    assert [error["source"] for error in errors] == [{"parameter": "audienceId"}]
    assert errors[0]["title"].startswith("path parameter audienceId: must be an integer")


@pytest.mark.parametrize("operation", AUDIENCE_OPERATIONS)
@pytest.mark.parametrize("value", ["1", "42", "9876543210"])
def test_integer_audience_ids_pass(operation: str, value: str) -> None:
    assert errors_of(operation, path={"audienceId": value}) == []


def test_other_path_parameters_are_free_text() -> None:
    assert errors_of("getCustomerSession", path={"customerSessionId": "session #1 / ü"}) == []
    assert errors_of("getReservedCustomers", path={"couponValue": "SUMMER25%OFF"}) == []


def test_parameter_and_body_problems_are_reported_together() -> None:
    request = Request(
        operation="updateAudienceV2",
        method="PUT",
        path_params={"audienceId": "x"},
        query={},
        headers={},
        body={"name": ""},
    )
    with pytest.raises(ApiError) as caught:
        validate_request(request)
    assert [error["source"] for error in caught.value.errors] == [
        {"parameter": "audienceId"},
        {"pointer": "/name"},
    ]
    assert caught.value.message.startswith("Request is invalid: 2 problems")


@pytest.mark.parametrize(
    "value",
    [
        "2024-05-01T12:00:00Z",
        "2024-05-01t12:00:00z",
        "2024-05-01T12:00:00.123456789+02:00",
        "2024-02-29T00:00:00-23:59",
        "2016-12-31T23:59:60Z",
    ],
)
def test_rfc3339_accepts(value: str) -> None:
    assert is_rfc3339_date_time(value)


@pytest.mark.parametrize(
    "value",
    [
        "2024-05-01",
        "2024-05-01T12:00:00",
        "2024-05-01 12:00:00Z",
        "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-05-01T24:00:00Z",
        "2024-05-01T12:60:00Z",
        "2024-05-01T12:00:61Z",
        "2024-05-01T12:00:00+24:00",
        "2024-05-01T12:00:00+02:60",
        "2024-05-01T12:00:00.Z",
        "\uff12\uff10\uff12\uff14-05-01T12:00:00Z",  # full-width digits
        "2024-05-01T12:00:00Z ",
    ],
)
def test_rfc3339_rejects(value: str) -> None:
    assert not is_rfc3339_date_time(value)


def test_rfc3339_compact_offsets_only_when_asked() -> None:
    assert not is_rfc3339_date_time("2024-05-01T12:00:00+0200")
    assert is_rfc3339_date_time("2024-05-01T12:00:00+0200", compact_offset=True)
    assert not is_rfc3339_date_time("2024-05-01T12:00:00+0260", compact_offset=True)
    assert not is_rfc3339_date_time("2024-05-01T12:00:00+02", compact_offset=True)
