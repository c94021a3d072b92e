"""``python -m django_talonone.emulator`` end to end, in a subprocess, plus persistence."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import requests
import simplejson

from django_talonone.emulator import EmulatorApp, EmulatorState
from django_talonone.emulator.persistence import load_state, save_state

API_KEY = "cli-secret"
AUTH = {"Authorization": f"ApiKey-v1 {API_KEY}"}
CART = {
    "customerSession": {
        "cartItems": [{"name": "Mug", "sku": "M", "quantity": 1, "price": Decimal("19.99")}]
    }
}
URL_LINE = re.compile(r"http://127\.0\.0\.1:(\d+)")


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "django_talonone.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def url_of(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 30)
    assert ready, "the emulator printed nothing within 30 s"
    line = process.stdout.readline()
    found = URL_LINE.search(line)
    assert found, f"no URL in {line!r}"
    return found.group(0)


def stop(process: subprocess.Popen[str], sig: int = signal.SIGTERM) -> int:
    process.send_signal(sig)
    return process.wait(timeout=30)


@pytest.fixture
def emulator_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, Path]]:
    state_file = tmp_path / "state.json"
    process = start("--api-key", API_KEY, "--state", str(state_file))
    try:
        yield process, url_of(process), state_file
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def put_session(url: str, session_id: str) -> requests.Response:
    return requests.put(
        f"{url}/v2/customer_sessions/{session_id}",
        data=simplejson.dumps(CART, use_decimal=True),
        headers={**AUTH, "Content-Type": "application/json"},
        timeout=10,
    )


def test_cli_prints_one_url_line_serves_and_stops_on_sigterm(
    emulator_process: tuple[subprocess.Popen[str], str, Path],
) -> None:
    process, url, _ = emulator_process
    assert requests.get(f"{url}/_emulator/health", timeout=10).json() == {"status": "ok"}
    assert put_session(url, "s1").status_code == 200
    assert requests.get(f"{url}/v2/customer_sessions/s1", timeout=10).status_code == 401
    assert stop(process) == 0
    assert process.stdout is not None
    assert process.stdout.read() == ""  # exactly one line was printed


def test_cli_stops_cleanly_on_sigint(
    emulator_process: tuple[subprocess.Popen[str], str, Path],
) -> None:
    process, _, _ = emulator_process
    assert stop(process, signal.SIGINT) == 0


def test_state_survives_a_restart(
    emulator_process: tuple[subprocess.Popen[str], str, Path],
) -> None:
    process, url, state_file = emulator_process
    assert put_session(url, "kept").status_code == 200
    assert stop(process) == 0
    assert state_file.exists()

    again = start("--api-key", API_KEY, "--state", str(state_file))
    try:
        url = url_of(again)
        reply = requests.get(f"{url}/v2/customer_sessions/kept", headers=AUTH, timeout=10)
        assert reply.status_code == 200
        assert reply.json(use_decimal=True)["customerSession"]["total"] == Decimal("19.99")
        assert stop(again) == 0
    finally:
        if again.poll() is None:
            again.kill()
        again.communicate(timeout=30)


def test_api_key_from_the_environment() -> None:
    process = start(env={**os.environ, "TALONONE_EMULATOR_API_KEY": API_KEY})
    try:
        url = url_of(process)
        assert put_session(url, "s1").status_code == 200
        assert stop(process) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def test_missing_api_key_exits_2() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TALONONE_EMULATOR_API_KEY"}
    process = start(env=env)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "--api-key is required" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "not valid JSON"), ('{"campaigns": [{"name": "x"}]}', "campaigns[0]")],
)
def test_bad_campaigns_file_exits_2_with_a_clear_message(
    tmp_path: Path, content: str, message: str
) -> None:
    campaigns = tmp_path / "campaigns.json"
    campaigns.write_text(content)
    process = start("--api-key", API_KEY, "--campaigns", str(campaigns))
    out, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert out == ""
    assert str(campaigns) in err
    assert message in err


def test_bad_faults_option_exits_2() -> None:
    process = start("--api-key", API_KEY, "--faults", '{"errorRates": {"418": 1}}')
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "--faults: errorRates" in err


def test_faults_option_applies_from_the_start() -> None:
    process = start("--api-key", API_KEY, "--faults", '{"errorRates": {"503": 1}}')
    try:
        url = url_of(process)
        assert put_session(url, "s1").status_code == 503
        assert stop(process) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def test_save_is_atomic_and_exact(tmp_path: Path) -> None:
    state = EmulatorState()
    state.data["sessions"]["s"] = {"total": Decimal("0.10")}
    target = tmp_path / "state.json"
    save_state(state, target)
    assert "0.10" in target.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temp file left
    restored = load_state(target)
    assert restored is not None
    assert restored.data["sessions"]["s"]["total"] == Decimal("0.10")


def test_load_state_reports_unusable_files(tmp_path: Path) -> None:
    assert load_state(tmp_path / "missing.json") is None
    broken = tmp_path / "broken.json"
    broken.write_text("[1]")
    with pytest.raises(ValueError, match=r"broken\.json: unusable state file"):
        load_state(broken)


def test_app_saves_after_changes_and_control_mutations(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    app = EmulatorApp(EmulatorState(), API_KEY, state_file=target)
    app.state.data["counters"]["session"] = 5
    app.persist()
    reloaded = EmulatorApp(EmulatorState(), API_KEY, state_file=target)
    assert reloaded.state.data["counters"]["session"] == 5
    reloaded.reset()
    restored = load_state(target)
    assert restored is not None
    assert restored.data["counters"]["session"] == 0
