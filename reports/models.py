"""“You said, we did” reports.

A report has versions that share a slug: /reports/<slug>/ shows the newest
published one, /reports/<slug>/v/<n>/ any published version, so a link
made to an older version keeps working after a new one is published.

A report shows families' words only through approved, redacted quotes
(feedback.Quote); how many people raised a theme is counted from feedback,
never typed, and frozen into the item when the report is published.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.models import Organisation, ServiceArea, Theme, TimeStampedModel


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
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    pdf_state = models.CharField(max_length=10, choices=PdfState.choices, default=PdfState.NONE)
    pdf_file = models.FileField(upload_to="reports/", blank=True)
    pdf_error = models.CharField(max_length=300, blank=True)
    pdf_attempts = models.PositiveSmallIntegerField(default=0)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)

    # The archive's full-text search document (title A, summary B, items C),
    # written by services.search_documents_refresh when a report is published,
    # so a search reads a GIN index instead of parsing every report. Postgres
    # only; elsewhere it stays empty and search falls back to substrings.
    search_document = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="report_version_unique"),
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
    def is_public(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.SUPERSEDED,
                               self.Status.WITHDRAWN)


class ReportItem(TimeStampedModel):
    class Outcome(models.TextChoices):
        DONE = "done", "Done"
        IN_PROGRESS = "in_progress", "In progress"
        NOT_POSSIBLE = "not_possible", "Not possible"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField(max_length=200, help_text="Usually the theme, in plain words.")
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="report_items",
                              help_text="Leave empty for things that came from outside the portal.")
    you_said = models.TextField(help_text="What families told us, in summary. No names.")
    raised_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="Frozen when the report is published; live until then.")
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

    class Meta:
        ordering = ["report", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(outcome="not_possible") | ~Q(rationale=""),
                                   name="report_item_not_possible_needs_rationale"),
        ]

    def __str__(self) -> str:
        return self.heading
