"""The price list refers to the parts catalogue (issue 11: one source of price): every existing
price row gets the catalogue part of its code, created from the row's name and unit when the
catalogue does not have it yet (the newest list's name wins)."""

import django.db.models.deletion
from django.db import migrations, models


def link_prices_to_parts(apps, schema_editor):
    Part = apps.get_model("parts", "Part")
    PartPrice = apps.get_model("billing", "PartPrice")
    parts = {part.code: part for part in Part.objects.all()}
    for price in PartPrice.objects.order_by("-price_list__effective_from", "id"):
        part = parts.get(price.code)
        if part is None:
            part = Part.objects.create(
                code=price.code, name=price.name or price.code, uom=price.unit_of_measure or "个"
            )
            parts[price.code] = part
        price.part_id = part.pk
        price.save(update_fields=["part"])


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("parts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="partprice",
            name="part",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="prices",
                to="parts.part",
                verbose_name="part",
            ),
        ),
        migrations.RunPython(link_prices_to_parts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="partprice",
            name="part",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="prices",
                to="parts.part",
                verbose_name="part",
            ),
        ),
    ]
