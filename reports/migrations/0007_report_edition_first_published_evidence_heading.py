"""Reports gain an edition (full report or interim update), a first-published
date for back-filled reports, the heading of the table's third column, and
who each counted piece of feedback was given to.

Existing reports are full reports, except those that read as updates: a
title that says "update" or "interim", or a report of a series that starts
on the same day as a longer report of that series (the interim update of its
year). Nothing else changes.
"""

import re

from django.db import migrations, models

UPDATE_WORDS = re.compile(r"\b(update|interim)\b", re.IGNORECASE)


def mark_interim_updates(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    updates = set()
    rows = list(Report.objects.values_list("pk", "title", "series_id", "period_start",
                                           "period_end"))
    longest = {}
    for _pk, _title, series_id, start, end in rows:
        if series_id:
            key = (series_id, start)
            longest[key] = max(longest.get(key, end), end)
    for pk, title, series_id, start, end in rows:
        if UPDATE_WORDS.search(title) or (series_id and end < longest[(series_id, start)]):
            updates.add(pk)
    Report.objects.filter(pk__in=updates).update(edition="update")


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0006_report_one_published_one_in_progress'),
    ]

    operations = [
        migrations.AddField(
            model_name='report',
            name='edition',
            field=models.CharField(choices=[('full', 'Full report'), ('update', 'Interim update')], default='full', max_length=10),
        ),
        migrations.AddField(
            model_name='report',
            name='evidence_heading',
            field=models.CharField(default='Evidence', max_length=60),
        ),
        migrations.AddField(
            model_name='report',
            name='first_published_on',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='reportitem',
            name='raised_given_to',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(mark_interim_updates, migrations.RunPython.noop),
    ]
