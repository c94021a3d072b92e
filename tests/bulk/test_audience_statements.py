"""Audience sync costs a bounded number of SQL statements per 1,000 members, not one (or
more) per member: the mirror is updated per delivered batch (issue: outbox performance)."""

from __future__ import annotations

import pytest
from celery import current_app
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from django_talonone.models import Audience, AudienceMembership, SyncState
from django_talonone.outbox import deliver_pending
from django_talonone.services import add_members, start_audience_sync
from django_talonone.testing import TalonOneHarness

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("members", [1000, 3000])
def test_syncing_members_costs_at_most_15_statements_per_thousand(
    talonone: TalonOneHarness, members: int
) -> None:
    audience = Audience.objects.create(name="VIP", integration_id="crm-vip")
    start_audience_sync([audience.pk])
    audience.refresh_from_db()
    assert audience.talonone_id is not None
    profile_ids = [f"p{n}" for n in range(members)]
    current_app.conf.task_always_eager = False  # queue now, deliver below: counted apart
    try:
        with CaptureQueriesContext(connection) as adding, transaction.atomic():
            add_members(audience, profile_ids)
    finally:
        current_app.conf.task_always_eager = True
    with CaptureQueriesContext(connection) as delivering:
        deliver_pending()
    synced = AudienceMembership.objects.filter(audience=audience, sync_state=SyncState.SYNCED)
    assert synced.count() == members
    bound = 15 * members / 1000
    assert len(statements(adding)) <= bound
    assert len(statements(delivering)) <= bound


def statements(captured: CaptureQueriesContext) -> list[str]:
    """The SQL run, without transaction control (BEGIN, COMMIT, savepoints)."""
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(control)]
