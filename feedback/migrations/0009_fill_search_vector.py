"""Index the words of feedback stored before the search existed."""

from django.contrib.postgres.search import SearchVector
from django.db import migrations

BATCH = 5000


def fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Feedback = apps.get_model("feedback", "Feedback")
    # The same expression as feedback.models.text_search_vector(), written out
    # so that this migration keeps working if that one changes.
    vector = SearchVector("what_went_well", "even_better_if", config="english")
    # In batches of ids, so five years of rows are not rewritten in one statement.
    last = 0
    while True:
        ids = list(Feedback.objects.filter(pk__gt=last, search_vector__isnull=True)
                   .order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        Feedback.objects.filter(pk__in=ids).update(search_vector=vector)
        last = ids[-1]


class Migration(migrations.Migration):

    dependencies = [
        ('feedback', '0008_feedback_search_vector'),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
