"""Migration 0011: calls queued by the previous version are sent exactly as before.

Those rows kept each Decimal as a string listed under ``"decimals"``; after the migration
they hold the number itself, and migrating back restores the old form.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("django_talonone", "0010_notification")]
AFTER = [("django_talonone", "0011_payload_as_wire_json")]
LEGACY = {
    "args": ["s-1"],
    "body": {"customerSession": {"cartItems": [{"sku": "9.5", "price": "19.90", "quantity": 2}]}},
    "query": {},
    "decimals": ["/body/customerSession/cartItems/0/price"],
}


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def test_a_row_queued_before_is_rewritten_with_its_exact_numbers_and_back() -> None:
    try:
        old = (
            _migrate(BEFORE)
            .loader.project_state(BEFORE)
            .apps.get_model("django_talonone", "Delivery")
        )
        row_id = old.objects.create(
            operation="update_customer_session_v2", lane="cart:1", payload=LEGACY
        ).pk

        new = (
            _migrate(AFTER)
            .loader.project_state(AFTER)
            .apps.get_model("django_talonone", "Delivery")
        )
        payload = new.objects.get(pk=row_id).payload
        assert "decimals" not in payload
        item = payload["body"]["customerSession"]["cartItems"][0]
        assert (item["sku"], item["price"], item["quantity"]) == ("9.5", Decimal("19.90"), 2)
        assert str(item["price"]) == "19.90"

        back = (
            _migrate(BEFORE)
            .loader.project_state(BEFORE)
            .apps.get_model("django_talonone", "Delivery")
        )
        assert back.objects.get(pk=row_id).payload == LEGACY
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
