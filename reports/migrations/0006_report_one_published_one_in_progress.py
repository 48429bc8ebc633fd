"""At most one published and one in-progress (draft, in review, approved)
version of a report. Any duplicates already stored are settled first, losing
nothing and publishing nothing:
- of several published versions the newest stays published and the older
  ones become superseded (what publishing a new version does);
- of several in progress the newest stays; each older one is moved to a
  report of its own (its slug gets "-copy-<id>"), still a draft only staff
  see, so its author can finish or delete it.
"""

from django.db import migrations, models
from django.db.models import Q

IN_PROGRESS = ["draft", "in_review", "approved"]


def settle_duplicates(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    slugs = (Report.objects.filter(status="published").order_by().values("slug")
             .annotate(n=models.Count("id")).filter(n__gt=1).values_list("slug", flat=True))
    for slug in list(slugs):
        newest, *older = Report.objects.filter(slug=slug, status="published").order_by(
            "-version")
        Report.objects.filter(pk__in=[r.pk for r in older]).update(status="superseded")
    slugs = (Report.objects.filter(status__in=IN_PROGRESS).order_by().values("slug")
             .annotate(n=models.Count("id")).filter(n__gt=1).values_list("slug", flat=True))
    for slug in list(slugs):
        newest, *older = Report.objects.filter(slug=slug, status__in=IN_PROGRESS).order_by(
            "-version")
        for report in older:
            suffix = f"-copy-{report.pk}"
            Report.objects.filter(pk=report.pk).update(slug=slug[:120 - len(suffix)] + suffix)


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0005_report_search_document"),
    ]

    operations = [
        migrations.RunPython(settle_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(condition=Q(status="published"), fields=("slug",),
                                               name="report_one_published_version"),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(condition=Q(status__in=IN_PROGRESS),
                                               fields=("slug",),
                                               name="report_one_version_in_progress"),
        ),
    ]
