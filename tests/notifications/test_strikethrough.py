"""Strikethrough prices: stored per SKU and window, read back as "was / now"."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client

from django_talonone.models import StrikethroughPrice
from django_talonone.services.strikethrough import was_now

from .conftest import post
from .test_signals import STRIKETHROUGH

pytestmark = pytest.mark.django_db(transaction=True)

INSIDE = datetime(2026, 12, 15, tzinfo=timezone.utc)


def _push(client: Client, body: dict[str, Any]) -> None:
    assert post(client, body).status_code == 200


def test_a_pushed_item_is_stored_with_its_window_and_batch(client: Client) -> None:
    _push(client, STRIKETHROUGH)
    row = StrikethroughPrice.objects.get()
    assert (row.sku, row.price, row.discounted_price) == ("SKU-1", Decimal(100), Decimal(80))
    # Evaluated after its effect started: it holds from the evaluation.
    assert row.valid_from == datetime(2026, 12, 1, 9, 59, tzinfo=timezone.utc)
    assert row.valid_until == datetime(2026, 12, 31, tzinfo=timezone.utc)
    assert (row.batch, row.total_batches, row.item_version) == (1, 1, 4)
    assert row.notification is not None


def test_was_now_holds_inside_the_window_only(client: Client) -> None:
    _push(client, STRIKETHROUGH)
    price = was_now("SKU-1", at=INSIDE)
    assert price is not None
    assert (price.was, price.now, price.discounted) == (Decimal(100), Decimal(80), True)
    assert was_now("SKU-1", at=INSIDE + timedelta(days=30)) is None  # ended
    assert was_now("SKU-1", at=INSIDE - timedelta(days=30)) is None  # not started
    assert was_now("SKU-2", at=INSIDE) is None  # never pushed


def test_a_later_push_for_the_same_start_replaces_the_price(client: Client) -> None:
    _push(client, STRIKETHROUGH)
    again = copy.deepcopy(STRIKETHROUGH)
    again["changedItems"][0]["effects"][0]["props"]["value"] = 30
    _push(client, again)
    assert StrikethroughPrice.objects.count() == 1
    price = was_now("SKU-1", at=INSIDE)
    assert price is not None
    assert price.now == Decimal(70)


def test_an_effect_starting_after_the_evaluation_starts_the_window(client: Client) -> None:
    body = copy.deepcopy(STRIKETHROUGH)
    body["changedItems"][0]["effects"][0]["startTime"] = "2026-12-10T00:00:00Z"
    _push(client, body)
    assert StrikethroughPrice.objects.get().valid_from == datetime(
        2026, 12, 10, tzinfo=timezone.utc
    )
    assert was_now("SKU-1", at=datetime(2026, 12, 5, tzinfo=timezone.utc)) is None


def test_a_later_push_takes_over_from_an_earlier_one(client: Client) -> None:
    _push(client, STRIKETHROUGH)
    ended = copy.deepcopy(STRIKETHROUGH)
    ended["changedItems"][0]["evaluatedAt"] = "2026-12-02T09:00:00Z"
    ended["changedItems"][0]["effects"] = []  # the rule no longer applies
    _push(client, ended)
    price = was_now("SKU-1", at=INSIDE)
    assert price is not None
    assert not price.discounted


def test_a_scheduled_update_starts_at_its_valid_from(client: Client) -> None:
    _push(client, STRIKETHROUGH)
    scheduled = copy.deepcopy(STRIKETHROUGH)
    scheduled["version"] = "v2"
    scheduled["validFrom"] = "2026-12-20T00:00:00Z"
    scheduled["changedItems"][0]["effects"] = []  # the sale ends on the 20th
    _push(client, scheduled)
    before = was_now("SKU-1", at=INSIDE)
    after = was_now("SKU-1", at=datetime(2026, 12, 21, tzinfo=timezone.utc))
    assert before is not None
    assert after is not None
    assert before.discounted
    assert (after.was, after.now, after.discounted) == (Decimal(100), Decimal(100), False)


def test_the_template_tag_renders_was_and_now(client: Client) -> None:
    body = copy.deepcopy(STRIKETHROUGH)
    effect = body["changedItems"][0]["effects"][0]
    effect["startTime"] = "2020-01-01T00:00:00Z"
    effect["endTime"] = None
    _push(client, body)
    template = Template(
        "{% load talonone %}{% strikethrough_price sku as price %}"
        "{% if price.discounted %}<s>{{ price.was }}</s> {{ price.now }}"
        "{% else %}{{ fallback }}{% endif %}"
    )
    assert template.render(Context({"sku": "SKU-1"})) == "<s>100.00</s> 80.00"
    assert template.render(Context({"sku": "SKU-9", "fallback": "full"})) == "full"
    assert template.render(Context({"sku": None, "fallback": "full"})) == "full"
