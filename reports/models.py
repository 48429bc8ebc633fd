"""“You said, we did” reports.

A report has versions that share a slug: /reports/<slug>/ shows the newest
published one, /reports/<slug>/v/<n>/ any published version, so a link
made to an older version keeps working after a new one is published.

A report shows families' words only through approved, redacted quotes
(feedback.Quote); how many people raised a theme is counted from feedback,
never typed, and frozen into the item when the report is published.
"""

import calendar
import re
from datetime import date

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.concurrency import lock_version_field
from core.models import Organisation, ServiceArea, Theme, TimeStampedModel


class ReportSeries(TimeStampedModel):
    """Reports published again and again under one name ("Local Offer annual
    feedback report"): /reports/series/<slug>/ lists them all, the current
    one first. Renaming keeps the slug, so links made to the series work."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="report_series")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "report series"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"],
                                    name="report_series_unique_name_per_organisation"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reports:series", args=[self.slug])


def _month_span(start: date, end: date) -> str:
    """"September 2025 to August 2026" when the period is whole months, else
    the exact dates."""
    whole = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    if whole:
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%B %Y}"
        if start.year == end.year:
            return f"{start:%B} to {end:%B %Y}"
        return f"{start:%B %Y} to {end:%B %Y}"
    return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"


class Report(TimeStampedModel):
    class Kind(models.TextChoices):
        ANNUAL_SURVEY = "annual_survey", "Annual survey"
        LOCAL_OFFER = "local_offer", "Local Offer feedback"
        QUALITY_ASSURANCE = "quality_assurance", "Service quality assurance"
        EVENT = "event", "Event or consultation"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Replaced by a newer version"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class PeriodKind(models.TextChoices):
        ACADEMIC_YEAR = "academic_year", "Academic year (1 September to 31 August)"
        FINANCIAL_YEAR = "financial_year", "Financial year (1 April to 31 March)"
        CALENDAR_YEAR = "calendar_year", "Calendar year"
        CUSTOM = "custom", "Other dates"

    class Layout(models.TextChoices):
        SECTIONS = "sections", "Sections: each item under its own headings"
        TABLE = "table", "Table: “You said”, “We did” and “Evidence” columns under each topic"

    class Edition(models.TextChoices):
        # In a series, a full report replaces the interim updates of its period
        # and comes after them (series_order_key).
        FULL = "full", "Full report"
        UPDATE = "update", "Interim update"

    class PdfState(models.TextChoices):
        NONE = "none", "Not made"
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    slug = models.SlugField(max_length=120)
    version = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    period_kind = models.CharField(max_length=20, choices=PeriodKind.choices,
                                   default=PeriodKind.CUSTOM)
    layout = models.CharField(max_length=10, choices=Layout.choices, default=Layout.SECTIONS)
    edition = models.CharField(max_length=10, choices=Edition.choices, default=Edition.FULL)
    # The table layout's third column ("Evidence", "Evidence or feedback").
    evidence_heading = models.CharField(max_length=60, default="Evidence")
    series = models.ForeignKey(ReportSeries, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="reports")
    audience = models.CharField(max_length=200, blank=True,
                                help_text="Who it is for, e.g. parent carers of children with EHCPs")
    service_area = models.ForeignKey(ServiceArea, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="reports")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="reports")
    summary = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="authored_reports")

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # A report published before it was put on the portal (back-filled): the
    # day it was first published, shown as its publication date. Never after
    # the portal's own publication of it (reports.services checks).
    first_published_on = models.DateField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    pdf_state = models.CharField(max_length=10, choices=PdfState.choices, default=PdfState.NONE)
    pdf_file = models.FileField(upload_to="reports/", blank=True)
    pdf_error = models.CharField(max_length=300, blank=True)
    pdf_attempts = models.PositiveSmallIntegerField(default=0)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    lock_version = lock_version_field()

    # The archive's full-text search document (title A, summary B, items C),
    # written by services.search_documents_refresh when a report is published,
    # so a search reads a GIN index instead of parsing every report. Postgres
    # only; elsewhere it stays empty and search falls back to substrings.
    search_document = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="report_version_unique"),
            # The versions of one report share its slug. /reports/<slug>/
            # shows the one published version, and one new version at a time
            # is worked on: the database refuses a second of either, even
            # when two people press the button at the same moment.
            models.UniqueConstraint(fields=["slug"], condition=Q(status="published"),
                                    name="report_one_published_version"),
            models.UniqueConstraint(fields=["slug"],
                                    condition=Q(status__in=["draft", "in_review", "approved"]),
                                    name="report_one_version_in_progress"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="report_period_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(status="approved") | ~Q(approved_by=models.F("author")),
                name="report_not_approved_by_author",
            ),
        ]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    def get_absolute_url(self) -> str:
        return reverse("reports:version", args=[self.slug, self.version])

    @property
    def pdf_filename(self) -> str:
        return f"{self.slug}-v{self.version}.pdf"

    @property
    def publication_date(self) -> date | None:
        """The day readers are told it was published: when it was first
        published (a back-filled report), else when the portal published it."""
        if self.first_published_on:
            return self.first_published_on
        return timezone.localdate(self.published_at) if self.published_at else None

    @property
    def is_update(self) -> bool:
        return self.edition == self.Edition.UPDATE

    @property
    def workflow_state(self):
        """What this report's state means to the pages (reports.workflow.STATES)."""
        from .workflow import state_of

        return state_of(self)

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.SUPERSEDED,
                               self.Status.WITHDRAWN)

    def clean(self):
        from django.core.exceptions import ValidationError

        error = period_shape_error(self.period_kind, self.period_start, self.period_end)
        if error:
            raise ValidationError({"period_start": error})
        if (self.first_published_on and self.published_at
                and self.first_published_on > timezone.localdate(self.published_at)):
            raise ValidationError({"first_published_on": FIRST_PUBLISHED_AFTER_PORTAL})

    @property
    def period_label(self) -> str:
        """The period in the words people use: "2025–26 academic year",
        "financial year 2025–26", "2026", "September 2025 to August 2026"."""
        start = self.period_start
        if self.period_kind == self.PeriodKind.ACADEMIC_YEAR:
            return f"{start.year}–{(start.year + 1) % 100:02d} academic year"
        if self.period_kind == self.PeriodKind.FINANCIAL_YEAR:
            return f"financial year {start.year}–{(start.year + 1) % 100:02d}"
        if self.period_kind == self.PeriodKind.CALENDAR_YEAR:
            return f"{start.year}"
        return _month_span(start, self.period_end)

    @property
    def period_span(self) -> str:
        return _month_span(self.period_start, self.period_end)

    @property
    def period_description(self) -> str:
        """"2025–26 academic year (September 2025 to August 2026)", or the span alone."""
        if self.period_kind == self.PeriodKind.CUSTOM:
            return self.period_span
        label = self.period_label
        return f"{label[0].upper()}{label[1:]} ({self.period_span})"

    @property
    def is_table(self) -> bool:
        return self.layout == self.Layout.TABLE

    @property
    def period_years(self) -> list[int]:
        """Every calendar year the period touches (the archive lists the report under each)."""
        return list(range(self.period_start.year, self.period_end.year + 1))


FIRST_PUBLISHED_AFTER_PORTAL = ("The date it was first published must be on or before the day "
                                "the portal published it")


def series_order_key(report: Report) -> tuple:
    """A report's place in its series, oldest first: by the end of its period,
    an interim update before the full report of the same period (which
    replaces it), then by the start of the period, the day it was published
    and its slug, so no two reports tie and previous/next walk each once."""
    return (report.period_end, 0 if report.edition == Report.Edition.UPDATE else 1,
            report.period_start, report.publication_date or date.max, report.slug)


# Each named kind of period: first day, last day, and how an error names it.
PERIOD_SHAPES = {
    "academic_year": ((9, 1), (8, 31), "An academic year", "1 September to 31 August"),
    "financial_year": ((4, 1), (3, 31), "A financial year", "1 April to 31 March"),
    "calendar_year": ((1, 1), (12, 31), "A calendar year", "1 January to 31 December"),
}


def period_shape_error(period_kind: str, start: date | None, end: date | None) -> str | None:
    """Why the dates do not make the named kind of period, or None."""
    shape = PERIOD_SHAPES.get(period_kind)
    if not shape or not start or not end:
        return None
    (m1, d1), (m2, d2), name, span = shape
    end_year = start.year if m1 == 1 else start.year + 1
    if (start.month, start.day) != (m1, d1) or end != date(end_year, m2, d2):
        return f"{name} runs from {span}. Choose “Other dates” for any other period"
    return None


class ReportTopic(TimeStampedModel):
    """A heading in a report ("Communication", "The Local Offer website")
    with its items under it, in order."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="topics")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    # In an annual Local Offer report, the regulation 56 code of the comments
    # this topic answers (feedback.LocalOfferCoding.Code); empty elsewhere.
    local_offer_code = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["report", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "title"], name="report_topic_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title


# How a count's source reads in a sentence: "9 people … through the online form".
CHANNEL_WORDS = {
    "web_form": "through the online form", "easy_read": "through the easy-read form",
    "email": "by e-mail", "phone": "by phone", "workshop": "at workshops",
    "focus_group": "in focus groups", "feedback_card": "on feedback cards",
    "complaint": "in complaints", "compliment": "in compliments",
    "self_advocacy_app": "through the self-advocacy app",
}

EVIDENCE_LINK = re.compile(r"^(?P<text>.+?)\s+(?P<url>(https?://|/)\S+)$")


class ReportItem(TimeStampedModel):
    class Outcome(models.TextChoices):
        DONE = "done", "Done"
        IN_PROGRESS = "in_progress", "In progress"
        NOT_POSSIBLE = "not_possible", "Not possible"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="items")
    topic = models.ForeignKey(ReportTopic, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField(max_length=200, blank=True,
                               help_text="Optional: a short heading within the topic.")
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="report_items",
                              help_text="Leave empty for things that came from outside the portal.")
    you_said = models.TextField(help_text="What families told us, in summary. No names.")
    raised_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="Frozen when the report is published; live until then.")
    # {channel: n} behind raised_count, frozen with it, so the page can say
    # where the count came from ("9 through the online form, 3 by phone").
    raised_by_channel = models.JSONField(default=dict, blank=True)
    # {organisation's public name: n}: who the feedback was given to, frozen
    # with the count, so the page never says it was raised with the report's
    # organisation when it was given to another and shared with it.
    raised_given_to = models.JSONField(default=dict, blank=True)
    quotes = models.ManyToManyField("feedback.Quote", blank=True, related_name="report_items")
    statistics = models.ManyToManyField("feedback.SurveyStatistic", blank=True,
                                        related_name="report_items")
    we_did = models.TextField()
    actions = models.ManyToManyField("actionplan.Action", blank=True, related_name="report_items")
    commitments = models.ManyToManyField(
        "charter.Commitment", blank=True, related_name="report_items",
        help_text="Charter commitments this item shows being kept; linked as evidence when "
                  "the report is published.")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    rationale = models.TextField(blank=True, help_text="Why it was not possible.")
    what_next = models.TextField(blank=True)
    evidence = models.TextField(
        blank=True, help_text="How people can see it happened: a sentence or two.")
    evidence_links = models.TextField(
        blank=True, help_text="One link a line: its text, a space, then its address "
                              "(https://… or /…).")
    lock_version = lock_version_field()

    class Meta:
        ordering = ["report", "topic__position", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(outcome="not_possible") | ~Q(rationale=""),
                                   name="report_item_not_possible_needs_rationale"),
            # Positions count within a topic. Checked at commit, so moving items
            # (one row at a time) may pass through a tie; two items added at
            # once never end up sharing one.
            models.UniqueConstraint(fields=["topic", "position"],
                                    name="report_item_position_unique_in_topic",
                                    deferrable=models.Deferrable.DEFERRED),
        ]

    def __str__(self) -> str:
        return self.heading or self.you_said[:60]

    @property
    def raised_sources(self) -> list[str]:
        """Where the count came from, largest first: ["9 through the online form", "3 by phone"]."""
        parts = sorted(self.raised_by_channel.items(), key=lambda kv: (-kv[1], kv[0]))
        return [f"{n} {CHANNEL_WORDS.get(channel, 'in other ways')}" for channel, n in parts]

    @property
    def raised_single_source(self) -> str:
        """The channel's words when everyone came through one ("through the online form")."""
        if len(self.raised_by_channel) == 1:
            return CHANNEL_WORDS.get(next(iter(self.raised_by_channel)), "")
        return ""

    @property
    def raised_with(self) -> list[str]:
        """Who it was raised with, most first: ["Testshire County Council"], or
        with counts when there were several: ["Testshire County Council (2)", …]."""
        parts = sorted(self.raised_given_to.items(), key=lambda kv: (-kv[1], kv[0]))
        if len(parts) == 1:
            return [parts[0][0]]
        return [f"{name} ({n})" for name, n in parts]

    @property
    def is_in_progress(self) -> bool:
        return self.outcome == self.Outcome.IN_PROGRESS

    @property
    def outcome_tag_class(self) -> str:
        return {self.Outcome.DONE: "govuk-tag--green", self.Outcome.IN_PROGRESS: "govuk-tag--blue",
                self.Outcome.NOT_POSSIBLE: "govuk-tag--orange"}.get(self.outcome, "")

    @property
    def evidence_link_list(self) -> list[dict[str, str]]:
        links = []
        for line in self.evidence_links.splitlines():
            match = EVIDENCE_LINK.match(line.strip())
            if match:
                links.append({"text": match["text"], "url": match["url"]})
        return links

    def clean(self):
        from django.core.exceptions import ValidationError

        for n, line in enumerate(self.evidence_links.splitlines(), 1):
            if line.strip() and not EVIDENCE_LINK.match(line.strip()):
                raise ValidationError({"evidence_links": f"Line {n}: write the link's text, a "
                                       "space, then an address starting https:// or /"})


class UsefulCount(models.Model):
    """"Was this page useful?" answers for one version of a report: counted,
    not stored one by one (a bare yes or no needs no one to read it)."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, primary_key=True,
                                  related_name="useful_count")
    yes = models.PositiveIntegerField(default=0)
    no = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.report}: {self.yes} yes, {self.no} no"


class LocalOfferReport(models.Model):
    """What an annual Local Offer report (SEND Regulations 2014, reg. 56)
    has besides its items: how families were involved in reviewing the Local
    Offer (the officer's words), and the summary figures (numbers only),
    frozen when the report is published (live from the comments until then)."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, primary_key=True,
                                  related_name="local_offer")
    families_involvement = models.TextField(
        blank=True, help_text="How children, young people and families were involved in "
                              "reviewing the Local Offer this year.")
    # feedback.selectors.local_offer_figures, as it was when published.
    figures = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Local Offer report {self.report_id}"

    def rows(self, figures: dict | None = None) -> dict:
        """The figures with their words, in the regulation's order, every
        code and reason shown (0 where none): what the page and PDF print."""
        from feedback.models import Feedback, LocalOfferCoding

        f = figures if figures is not None else self.figures
        channels = dict(Feedback.Channel.choices)
        return {
            "received": f.get("received", 0),
            "left_out": f.get("left_out", 0),
            "not_coded": f.get("not_coded", 0),
            "by_code": [(label, f.get("by_code", {}).get(code, 0))
                        for code, label in LocalOfferCoding.Code.choices],
            "by_reason": [(label, f.get("by_reason", {}).get(code, 0))
                          for code, label in LocalOfferCoding.LeftOut.choices],
            "by_channel": sorted(((channels.get(c, c), n)
                                  for c, n in f.get("by_channel", {}).items()),
                                 key=lambda kv: (-kv[1], kv[0])),
        }


class EvidencePack(TimeStampedModel):
    """What the portal holds about co-production, listening, responding and
    impact for a period, gathered for inspectors or the board: for the
    partnership (no organisation) or one organisation. Its page is read
    live from the portal (reports.evidence); its tagged PDF is made in the
    background (the "evidence_pack_pdf" job) and kept as it was made.

    It holds no one's personal details, and only published or completed
    work (adopted charters, completed audits, published reports and plans):
    another organisation's drafts cannot appear in it."""

    class Area(models.TextChoices):
        # The area SEND inspection framework's areas, and the charter.
        TAKE_PART = "take_part", "How children, young people and families take part in decisions"
        HEARD = "heard", "How their views are heard and acted on"
        DIFFERENCE = "difference", "The difference made"
        CHARTER = "charter", "Our co-production charter"

    class PdfState(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    title = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT,
        related_name="evidence_packs", help_text="Empty for the whole partnership.")
    period_start = models.DateField()
    period_end = models.DateField()
    # {area: heading}, as the administrator wrote them (Area's labels by default).
    headings = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    pdf_state = models.CharField(max_length=10, choices=PdfState.choices,
                                 default=PdfState.PENDING)
    pdf_file = models.FileField(upload_to="evidence-packs/", blank=True)
    pdf_error = models.CharField(max_length=300, blank=True)
    pdf_generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_end", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="evidence_pack_period_in_order"),
            models.CheckConstraint(condition=Q(pdf_state__in=["pending", "ready", "failed"]),
                                   name="evidence_pack_pdf_state_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("staff:evidence-pack:detail", args=[self.pk])

    def heading(self, area: str) -> str:
        return self.headings.get(area) or self.Area(area).label

    @property
    def scope_name(self) -> str:
        return self.organisation.display_name if self.organisation_id else "The partnership"

    @property
    def pdf_filename(self) -> str:
        return f"evidence-pack-{self.pk}.pdf"

    @property
    def pdf_ready(self) -> bool:
        return self.pdf_state == self.PdfState.READY and bool(self.pdf_file)

    @property
    def pdf_failed(self) -> bool:
        return self.pdf_state == self.PdfState.FAILED

    @property
    def heading_texts(self) -> dict[str, str]:
        """{area: heading} for every area, for the templates."""
        return {area.value: self.heading(area.value) for area in self.Area}
