"""An emulator whose notifications land in a fake shop, driven over its HTTP API.

Shared by the suites on what the emulator announces (loyalty, coupons, webhooks): the
notifier's HTTP call and its sleep are the injectable ones, so nothing leaves the
process and no test waits for a retry; the clock moves only when a test moves it.
"""

from __future__ import annotations

from typing import Any

import requests
import simplejson

from django_talonone.emulator import Emulator
from django_talonone.emulator.notifier import Notifier, Target

from .rewards_world import Clock
from .test_notifications import Shop

API_KEY = "notify-world-key"
HOOK = "http://shop.test/talonone/notifications/"


class World:
    """One emulator, one fake shop, and shortcuts for the calls the tests make."""

    def __init__(self, config: dict[str, Any], kinds: frozenset[str] = frozenset()) -> None:
        self.shop = Shop()
        self.clock = Clock()
        notifier = Notifier([Target(url=HOOK, kinds=kinds)], post=self.shop, schedule=())
        self.emulator = Emulator(
            api_key=API_KEY, config=config, clock=self.clock, notifier=notifier
        )
        self.http = self.emulator.session()

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> requests.Response:
        data = None
        sent = {"Authorization": f"ApiKey-v1 {API_KEY}", **headers}
        if body is not None:
            data = simplejson.dumps(body, use_decimal=True).encode()
            sent["Content-Type"] = "application/json"
        return self.http.request(
            method, self.emulator.base_url + path, data=data, headers=sent, timeout=5
        )

    def put(
        self, session_id: str, *, query: str = "", key: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """UpdateCustomerSessionV2 for profile ``ann`` unless ``profileId`` says otherwise."""
        body = {"customerSession": {"profileId": "ann", **fields}}
        headers = {"Idempotency-Key": key} if key else {}
        reply = self.call("PUT", f"/v2/customer_sessions/{session_id}{query}", body, **headers)
        assert reply.status_code == 200, reply.text
        parsed: dict[str, Any] = simplejson.loads(reply.content, use_decimal=True)
        return parsed

    def give_back(self, session_id: str, positions: list[int], key: str) -> dict[str, Any]:
        body = {"return": {"returnedCartItems": [{"position": p} for p in positions]}}
        reply = self.call(
            "POST", f"/v2/customer_sessions/{session_id}/returns", body, **{"Idempotency-Key": key}
        )
        assert reply.status_code == 200, reply.text
        parsed: dict[str, Any] = simplejson.loads(reply.content, use_decimal=True)
        return parsed

    def inventory(self, profile_id: str = "ann", **flags: str) -> dict[str, Any]:
        query = "&".join(f"{name}=true" for name in flags or {"coupons": "true"})
        reply = self.call("GET", f"/v1/customer_profiles/{profile_id}/inventory?{query}")
        assert reply.status_code == 200, reply.text
        parsed: dict[str, Any] = simplejson.loads(reply.content, use_decimal=True)
        return parsed

    def sent(self) -> list[dict[str, Any]]:
        """Every body the shop received so far, oldest first (after the queue drains)."""
        assert self.emulator.notifier.wait()
        return [body for _, _, body in self.shop.received]

    def kinds(self) -> list[str]:
        return [str(body.get("NotificationType", "webhook")) for body in self.sent()]

    def take(self) -> list[dict[str, Any]]:
        """The bodies received since the last ``take``."""
        bodies = self.sent()
        self.shop.received.clear()
        return bodies
