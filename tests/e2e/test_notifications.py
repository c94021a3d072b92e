"""Talon.One's loyalty notifications reach the demo shop: a signed-in shopper's order
closes, the emulator (wired to the shop by ``make demo``) pushes ``LoyaltyPointsAdded``,
and the shop stores and processes it, as its admin shows.

The demo stack is shared and tests run in any order, so the notifications are found by
the order's session id and their X-UUID, never by counting the list."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import DemoStack, eventually
from tests.e2e.test_shop_http import Visitor

CHANGELIST = "/admin/django_talonone/notification/"


def _sent_for(stack: DemoStack, session_id: str, kind: str) -> list[dict[str, Any]]:
    """What the emulator sent about the session ``session_id``, of type ``kind``."""
    reply = stack.http.get(f"{stack.emulator_url}/_emulator/notifications", timeout=10)
    reply.raise_for_status()
    return [
        entry
        for entry in reply.json()["sent"]
        if entry["notificationType"] == kind
        and entry["body"].get("SessionIntegrationID") == session_id
    ]


def test_an_order_close_pushes_loyalty_points_the_shop_stores_and_processes(
    demo_stack: DemoStack,
) -> None:
    shopper = Visitor(demo_stack)
    shopper.sign_in("demo")
    shopper.add("COF-FIL")
    order_page = shopper.pay()
    assert "is placed and paid" in order_page
    found = re.search(r'data-test="session-id">([0-9a-f]+)<', order_page)
    assert found
    session_id = found[1]

    # The worker closes the session in the emulator, which earns Bean points and pushes
    # them to the shop's endpoint (with the demo's secret), answered 200.
    def delivered() -> dict[str, Any] | None:
        sent = _sent_for(demo_stack, session_id, "LoyaltyPointsAdded")
        return sent[0] if sent and sent[0]["state"] == "delivered" else None

    entry = eventually(delivered, "LoyaltyPointsAdded for the order, delivered", timeout=60)
    assert len(_sent_for(demo_stack, session_id, "LoyaltyPointsAdded")) == 1
    assert entry["body"]["Amount"] > 0
    assert entry["attempts"][-1]["status"] == 200
    assert entry["url"].startswith(demo_stack.shop_url)

    # The shop stored it under its X-UUID, and its worker processed it.
    staff = Visitor(demo_stack)
    staff.sign_in("admin")

    def processed() -> str | None:
        page = staff.get(f"{CHANGELIST}?state__exact=processed&q={entry['uuid']}").text
        return page if "LoyaltyPointsAdded" in page else None

    page = eventually(processed, "the notification processed in the shop's admin", timeout=60)
    ids = re.findall(r'href="/admin/django_talonone/notification/(\d+)/change/', page)
    assert len(ids) == 1  # stored once, under the emulator's X-UUID
    detail = staff.get(f"{CHANGELIST}{ids[0]}/change/").text
    assert entry["uuid"] in detail
    assert session_id in detail  # the payload, as the emulator sent it
    assert "demo-notification-secret" not in detail
