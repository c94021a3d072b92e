"""CPU cost of one UpdateCustomerSessionV2 call: our client vs bare requests vs the SDK.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/client_overhead.py``).

A child process serves a canned, realistic reply (the emulator's answer to a 20-item cart
with a coupon and per-item promotions, 20 effects) over keep-alive HTTP on loopback. In this
process each contender sends the same 20-item session update many times; we measure this
process's CPU time per call (``time.process_time``), so the server's work and the network
wait are not counted. Reported: the median of several rounds, and the ratios
client / bare ``requests.Session`` (goal <= 1.15) and client / official SDK (goal <= 1.0).
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
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from django_talonone.client import TalonOneClient
from django_talonone.emulator import Emulator

API_KEY = "bench-api-key"
SESSION_ID = "bench-session"
HERE = Path(__file__).resolve().parent

BENCH_CONFIG: dict[str, Any] = {
    "application": {"flattenCartItems": False, "currency": "USD"},
    "campaigns": [
        {
            "id": 1,
            "name": "Welcome 10%",
            "coupons": [{"code": "WELCOME10"}],
            "rules": [
                {
                    "name": "10% off with WELCOME10",
                    "effects": [{"type": "discount", "name": "Welcome 10%", "percent": 10}],
                }
            ],
        },
        {
            "id": 7,
            "name": "Spring mugs",
            "rules": [
                {
                    "name": "15% off every mug",
                    "effects": [
                        {
                            "type": "discountPerItem",
                            "name": "Mugs 15%",
                            "percent": 15,
                            "categories": ["mugs"],
                        }
                    ],
                }
            ],
        },
    ],
}


def cart_items(count: int = 20) -> list[dict[str, Any]]:
    """A realistic cart: mostly mugs (per-item promotion), a couple of other lines."""
    items = []
    for index in range(count):
        category = "mugs" if index < count - 2 else "tea"
        items.append(
            {
                "name": f"Product {index}",
                "sku": f"SKU-{index:04d}",
                "quantity": 1 + index % 3,
                "price": Decimal("12.50") + Decimal(index) / Decimal(4),
                "category": category,
                "attributes": {"color": "blue"},
            }
        )
    return items


def request_body() -> dict[str, Any]:
    return {
        "customerSession": {
            "profileId": "customer-42",
            "couponCodes": ["WELCOME10"],
            "cartItems": cart_items(),
            "state": "open",
        },
        "responseContent": ["customerSession", "customerProfile"],
    }


def canned_reply(body: dict[str, Any]) -> bytes:
    """The emulator's real reply to ``body``, so the parsed payload is what Talon.One sends."""
    emulator = Emulator(api_key=API_KEY, config=BENCH_CONFIG)
    session = emulator.session()
    response = session.put(
        f"{emulator.base_url}/v2/customer_sessions/{SESSION_ID}",
        data=_dumps_decimal(body),
        headers={"Authorization": f"ApiKey-v1 {API_KEY}", "Content-Type": "application/json"},
    )
    response.raise_for_status()
    effects = response.json()["effects"]
    if len(effects) < 20:
        raise SystemExit(f"benchmark config should yield >= 20 effects, got {len(effects)}")
    return response.content


def _dumps_decimal(body: Any) -> str:
    import simplejson

    return simplejson.dumps(body, use_decimal=True)


def _floats(value: Any) -> Any:
    """What a shop without Decimal support would send: the same body with float prices."""
    if isinstance(value, dict):
        return {key: _floats(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_floats(item) for item in value]
    return float(value) if isinstance(value, Decimal) else value


def start_server(reply: bytes) -> tuple[subprocess.Popen[str], str]:
    reply_file = tempfile.NamedTemporaryFile(suffix=".json", delete=False)  # noqa: SIM115
    reply_file.write(reply)
    reply_file.close()
    process = subprocess.Popen(
        [sys.executable, str(HERE / "_canned_server.py"), reply_file.name],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    return process, url


def bare_requests_call(url: str, body: dict[str, Any]) -> Callable[[], Any]:
    session = requests.Session()
    headers = {"Authorization": f"ApiKey-v1 {API_KEY}", "Content-Type": "application/json"}
    target = f"{url}/v2/customer_sessions/{SESSION_ID}"
    float_body = _floats(body)

    def call() -> Any:
        response = session.put(
            target, data=json.dumps(float_body), headers=headers, timeout=(3.05, 10.0)
        )
        response.raise_for_status()
        return response.json()

    return call


def our_client_call(url: str, body: dict[str, Any]) -> Callable[[], Any]:
    client = TalonOneClient(base_url=url, api_key=API_KEY)

    def call() -> Any:
        return client.update_customer_session_v2(SESSION_ID, body)

    return call


def official_sdk_call(url: str, body: dict[str, Any]) -> Callable[[], Any]:
    import talon_one

    configuration = talon_one.Configuration(
        host=url,
        api_key={"api_key_v1": API_KEY},
        api_key_prefix={"api_key_v1": "ApiKey-v1"},
    )
    api = talon_one.IntegrationApi(talon_one.ApiClient(configuration))
    # Built once, outside the timed loop: the SDK's most favourable case.
    integration_request = talon_one.IntegrationRequest.from_dict(_floats(body))

    def call() -> Any:
        return api.update_customer_session_v2(SESSION_ID, integration_request)

    return call


def cpu_per_call(
    contenders: dict[str, Callable[[], Any]], calls: int, rounds: int
) -> dict[str, float]:
    """Median CPU seconds per call for each contender.

    Rounds are interleaved (A, B, C, A, B, C ...) so a noisy neighbour or a frequency change
    hits every contender alike instead of skewing whichever happened to run then.
    """
    for call in contenders.values():
        for _ in range(max(50, calls // 10)):
            call()
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, call in contenders.items():
            start = time.process_time()
            for _ in range(calls):
                call()
            samples[name].append((time.process_time() - start) / calls)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500, help="calls per round")
    parser.add_argument("--rounds", type=int, default=9, help="rounds (median reported)")
    args = parser.parse_args()

    body = request_body()
    process, url = start_server(canned_reply(body))
    try:
        contenders = {
            "bare requests.Session": bare_requests_call(url, body),
            "django-talonone client": our_client_call(url, body),
            "official talon_one SDK": official_sdk_call(url, body),
        }
        results = cpu_per_call(contenders, args.calls, args.rounds)
    finally:
        process.terminate()
        process.wait(timeout=10)

    print(f"UpdateCustomerSessionV2, 20 cart items, {args.calls} calls x {args.rounds} rounds")
    for name, seconds in results.items():
        print(f"  {name:<24} {seconds * 1e6:9.1f} us CPU per call")
    ours = results["django-talonone client"]
    print(f"client / bare requests : {ours / results['bare requests.Session']:.3f}  (goal <= 1.15)")
    print(
        f"client / official SDK  : {ours / results['official talon_one SDK']:.3f}  (goal <= 1.00)"
    )


if __name__ == "__main__":
    main()
