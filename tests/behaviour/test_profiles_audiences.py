"""Customer profiles and audiences, single and bulk."""

from __future__ import annotations

import pytest

from django_talonone.client import TalonOneClient, TalonOneConflict, TalonOneNotFound


def _profile(client: TalonOneClient, profile_id: str) -> dict:
    return client.get_customer_inventory(profile_id, profile=True)["profile"]


def test_update_profile_creates_it_with_attributes(client: TalonOneClient) -> None:
    state = client.update_customer_profile_v2(
        "gina",
        {"attributes": {"Name": "Gina"}, "responseContent": ["customerProfile"]},
        run_rule_engine=True,
    )
    assert state["customerProfile"]["integrationId"] == "gina"
    assert _profile(client, "gina")["attributes"] == {"Name": "Gina"}


def test_without_rule_engine_effects_are_empty(client: TalonOneClient) -> None:
    state = client.update_customer_profile_v2("hank", {"attributes": {"x": 1}})
    assert state["effects"] == []


def test_bulk_profiles_silent_and_loud(client: TalonOneClient) -> None:
    body = {
        "customerProfiles": [
            {"integrationId": f"bulk-{n}", "attributes": {"n": n}} for n in range(3)
        ]
    }
    assert client.update_customer_profiles_v2(body) is None
    loud = client.update_customer_profiles_v2(body, silent=False)
    ids = [entry["customerProfile"]["integrationId"] for entry in loud["integrationStates"]]
    assert ids == ["bulk-0", "bulk-1", "bulk-2"]


def test_audience_lifecycle_and_memberships(client: TalonOneClient) -> None:
    audience = client.create_audience_v2({"name": "VIP", "integrationId": "vip-1"})
    audience_id = audience["id"]
    assert audience["name"] == "VIP"
    renamed = client.update_audience_v2(audience_id, {"name": "Very VIP"})
    assert renamed["name"] == "Very VIP"

    client.update_customer_profile_audiences(
        {"data": [{"action": "add", "profileIntegrationId": "ivy", "audienceId": audience_id}]}
    )
    # A profile an audience add created is not visible until a session or profile update.
    with pytest.raises(TalonOneNotFound):
        _profile(client, "ivy")
    client.update_customer_profile_v2("ivy", {"attributes": {}})
    client.update_customer_profile_v2(
        "jack", {"audiencesChanges": {"adds": [audience_id], "deletes": []}}
    )
    for member in ("ivy", "jack"):
        assert _profile(client, member)["audienceMemberships"] == [
            {"id": audience_id, "name": "Very VIP"}
        ]

    client.update_audience_customers_attributes(audience_id, {"tier": "gold"})
    assert _profile(client, "ivy")["attributes"]["tier"] == "gold"

    client.update_customer_profile_audiences(
        {"data": [{"action": "delete", "profileIntegrationId": "ivy", "audienceId": audience_id}]}
    )
    assert not _profile(client, "ivy").get("audienceMemberships")

    client.delete_audience_memberships_v2(audience_id)
    assert not _profile(client, "jack").get("audienceMemberships")
    client.delete_audience_v2(audience_id)
    with pytest.raises(TalonOneNotFound):
        client.update_audience_v2(audience_id, {"name": "gone"})


def test_duplicate_integration_audience_is_409(client: TalonOneClient) -> None:
    body = {"name": "Segment VIP", "integration": "segment", "integrationId": "seg-1"}
    client.create_audience_v2(body)
    with pytest.raises(TalonOneConflict) as caught:
        client.create_audience_v2(body)
    assert "already exists" in caught.value.message


def test_unknown_audience_is_404_everywhere(client: TalonOneClient) -> None:
    for call in (
        lambda: client.update_audience_v2(999, {"name": "x"}),
        lambda: client.delete_audience_v2(999),
        lambda: client.delete_audience_memberships_v2(999),
        lambda: client.update_audience_customers_attributes(999, {"a": 1}),
        lambda: client.update_customer_profile_audiences(
            {"data": [{"action": "add", "profileIntegrationId": "x", "audienceId": 999}]}
        ),
    ):
        with pytest.raises(TalonOneNotFound):
            call()
