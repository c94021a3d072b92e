"""``manage.py talonone_sync_reservations``: send coupon reservations, or reconcile them.

Without ``--reconcile`` the reservations' pending changes (reserve pending and failed
rows, release ``deleting`` ones) are queued in the outbox; ``--deliver`` sends them now.
With ``--reconcile`` the mirror of each ``--coupon`` is brought in line with what
Talon.One holds (GetReservedCustomers).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_talonone.client import TalonOneError
from django_talonone.models import CouponReservation, SyncState
from django_talonone.outbox import coupon_lane
from django_talonone.services.bulk import BulkResult
from django_talonone.services.reservations import reconcile_reservations, sync_reservations

from ._bulk import add_common_arguments, deliver, progress, report

CHUNK = 1000


class Command(BaseCommand):
    help = "Send pending coupon reservations to Talon.One, or reconcile them from it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="Reservation ids.")
        parser.add_argument(
            "--coupon",
            action="append",
            default=[],
            metavar="CODE",
            help="Every reservation of this coupon (repeat for more coupons).",
        )
        parser.add_argument(
            "--pending", action="store_true", help="Every reservation not synced yet."
        )
        parser.add_argument(
            "--reconcile",
            action="store_true",
            help="Make the mirror of each --coupon match Talon.One (Talon.One wins).",
        )
        parser.add_argument(
            "--application",
            default=None,
            help="Only this configured Application's reservations (default: every one; "
            "--reconcile: the default Application).",
        )
        add_common_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        ids: list[int] = options["ids"]
        codes: list[str] = list(dict.fromkeys(options["coupon"]))
        if options["reconcile"]:
            if ids or options["pending"] or not codes:
                raise CommandError("--reconcile works on coupons: give --coupon CODE.")
            self._reconcile(codes, dry_run=options["dry_run"], application=options["application"])
            return
        if not (ids or codes or options["pending"]):
            raise CommandError("Give reservation ids, --coupon CODE or --pending.")
        rows = CouponReservation.objects.exclude(sync_state=SyncState.SYNCED)
        if ids:
            rows = rows.filter(pk__in=ids)
        if codes:
            rows = rows.filter(coupon_code__in=codes)
        if options["application"]:
            rows = rows.filter(application=options["application"])
        selected = list(rows.order_by("pk").values_list("pk", "coupon_code", "sync_state"))
        lanes = sorted(
            {coupon_lane(code, app) for app, code in rows.values_list("application", "coupon_code")}
        )
        if options["dry_run"]:
            releases = sum(1 for _, _, state in selected if state == SyncState.DELETING)
            self.stdout.write(
                f"Dry run: would reserve {len(selected) - releases} and release {releases} "
                f"across {len({code for _, code, _ in selected})} coupon(s); nothing changed."
            )
            return
        result = BulkResult()
        pks = [pk for pk, _, _ in selected]
        for chunk in progress(self, pks, CHUNK, "reservations", options["verbosity"]):
            result.merge(sync_reservations(chunk))
        if options["deliver"]:
            deliver(self, lanes)
        report(self, result, "Reservations")

    def _reconcile(self, codes: list[str], *, dry_run: bool, application: str | None) -> None:
        failed = []
        for code in codes:
            try:
                outcome = reconcile_reservations(code, dry_run=dry_run, application=application)
            except TalonOneError as error:
                failed.append(code)
                self.stderr.write(f"{code}: {error}")
                continue
            self.stdout.write(("Would reconcile " if dry_run else "Reconciled ") + str(outcome))
        if failed:
            raise CommandError(f"Could not read the reservations of {', '.join(failed)}.")
