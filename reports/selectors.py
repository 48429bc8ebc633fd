"""Every read of reports, and the figures of the "We are listening" page."""

import statistics as stats
from datetime import timedelta

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from core.roles import organisation_ids_with_role
from core.working_days import working_days_between
from feedback import selectors as feedback_selectors
from feedback.models import Feedback, Quote, SurveyStatistic

from .models import Report, ReportItem, ReportSeries, ReportTopic, UsefulCount

PUBLIC_STATUSES = (Report.Status.PUBLISHED, Report.Status.SUPERSEDED, Report.Status.WITHDRAWN)


def theme_counts_for(report: Report) -> dict[int, dict[str, int]]:
    """{theme id: {channel: n}}: the pieces of feedback that raised each of the
    report's themes in its period, counting only feedback the report's
    organisation answers or that was shared with it (never the whole
    partnership's), and not survey answers (those have the survey's own n)."""
    theme_ids = [t for t in report.items.values_list("theme_id", flat=True) if t]
    if not theme_ids:
        return {}
    return feedback_selectors.theme_counts_by_channel(
        organisation_id=report.organisation_id, since=report.period_start,
        until=report.period_end, theme_ids=theme_ids)


def _items_queryset():
    return ReportItem.objects.select_related("theme").prefetch_related(
        Prefetch("quotes", queryset=Quote.objects.filter(status=Quote.Status.APPROVED)),
        Prefetch("statistics", queryset=SurveyStatistic.objects.select_related("survey_import")),
        "actions",
    ).order_by("position", "id")


def _items_prefetch() -> Prefetch:
    """Topics in order, each with its items (and their quotes, statistics and actions)."""
    return Prefetch("topics", queryset=ReportTopic.objects.prefetch_related(
        Prefetch("items", queryset=_items_queryset())).order_by("position", "id"))


def reports_published() -> QuerySet[Report]:
    """The archive: the current published version of each report."""
    return (Report.objects.filter(status=Report.Status.PUBLISHED)
            .select_related("service_area", "organisation", "series")
            .order_by("-published_at", "-id"))


def archive_years() -> list[int]:
    """Every year some published report's period touches, newest first."""
    years: set[int] = set()
    for start, end in (Report.objects.filter(status=Report.Status.PUBLISHED)
                       .values_list("period_start", "period_end")):
        years.update(range(start.year, end.year + 1))
    return sorted(years, reverse=True)


def series_public(slug: str) -> ReportSeries | None:
    return ReportSeries.objects.filter(slug=slug).select_related("organisation").first()


def series_reports(series: ReportSeries) -> QuerySet[Report]:
    """The current published version of every report in a series, newest period first."""
    return (Report.objects.filter(series=series, status=Report.Status.PUBLISHED)
            .select_related("organisation", "service_area")
            .order_by("-period_start", "-published_at", "-id"))


def series_neighbours(report: Report) -> tuple[Report | None, Report | None]:
    """The published reports of the same series just before and after this
    one's period (one query)."""
    if not report.series_id:
        return None, None
    siblings = list(Report.objects.filter(series_id=report.series_id,
                                          status=Report.Status.PUBLISHED)
                    .exclude(slug=report.slug)
                    .only("slug", "version", "title", "period_start", "period_end",
                          "period_kind", "series_id")
                    .order_by("period_start", "id"))
    earlier = [r for r in siblings if r.period_start < report.period_start]
    later = [r for r in siblings if r.period_start >= report.period_start]
    return (earlier[-1] if earlier else None), (later[0] if later else None)


def useful_counts(report: Report) -> UsefulCount:
    return UsefulCount.objects.filter(report=report).first() or UsefulCount(report=report)


def report_public(slug: str, version: int | None = None) -> Report | None:
    qs = Report.objects.filter(slug=slug, status__in=PUBLIC_STATUSES)
    if version is not None:
        qs = qs.filter(version=version)
    else:
        # The newest published version; a withdrawn one answers 410 Gone (the view).
        qs = qs.exclude(status=Report.Status.SUPERSEDED).order_by("-version")
    return (qs.select_related("service_area", "organisation", "series")
            .prefetch_related(_items_prefetch()).first())


def report_versions(slug: str) -> QuerySet[Report]:
    return (Report.objects.filter(slug=slug, status__in=PUBLIC_STATUSES)
            .only("slug", "version", "status", "published_at", "withdrawn_at")
            .order_by("-version"))


def reports_for_staff(user) -> QuerySet[Report]:
    """Every version of the reports of the person's own organisations (where
    they are an officer, approver or administrator). Another partner's
    drafts stay theirs; its published reports are on the public site."""
    from .rules import STAFF_READERS

    return (Report.objects.filter(organisation_id__in=organisation_ids_with_role(
        user, STAFF_READERS)).select_related("organisation", "author")
            .order_by("slug", "-version"))


def report_for_staff(pk: int, user) -> Report:
    """One report for the staff editor; DoesNotExist when it is not the
    person's to see, so another partner's draft answers like a missing one."""
    return (reports_for_staff(user).select_related("service_area", "approved_by", "series",
                                                   "useful_count")
            .prefetch_related(_items_prefetch()).get(pk=pk))


def search(queryset: QuerySet[Report], text: str) -> QuerySet[Report]:
    """Full-text search on Postgres (English stemming, web-style queries);
    a plain substring search elsewhere."""
    text = text.strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = (SearchVector("title", weight="A", config="english")
                  + SearchVector("summary", weight="B", config="english")
                  + SearchVector("items__heading", "items__you_said", "items__we_did",
                                 "items__what_next", weight="C", config="english"))
        matches = (Report.objects.annotate(document=vector)
                   .filter(document=SearchQuery(text, config="english", search_type="websearch"))
                   .values("pk"))
        return queryset.filter(pk__in=matches)
    return queryset.filter(Q(title__icontains=text) | Q(summary__icontains=text)
                           | Q(items__you_said__icontains=text)
                           | Q(items__we_did__icontains=text)).distinct()


def closing_the_loop_figures(today=None) -> dict:
    """Honest figures for the last 12 months, computed from the feedback.

    Counts individual feedback; survey answers (answered together in their
    report) and "Was this page useful?" clicks are counted apart and not in
    the share answered or the time to answer.
    """
    today = today or timezone.localdate()
    since = today - timedelta(days=365)
    recent = Feedback.objects.filter(received_on__gt=since, received_on__lte=today)
    individual = recent.exclude(channel__in=[Feedback.Channel.SURVEY,
                                             Feedback.Channel.PAGE_USEFUL])
    received = individual.count()
    answered = list(individual.filter(responded_at__isnull=False)
                    .values_list("received_on", "responded_at"))
    days = [working_days_between(r, timezone.localtime(at).date()) for r, at in answered]
    return {
        "since": since + timedelta(days=1),
        "received": received,
        "survey_answers": recent.filter(channel=Feedback.Channel.SURVEY).count(),
        "answered": len(answered),
        "answered_percent": round(100 * len(answered) / received) if received else None,
        "median_working_days": round(stats.median(days)) if days else None,
    }


def report_public_by_pk(pk: int) -> Report | None:
    return (Report.objects.filter(pk=pk, status__in=PUBLIC_STATUSES)
            .select_related("service_area", "organisation", "series")
            .prefetch_related(_items_prefetch()).first())
