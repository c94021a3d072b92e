from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cart", "0002_cart_currency"),
    ]

    operations = [
        migrations.AddField(
            model_name="cart",
            name="points_to_spend",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True),
        ),
    ]
