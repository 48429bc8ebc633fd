"""Theme and service-area names are unique ignoring case. Names already
stored that differ only in case are kept apart first: the oldest keeps its
name, each later one gets " (2)", " (3)"… so nothing tagged with either is
lost or merged without an administrator deciding."""

from django.db import migrations, models
from django.db.models.functions import Lower


def rename_duplicates(apps, schema_editor):
    for model_name in ("Theme", "ServiceArea"):
        model = apps.get_model("core", model_name)
        taken = set()
        later = []
        for item in model.objects.order_by("created_at", "id"):
            if item.name.lower() in taken:
                later.append(item)
            else:
                taken.add(item.name.lower())
        for item in later:
            n = 2
            while f"{item.name} ({n})".lower() in taken:
                n += 1
            item.name = f"{item.name[:110]} ({n})"
            taken.add(item.name.lower())
            item.save(update_fields=["name"])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_audit_verbs"),
    ]

    operations = [
        migrations.RunPython(rename_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="servicearea",
            constraint=models.UniqueConstraint(
                Lower("name"), name="core_servicearea_name_unique_ci",
                violation_error_message="There is already one with that name"),
        ),
        migrations.AddConstraint(
            model_name="theme",
            constraint=models.UniqueConstraint(
                Lower("name"), name="core_theme_name_unique_ci",
                violation_error_message="There is already one with that name"),
        ),
    ]
