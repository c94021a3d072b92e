from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_order_currency"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="points_to_spend",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True),
        ),
    ]
