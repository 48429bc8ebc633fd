"""One number per action under a priority ("3.2" named two actions when two
were added at the same moment). Duplicates already stored are renumbered
first: the oldest keeps its number, each later one gets the next free number
under its priority, so the migration never fails on existing data."""

from django.db import migrations, models


def renumber_duplicates(apps, schema_editor):
    Action = apps.get_model("actionplan", "Action")
    seen: dict[int, set[str]] = {}
    duplicates = []
    for action in Action.objects.exclude(reference="").order_by("priority_id", "created_at", "id"):
        taken = seen.setdefault(action.priority_id, set())
        if action.reference in taken:
            duplicates.append(action)
        else:
            taken.add(action.reference)
    for action in duplicates:
        taken = seen[action.priority_id]
        number = action.priority.number
        n = len(taken) + 1
        while f"{number}.{n}" in taken:
            n += 1
        action.reference = f"{number}.{n}"
        taken.add(action.reference)
        action.save(update_fields=["reference"])


class Migration(migrations.Migration):

    dependencies = [
        ("actionplan", "0002_edit_lock_version"),
    ]

    operations = [
        migrations.RunPython(renumber_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="action",
            constraint=models.UniqueConstraint(
                condition=models.Q(("reference", ""), _negated=True),
                fields=("priority", "reference"),
                name="action_unique_reference_in_priority",
                violation_error_message="Another action already has this number"),
        ),
    ]
