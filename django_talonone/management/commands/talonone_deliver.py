"""``manage.py talonone_deliver``: deliver the outbox without Celery (cron, scripts, tests).

``--once`` (the default) delivers every row due now and prints a summary; ``--loop``
keeps doing so every ``--interval`` seconds until interrupted (or ``--iterations`` runs).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_talonone.outbox import deliver_pending


class Command(BaseCommand):
    help = "Deliver due Talon.One outbox rows in this process."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="Deliver due rows once (default).")
        mode.add_argument("--loop", action="store_true", help="Keep delivering until stopped.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between --loop runs."
        )
        parser.add_argument(
            "--iterations", type=int, default=None, help="Stop --loop after this many runs."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval: float = options["interval"]
        iterations: int | None = options["iterations"]
        if interval < 0:
            raise CommandError("--interval must be zero or more seconds")
        if iterations is not None and iterations < 1:
            raise CommandError("--iterations must be at least 1")
        runs = 1 if not options["loop"] else iterations
        done = 0
        try:
            while runs is None or done < runs:
                if done:
                    time.sleep(interval)
                summary = deliver_pending()
                done += 1
                dead = summary.total("dead")
                line = f"Outbox: {summary}"
                self.stdout.write(self.style.WARNING(line) if dead else self.style.SUCCESS(line))
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
