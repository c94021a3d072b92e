"""``manage.py seed_demo``: the demo catalogue and logins, safe to run on every start.

Rows are matched on their natural keys (category slug, SKU, username), so a second run
changes nothing and a shop owner's edits to names and prices made in the admin survive.
So that every state can be seen, the demo shopper also gets coupons reserved
(``WELCOME10``, ready to use and unlimited; ``SPRING5``, expired; ``ONCE5``, single use)
and a past order that spent ``ONCE5``, so their wallet shows it used up; and the
audience "Tea lovers" holds them. Everything goes through django-talonone's services
and the outbox, and reaches Talon.One (the emulator, with ``demo_campaigns.json``) once
the worker runs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django_talonone.conf import get_settings
from django_talonone.models import Audience
from django_talonone.services import add_members, create_audience
from django_talonone.services.reservations import reserve_coupon

from catalog.models import Category, Product
from orders.models import Order, OrderLine

CATEGORIES = {"tea": "Tea", "coffee": "Coffee", "mugs": "Mugs & cups", "sweets": "Sweets"}

#: (category slug, SKU, name, price, description)
PRODUCTS = [
    ("tea", "TEA-GREEN", "Sencha green tea", "8.50", "Grassy, bright Japanese green tea, 100 g."),
    ("tea", "TEA-EARL", "Earl Grey", "7.25", "Black tea with bergamot, 125 g."),
    ("tea", "TEA-MINT", "Moroccan mint", "6.90", "Gunpowder green tea and spearmint, 100 g."),
    ("coffee", "COF-ESP", "Espresso beans", "14.00", "Dark roast for espresso, 500 g."),
    ("coffee", "COF-FIL", "Filter roast", "12.50", "Light Ethiopian roast, 250 g."),
    ("coffee", "COF-DEC", "Decaf blend", "11.75", "Swiss-water decaffeinated, 250 g."),
    ("mugs", "MUG-1", "Stoneware mug", "12.00", "Hand-glazed, 350 ml."),
    ("mugs", "MUG-TRAVEL", "Travel mug", "19.99", "Insulated, leak-proof lid, 400 ml."),
    ("mugs", "CUP-ESP", "Espresso cups (pair)", "16.40", "Porcelain, 80 ml each."),
    ("sweets", "SWT-SHORT", "Butter shortbread", "5.60", "Scottish shortbread, 200 g tin."),
    ("sweets", "SWT-CHOC", "Dark chocolate", "4.30", "70 % cocoa, 100 g bar."),
    ("sweets", "SWT-ALMOND", "Almond biscotti", "6.20", "Twice-baked Tuscan biscuits, 180 g."),
]

#: (username, password, is staff and superuser, first name)
USERS = [("demo", "demo", False, "Demo"), ("admin", "admin", True, "Admin")]
#: Staff who may look at everything in the admin and change nothing (viewer/viewer): what
#: a support desk sees, with every action and button they cannot use hidden.
VIEWER = ("viewer", "viewer", "Viewer")
VIEWER_APPS = ("django_talonone", "orders", "cart", "catalog")

#: Coupons reserved for a login, so they show in that shopper's wallet.
WALLETS = {"demo": ["WELCOME10", "SPRING5", "ONCE5"]}
#: Audiences and the logins in them.
AUDIENCES = {"Tea lovers": ["demo"]}
#: A past order of the demo shopper that spent the single-use coupon: (SKU, coupon, off).
PAST_ORDER = ("MUG-1", "ONCE5", Decimal("5.00"))


class Command(BaseCommand):
    help = "Load the demo catalogue, the logins (demo, admin, viewer) and the demo states."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            created = self._catalogue() + self._users() + self._wallets()
            created += self._audiences() + self._past_order()
        self.stdout.write(f"Demo data ready ({created} rows created).")

    def _catalogue(self) -> int:
        created = 0
        categories = {}
        for slug, name in CATEGORIES.items():
            categories[slug], made = Category.objects.get_or_create(
                slug=slug, defaults={"name": name}
            )
            created += made
        for slug, sku, name, price, description in PRODUCTS:
            _, made = Product.objects.get_or_create(
                sku=sku,
                defaults={
                    "category": categories[slug],
                    "name": name,
                    "price": Decimal(price),
                    "description": description,
                },
            )
            created += made
        return created

    def _users(self) -> int:
        created = 0
        users = get_user_model()._default_manager
        for username, password, staff, first_name in USERS:
            if users.filter(username=username).exists():
                continue
            user = users.model(
                username=username,
                first_name=first_name,
                email=f"{username}@example.com",
                is_staff=staff,
                is_superuser=staff,
            )
            user.set_password(password)
            user.save()
            created += 1
        return created + self._viewer()

    def _viewer(self) -> int:
        users = get_user_model()._default_manager
        username, password, first_name = VIEWER
        if users.filter(username=username).exists():
            return 0
        user = users.model(
            username=username, first_name=first_name, email=f"{username}@example.com", is_staff=True
        )
        user.set_password(password)
        user.save()
        views = Permission.objects.filter(
            content_type__app_label__in=VIEWER_APPS, codename__startswith="view_"
        )
        user.user_permissions.add(*views)
        return 1

    def _wallets(self) -> int:
        """Reservations queued (none when they exist already)."""
        users = get_user_model()._default_manager
        queued = 0
        for username, codes in WALLETS.items():
            profile_id = get_settings().profile_id_for(users.get(username=username))
            for code in codes:
                queued += reserve_coupon(code, [profile_id])
        return queued

    def _audiences(self) -> int:
        """Audiences created (and their members queued), none when they exist."""
        users = get_user_model()._default_manager
        created = 0
        for name, usernames in AUDIENCES.items():
            audience = Audience.objects.filter(name=name).first()
            if audience is None:
                audience = create_audience(name)
                created += 1
            profiles = [get_settings().profile_id_for(users.get(username=u)) for u in usernames]
            created += add_members(audience, profiles)
        return created

    def _past_order(self) -> int:
        """The demo shopper's past order with the single-use coupon (once)."""
        sku, code, off = PAST_ORDER
        demo = get_user_model()._default_manager.get(username="demo")
        if any(code in order.coupon_codes for order in Order.objects.filter(user=demo)):
            return 0
        product = Product.objects.get(sku=sku)
        order = Order.objects.create(
            user=demo,
            coupon_codes=[code],
            subtotal=product.price,
            discount=off,
            discount_lines=[
                {
                    "name": "5 off with a demo coupon",
                    "amount": str(off),
                    "source": "coupon",
                    "code": code,
                }
            ],
            total=product.price - off,
        )
        OrderLine.objects.create(
            order=order,
            product=product,
            sku=product.sku,
            name=product.name,
            category=product.category.slug,
            price=product.price,
            quantity=1,
        )
        order.status = Order.Status.PAID  # placed: its close (redeeming the coupon) is queued
        order.save(update_fields=["status"])
        return 1
