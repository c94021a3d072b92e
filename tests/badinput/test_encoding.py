"""Money and path ids on the wire: amounts exact, ids never escaping their path segment."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django_talonone.client import TalonOneClient, TalonOneValidationError
from django_talonone.client.encoding import dumps, loads
from django_talonone.emulator import Emulator
from django_talonone.outbox import decode_payload, encode_payload

from .conftest import FUZZ

finite = st.decimals(allow_nan=False, allow_infinity=False)
#: Ids as a shop or a user could make them: separators, dot segments, query and fragment
#: marks, spaces, line breaks, percent signs and any unicode that is text.
hostile_ids = st.one_of(
    st.sampled_from(["a/b", "../inventory", "a?b=1", "a#b", "a b", "%2E%2E", "a\r\nX-Bad: 1"]),
    st.text(
        st.one_of(
            st.sampled_from(list("/.?#% \r\n\t;&=+")),
            st.characters(codec="utf-8", exclude_categories=["Cs"]),
        ),
        min_size=1,
        max_size=20,
    ).filter(lambda text: text not in (".", "..")),
)


@FUZZ
@given(amount=finite)
def test_any_finite_decimal_survives_the_client_encoding_exactly(amount: Decimal) -> None:
    decoded = loads(dumps({"price": amount}))["price"]
    assert decoded == amount
    if amount.as_tuple().exponent < 0:  # type: ignore[operator]
        assert str(decoded) == str(amount)  # 19.90 stays 19.90, never 19.899999...


@FUZZ
@given(amount=finite)
def test_outbox_payloads_keep_decimals_exact(amount: Decimal) -> None:
    body = {"customerSession": {"cartItems": [{"sku": "1.5", "price": amount}]}}
    _, restored, _ = decode_payload(encode_payload(["s"], body, None))
    item = restored["customerSession"]["cartItems"][0]
    assert item["price"] == amount
    if amount.as_tuple().exponent != 0:  # type: ignore[comparison-overlap]
        assert isinstance(item["price"], Decimal)
        assert str(item["price"]) == str(amount)  # 19.90 stays 19.90
    else:  # a whole amount is the JSON integer the client sends: 5, read back as 5
        assert isinstance(item["price"], int)
    assert item["sku"] == "1.5"  # a numeric-looking string stays a string


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity")])
def test_non_finite_amounts_are_refused_before_sending(amount: Decimal) -> None:
    with pytest.raises(TalonOneValidationError):
        dumps({"price": amount})
    with pytest.raises(ValueError, match="/body/price"):
        encode_payload(["s"], {"price": amount}, None)


@pytest.fixture(scope="module")
def served() -> tuple[Emulator, TalonOneClient]:
    emulator = Emulator()
    return emulator, emulator.client(max_attempts=1)


@FUZZ
@given(session_id=hostile_ids)
def test_session_ids_stay_inside_their_path_segment(
    served: tuple[Emulator, TalonOneClient], session_id: str
) -> None:
    emulator, client = served
    body = {"customerSession": {"profileId": "", "state": "open"}}
    client.update_customer_session_v2(session_id, body)
    entry = emulator.requests[-1]
    assert entry["operation"] == "updateCustomerSessionV2"
    assert entry["path"].count("/") == 3  # /v2/customer_sessions/<one segment>
    assert set(entry["headers"]) <= {"Authorization", "Content-Type", "Idempotency-Key"}
    assert session_id in emulator.state.data["sessions"]  # stored under the exact id
    assert client.get_customer_session(session_id)["customerSession"]["integrationId"] == (
        session_id
    )


@FUZZ
@given(profile_id=hostile_ids)
def test_profile_ids_stay_inside_their_path_segment(
    served: tuple[Emulator, TalonOneClient], profile_id: str
) -> None:
    emulator, client = served
    client.update_customer_profile_v2(profile_id, {"attributes": {}})
    entry = emulator.requests[-1]
    assert entry["operation"] == "updateCustomerProfileV2"
    assert profile_id in emulator.state.data["profiles"]
    inventory = client.get_customer_inventory(profile_id, profile=True)
    assert inventory["profile"]["integrationId"] == profile_id


@pytest.mark.parametrize("dots", [".", ".."])
def test_dot_segment_ids_are_refused_by_name_before_any_call(
    served: tuple[Emulator, TalonOneClient], dots: str
) -> None:
    """Percent-encoding cannot protect them: URL parsers resolve ``%2E%2E`` too."""
    emulator, client = served
    sent = len(emulator.requests)
    with pytest.raises(TalonOneValidationError, match="customer_session_id"):
        client.update_customer_session_v2(dots, {"customerSession": {"state": "open"}})
    with pytest.raises(TalonOneValidationError, match="integration_id"):
        client.get_customer_inventory(dots)
    assert len(emulator.requests) == sent
