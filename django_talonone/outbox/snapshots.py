"""Cart snapshots: recorded with one INSERT in the shopper's request, woken in batches.

A cart change only records "cart X changed" (see :func:`.payload.cart_reference`); the
worker builds the UpdateCustomerSessionV2 call from the cart when it delivers it, so the
request neither reads the lines nor looks up the session, and a snapshot delivered late
still sends the newest cart.

Publishing a Celery message costs more than everything else the app adds to an "add to
cart" request (about 0.2 ms with an in-memory broker, 0.6 ms with Redis), so a snapshot
does not kick its lane. A process publishes one *watch* task at most every
``WAKE_INTERVAL`` seconds instead; the watch polls the outbox ``WATCH_POLLS`` times,
``WATCH_EVERY`` seconds apart, and kicks the lane of every row that appeared since the
poll before last (one poll of overlap covers rows that commit out of id order). Its last
poll comes at least ``(WATCH_POLLS - 1) * WATCH_EVERY`` seconds after the publish, well
beyond ``WAKE_INTERVAL``, so every row a process recorded without publishing is picked
up by the watch that process published before: within ``WATCH_EVERY`` seconds, not at
the next periodic sweep. A lost publish or a dead worker leaves rows to the sweeper, as
with any kick.

The row is written in the shop's transaction, at the first change of the cart there, so
a rolled-back change leaves nothing behind and a committed one cannot be lost between the
commit and the INSERT. Its id is taken before it becomes visible, so a watch could have
moved past it by the commit: the wake happens on commit, and a row that waited longer than
half a poll interval in its transaction, or whose id lies below the running watch's first
floor (another thread's row), has its lane kicked directly instead.

The INSERT skips the ORM's per-call SQL compilation and value preparation, which cost more
than running it: Django's own compiler builds the statement once per connection (so every
backend gets its dialect) and prepares the values every snapshot row shares; a row only
prepares its lane, payload, key and timestamps. Model signals are not sent for these rows;
nothing in the app listens to them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from django.apps import apps
from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql import InsertQuery
from django.utils import timezone

from django_talonone.conf import get_settings
from django_talonone.models import Delivery, DeliveryStatus, Operation
from django_talonone.models.outbox import new_idempotency_key

from .hooks import hooks
from .lanes import cart_lane
from .payload import cart_reference
from .store import kick
from .wakes import wake_lanes

if TYPE_CHECKING:
    from django_talonone.apps import TalonOneConfig

logger = logging.getLogger("django_talonone.outbox")

#: A process publishes at most one watch task per this many seconds.
WAKE_INTERVAL = 0.5
#: A watch task polls this many times, this many seconds apart.
WATCH_POLLS = 5
WATCH_EVERY = 0.25


class _Statement:
    """The snapshot INSERT for one connection, and the values every snapshot row shares.

    Compiling the statement and preparing a value per column cost more than running it, so
    both happen once per connection; a row only prepares the columns that differ.
    """

    VARYING = ("lane", "payload", "idempotency_key")
    #: Set to the same moment; prepared once per row.
    TIMESTAMPS = ("next_attempt_at", "created_at", "updated_at")

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        prototype = Delivery(
            operation=Operation.UPDATE_SESSION, lane="cart:-", payload={}, supersedable=True
        )
        fields = [field for field in Delivery._meta.concrete_fields if not field.primary_key]
        query = InsertQuery(Delivery)
        query.insert_values(fields, [prototype])
        compiler = query.get_compiler(connection=connection)
        self.returns = bool(connection.features.can_return_columns_from_insert)
        if self.returns:
            compiler.returning_fields = [Delivery._meta.pk]
        [(self.sql, _)] = compiler.as_sql()
        self.values = [
            field.get_db_prep_save(field.pre_save(prototype, True), connection) for field in fields
        ]
        positions = {field.name: (index, field) for index, field in enumerate(fields)}
        self.varying = [positions[name] for name in self.VARYING]
        self.timestamps = [positions[name][0] for name in self.TIMESTAMPS]
        self.timestamp_field = positions[self.TIMESTAMPS[0]][1]

    def row(self, connection: BaseDatabaseWrapper, lane: str, payload: Any) -> list[Any]:
        values = list(self.values)
        fresh = (lane, payload, new_idempotency_key())
        for (index, field), value in zip(self.varying, fresh, strict=True):
            values[index] = field.get_db_prep_save(value, connection)
        now = self.timestamp_field.get_db_prep_save(timezone.now(), connection)
        for index in self.timestamps:
            values[index] = now
        return values


class SnapshotRecorder:
    """Writes snapshot rows and wakes the worker for them: the process's wake state.

    One instance per process, owned by the app's configuration (:func:`recorder`), so
    nothing lives in module globals: the time of the last watch publish and the compiled
    INSERT per database are this object's, and a test builds its own with a fake clock.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        #: The last watch publish: (clock time, the watch's first floor), or None.
        self._last_publish: tuple[float, int] | None = None
        self._statements: dict[str, _Statement] = {}

    def insert(self, model_label: str, pk: str | int) -> Callable[[], None]:
        """Record "cart ``pk`` changed" now; returns what to run once the row is committed.

        The returned callable wakes a watch, or kicks the lane itself when the row waited
        in its transaction too long for a running watch to be sure to see it (see the
        module docstring).
        """
        lane = cart_lane(model_label, pk)
        row_id = self._insert_row(lane, cart_reference(model_label, pk))
        return partial(self._committed, lane, row_id, self.clock())

    def record(self, model_label: str, pk: str | int) -> int:
        """Queue a snapshot of the cart, to be built when it is delivered (one INSERT).

        Inside a transaction the row is written there and the worker is woken on commit.
        Returns the row's id.
        """
        lane = cart_lane(model_label, pk)
        row_id = self._insert_row(lane, cart_reference(model_label, pk))
        committed = partial(self._committed, lane, row_id, self.clock())
        using = router.db_for_write(Delivery)
        if transaction.get_connection(using).in_atomic_block:
            transaction.on_commit(committed, using=using)
        else:
            committed()
        return row_id

    def wake(self, lane: str, row_id: int) -> bool:
        """Make sure a watch will see the committed row ``row_id``; True when one was published.

        Within ``WAKE_INTERVAL`` of this process's last publish, the watch then published
        covers every row above its first floor; an older row (another thread's, committed
        late) gets its lane kicked instead. With eager Celery (tests, the demo) the lane is
        delivered at once.
        """
        now = self.clock()
        with self._lock:
            last = self._last_publish
            covered = row_id > last[1] if last and now - last[0] < WAKE_INTERVAL else None
        if covered:
            return False
        waker = hooks().waker
        if waker is None:
            logger.debug("Celery is not installed; outbox lane %s waits for talonone_deliver", lane)
            return False
        if covered is False or waker.eager:
            kick(lane)
            return False
        with self._lock:
            self._last_publish = (now, row_id - 1)
        try:
            waker.watch(row_id - 1, WATCH_POLLS)
        except Exception as error:
            self.forget_last_publish()  # the next change tries again
            # The broker's error text can embed its URL and password: log the type only.
            logger.warning(
                "Could not queue the outbox watch (%s); the sweeper will deliver lane %s.",
                type(error).__name__,
                lane,
            )
            return False
        return True

    def forget_last_publish(self) -> None:
        """Forget the last watch publish, so the next wake publishes (tests, a lost publish)."""
        with self._lock:
            self._last_publish = None

    def _committed(self, lane: str, row_id: int, inserted: float) -> None:
        if self.clock() - inserted > WATCH_EVERY / 2:
            kick(lane)
        else:
            self.wake(lane, row_id)

    def _insert_row(self, lane: str, payload: Any) -> int:
        """Insert one pending snapshot row the way ``save()`` would; returns its id."""
        connection = connections[router.db_for_write(Delivery)]
        statement = self._statements.get(connection.alias)
        if statement is None:
            statement = self._statements[connection.alias] = _Statement(connection)
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, statement.row(connection, lane, payload))
            if statement.returns:
                row_id: int = cursor.fetchone()[0]
                return row_id
            table, column = Delivery._meta.db_table, Delivery._meta.pk.column
            return int(connection.ops.last_insert_id(cursor, table, column))


def recorder() -> SnapshotRecorder:
    """This process's recorder, held by the app's configuration."""
    config = cast("TalonOneConfig", apps.get_app_config("django_talonone"))
    return config.snapshots


def insert_cart_change(model_label: str, pk: str | int) -> Callable[[], None]:
    """:meth:`SnapshotRecorder.insert` on this process's recorder."""
    return recorder().insert(model_label, pk)


def record_cart_change(model_label: str, pk: str | int) -> int:
    """:meth:`SnapshotRecorder.record` on this process's recorder."""
    return recorder().record(model_label, pk)


def watch(floor: int) -> tuple[list[str], int]:
    """Wake the lanes of due pending rows with an id above ``floor``.

    Returns the lanes woken and the highest id seen (``floor`` if none). At most
    ``OUTBOX_BATCH`` rows are looked at; the next poll goes on from the highest one. A
    lane already woken for its rows is not woken again (:mod:`.wakes`), so the poll of
    overlap, and watches of several processes, cost no extra task.
    """
    now = timezone.now()
    rows = Delivery.objects.using(router.db_for_read(Delivery)).filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    )
    ids = list(
        rows.filter(id__gt=floor)
        .order_by("id")
        .values_list("id", flat=True)[: get_settings().outbox_batch]
    )
    if not ids:
        return [], floor
    return wake_lanes(rows.filter(id__in=ids), now=now), max(ids)
