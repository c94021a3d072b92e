"""``manage.py talonone_process_notifications``: process stored notifications here.

Without Celery (or after an outage of the broker) it processes every notification still
waiting: received, or left mid-processing by a worker whose lease ran out. ``--failed``
retries the failed ones too; ``--id`` processes just those (whatever their state, except
processed). Run it from cron where no worker runs.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from django_talonone.services.notifications import process_waiting


class Command(BaseCommand):
    help = "Process Talon.One notifications that are waiting (and, with --failed, failed ones)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--failed", action="store_true", help="Also reprocess the failed notifications."
        )
        parser.add_argument(
            "--id",
            dest="ids",
            type=int,
            action="append",
            metavar="ID",
            help="Process only this notification (repeat for more).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = process_waiting(options["ids"], failed=options["failed"])
        line = (
            f"Notifications: {counts['processed']} processed, {counts['failed']} failed, "
            f"{counts['skipped']} skipped (not waiting, or taken by another worker)."
        )
        self.stdout.write(
            self.style.WARNING(line) if counts["failed"] else self.style.SUCCESS(line)
        )
