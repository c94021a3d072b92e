"""Several Applications in one emulator: the API key picks the Application, and each has
its own campaigns, currency and data, steered per Application on the control endpoints."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from django_talonone.client import TalonOneAPIError
from django_talonone.emulator import Emulator
from django_talonone.emulator.__main__ import build_app, build_parser

EUR_KEY, GBP_KEY = "eur-secret-key", "gbp-secret-key"
CART = {"customerSession": {"cartItems": [{"name": "Mug", "sku": "M", "quantity": 1, "price": 50}]}}


def config(currency: str, name: str, amount: int) -> dict[str, Any]:
    return {
        "application": {"id": 2 if currency == "GBP" else 1, "currency": currency},
        "campaigns": [
            {
                "id": 1,
                "name": name,
                "rules": [
                    {
                        "name": name,
                        "effects": [{"type": "discount", "name": name, "amount": amount}],
                    }
                ],
            }
        ],
    }


@pytest.fixture
def emulator() -> Emulator:
    emulator = Emulator(api_key=EUR_KEY, config=config("EUR", "EUR promo", 5))
    emulator.add_application(
        "gbp", GBP_KEY, config("GBP", "GBP promo", 3), management_key="gbp-mgmt"
    )
    return emulator


def discounts(reply: Any) -> list[tuple[str, Decimal]]:
    return [
        (effect["props"]["name"], Decimal(str(effect["props"]["value"])))
        for effect in reply["effects"]
        if effect["effectType"] == "setDiscount"
    ]


def control(emulator: Emulator, method: str, path: str, **kwargs: Any) -> requests.Response:
    return emulator.session().request(method, f"{emulator.base_url}/_emulator/{path}", **kwargs)


def test_each_key_reaches_its_own_application_and_campaigns(emulator: Emulator) -> None:
    eur, gbp = emulator.client(), emulator.client("gbp")
    assert discounts(eur.update_customer_session_v2("s-eur", CART)) == [("EUR promo", Decimal(5))]
    assert discounts(gbp.update_customer_session_v2("s-gbp", CART)) == [("GBP promo", Decimal(3))]
    assert set(emulator.state.data["sessions"]) == {"s-eur"}
    assert set(emulator.state_of("gbp").data["sessions"]) == {"s-gbp"}
    with pytest.raises(TalonOneAPIError) as missing:
        gbp.get_customer_session("s-eur")
    assert "not found" in str(missing.value)


def test_one_session_id_in_two_applications_is_two_sessions(emulator: Emulator) -> None:
    emulator.client().update_customer_session_v2("same", CART)
    emulator.client("gbp").update_customer_session_v2("same", CART)
    assert (
        emulator.state.data["sessions"]["same"]
        is not emulator.state_of("gbp").data["sessions"]["same"]
    )
    log = [(entry["operation"], entry["application"]) for entry in emulator.requests]
    assert log == [("updateCustomerSessionV2", "default"), ("updateCustomerSessionV2", "gbp")]


def test_an_unknown_key_is_refused_and_keys_stay_out_of_the_log(emulator: Emulator) -> None:
    with pytest.raises(TalonOneAPIError) as refused:
        emulator.client(api_key="other-key").update_customer_session_v2("s", CART)
    assert refused.value.status_code == 401
    assert emulator.requests[-1]["application"] is None
    emulator.client("gbp").update_customer_session_v2("s", CART)
    assert GBP_KEY not in json.dumps(emulator.requests, default=str)


def test_a_management_key_acts_in_its_application(emulator: Emulator) -> None:
    gbp = emulator.client("gbp")
    audience = gbp.create_audience_v2({"name": "VIP"})
    gbp.delete_audience_v2(audience["id"])
    assert emulator.requests[-1]["status"] == 204
    assert emulator.state_of("gbp").data["audiences"] == {}


def test_an_application_key_must_be_its_own() -> None:
    emulator = Emulator(api_key=EUR_KEY)
    with pytest.raises(ValueError, match="already belongs to another") as error:
        emulator.add_application("gbp", EUR_KEY)
    assert EUR_KEY not in str(error.value)
    with pytest.raises(ValueError, match="application name"):
        emulator.add_application("GBP!", GBP_KEY)


def test_control_endpoints_per_application(emulator: Emulator) -> None:
    emulator.client().update_customer_session_v2("s-eur", CART)
    emulator.client("gbp").update_customer_session_v2("s-gbp", CART)
    listed = control(emulator, "GET", "applications").json()["applications"]
    assert listed == [{"name": "default", "currency": "EUR"}, {"name": "gbp", "currency": "GBP"}]
    assert "s-gbp" in control(emulator, "GET", "state?application=gbp").json()["data"]["sessions"]
    assert (
        control(emulator, "GET", "config?application=gbp").json()["application"]["currency"]
        == "GBP"
    )
    replaced = config("GBP", "GBP autumn", 4)
    assert control(emulator, "PUT", "config?application=gbp", json=replaced).status_code == 200
    assert emulator.state_of("gbp").campaigns[0]["name"] == "GBP autumn"
    assert emulator.state.campaigns[0]["name"] == "EUR promo"
    assert control(emulator, "POST", "reset?application=gbp").status_code == 204
    assert emulator.state_of("gbp").data["sessions"] == {}
    assert set(emulator.state.data["sessions"]) == {"s-eur"}
    unknown = control(emulator, "GET", "state?application=usd")
    assert unknown.status_code == 404
    assert "known: default, gbp" in unknown.json()["message"]


def test_the_command_line_adds_applications_with_keys_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaigns = tmp_path / "gbp.json"
    campaigns.write_text(json.dumps(config("GBP", "GBP promo", 3)))
    state_file = tmp_path / "state.json"
    argv = ["--api-key", EUR_KEY, "--state", str(state_file), "--application", f"gbp={campaigns}"]
    with pytest.raises(ValueError, match=r"TALONONE_EMULATOR_GBP_API_KEY"):
        build_app(build_parser().parse_args(argv))
    monkeypatch.setenv("TALONONE_EMULATOR_GBP_API_KEY", GBP_KEY)
    app = build_app(build_parser().parse_args(argv))
    emulator = Emulator(api_key=EUR_KEY)
    emulator.app = app
    client = emulator.client(api_key=GBP_KEY)
    assert discounts(client.update_customer_session_v2("kept", CART)) == [("GBP promo", Decimal(3))]
    # Each Application's state is saved beside the default's, and read back at start.
    assert (tmp_path / "state.gbp.json").exists()
    again = build_app(build_parser().parse_args(argv))
    assert "kept" in again.state_of("gbp").data["sessions"]
    assert again.state.data["sessions"] == {}
