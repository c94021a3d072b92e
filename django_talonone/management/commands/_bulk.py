"""What the ``talonone_*`` bulk commands share: progress bars, id lists, reports.

Not a command itself (Django skips modules whose name starts with an underscore).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from django_talonone.outbox import deliver_lane
from django_talonone.services.bulk import BulkResult

T = TypeVar("T")


def add_common_arguments(parser: CommandParser, *, dry_run: bool = True) -> None:
    if dry_run:
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be done; change nothing."
        )
    parser.add_argument(
        "--deliver",
        action="store_true",
        help="Deliver the outbox rows queued here in this process (no Celery worker needed).",
    )


def stream(command: BaseCommand) -> TextIO:
    """The raw stderr of ``command`` (its wrapper would break tqdm's line redraws)."""
    out: TextIO = getattr(command.stderr, "_out", sys.stderr)
    return out


def progress(
    command: BaseCommand, items: Sequence[T], size: int, description: str, verbosity: int
) -> Iterator[list[T]]:
    """``items`` in chunks of ``size``, with a tqdm bar on stderr counting items."""
    with tqdm(
        total=len(items),
        desc=description,
        unit="",
        file=stream(command),
        disable=verbosity < 1 or not items,
        leave=False,
    ) as bar:
        for start in range(0, len(items), size):
            chunk = list(items[start : start + size])
            yield chunk
            bar.update(len(chunk))


def read_values(values: Iterable[str], path: str | None, what: str) -> list[str]:
    """Values from the command line plus one per line of ``path`` (``-`` is stdin)."""
    collected = [value for value in values if value]
    if path:
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot read {what} from {path}: {error.strerror}") from None
        collected += [line.strip() for line in text.splitlines() if line.strip()]
    return list(dict.fromkeys(collected))


def deliver(command: BaseCommand, lanes: Iterable[str]) -> None:
    """Deliver ``lanes`` now, in this process, and say how it went."""
    delivered = retried = dead = 0
    for lane in dict.fromkeys(lanes):
        while True:
            result = deliver_lane(lane)
            delivered += result.delivered
            retried += result.retried
            dead += result.dead
            if not result.more:
                break
    line = f"Outbox: {delivered} delivered, {retried} to retry, {dead} dead"
    command.stdout.write(command.style.WARNING(line) if dead or retried else line)


def report(
    command: BaseCommand, result: BulkResult, what: str, *, summary_to_stderr: bool = False
) -> None:
    """Print ``result``; a run where something failed ends with a ``CommandError``.

    ``summary_to_stderr`` keeps stdout for the command's data (CSV lines, say).
    """
    line = f"{what}: {result}"
    style = command.style.WARNING if result.failed else command.style.SUCCESS
    (command.stderr if summary_to_stderr else command.stdout).write(style(line))
    for key, message in list(result.errors.items())[:20]:
        command.stderr.write(f"  {key}: {message}")
    if len(result.errors) > 20:
        command.stderr.write(f"  ... and {len(result.errors) - 20} more")
    if result.failed:
        raise CommandError(
            f"{result.failed} of them failed; the reasons are above and on each row's "
            "last_error. Fix them and run the command again: it only redoes what is left."
        )
