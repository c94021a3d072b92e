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

A snapshot recorded inside a transaction (a shop calling ``enqueue_cart`` itself) kicks
its lane on commit instead: its id was taken long before it became visible, so a watch
could already have moved past it.

The INSERT itself skips the ORM's per-call SQL compilation, which costs more than running
the statement: Django's own compiler builds it once per connection (so every backend gets
its dialect), and each call only prepares the values, field by field, the way ``save()``
does. Model signals are not sent for these rows; nothing in the app listens to them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field
from django.db.models.sql import InsertQuery
from django.utils import timezone

from django_talonone.conf import get_settings
from django_talonone.models import Delivery, DeliveryStatus, Operation

from .lanes import cart_lane
from .payload import cart_reference
from .store import kick

logger = logging.getLogger("django_talonone.outbox")

#: A process publishes at most one watch task per this many seconds.
WAKE_INTERVAL = 0.5
#: A watch task polls this many times, this many seconds apart.
WATCH_POLLS = 5
WATCH_EVERY = 0.25

_lock = threading.Lock()
_last_publish: list[float] = []  # monotonic time of this process's last watch publish
#: Per database alias: the compiled INSERT, its fields, and whether it returns the id.
_statements: dict[str, tuple[str, list[Field[Any, Any]], bool]] = {}


def _statement(connection: BaseDatabaseWrapper, row: Delivery) -> tuple[str, list[Any], bool]:
    compiled = _statements.get(connection.alias)
    if compiled is None:
        fields = [field for field in Delivery._meta.concrete_fields if not field.primary_key]
        query = InsertQuery(Delivery)
        query.insert_values(fields, [row])
        compiler = query.get_compiler(connection=connection)
        returns = bool(connection.features.can_return_columns_from_insert)
        if returns:
            compiler.returning_fields = [Delivery._meta.pk]
        [(sql, _)] = compiler.as_sql()
        compiled = _statements[connection.alias] = (sql, fields, returns)
    sql, fields, returns = compiled
    values = [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
    return sql, values, returns


def _insert(row: Delivery, using: str) -> None:
    """``row.save()`` without compiling the statement again (see the module docstring)."""
    connection = connections[using]
    sql, values, returns = _statement(connection, row)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if returns:
            row.pk = cursor.fetchone()[0]
        else:
            table, column = Delivery._meta.db_table, Delivery._meta.pk.column
            row.pk = connection.ops.last_insert_id(cursor, table, column)
    row._state.adding = False
    row._state.db = using


def record_cart_change(model_label: str, pk: str | int) -> Delivery:
    """Queue a snapshot of the cart, to be built when it is delivered (one INSERT)."""
    lane = cart_lane(model_label, pk)
    using = router.db_for_write(Delivery)
    delivery = Delivery(
        operation=Operation.UPDATE_SESSION,
        lane=lane,
        payload=cart_reference(model_label, pk),
        supersedable=True,
    )
    _insert(delivery, using)
    if transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(partial(kick, lane), using=using)
    else:
        wake(lane, delivery.pk)
    return delivery


def _watch_task() -> Any:
    try:
        from django_talonone.tasks import watch_outbox
    except ImportError:  # Celery is not installed
        return None
    return watch_outbox


def wake(lane: str, row_id: int, *, clock: Callable[[], float] = time.monotonic) -> bool:
    """Make sure a watch will see row ``row_id``; True when a watch task was published.

    With eager Celery (tests, the demo) the lane is delivered at once instead.
    """
    task = _watch_task()
    if task is None:
        logger.debug("Celery is not installed; outbox lane %s waits for talonone_deliver", lane)
        return False
    if task.app.conf.task_always_eager:
        kick(lane)
        return False
    now = clock()
    with _lock:
        if _last_publish and now - _last_publish[0] < WAKE_INTERVAL:
            return False
        _last_publish[:] = [now]
    try:
        task.delay(row_id - 1, row_id - 1, WATCH_POLLS)
    except Exception as error:
        with _lock:
            _last_publish.clear()  # the next change tries again
        # The broker's error text can embed its URL and password: log the type only.
        logger.warning(
            "Could not queue the outbox watch (%s); the sweeper will deliver lane %s.",
            type(error).__name__,
            lane,
        )
        return False
    return True


def watch(floor: int) -> tuple[list[str], int]:
    """Kick the lanes of due pending rows with an id above ``floor``.

    Returns the lanes kicked and the highest id seen (``floor`` if none). At most
    ``OUTBOX_BATCH`` rows are looked at; the next poll goes on from the highest one.
    """
    rows = (
        Delivery.objects.using(router.db_for_read(Delivery))
        .filter(id__gt=floor, status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("id")
        .values_list("id", "lane")[: get_settings().outbox_batch]
    )
    lanes: dict[str, None] = {}
    newest = floor
    for row_id, lane in rows:
        lanes[lane] = None
        newest = max(newest, row_id)
    for lane in lanes:
        kick(lane)
    return list(lanes), newest


def forget_last_publish() -> None:
    """Forget when this process last published a watch (tests; the next wake publishes)."""
    with _lock:
        _last_publish.clear()
