import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations


class AddIndexOnPostgres(migrations.AddIndex):
    """A GIN index exists only on Postgres; `make run`'s SQLite file has the
    column (always empty) and searches with icontains instead."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ('feedback', '0007_open_feedback_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='feedback',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        AddIndexOnPostgres(
            model_name='feedback',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search_vector'], name='feedback_search_vector'),
        ),
    ]
