"""``manage.py talonone_sync_profiles``: send customers' profiles to Talon.One in bulk.

Profiles are built with the customer model's registered ``CustomerAdapter`` and queued in
the outbox, 1000 per UpdateCustomerProfilesV2; ``--deliver`` sends them now.
``--dry-run`` builds every profile and reports the ones the adapter rejects, sending
nothing: run it before a first full sync.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_talonone.adapters import InvalidPayload
from django_talonone.conf import get_settings
from django_talonone.services.bulk import BATCH_LIMIT, BulkResult
from django_talonone.services.bulk_profiles import bulk_profile_lane, customer_model, sync_profiles

from ._bulk import add_common_arguments, deliver, progress, report


class Command(BaseCommand):
    help = "Send customer profiles to Talon.One in batches of 1000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pks", nargs="*", help="Primary keys of the customers to send.")
        parser.add_argument("--all", action="store_true", help="Every customer.")
        parser.add_argument(
            "--model",
            default=None,
            help="The registered customer model, app_label.ModelName (default: AUTH_USER_MODEL).",
        )
        parser.add_argument(
            "--application",
            default=None,
            help="Send to this configured Application only (default: each customer's "
            "Applications: the one they are routed to and every one holding their sessions).",
        )
        add_common_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        label: str = options["model"] or settings.AUTH_USER_MODEL
        application: str | None = options["application"]
        try:
            model, adapter = customer_model(label)
            if application is not None:
                get_settings().for_application(application)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if bool(options["pks"]) == bool(options["all"]):
            raise CommandError("Give customer primary keys, or --all (one of them).")
        rows = model._default_manager.order_by("pk")
        if options["pks"]:
            try:
                rows = rows.filter(pk__in=options["pks"])
                pks = list(rows.values_list("pk", flat=True))
            except (ValueError, TypeError) as error:
                raise CommandError(f"Invalid primary key for {label}: {error}") from None
        else:
            pks = list(rows.values_list("pk", flat=True))
        result = BulkResult()
        verbosity: int = options["verbosity"]
        for chunk in progress(self, pks, BATCH_LIMIT, "profiles", verbosity):
            if not options["dry_run"]:
                result.merge(sync_profiles(label, chunk, application))
                continue
            for customer in model._default_manager.filter(pk__in=chunk):
                try:
                    adapter.build_profile(customer)
                except InvalidPayload as error:
                    result.fail(customer.pk, str(error))
                else:
                    result.done += 1
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was queued.")
        elif options["deliver"]:
            names = [application] if application else list(get_settings().applications)
            deliver(self, [bulk_profile_lane(model._meta.label_lower, name) for name in names])
        report(self, result, "Profiles")
