"""``manage.py talonone_referral_codes``: referral codes for many advocates at once.

Existing codes are reused; the missing ones are created with
CreateReferralsForMultipleAdvocates, 1000 advocates per call. The codes are printed as
``advocate,code`` lines (CSV) on stdout, ready for a mailing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime

from django_talonone.adapters import InvalidPayload
from django_talonone.conf import get_settings
from django_talonone.models import ReferralCode
from django_talonone.services.bulk import BATCH_LIMIT, BulkResult
from django_talonone.services.referrals import create_referral_codes, request_referral_codes

from ._bulk import progress, read_values, report


def _when(value: str | None, option: str) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None or parsed.tzinfo is None:
        raise CommandError(
            f"{option} must be an ISO 8601 date and time with a timezone, "
            f"e.g. 2030-01-31T23:59:59Z; got {value!r}"
        )
    return parsed


class Command(BaseCommand):
    help = "Create (or reuse) referral codes for many advocates and print them as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("advocates", nargs="*", help="Advocate profile ids.")
        parser.add_argument("--campaign", type=int, required=True, help="Referral campaign id.")
        parser.add_argument("--file", default=None, help="More advocate ids, one per line.")
        parser.add_argument(
            "--usage-limit", type=int, default=0, help="Redemptions per code (0: unlimited)."
        )
        parser.add_argument("--start", default=None, help="Valid from (ISO 8601, with timezone).")
        parser.add_argument("--expiry", default=None, help="Valid until (ISO 8601, with timezone).")
        parser.add_argument(
            "--pattern", default="", help="Code pattern, # is a random character (FRIEND-####)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say how many codes are missing; create none."
        )
        parser.add_argument(
            "--application",
            default=None,
            help="The configured Application of the campaign (default: the default one).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        advocates = read_values(options["advocates"], options["file"], "advocate ids")
        if not advocates:
            raise CommandError("Give advocate profile ids (arguments or --file).")
        campaign: int = options["campaign"]
        try:
            application = get_settings().for_application(options["application"]).application
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if options["dry_run"]:
            known = ReferralCode.objects.filter(
                application=application,
                campaign_id=campaign,
                friend_profile_id="",
                advocate_profile_id__in=advocates,
            ).exclude(code="")
            reused = known.count()
            self.stdout.write(
                f"Dry run: {len(advocates) - reused} code(s) to create, {reused} to reuse."
            )
            return
        try:
            rows = request_referral_codes(
                campaign,
                advocates,
                usage_limit=options["usage_limit"],
                start_date=_when(options["start"], "--start"),
                expiry_date=_when(options["expiry"], "--expiry"),
                pattern=options["pattern"],
                application=application,
            )
        except InvalidPayload as error:
            raise CommandError(str(error)) from None
        missing = [row.pk for row in rows if not row.code]
        result = BulkResult(skipped=len(rows) - len(missing))
        for chunk in progress(self, missing, BATCH_LIMIT, "codes", options["verbosity"]):
            result.merge(create_referral_codes(chunk))
        codes = ReferralCode.objects.filter(pk__in=[row.pk for row in rows]).exclude(code="")
        for advocate, code in codes.order_by("pk").values_list("advocate_profile_id", "code"):
            self.stdout.write(f"{advocate},{code}")
        report(self, result, "Referral codes", summary_to_stderr=True)
