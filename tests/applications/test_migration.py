"""Migrations 0014 and 0015: rows written before several Applications belong to the default
one, and the per-Application uniqueness of the mirrors is built without blocking writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("django_talonone", "0013_delivery_kicked_at")]
COLUMNS = [("django_talonone", "0014_application")]
AFTER = [("django_talonone", "0015_application_unique")]

#: The unique constraints 0015 builds, by table, and the ones it drops.
NEW = {
    "django_talonone_audience": {
        "talonone_audience_unique_integration",
        "talonone_audience_unique_remote",
    },
    "django_talonone_couponreservation": {"talonone_reservation_unique_app"},
    "django_talonone_referralcode": {
        "talonone_referral_unique_app",
        "talonone_referral_code_app",
        "talonone_referral_unique_remote",
    },
}
OLD = {
    "talonone_audience_unique_integration_id",
    "talonone_reservation_unique",
    "talonone_referral_unique",
    "talonone_referral_code",
}


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


def _unique_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name for name, info in constraints.items() if info["unique"]}


def _leaf() -> None:
    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_new_constraints_replace_the_old_ones() -> None:
    try:
        _models_at(COLUMNS)
        for table, names in NEW.items():
            assert not names & _unique_names(table), table
        _models_at(AFTER)
        for table, names in NEW.items():
            unique = _unique_names(table)
            assert names <= unique, table
            assert not OLD & unique, table
    finally:
        _leaf()


def test_postgresql_builds_the_indexes_concurrently_outside_a_transaction() -> None:
    """0014 only adds columns (no index build under its locks); 0015 builds every index
    with CREATE UNIQUE INDEX CONCURRENTLY, which PostgreSQL refuses inside a transaction."""
    if connection.vendor != "postgresql":
        pytest.skip("CONCURRENTLY is PostgreSQL's")
    try:
        _models_at(BEFORE)
        with CaptureQueriesContext(connection) as columns:
            _models_at(COLUMNS)
        assert not [q["sql"] for q in columns if "INDEX" in q["sql"].upper()]
        with CaptureQueriesContext(connection) as unique:
            _models_at(AFTER)
        builds = [q["sql"] for q in unique if q["sql"].startswith("CREATE UNIQUE INDEX")]
        assert len(builds) == sum(len(names) for names in NEW.values())
        assert all(sql.startswith("CREATE UNIQUE INDEX CONCURRENTLY") for sql in builds)
    finally:
        _leaf()


def test_postgresql_resumes_a_cut_off_0015() -> None:
    """A non-atomic migration cut off half way is run again from its start: a constraint
    already attached is kept, and an invalid index (a failed concurrent build) is rebuilt."""
    if connection.vendor != "postgresql":
        pytest.skip("the resumable path is PostgreSQL's")
    try:
        reservations = _models_at(COLUMNS).get_model("django_talonone", "CouponReservation")
        reservations.objects.create(coupon_code="A", profile_id="ann")
        reservations.objects.create(coupon_code="B", profile_id="ann")
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE django_talonone_audience ADD CONSTRAINT "
                "talonone_audience_unique_remote UNIQUE (application, talonone_id)"
            )
            # Two rows share the Application: this build fails and leaves an invalid index.
            with pytest.raises(IntegrityError):
                cursor.execute(
                    "CREATE UNIQUE INDEX CONCURRENTLY talonone_reservation_unique_app "
                    "ON django_talonone_couponreservation (application)"
                )
        _models_at(AFTER)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = "
                "'talonone_reservation_unique_app'::regclass"
            )
            assert cursor.fetchone() == (True,)
            cursor.execute("SELECT pg_get_indexdef('talonone_reservation_unique_app'::regclass)")
            assert "(application, coupon_code, profile_id)" in cursor.fetchone()[0]
        for table, names in NEW.items():
            assert names <= _unique_names(table), table
    finally:
        _leaf()
