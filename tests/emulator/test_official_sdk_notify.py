"""The official SDK (``talon_one``) parses the effects that come with notifications: a
created coupon (``couponCreated`` and the reply's ``createdCoupons``) and a triggered
webhook (``triggerWebhook``), over real HTTP."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

talon_one = pytest.importorskip("talon_one")

from talon_one import models  # noqa: E402

from django_talonone.emulator import Emulator  # noqa: E402

from .sdk_client import sdk_for  # noqa: E402
from .test_notify_coupons import CONFIG as COUPONS  # noqa: E402

API_KEY = "sdk-notify-key"
CONFIG: dict[str, Any] = copy.deepcopy(COUPONS)
CONFIG["webhooks"] = [{"id": 3, "name": "Order closed"}]
CONFIG["campaigns"][0]["rules"][0]["effects"].append({"type": "triggerWebhook", "webhookId": 3})


@pytest.fixture
def api() -> Iterator[Any]:
    emulator = Emulator(api_key=API_KEY, config=CONFIG)
    with sdk_for(emulator, API_KEY) as api:
        yield api


def test_created_coupons_and_triggered_webhooks_parse_with_the_official_sdk(api: Any) -> None:
    request = models.IntegrationRequest(
        customer_session=models.NewCustomerSessionV2(
            profile_id="ann",
            state="closed",
            cart_items=[models.CartItem(name="Mug", sku="MUG", quantity=1, price=20)],
        ),
    )
    reply = api.update_customer_session_v2("s-1", request)
    effects = {effect.effect_type: effect for effect in reply.effects}
    created = models.CouponCreatedEffectProps.from_dict(effects["couponCreated"].props)
    assert created.profile_id == "ann"
    hook = models.TriggerWebhookEffectProps.from_dict(effects["triggerWebhook"].props)
    assert (hook.webhook_id, hook.webhook_name) == (3, "Order closed")
    [coupon] = reply.created_coupons
    assert isinstance(coupon, models.Coupon)
    assert (coupon.value, coupon.campaign_id, coupon.recipient_integration_id) == (
        created.value,
        5,
        "ann",
    )
    inventory = api.get_customer_inventory("ann", coupons=True)
    assert [c.value for c in inventory.coupons] == [created.value]
