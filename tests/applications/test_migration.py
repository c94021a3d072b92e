"""Migration 0014: rows written before several Applications belong to the default one."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("django_talonone", "0013_delivery_kicked_at")]
AFTER = [("django_talonone", "0014_application")]


def _models_at(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def test_existing_rows_become_the_default_applications() -> None:
    try:
        old = _models_at(BEFORE)
        session = old.get_model("django_talonone", "CustomerSession").objects.create(
            session_id="s-old"
        )
        old.get_model("django_talonone", "Delivery").objects.create(
            operation="update_customer_session_v2", lane="session:s-old", payload={}
        )
        old.get_model("django_talonone", "Audience").objects.create(name="VIP", talonone_id=7)
        old.get_model("django_talonone", "CouponReservation").objects.create(
            coupon_code="WELCOME10", profile_id="ann"
        )
        old.get_model("django_talonone", "ReferralCode").objects.create(
            campaign_id=2, advocate_profile_id="ann", code="REF-1"
        )

        new = _models_at(AFTER)
        for name in (
            "CustomerSession",
            "Delivery",
            "Audience",
            "CouponReservation",
            "ReferralCode",
        ):
            rows = new.get_model("django_talonone", name).objects.values_list(
                "application", flat=True
            )
            assert list(rows) == ["default"], name
        assert (
            new.get_model("django_talonone", "CustomerSession")
            .objects.get(pk=session.pk)
            .session_id
            == "s-old"
        )
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )


def test_old_code_writing_during_a_rolling_deploy_gets_the_default() -> None:
    """On PostgreSQL the column keeps a database default: an INSERT that does not name it
    (what the previous release sends) still writes a valid row."""
    if connection.vendor != "postgresql":
        pytest.skip("the database default is kept on PostgreSQL and MySQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_talonone_customersession (session_id, profile_id, state, "
            "object_id, lane, last_evaluation, last_effects, evaluation_failed, created_at, "
            "updated_at) VALUES ('s-rolling', '', 'open', '', '', '{}', '[]', false, now(), "
            "now()) RETURNING application"
        )
        assert cursor.fetchone() == ("default",)
