"""Rule-triggered webhooks: ``triggerWebhook`` in the reply with today's props, and the
webhook's payload, filled in, sent to the targets when the rule fires."""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from typing import Any

import pytest

from django_talonone.emulator.campaigns import validate_config
from django_talonone.notification_types import NotificationKind, kind_of

from .notify_world import HOOK, World
from .rewards_world import item

PAYLOAD = {
    "event": "big_order",
    "customer": "${profileId}",
    "order": {"session": "${sessionId}", "total": "${total}", "state": "${sessionState}"},
    "text": "${ruleName} for ${profileId} (campaign ${campaignId})",
    "tags": ["vip", "${webhookName}"],
}
CONFIG: dict[str, Any] = {
    "webhooks": [
        {"id": 7, "name": "Big order", "payload": PAYLOAD},
        {"id": 8, "name": "Cart watcher"},
    ],
    "campaigns": [
        {
            "id": 1,
            "name": "Big orders",
            "rules": [
                {
                    "name": "Tell the CRM",
                    "condition": {"minSubtotal": 100},
                    "effects": [{"type": "triggerWebhook", "webhookId": 7}],
                }
            ],
        }
    ],
}
CART = [item("LAMP", "60.00", 2)]


def hooks(reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in reply["effects"] if e["effectType"] == "triggerWebhook"]


def test_a_closing_session_triggers_the_webhook_with_its_payload_filled_in() -> None:
    world = World(copy.deepcopy(CONFIG))
    assert hooks(world.put("s1", cartItems=CART)) == []  # waits for the close by default
    closed = world.put("s1", state="closed")
    [effect] = hooks(closed)
    assert effect["props"] == {"webhookId": 7, "webhookName": "Big order"}
    assert (effect["campaignId"], effect["ruleName"]) == (1, "Tell the CRM")
    [body] = world.sent()
    assert body == {
        "event": "big_order",
        "customer": "ann",
        "order": {"session": "s1", "total": Decimal("120.00"), "state": "closed"},
        "text": "Tell the CRM for ann (campaign 1)",
        "tags": ["vip", "Big order"],
    }
    assert kind_of(body) == NotificationKind.WEBHOOK
    [(url, headers, _)] = world.shop.received
    assert url == HOOK
    assert len(headers["X-UUID"]) == 36


def test_a_rule_that_does_not_fire_triggers_nothing() -> None:
    world = World(copy.deepcopy(CONFIG))
    small = world.put("s1", cartItems=[item("LAMP", "60.00")], state="closed")
    assert hooks(small) == []
    assert world.sent() == []


def test_on_every_evaluation_when_the_webhook_does_not_wait_for_the_close() -> None:
    config = copy.deepcopy(CONFIG)
    rule = config["campaigns"][0]["rules"][0]
    rule["effects"] = [{"type": "triggerWebhook", "webhookId": 8, "onClose": False}]
    world = World(config)
    world.put("s1", cartItems=CART)
    world.put("s1", cartItems=CART, attributes={"seen": True})
    dry = world.put("s1", state="closed", query="?dry=true")
    # A dry run shows the effect and sends nothing.
    assert [hook["props"] for hook in hooks(dry)] == [
        {"webhookId": 8, "webhookName": "Cart watcher"}
    ]
    assert world.sent() == [
        {"webhook": "Cart watcher", "profileId": "ann", "sessionId": "s1"},
        {"webhook": "Cart watcher", "profileId": "ann", "sessionId": "s1"},
    ]


def test_targets_that_do_not_want_webhooks_get_none() -> None:
    world = World(copy.deepcopy(CONFIG), kinds=frozenset({"CouponCreated"}))
    assert len(hooks(world.put("s1", cartItems=CART, state="closed"))) == 1
    assert world.sent() == []
    wanting = World(copy.deepcopy(CONFIG), kinds=frozenset({"webhook"}))
    wanting.put("s1", cartItems=CART, state="closed")
    assert len(wanting.sent()) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda c: c["campaigns"][0]["rules"][0]["effects"][0].update(webhookId=9),
            "campaigns[0].rules[0].effects[0].webhookId: no webhook 9",
        ),
        (
            lambda c: c["webhooks"][0]["payload"].update(who="${email}"),
            "webhooks[0].payload.who: unknown placeholder ${email}",
        ),
        (lambda c: c["webhooks"][1].update(id=7), "webhooks: duplicate id 7"),
        (
            lambda c: c["webhooks"][0]["payload"].update(NotificationType="TierUpgrade"),
            "webhooks[0].payload.NotificationType: a webhook's payload names no kind",
        ),
        (lambda c: c["webhooks"][1].update(payload=[1]), "webhooks[1].payload: must be an object"),
        (
            lambda c: c["campaigns"][0]["rules"][0]["effects"][0].update(onClose="yes"),
            "effects[0].onClose: must be true or false",
        ),
    ],
)
def test_file_errors_name_the_field(change: Any, message: str) -> None:
    raw = copy.deepcopy(CONFIG)
    change(raw)
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_config(raw)
