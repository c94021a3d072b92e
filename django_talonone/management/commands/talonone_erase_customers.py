"""``manage.py talonone_erase_customers``: erase customers' data in Talon.One (GDPR).

Queues DeleteCustomerData for each profile id, on the profile's own outbox lane (after
any update still queued for it); ``--deliver`` sends them now. This cannot be undone, so
the command asks first unless ``--noinput`` is given.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_talonone.adapters import InvalidPayload
from django_talonone.conf import get_settings
from django_talonone.outbox import profile_lane
from django_talonone.services.bulk import BATCH_LIMIT, BulkResult, check_text_ids
from django_talonone.services.bulk_profiles import erase_customers

from ._bulk import add_common_arguments, deliver, progress, read_values, report


class Command(BaseCommand):
    help = "Erase customers' personal data in Talon.One (DeleteCustomerData). Irreversible."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("profile_ids", nargs="*", help="Talon.One profile ids to erase.")
        parser.add_argument(
            "--file", default=None, help="Read more profile ids from this file, one per line."
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )
        add_common_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        values = read_values(options["profile_ids"], options["file"], "profile ids")
        try:
            profile_ids = check_text_ids(values, "profile_ids")
        except InvalidPayload as error:
            raise CommandError(str(error)) from None
        if not profile_ids:
            raise CommandError("Give the profile ids to erase (arguments or --file).")
        if options["dry_run"]:
            for profile_id in profile_ids[:20]:
                self.stdout.write(f"Would erase {profile_id}")
            self.stdout.write(f"Dry run: {len(profile_ids)} profile(s), nothing queued.")
            return
        if options["interactive"]:
            answer = input(
                f"Erase the Talon.One data of {len(profile_ids)} profile(s)? "
                "This cannot be undone. Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Erasure cancelled; nothing was queued.")
        result = BulkResult()
        verbosity: int = options["verbosity"]
        for chunk in progress(self, profile_ids, BATCH_LIMIT, "profiles", verbosity):
            result.merge(erase_customers(chunk))
        if options["deliver"]:
            applications = list(get_settings().applications)
            lanes = [profile_lane(pid, name) for pid in profile_ids for name in applications]
            deliver(self, lanes)
        report(self, result, "Erasures")
