"""Every row names its Talon.One Application (issue 18); existing rows are the default's.

Additive and online: each ``AddField`` adds a column with a constant default, which
PostgreSQL (11+) and MySQL (8+) do without rewriting the table. On those two the column
then keeps ``'default'`` as its database default, so a process still running the previous
release during a rolling deploy writes rows the default Application owns instead of
failing. Nothing here builds an index: this migration runs in one transaction, and its
ACCESS EXCLUSIVE locks on the session and outbox tables must last only as long as these
metadata changes. The per-Application unique constraints are built in 0015, concurrently.
"""

from django.db import migrations, models

#: Tables (by model) that receive the column.
TABLES = ("audience", "couponreservation", "customersession", "delivery", "referralcode")


def keep_database_default(apps, schema_editor):
    """Old code that does not name the column still writes the default Application."""
    if schema_editor.connection.vendor not in ("postgresql", "mysql"):
        return  # SQLite rebuilds the table for AddField anyway; nothing to keep online
    quote = schema_editor.quote_name
    for name in TABLES:
        table = apps.get_model("django_talonone", name)._meta.db_table
        schema_editor.execute(
            f"ALTER TABLE {quote(table)} ALTER COLUMN {quote('application')} SET DEFAULT 'default'"
        )


def drop_database_default(apps, schema_editor):
    if schema_editor.connection.vendor not in ("postgresql", "mysql"):
        return
    quote = schema_editor.quote_name
    for name in TABLES:
        table = apps.get_model("django_talonone", name)._meta.db_table
        schema_editor.execute(
            f"ALTER TABLE {quote(table)} ALTER COLUMN {quote('application')} DROP DEFAULT"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("django_talonone", "0013_delivery_kicked_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="audience",
            name="application",
            field=models.CharField(
                default="default",
                help_text="The configured Talon.One Application this row belongs to.",
                max_length=32,
                verbose_name="Talon.One Application",
            ),
        ),
        migrations.AddField(
            model_name="couponreservation",
            name="application",
            field=models.CharField(
                default="default",
                help_text="The configured Talon.One Application this row belongs to.",
                max_length=32,
                verbose_name="Talon.One Application",
            ),
        ),
        migrations.AddField(
            model_name="customersession",
            name="application",
            field=models.CharField(
                default="default",
                help_text="The configured Talon.One Application this row belongs to.",
                max_length=32,
                verbose_name="Talon.One Application",
            ),
        ),
        migrations.AddField(
            model_name="delivery",
            name="application",
            field=models.CharField(
                default="default",
                help_text="The configured Talon.One Application this row belongs to.",
                max_length=32,
                verbose_name="Talon.One Application",
            ),
        ),
        migrations.AddField(
            model_name="referralcode",
            name="application",
            field=models.CharField(
                default="default",
                help_text="The configured Talon.One Application this row belongs to.",
                max_length=32,
                verbose_name="Talon.One Application",
            ),
        ),
        migrations.RunPython(keep_database_default, drop_database_default, elidable=True),
    ]
