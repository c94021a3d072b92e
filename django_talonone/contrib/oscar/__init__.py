"""django-oscar, first class: add ``django_talonone.contrib.oscar`` and oscar's baskets,
vouchers, offers, orders, refunds and customers follow Talon.One (see docs/oscar.md)."""
