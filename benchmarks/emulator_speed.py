"""Requests per second the emulator serves over HTTP, next to a canned-reply server.

Run: ``.venv/bin/python benchmarks/emulator_speed.py``.

Every shop test and the demo run on the emulator, so its speed is their speed. Two child
processes serve the same loopback socket setup: the emulator (``python -m
django_talonone.emulator``, every check it makes on a request kept: routing, auth, schema
validation, the busy rule, the rules engine, the request log) and a server that answers
every request with one canned body (the emulator's own reply). One thread in this process
sends the same 20-item UpdateCustomerSessionV2 to each, over one keep-alive
``requests.Session``, in interleaved rounds; reported are the median requests per second
of each and the ratio emulator / canned (goal >= 0.5).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from client_overhead import (
    API_KEY,
    BENCH_CONFIG,
    SESSION_ID,
    _dumps_decimal,
    canned_reply,
    request_body,
    start_server,
)

GOAL = 0.5


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    """The emulator as a shop's test run starts it: its own process, a free port."""
    campaigns = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept until the run ends
        "w", suffix=".json", delete=False
    )
    json.dump(BENCH_CONFIG, campaigns)
    campaigns.close()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "django_talonone.emulator",
            "--api-key",
            API_KEY,
            "--campaigns",
            campaigns.name,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    return process, line.rsplit(" ", 1)[-1]


def sender(url: str, data: str) -> Callable[[], None]:
    session = requests.Session()
    target = f"{url}/v2/customer_sessions/{SESSION_ID}"
    headers = {"Authorization": f"ApiKey-v1 {API_KEY}", "Content-Type": "application/json"}

    def send() -> None:
        response = session.put(target, data=data, headers=headers, timeout=10)
        response.raise_for_status()
        response.content  # noqa: B018 - the whole reply is read, as a client does

    return send


def rates(servers: dict[str, Callable[[], None]], calls: int, rounds: int) -> dict[str, float]:
    """Median requests per second of each server, rounds interleaved."""
    for send in servers.values():
        for _ in range(max(20, calls // 10)):
            send()
    samples: dict[str, list[float]] = {name: [] for name in servers}
    for _ in range(rounds):
        for name, send in servers.items():
            start = time.perf_counter()
            for _ in range(calls):
                send()
            samples[name].append(calls / (time.perf_counter() - start))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="requests per round")
    parser.add_argument("--rounds", type=int, default=7, help="rounds (median reported)")
    args = parser.parse_args()

    body = request_body()
    data = _dumps_decimal(body)
    emulator, emulator_url = start_emulator()
    canned, canned_url = start_server(canned_reply(body))
    try:
        results = rates(
            {"emulator": sender(emulator_url, data), "canned reply": sender(canned_url, data)},
            args.calls,
            args.rounds,
        )
    finally:
        for process in (emulator, canned):
            process.terminate()
            process.wait(timeout=10)

    print(f"UpdateCustomerSessionV2, 20 cart items, {args.calls} requests x {args.rounds} rounds")
    for name, rate in results.items():
        print(f"  {name:<14} {rate:8.0f} requests/s")
    ratio = results["emulator"] / results["canned reply"]
    print(f"emulator / canned reply: {ratio:.2f}  (goal >= {GOAL})")


if __name__ == "__main__":
    main()
