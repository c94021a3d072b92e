"""TrackEvent (v1 and v2) and DeleteCustomerData."""

from __future__ import annotations

import pytest

from django_talonone.client import TalonOneBadRequest, TalonOneClient, TalonOneNotFound

from .conftest import item, session_body


def test_track_event_creates_session_and_profile(client: TalonOneClient) -> None:
    state = client.track_event(
        {"type": "newsletter_signup", "attributes": {}, "sessionId": "ev-1", "profileId": "rita"}
    )
    assert state["event"]["type"] == "newsletter_signup"
    assert state["session"]["integrationId"] == "ev-1"
    assert state["profile"]["integrationId"] == "rita"
    assert client.get_customer_inventory("rita", profile=True)["profile"]["integrationId"] == "rita"


def test_track_event_on_someone_elses_session_is_400(client: TalonOneClient) -> None:
    client.update_customer_session_v2(
        "s-1", session_body(profileId="sam", cartItems=[item("M", "1")])
    )
    with pytest.raises(TalonOneBadRequest):
        client.track_event(
            {"type": "review", "attributes": {}, "sessionId": "s-1", "profileId": "tom"}
        )


def test_track_event_v2_is_silent_by_default(client: TalonOneClient) -> None:
    assert client.track_event_v2({"profileId": "uma", "type": "review", "attributes": {}}) is None
    loud = client.track_event_v2(
        {"profileId": "uma", "type": "review", "attributes": {}}, silent=False
    )
    assert loud["effects"] == []


def test_delete_customer_data_wipes_attributes(client: TalonOneClient) -> None:
    client.update_customer_profile_v2("vic", {"attributes": {"Email": "vic@example.com"}})
    assert client.delete_customer_data("vic") is None
    profile = client.get_customer_inventory("vic", profile=True)["profile"]
    assert profile["attributes"] == {}


def test_delete_unknown_customer_is_404(client: TalonOneClient) -> None:
    with pytest.raises(TalonOneNotFound):
        client.delete_customer_data("nobody")


def test_an_event_sent_again_with_its_key_is_applied_once(client: TalonOneClient) -> None:
    """trackEventV2 honours Idempotency-Key: the repeat gets the first reply, nothing new."""
    event = {"profileId": "uma", "type": "review", "attributes": {}, "responseContent": ["event"]}
    first = client.track_event_v2(event, silent=False, idempotency_key="ev-1")
    again = client.track_event_v2(event, silent=False, idempotency_key="ev-1")
    other = client.track_event_v2(event, silent=False, idempotency_key="ev-2")
    assert first is not None
    assert again is not None
    assert other is not None
    assert again["event"]["id"] == first["event"]["id"]
    assert other["event"]["id"] != first["event"]["id"]
