"""The pytest fixtures shipped with the package, and the ``Emulator`` facade behind them."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import requests
import simplejson

from django_talonone.emulator import DEFAULT_CONFIG, Emulator, RunningEmulator
from django_talonone.emulator.__main__ import build_app, build_parser
from django_talonone.emulator.persistence import save_state

AUTH = {"Authorization": "ApiKey-v1 test-api-key"}


def test_in_process_fixture_is_fresh_and_uses_the_default_key(
    talonone_emulator: Emulator,
) -> None:
    assert talonone_emulator.requests == []
    reply = talonone_emulator.session().post(
        f"{talonone_emulator.base_url}/v2/audiences", json={"name": "A"}, headers=AUTH
    )
    assert reply.status_code == 201
    assert talonone_emulator.state.data["audiences"]
    assert [c["id"] for c in talonone_emulator.state.campaigns] == [
        c["id"] for c in DEFAULT_CONFIG["campaigns"]
    ]


def test_in_process_fixture_state_does_not_leak_between_tests(
    talonone_emulator: Emulator,
) -> None:
    assert talonone_emulator.state.data["audiences"] == {}


def test_server_fixture_serves_real_http(talonone_emulator_server: RunningEmulator) -> None:
    assert talonone_emulator_server.url == f"http://127.0.0.1:{talonone_emulator_server.port}"
    reply = requests.post(
        f"{talonone_emulator_server.url}/v2/audiences",
        json={"name": "A"},
        headers=AUTH,
        timeout=5,
    )
    assert reply.status_code == 201
    log = requests.get(f"{talonone_emulator_server.url}/_emulator/requests", timeout=5).json()
    assert [entry["status"] for entry in log["requests"]] == [201]


def test_client_is_wired_to_the_in_process_app(talonone_emulator: Emulator) -> None:
    with talonone_emulator.client(max_attempts=1) as client:
        audience = client.create_audience_v2({"name": "VIP"})
    assert audience["name"] == "VIP"
    assert talonone_emulator.requests[-1]["operation"] == "createAudienceV2"


def test_reset_and_faults_through_the_facade(talonone_emulator: Emulator) -> None:
    spec = talonone_emulator.set_faults(seed=1, error_rates={"503": 1})
    assert spec.to_dict()["errorRates"] == {"503": 1.0}
    session = talonone_emulator.session()
    reply = session.get(f"{talonone_emulator.base_url}/v2/customer_sessions/x", headers=AUTH)
    assert reply.status_code == 503
    talonone_emulator.reset()
    assert talonone_emulator.app.faults.spec is None
    assert talonone_emulator.requests == []


def test_the_in_process_session_only_captures_its_own_host(talonone_emulator: Emulator) -> None:
    adapter = talonone_emulator.session().get_adapter(f"{talonone_emulator.base_url}/v1/events")
    assert type(adapter).__name__ == "EmulatorAdapter"
    other = talonone_emulator.session().get_adapter("http://talonone.emulator.example/v1")
    assert type(other).__name__ == "HTTPAdapter"


def test_importing_the_plugin_loads_neither_django_nor_the_emulator() -> None:
    code = (
        "import sys, django_talonone.emulator.pytest_plugin as p; "
        "print(sorted(m for m in ('django', 'jsonschema', 'requests', "
        "'django_talonone.emulator.app') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_campaigns_option_replaces_saved_campaigns_but_keeps_data(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    seeded = Emulator(state_file=state_file)
    seeded.state.data["audiences"]["1"] = {"id": 1, "name": "kept"}
    seeded.app.persist()
    campaigns = tmp_path / "campaigns.json"
    campaigns.write_text(simplejson.dumps({"campaigns": [{"id": 7, "name": "New", "rules": []}]}))
    args: argparse.Namespace = build_parser().parse_args(
        ["--api-key", "k", "--state", str(state_file), "--campaigns", str(campaigns)]
    )
    app = build_app(args)
    assert [c["id"] for c in app.state.campaigns] == [7]
    assert app.state.data["audiences"]["1"]["name"] == "kept"


def test_state_file_wins_over_a_fresh_state(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    first = Emulator(state_file=state_file)
    first.state.data["counters"]["audience"] = 41
    save_state(first.state, state_file)
    assert Emulator(state_file=state_file).state.data["counters"]["audience"] == 41
