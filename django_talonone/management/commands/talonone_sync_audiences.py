"""``manage.py talonone_sync_audiences``: create, rename or delete audiences in Talon.One.

Runs in this process, with a progress bar. Each audience is created (or renamed) and its
pending membership changes are queued in the outbox; ``--deliver`` sends them right away
instead of leaving them to the Celery worker. ``--delete`` deletes the given audiences.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q, QuerySet

from django_talonone.models import Audience, SyncState
from django_talonone.outbox import audience_lane
from django_talonone.services.audiences import delete_audiences, sync_audiences
from django_talonone.services.bulk import BulkResult

from ._bulk import add_common_arguments, deliver, progress, report

CHUNK = 50


class Command(BaseCommand):
    help = "Create or rename audiences in Talon.One and send their pending members."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="Audience ids (the admin's ids).")
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--all", action="store_true", help="Every audience.")
        which.add_argument(
            "--pending",
            action="store_true",
            help="Audiences not synced, or with membership changes not synced.",
        )
        parser.add_argument(
            "--delete", action="store_true", help="Delete the given audiences instead."
        )
        add_common_arguments(parser)

    def _audiences(self, options: dict[str, Any]) -> QuerySet[Audience]:
        ids: list[int] = options["ids"]
        if options["delete"] and (options["all"] or options["pending"] or not ids):
            raise CommandError("--delete needs the ids of the audiences to delete.")
        if bool(ids) == bool(options["all"] or options["pending"]):
            raise CommandError("Give audience ids, or --all, or --pending (one of them).")
        rows = Audience.objects.order_by("pk")
        if ids:
            missing = sorted(set(ids) - set(rows.filter(pk__in=ids).values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"No audience with id {', '.join(map(str, missing))}.")
            return rows.filter(pk__in=ids)
        if options["pending"]:
            unsynced = Q(sync_state__in=[SyncState.PENDING, SyncState.FAILED]) | Q(
                memberships__sync_state__in=[
                    SyncState.PENDING,
                    SyncState.FAILED,
                    SyncState.DELETING,
                ]
            )
            return rows.filter(unsynced).exclude(sync_state=SyncState.DELETING).distinct()
        return rows.exclude(sync_state=SyncState.DELETING)

    def handle(self, *args: Any, **options: Any) -> None:
        audiences = self._audiences(options)
        verbosity: int = options["verbosity"]
        if options["dry_run"]:
            self._preview(audiences, delete=options["delete"])
            return
        ids = list(audiences.values_list("pk", flat=True))
        work = delete_audiences if options["delete"] else sync_audiences
        what = "Deleted" if options["delete"] else "Synced"
        result = BulkResult()
        for chunk in progress(self, ids, CHUNK, "audiences", verbosity):
            result.merge(work(chunk))
        if options["deliver"] and not options["delete"]:
            remote = Audience.objects.filter(pk__in=ids, talonone_id__isnull=False)
            lanes = [
                audience_lane(a.talonone_id or 0, a.application)
                for a in remote.only("talonone_id", "application")
            ]
            deliver(self, lanes)
        report(self, result, f"{what} audiences")

    def _preview(self, audiences: QuerySet[Audience], *, delete: bool) -> None:
        for audience in audiences:
            if delete:
                where = "in Talon.One and here" if audience.talonone_id else "here only"
                self.stdout.write(f"Would delete {audience.name!r} (#{audience.pk}) {where}")
                continue
            changes = audience.memberships.exclude(sync_state=SyncState.SYNCED).count()
            verb = "create" if audience.talonone_id is None else "rename"
            self.stdout.write(
                f"Would {verb} {audience.name!r} (#{audience.pk}) and queue "
                f"{changes} membership change(s)"
            )
        self.stdout.write(f"Dry run: {audiences.count()} audience(s), nothing changed.")
