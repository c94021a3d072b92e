"""The state object and the campaigns file: validation errors, reset, persistence."""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import simplejson

from django_talonone.emulator.campaigns import DEFAULT_CONFIG, load_config_file, validate_config
from django_talonone.emulator.handlers import HANDLERS
from django_talonone.emulator.routing import Request
from django_talonone.emulator.state import EmulatorState


def _with(path: list[Any], value: Any) -> dict[str, Any]:
    """DEFAULT_CONFIG with one field replaced (``value`` None deletes it)."""
    config = copy.deepcopy(DEFAULT_CONFIG)
    target: Any = config
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return config


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ([], "config: must be an object"),
        ({"campaign": []}, "campaign: unknown field"),
        (
            _with(["campaigns", 0, "coupons", 0, "code"], None),
            "campaigns[0].coupons[0].code: required",
        ),
        (_with(["campaigns", 1, "name"], ""), "campaigns[1].name: must be a non-empty string"),
        (_with(["campaigns", 1, "id"], 1), "campaigns: duplicate id 1"),
        (
            _with(["campaigns", 0, "state"], "paused"),
            "campaigns[0].state: must be enabled or disabled",
        ),
        (_with(["campaigns", 0, "kind"], "loyalty"), "campaigns[0].kind: must be one of"),
        (
            _with(["campaigns", 1, "coupons"], [{"code": "XMAS"}]),
            "campaigns[1].coupons: only a coupon",
        ),
        (
            _with(["campaigns", 0, "startTime"], "tomorrow"),
            "campaigns[0].startTime: must be an RFC",
        ),
        (
            _with(["campaigns", 2, "rules", 0, "condition", "minSubtotal"], "lots"),
            "campaigns[2].rules[0].condition.minSubtotal: must be a number",
        ),
        (
            _with(["campaigns", 2, "rules", 0, "effects"], []),
            "campaigns[2].rules[0].effects: must be",
        ),
        (
            _with(["campaigns", 2, "rules", 0, "effects", 0, "percent"], 5),
            "campaigns[2].rules[0].effects[0]: give exactly one of percent or amount",
        ),
        (_with(["campaigns", 0, "rules", 0, "effects", 0, "percent"], 101), "percent: at most 100"),
        (_with(["campaigns", 0, "coupons", 0, "usageLimit"], -1), "usageLimit: must be an integer"),
        (_with(["application", "flattenCartItems"], "yes"), "application.flattenCartItems"),
        (_with(["campaigns", 0, "rules", 0, "effects", 0, "type"], "cashback"), "effects[0].type"),
    ],
)
def test_invalid_configs_name_the_field(config: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_config(config)


def test_defaults_are_filled_in() -> None:
    config = validate_config({"application": {"flattenCartItems": True}, "campaigns": []})
    assert config["application"] == {
        "id": 1,
        "accountId": 1,
        "flattenCartItems": True,
        "currency": "USD",
    }
    welcome = validate_config(DEFAULT_CONFIG)["campaigns"][0]
    assert welcome["coupons"][0]["usageLimit"] == 0
    assert welcome["rules"][0]["effects"][0]["percent"] == Decimal(10)


def test_float_amounts_keep_their_decimal_text() -> None:
    config = _with(["campaigns", 2, "rules", 0, "effects", 0, "amount"], 0.1)
    assert validate_config(config)["campaigns"][2]["rules"][0]["effects"][0]["amount"] == Decimal(
        "0.1"
    )


def test_load_config_file_reads_json_and_names_the_file(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(simplejson.dumps(DEFAULT_CONFIG))
    assert [c["id"] for c in load_config_file(good)["campaigns"]] == [1, 2, 3]
    bad = tmp_path / "bad.json"
    bad.write_text('{"campaigns": [{"name": "x"}]}')
    with pytest.raises(ValueError, match=r"bad\.json: campaigns\[0\]\.id: required"):
        load_config_file(bad)
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_config_file(broken)
    with pytest.raises(ValueError, match="cannot read"):
        load_config_file(tmp_path / "missing.json")


def _busy_state() -> EmulatorState:
    state = EmulatorState()

    def call(operation: str, body: Any, **path: str) -> None:
        HANDLERS[operation](state, Request(operation, "X", path, {}, {}, body))

    call("createAudienceV2", {"name": "A"})
    call("createReferral", {"campaignId": 2, "advocateProfileIntegrationId": "adv"})
    session = {
        "profileId": "p",
        "state": "closed",
        "couponCodes": ["WELCOME10"],
        "cartItems": [{"name": "A", "sku": "A", "quantity": 2, "price": Decimal("60.05")}],
    }
    call("updateCustomerSessionV2", {"customerSession": session}, customerSessionId="s1")
    request = Request(
        "returnCartItems",
        "POST",
        {"customerSessionId": "s1"},
        {},
        {"Idempotency-Key": "k1"},
        {"return": {"returnedCartItems": [{"position": 0}]}},
    )
    HANDLERS["returnCartItems"](state, request)
    return state


def test_state_round_trips_through_json() -> None:
    state = _busy_state()
    text = simplejson.dumps(state.to_dict(), use_decimal=True)
    assert "60.05" in text
    restored = EmulatorState.from_dict(simplejson.loads(text, use_decimal=True))
    assert restored.to_dict() == state.to_dict()
    # The restored state keeps working: ids continue, the idempotency key still replays.
    reply = HANDLERS["createAudienceV2"](
        restored, Request("createAudienceV2", "POST", {}, {}, {}, {"name": "B"})
    )
    assert reply.body["id"] == 2
    replay = HANDLERS["returnCartItems"](
        restored,
        Request(
            "returnCartItems",
            "POST",
            {"customerSessionId": "s1"},
            {},
            {"idempotency-key": "k1"},
            {"return": {"returnedCartItems": [{"position": 0}]}},
        ),
    )
    assert replay.status == 200


def test_reset_keeps_the_config_and_configure_replaces_it() -> None:
    state = _busy_state()
    state.configure({"application": {"flattenCartItems": True}, "campaigns": []})
    assert state.data["sessions"]
    state.reset()
    assert state.data["sessions"] == {}
    assert state.data["counters"]["session"] == 0
    assert state.application["flattenCartItems"] is True
    assert state.coupon("WELCOME10") is None
    with pytest.raises(ValueError, match="campaigns: must be a list"):
        state.configure({"campaigns": {}})
    assert state.application["flattenCartItems"] is True


def test_a_coupon_code_shorter_than_talon_ones_is_refused() -> None:
    config = {
        "campaigns": [
            {
                "id": 1,
                "name": "C",
                "kind": "coupon",
                "coupons": [{"code": "ABC"}],
                "rules": [
                    {"name": "r", "effects": [{"type": "discount", "name": "d", "amount": 1}]}
                ],
            }
        ]
    }
    with pytest.raises(ValueError, match=r"campaigns\[0\]\.coupons\[0\]\.code: 4 to 100"):
        EmulatorState(config)
