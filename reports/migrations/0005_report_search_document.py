import django.contrib.postgres.search
from django.db import migrations

from reports.services import SEARCH_DOCUMENT_SQL


def index_and_fill(apps, schema_editor):
    """The GIN index and the documents of reports already published. Postgres
    only: on SQLite (make run) the column stays empty and search uses substrings."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE INDEX IF NOT EXISTS report_search_document_gin "
                          "ON reports_report USING gin (search_document)")
    Report = apps.get_model("reports", "Report")
    ids = list(Report.objects.values_list("pk", flat=True))
    if ids:
        schema_editor.execute(SEARCH_DOCUMENT_SQL, [ids])


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS report_search_document_gin")


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0004_edit_lock_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(index_and_fill, drop_index),
    ]
