"""The mirrors' uniqueness becomes per Application (issue 18), built without blocking writes.

One coupon code, audience or referral code may exist in two Applications, so the unique
constraints of audiences, reservations and referral codes gain the ``application``
column. Building a unique index on a large table takes a while, so on PostgreSQL this
migration is not atomic and each index is built with ``CREATE UNIQUE INDEX CONCURRENTLY``
(a SHARE UPDATE EXCLUSIVE lock: reads and writes go on), then attached as the constraint
with ``ADD CONSTRAINT ... USING INDEX`` (a catalog change under a brief ACCESS EXCLUSIVE
lock on that mirror table only). The old constraints are dropped only after every new one
exists. Each step looks at what is already there first, so a run cut off half way (or a
database that got these constraints from an earlier build of 0014) can simply be run
again: an invalid index left by a failed concurrent build is dropped and rebuilt. On other
databases the operations are Django's plain ones.
"""

from typing import Any

from django.db import migrations, models


def _index_state(schema_editor: Any, name: str) -> str | None:
    """What PostgreSQL has under this index name: None, "invalid", "valid" or "constraint"."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid, EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = i.indexrelid) FROM pg_class ic "
            "JOIN pg_index i ON i.indexrelid = ic.oid "
            "WHERE ic.relname = %s AND pg_table_is_visible(ic.oid)",
            [name],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    valid, attached = row
    return "constraint" if attached else "valid" if valid else "invalid"


class AddUniqueConcurrently(migrations.AddConstraint):
    """``AddConstraint`` for a ``UniqueConstraint``, its index built concurrently on PostgreSQL."""

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        constraint = self.constraint
        partial = constraint.condition is not None
        quote = schema_editor.quote_name
        table = quote(model._meta.db_table)
        name = quote(constraint.name)
        state = _index_state(schema_editor, constraint.name)
        if state == "constraint" or (partial and state == "valid"):
            return  # already there
        if state == "invalid":
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        if state != "valid":
            if partial:
                # Django's own partial unique index (its WHERE clause), built concurrently.
                sql = str(constraint.create_sql(model, schema_editor))
                prefix = "CREATE UNIQUE INDEX "
                assert sql.startswith(prefix), sql
                sql = "CREATE UNIQUE INDEX CONCURRENTLY " + sql[len(prefix) :]
            else:
                columns = ", ".join(
                    quote(model._meta.get_field(field).column) for field in constraint.fields
                )
                sql = f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {table} ({columns})"
            schema_editor.execute(sql)
        if not partial:
            # Django makes a plain unique constraint a table constraint; so does this.
            schema_editor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}"
            )


class RemoveUniqueConcurrently(migrations.RemoveConstraint):
    """``RemoveConstraint`` that tolerates a constraint already gone, and drops a partial
    unique index concurrently on PostgreSQL."""

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        constraint = from_state.models[app_label, self.model_name_lower].get_constraint_by_name(
            self.name
        )
        quote = schema_editor.quote_name
        if constraint.condition is not None:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quote(self.name)}")
        else:
            schema_editor.execute(
                f"ALTER TABLE {quote(model._meta.db_table)} "
                f"DROP CONSTRAINT IF EXISTS {quote(self.name)}"
            )


class Migration(migrations.Migration):
    #: CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("django_talonone", "0014_application"),
    ]

    operations = [
        AddUniqueConcurrently(
            model_name="audience",
            constraint=models.UniqueConstraint(
                condition=models.Q(("integration_id", ""), _negated=True),
                fields=("application", "integration", "integration_id"),
                name="talonone_audience_unique_integration",
            ),
        ),
        AddUniqueConcurrently(
            model_name="audience",
            constraint=models.UniqueConstraint(
                fields=("application", "talonone_id"), name="talonone_audience_unique_remote"
            ),
        ),
        AddUniqueConcurrently(
            model_name="couponreservation",
            constraint=models.UniqueConstraint(
                fields=("application", "coupon_code", "profile_id"),
                name="talonone_reservation_unique_app",
            ),
        ),
        AddUniqueConcurrently(
            model_name="referralcode",
            constraint=models.UniqueConstraint(
                fields=("application", "campaign_id", "advocate_profile_id", "friend_profile_id"),
                name="talonone_referral_unique_app",
            ),
        ),
        AddUniqueConcurrently(
            model_name="referralcode",
            constraint=models.UniqueConstraint(
                condition=models.Q(("code", ""), _negated=True),
                fields=("application", "code"),
                name="talonone_referral_code_app",
            ),
        ),
        AddUniqueConcurrently(
            model_name="referralcode",
            constraint=models.UniqueConstraint(
                fields=("application", "talonone_id"), name="talonone_referral_unique_remote"
            ),
        ),
        # Only now that every new constraint exists are the old ones dropped.
        RemoveUniqueConcurrently(
            model_name="audience",
            name="talonone_audience_unique_integration_id",
        ),
        RemoveUniqueConcurrently(
            model_name="couponreservation",
            name="talonone_reservation_unique",
        ),
        RemoveUniqueConcurrently(
            model_name="referralcode",
            name="talonone_referral_unique",
        ),
        RemoveUniqueConcurrently(
            model_name="referralcode",
            name="talonone_referral_code",
        ),
        # talonone_id was unique on its own; its uniqueness is now per Application.
        migrations.AlterField(
            model_name="audience",
            name="talonone_id",
            field=models.PositiveBigIntegerField(
                blank=True, null=True, verbose_name="Talon.One id"
            ),
        ),
        migrations.AlterField(
            model_name="referralcode",
            name="talonone_id",
            field=models.PositiveBigIntegerField(
                blank=True, null=True, verbose_name="Talon.One id"
            ),
        ),
    ]
