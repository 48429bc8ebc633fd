"""Every read of reports, and the figures of the "We are listening" page."""

import statistics as stats
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.cache import derived as cache
from core.models import Organisation
from core.roles import organisation_ids_with_role
from core.working_days import working_days_between
from feedback import selectors as feedback_selectors
from feedback.loop_figures import loop_figures
from feedback.models import Feedback, Quote, SurveyStatistic

from .models import Report, ReportItem, ReportSeries, ReportTopic, UsefulCount, series_order_key

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


def theme_given_to_for(report: Report) -> dict[int, dict[str, int]]:
    """{theme id: {organisation's public name: n}}: who the feedback that
    theme_counts_for counts was given to (the report's organisation, or
    another that shared it with it). Two queries."""
    theme_ids = [t for t in report.items.values_list("theme_id", flat=True) if t]
    if not theme_ids:
        return {}
    counts = feedback_selectors.theme_counts_by_given_to(
        organisation_id=report.organisation_id, since=report.period_start,
        until=report.period_end, theme_ids=theme_ids)
    org_ids = {org_id for by_org in counts.values() for org_id in by_org}
    names = {o.pk: o.display_name for o in Organisation.objects.filter(pk__in=org_ids)}
    named: dict[int, dict[str, int]] = {}
    for theme_id, by_org in counts.items():
        for org_id, n in by_org.items():
            by_name = named.setdefault(theme_id, {})
            by_name[names[org_id]] = by_name.get(names[org_id], 0) + n
    return named


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


def series_reports(series: ReportSeries) -> list[Report]:
    """The current published version of every report in a series, newest
    first (series_order_key: a full report before the interim updates it
    replaces). One query."""
    reports = (Report.objects.filter(series=series, status=Report.Status.PUBLISHED)
               .select_related("organisation", "service_area"))
    return sorted(reports, key=series_order_key, reverse=True)


def series_neighbours(report: Report) -> tuple[Report | None, Report | None]:
    """The published reports of the same series just before and after this
    one in the series' order (series_order_key), so walking next from the
    first, or previous from the last, meets every report once (one query)."""
    if not report.series_id:
        return None, None
    siblings = list(Report.objects.filter(series_id=report.series_id,
                                          status=Report.Status.PUBLISHED)
                    .exclude(slug=report.slug)
                    .only("slug", "version", "title", "period_start", "period_end",
                          "period_kind", "series_id", "edition", "published_at",
                          "first_published_on"))
    here = series_order_key(report)
    earlier = [r for r in siblings if series_order_key(r) < here]
    later = [r for r in siblings if series_order_key(r) > here]
    return (max(earlier, key=series_order_key) if earlier else None,
            min(later, key=series_order_key) if later else None)


def useful_counts(report: Report) -> UsefulCount:
    return UsefulCount.objects.filter(report=report).first() or UsefulCount(report=report)


def report_public(slug: str, version: int | None = None, *, with_items: bool = True
                  ) -> Report | None:
    """A published (or superseded, or withdrawn) version. Without items when
    the page has them from the cache (see report_items_prefetch)."""
    qs = Report.objects.filter(slug=slug, status__in=PUBLIC_STATUSES)
    if version is not None:
        qs = qs.filter(version=version)
    else:
        # The newest published version; a withdrawn one answers 410 Gone (the view).
        qs = qs.exclude(status=Report.Status.SUPERSEDED).order_by("-version")
    qs = qs.select_related("service_area", "organisation", "series", "local_offer")
    return (qs.prefetch_related(_items_prefetch()) if with_items else qs).first()


def report_items_prefetch(report: Report) -> None:
    """Load a report's items with their quotes, statistics and actions (for
    a report read without them)."""
    prefetch_related_objects([report], _items_prefetch())


def reports_items_prefetch(reports: list[Report]) -> None:
    """The same for many reports at once (the open data's items file): five
    queries however many reports."""
    prefetch_related_objects(reports, _items_prefetch())


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


def series_for_staff(user) -> QuerySet[ReportSeries]:
    """The series of the person's own organisations (like their reports)."""
    from .rules import STAFF_READERS

    return ReportSeries.objects.filter(organisation_id__in=organisation_ids_with_role(
        user, STAFF_READERS)).select_related("organisation")


def series_reports_for_staff(series: ReportSeries) -> list[Report]:
    """Every report in a series, drafts too, newest first (one version each:
    the published one, else the newest)."""
    newest: dict[str, Report] = {}
    for report in (Report.objects.filter(series=series).exclude(status=Report.Status.SUPERSEDED)
                   .only("slug", "version", "title", "status", "period_start", "period_end",
                         "period_kind", "edition", "published_at", "first_published_on")
                   .order_by("slug", "-version")):
        kept = newest.get(report.slug)
        if kept is None or (report.status == Report.Status.PUBLISHED
                            and kept.status != Report.Status.PUBLISHED):
            newest[report.slug] = report
    return sorted(newest.values(), key=series_order_key, reverse=True)


def report_for_staff(pk: int, user) -> Report:
    """One report for the staff editor; DoesNotExist when it is not the
    person's to see, so another partner's draft answers like a missing one."""
    return (reports_for_staff(user).select_related("service_area", "approved_by", "series",
                                                   "useful_count", "local_offer")
            .prefetch_related(_items_prefetch()).get(pk=pk))


def search(queryset: QuerySet[Report], text: str) -> QuerySet[Report]:
    """Full-text search on Postgres (English stemming, web-style queries);
    a plain substring search elsewhere."""
    text = text.strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        # The stored document (reports.services.search_documents_refresh),
        # read through its GIN index.
        return queryset.filter(search_document=SearchQuery(text, config="english",
                                                           search_type="websearch"))
    return queryset.filter(Q(title__icontains=text) | Q(summary__icontains=text)
                           | Q(items__you_said__icontains=text)
                           | Q(items__we_did__icontains=text)).distinct()


def closing_the_loop_figures(today=None) -> dict:
    """Honest figures for the last 12 months, computed from the feedback.

    Counts individual feedback; survey answers (answered together in their
    report) and "Was this page useful?" clicks are counted apart and not in
    the share answered or the time to answer. Two queries: working days are
    counted once per distinct (received, answered) pair of dates, not per row.
    """
    today = today or timezone.localdate()
    since = today - timedelta(days=365)
    recent = Feedback.objects.filter(received_on__gt=since, received_on__lte=today).order_by()
    not_individual = Q(channel__in=[Feedback.Channel.SURVEY, Feedback.Channel.PAGE_USEFUL])
    totals = recent.aggregate(received=Count("pk", filter=~not_individual),
                              survey_answers=Count("pk", filter=Q(channel=Feedback.Channel.SURVEY)))
    pairs = (recent.exclude(not_individual).filter(responded_at__isnull=False)
             .annotate(answered_on=TruncDate("responded_at"))
             .values_list("received_on", "answered_on").annotate(n=Count("pk")))
    days: list[int] = []
    for received_on, answered_on, n in pairs:
        days.extend([working_days_between(received_on, answered_on)] * n)
    received = totals["received"]
    return {
        # Outcomes, not only replies (feedback/loop_figures.py): three queries.
        "loop": loop_figures(since=since + timedelta(days=1), until=today),
        "since": since + timedelta(days=1),
        "received": received,
        "survey_answers": totals["survey_answers"],
        "answered": len(days),
        "answered_percent": round(100 * len(days) / received) if received else None,
        "median_working_days": round(stats.median(days)) if days else None,
    }


HOME_FIGURES_KEY = "reports:home-figures"


def home_figures_refresh() -> dict:
    """Compute the home page's figures and keep them for the home page.
    Beat runs it every HOME_FIGURES_REFRESH_SECONDS (reports.tasks)."""
    figures = closing_the_loop_figures()
    cache.set(HOME_FIGURES_KEY, figures, 3 * settings.HOME_FIGURES_REFRESH_SECONDS)
    return figures


def home_figures() -> dict:
    """The figures as beat last computed them (computed now if missing or
    from another day), so a busy home page never counts 12 months of feedback."""
    figures = cache.get(HOME_FIGURES_KEY)
    if figures is None or figures["since"] != timezone.localdate() - timedelta(days=364):
        figures = home_figures_refresh()
    return figures


def report_public_by_pk(pk: int) -> Report | None:
    return (Report.objects.filter(pk=pk, status__in=PUBLIC_STATUSES)
            .select_related("service_area", "organisation", "series", "local_offer")
            .prefetch_related(_items_prefetch()).first())
