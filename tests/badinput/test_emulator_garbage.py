"""The emulator answers garbage with a 4xx JSON error, never a 500 and never a crash.

Bodies are random JSON built from the API's own field names (so they get past the first
checks and reach the validators and handlers), random bytes, and random query strings,
sent to every operation over the in-process HTTP shell against a state that already
holds a closed session, a profile, an audience and a referral.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import requests
import simplejson
from hypothesis import given
from hypothesis import strategies as st

from django_talonone.emulator import Emulator
from django_talonone.emulator.routing import OPERATIONS, Operation

from .conftest import FUZZ

FIELDS = [
    "customerSession", "cartItems", "sku", "name", "price", "quantity", "category", "state",
    "profileId", "attributes", "couponCodes", "referralCode", "additionalCosts", "identifiers",
    "loyaltyCards", "responseContent", "return", "returnedCartItems", "position", "data",
    "audienceId", "action", "profileIntegrationId", "integrationIDs", "integrationId",
    "customerProfiles", "campaignId", "advocateProfileIntegrationId", "friendProfileIntegrationId",
    "friends", "advocateProfileIntegrationIds", "type", "sessionId", "evaluableCampaignIds",
    "startDate", "expiryDate", "usageLimit", "code", "description", "sandbox", "integration",
    "createdBy", "isSystem", "subPosition", "weight", "catalogItemID", "product",
    "audiencesChanges", "joinedAudiences", "leftAudiences", "customerSessionId", "couponValue",
    "id",
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(
        ["open", "closed", "cancelled", "partially_returned", "add", "delete", "s1", "p1",
         "WELCOME10", "2024-02-30T25:00:00Z", "9999-12-31T23:59:60Z", "customerSession", ""]
    ),
)  # fmt: skip
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=6)), inner, max_size=6),
    ),
    max_leaves=25,
)
objects = st.dictionaries(st.sampled_from(FIELDS), documents, max_size=5)
path_ids = st.one_of(
    st.sampled_from(["s1", "p1", "1", "2", "0", "-1", "WELCOME10", "99999999999999999999"]),
    st.text(min_size=1, max_size=8).filter(lambda text: text not in (".", "..")),
)
query_values = st.one_of(
    st.sampled_from(["true", "false", "yes", "no", "", "2024-01-01T00:00:00Z", "nope", "-1"]),
    st.text(max_size=6),
)
queries = st.dictionaries(
    st.sampled_from(
        ["dry", "now", "silent", "runRuleEngine", "profile", "coupons", "referrals", "loyalty",
         "giveaways", "achievements", "integration", "pageSize", "skip"]
    ),
    query_values,
    max_size=4,
)  # fmt: skip
bodies = st.one_of(
    objects.map(lambda body: simplejson.dumps(body, use_decimal=True).encode()),
    documents.map(lambda body: simplejson.dumps(body, use_decimal=True).encode()),
    st.binary(max_size=40),
    st.text(max_size=40).map(lambda text: text.encode("utf-8", "surrogatepass")),
)


@pytest.fixture(scope="module")
def emulator() -> Emulator:
    emulator = Emulator(management_key="mgmt-key")
    with emulator.client(max_attempts=1) as client:
        item = {"sku": "A", "name": "A", "quantity": 2, "price": Decimal("60.00")}
        client.update_customer_session_v2(
            "s1",
            {"customerSession": {"profileId": "p1", "state": "closed", "cartItems": [item]}},
        )
        client.create_audience_v2({"name": "vip", "integration": "segment", "integrationId": "a1"})
        client.create_referral({"campaignId": 2, "advocateProfileIntegrationId": "p1"})
    return emulator


def _send(
    emulator: Emulator, operation: Operation, path_id: str, query: dict[str, str], body: bytes
) -> requests.Response:
    path = operation.path
    for name in operation.pattern.groupindex:
        path = path.replace(f"{{{name}}}", quote(path_id, safe=""))
    url = emulator.base_url + path + ("?" + urlencode(query) if query else "")
    headers = {"Authorization": f"ApiKey-v1 {emulator.api_key}"}
    if body:
        headers["Content-Type"] = "application/json"
    with emulator.session() as session:
        return session.request(operation.method, url, data=body, headers=headers)


@FUZZ
@given(
    operation=st.sampled_from(OPERATIONS),
    path_id=path_ids,
    query=queries,
    body=bodies,
)
def test_garbage_gets_a_json_client_error_never_a_server_error(
    emulator: Emulator, operation: Operation, path_id: str, query: dict[str, str], body: bytes
) -> None:
    response = _send(emulator, operation, path_id, query, body)
    assert response.status_code < 500, (operation.name, body[:300], response.text[:300])
    if response.status_code >= 400:
        error: Any = response.json()
        assert isinstance(error["message"], str)
        assert error["message"]


@FUZZ
@given(operation=st.sampled_from(OPERATIONS), body=objects)
def test_api_shaped_garbage_on_real_entities_never_breaks_the_emulator(
    emulator: Emulator, operation: Operation, body: dict[str, Any]
) -> None:
    """Same, with the path naming entities that exist, so handlers run on real state."""
    path_id = {"customerSessionId": "s1", "integrationId": "p1", "audienceId": "1"}.get(
        next(iter(operation.pattern.groupindex), ""), "WELCOME10"
    )
    payload = simplejson.dumps(body, use_decimal=True).encode()
    response = _send(emulator, operation, path_id, {}, payload)
    assert response.status_code < 500, (operation.name, payload[:300], response.text[:300])
