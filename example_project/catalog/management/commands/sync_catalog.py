"""``manage.py sync_catalog``: send the products to the Talon.One emulator's catalogue.

Talon.One prices a synced cart item catalogue with its campaigns and pushes the
strikethrough prices to the shop's notification endpoint; the demo does the same with
the emulator (``PUT /_emulator/catalog``), which only the emulator has. A real shop
syncs its catalogue through Talon.One's Management API instead.
"""

from __future__ import annotations

from typing import Any

import requests
import simplejson
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog.models import Product


class Command(BaseCommand):
    help = "Sync the products on sale to the emulator's catalogue (demo only)."

    def handle(self, *args: Any, **options: Any) -> None:
        base_url = settings.TALONONE["BASE_URL"].rstrip("/")
        items = [
            {"sku": product.sku, "price": product.price, "category": product.category.slug}
            for product in Product.objects.filter(is_active=True).select_related("category")
        ]
        body = simplejson.dumps({"items": items}, use_decimal=True)  # exact prices
        try:
            reply = requests.put(
                f"{base_url}/_emulator/catalog",
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=10,
            )
        except requests.RequestException as error:
            raise CommandError(f"The emulator at {base_url} did not answer: {error}") from None
        if reply.status_code != 202:
            raise CommandError(f"The emulator refused the catalogue: {reply.status_code}")
        self.stdout.write(f"Synced {len(items)} products; strikethrough prices are on their way.")
