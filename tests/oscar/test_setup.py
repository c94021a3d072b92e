"""The contrib's migrations match its models, and the site offer exists once."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from oscar.core.loading import get_model

from django_talonone.contrib.oscar.adapters import BENEFIT_CLASS
from django_talonone.contrib.oscar.registration import ensure_offer

ConditionalOffer = get_model("offer", "ConditionalOffer")


@pytest.mark.django_db
def test_no_missing_migrations() -> None:
    call_command(
        "makemigrations", "talonone_oscar", check=True, dry_run=True, verbosity=0, skip_checks=True
    )


@pytest.mark.django_db
def test_the_site_offer_is_made_once() -> None:
    offers = ConditionalOffer.objects.filter(benefit__proxy_class=BENEFIT_CLASS)
    assert offers.count() == 1  # made by migrate's post_migrate
    assert ensure_offer() == offers.get()
    offer = offers.get()
    assert offer.offer_type == ConditionalOffer.SITE
    assert not offer.exclusive
