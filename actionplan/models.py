"""Action plans: boards and their meetings, plans with numbered priorities,
multi-agency actions, and the progress history of each action.

An action's current state is its latest progress update. The latest status,
percent and date are also copied onto the action (only by
`services.action_update_progress`) so dashboards can count with aggregates
instead of looking through the history for every action.
"""

import calendar
from datetime import date

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.concurrency import lock_version_field
from core.models import Organisation, Theme, TimeStampedModel, cornerstones_field

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = ["pdf", "docx", "xlsx", "png", "jpg", "jpeg"]


class Board(TimeStampedModel):
    """A governance board, e.g. the Joint Additional Needs Management Board."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    area = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="boards",
                                           help_text="Partners who sit on the board.")
    lock_version = lock_version_field()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("staff:actionplan:board_detail", args=[self.slug])


class Meeting(TimeStampedModel):
    """A board meeting and the actions it reviews. Its board pack is a PDF
    made in the background; `pack_state` says where that work is."""

    class PackState(models.TextChoices):
        NONE = "none", "Not generated"
        PENDING = "pending", "Being generated"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    title = models.CharField(max_length=200)
    location = models.CharField(max_length=200, blank=True)
    reviewed_actions = models.ManyToManyField("Action", blank=True, related_name="meetings")
    minutes = models.TextField(
        blank=True, max_length=5000,
        help_text="The minutes, or a summary of what the meeting discussed and decided.")

    pack_state = models.CharField(max_length=10, choices=PackState.choices,
                                  default=PackState.NONE)
    pack_file = models.FileField(upload_to="actionplan/board-packs/", blank=True)
    pack_error = models.CharField(max_length=300, blank=True)
    pack_requested_at = models.DateTimeField(null=True, blank=True)
    pack_generated_at = models.DateTimeField(null=True, blank=True)
    lock_version = lock_version_field()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pack_state__in=["none", "pending", "ready", "failed"]),
                name="meeting_pack_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%-d %B %Y})"

    def get_absolute_url(self) -> str:
        return reverse("staff:actionplan:meeting_detail", args=[self.pk])


class MeetingDecision(TimeStampedModel):
    """What a meeting decided about one action it reviewed, with a short
    note; the next meeting's board pack repeats it ("decided at the last
    meeting"). One decision per action per meeting: recording it again
    changes it. Written only by services.meeting_record_decision."""

    class Outcome(models.TextChoices):
        NOTED = "noted", "Noted"
        AGREED = "agreed", "Agreed"
        ESCALATED = "escalated", "Escalated"
        CLOSED = "closed", "Closed"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    action = models.ForeignKey("Action", on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    note = models.TextField(blank=True, max_length=1000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["meeting", "action"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "action"],
                                    name="meeting_decision_one_per_action"),
            models.CheckConstraint(
                condition=Q(outcome__in=["noted", "agreed", "escalated", "closed"]),
                name="meeting_decision_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.action_id}: {self.outcome}"


class Plan(TimeStampedModel):
    """A strategy or action plan with numbered priorities."""

    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=200, unique=True)
    area = models.CharField(max_length=100)
    period_start = models.DateField()
    period_end = models.DateField()
    review_date = models.DateField(null=True, blank=True)
    board = models.ForeignKey(Board, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="plans", help_text="The board that owns the plan.")
    summary = models.TextField(blank=True)
    is_published = models.BooleanField(default=True,
                                       help_text="Whether its public actions appear on the public page.")
    # The area SEND inspection this plan answers: the day its report was
    # published, its outcome in words, and when the monitoring inspection is
    # expected (MONITORING_AFTER_MONTHS after the report unless changed).
    # The plan's priorities are the inspection's areas for improvement.
    inspection_report_on = models.DateField(null=True, blank=True)
    inspection_outcome = models.CharField(max_length=300, blank=True)
    monitoring_due_on = models.DateField(null=True, blank=True)
    lock_version = lock_version_field()

    class Meta:
        ordering = ["-period_start", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="plan_period_ends_after_start"),
            # The outcome and monitoring date only with the report's date; the
            # monitoring inspection after the report. One constraint: each is
            # a query when full_clean() validates it.
            models.CheckConstraint(
                condition=Q(inspection_report_on__isnull=True, inspection_outcome="",
                            monitoring_due_on__isnull=True)
                | Q(inspection_report_on__isnull=False, monitoring_due_on__isnull=True)
                | Q(monitoring_due_on__gte=models.F("inspection_report_on")),
                name="plan_inspection_dates_in_order"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("actionplan:plan", args=[self.slug])


# Ofsted and CQC usually return for a monitoring inspection about 18 months
# after an area SEND inspection's report.
MONITORING_AFTER_MONTHS = 18


def months_after(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Priority(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    lock_version = lock_version_field()

    class Meta:
        ordering = ["plan", "number"]
        verbose_name_plural = "priorities"
        constraints = [
            # Checked at commit, so reordering (core.ordering) can swap two
            # numbers in one UPDATE.
            models.UniqueConstraint(fields=["plan", "number"], name="priority_unique_number_in_plan",
                                    deferrable=models.Deferrable.DEFERRED),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Status(models.TextChoices):
    """Where an action stands. Red, amber and green are said in words too,
    so nobody has to tell colours apart."""

    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track (green)"
    AT_RISK = "at_risk", "At risk (amber)"
    OFF_TRACK = "off_track", "Off track (red)"
    COMPLETE = "complete", "Complete"
    CANCELLED = "cancelled", "Cancelled"


CLOSED_STATUSES = frozenset({Status.COMPLETE, Status.CANCELLED})
OPEN_STATUSES = [s for s in Status.values if s not in CLOSED_STATUSES]


def overdue_condition(today) -> Q:
    """What "overdue" means for an action, in SQL: still open and due before
    `today`. `Action.is_overdue_on` says the same in Python; a test holds the
    two together."""
    return Q(current_status__in=OPEN_STATUSES, due_date__lt=today)


class ActionQuerySet(models.QuerySet):
    def overdue(self, today=None) -> "ActionQuerySet":
        return self.filter(overdue_condition(today or timezone.localdate()))


class Action(TimeStampedModel):
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="actions")
    reference = models.CharField(max_length=20, blank=True,
                                 help_text='Its number in the plan, for example "3.2".')
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    lead_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                          related_name="led_actions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="owned_actions")
    partner_organisations = models.ManyToManyField(Organisation, blank=True,
                                                   related_name="partner_actions")
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    success_measures = models.TextField(blank=True)
    inspection_finding = models.BooleanField(
        default=False, help_text="Answers a weakness found by the local area SEND inspection.")
    is_public = models.BooleanField(default=False)
    source = models.CharField(max_length=300, blank=True,
                              help_text="Where the action came from, e.g. a participation audit.")
    themes = models.ManyToManyField(Theme, blank=True, related_name="actions")
    feedback = models.ManyToManyField("feedback.Feedback", blank=True, related_name="actions",
                                      help_text="What families said that prompted it.")
    # A co-production activity is tagged with the cornerstones it covers.
    cornerstones = cornerstones_field()

    # Copied from the latest ProgressUpdate by services.action_update_progress.
    current_status = models.CharField(max_length=20, choices=Status.choices,
                                      default=Status.NOT_STARTED)
    current_percent = models.PositiveSmallIntegerField(default=0)
    last_update_on = models.DateField(null=True, blank=True)
    # Raised by every progress update (core.concurrency).
    lock_version = lock_version_field()

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["priority__plan", "priority__number", "id"]
        indexes = [
            models.Index(fields=["current_status", "due_date"]),
            models.Index(fields=["lead_organisation", "current_status"]),
            models.Index(fields=["last_update_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(current_percent__gte=0, current_percent__lte=100),
                                   name="action_current_percent_0_to_100"),
            models.CheckConstraint(condition=Q(current_status__in=Status.values),
                                   name="action_current_status_valid"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(due_date__isnull=True)
                | Q(due_date__gte=models.F("start_date")),
                name="action_due_after_start",
            ),
            # "3.2" names one action: priority numbers are unique in a plan
            # and a reference starts with its priority's number, so unique
            # under the priority is unique in the plan.
            models.UniqueConstraint(fields=["priority", "reference"],
                                    condition=~Q(reference=""),
                                    name="action_unique_reference_in_priority",
                                    violation_error_message="Another action already has this number"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()

    def get_absolute_url(self) -> str:
        return reverse("staff:actionplan:action_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.current_status in CLOSED_STATUSES

    def is_overdue_on(self, today) -> bool:
        return bool(self.due_date and self.due_date < today and not self.is_closed)

    @property
    def is_overdue(self) -> bool:
        """Overdue today; what templates show as the "Overdue" tag."""
        return self.is_overdue_on(timezone.localdate())


class ActionChange(models.Model):
    """One change to a field of an action that the board or the public rely
    on (its due date, owner, lead, public flag…), with the values before and
    after as they read on the page. Written only by services.action_edit;
    the action's staff page lists them. Staff names and dates only, never
    anything a family wrote."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=50)
    label = models.CharField(max_length=100)
    old_value = models.CharField(max_length=300, blank=True)
    new_value = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["action", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.action_id} {self.field}: {self.old_value} → {self.new_value}"


class ProgressUpdate(TimeStampedModel):
    """One step in an action's history. `narrative` is for staff and the
    board; only `public_narrative` is ever shown on the public page."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices)
    percent = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)])
    narrative = models.TextField(blank=True)
    public_narrative = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        get_latest_by = ["date", "id"]
        indexes = [models.Index(fields=["action", "date"])]
        constraints = [
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=100),
                                   name="progress_percent_0_to_100"),
            models.CheckConstraint(condition=Q(status__in=Status.values),
                                   name="progress_status_valid"),
            models.CheckConstraint(
                condition=~Q(status__in=["complete", "cancelled"]) | ~Q(narrative=""),
                name="progress_closing_needs_narrative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action_id} {self.date}: {self.status} {self.percent}%"


def validate_evidence_size(file) -> None:
    from django.core.exceptions import ValidationError

    if file and file.size > EVIDENCE_MAX_BYTES:
        raise ValidationError("The file must be smaller than 10MB", code="file_too_big")


class Evidence(TimeStampedModel):
    """A link or a file that shows progress. One of the two, never both."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200, blank=True)
    link = models.URLField(max_length=500, blank=True)
    file = models.FileField(
        upload_to="actionplan/evidence/%Y/%m/", blank=True,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS), validate_evidence_size],
    )

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(~Q(link="") & Q(file="")) | (Q(link="") & ~Q(file="")),
                name="evidence_link_or_file",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.link or self.file.name

    @property
    def label(self) -> str:
        if self.title:
            return self.title
        if self.link:
            return self.link
        return self.file.name.rsplit("/", 1)[-1]


class Reminder(models.Model):
    """A reminder sent to an action's owner. One per action, kind and period
    (an ISO week, "2026-W14"), however often the beat job runs."""

    class Kind(models.TextChoices):
        OVERDUE = "overdue", "Overdue"
        NOT_UPDATED = "not_updated", "Not updated for 90 days"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    period = models.CharField(max_length=10)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                  related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["action", "kind", "period"],
                                    name="reminder_once_per_action_kind_period"),
            models.CheckConstraint(condition=Q(kind__in=["overdue", "not_updated"]),
                                   name="reminder_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.action_id} {self.kind} {self.period}"


# --- Measures of impact ------------------------------------------------------------------


class Measure(TimeStampedModel):
    """A number that says whether an action or a priority is working: the
    share of EHC plans issued within 20 weeks, a waiting time in weeks, or
    the share of parents who feel listened to. It belongs to an action or to
    a priority (one of the two), has a baseline, targets by date, a better
    direction, and dated values."""

    class Unit(models.TextChoices):
        NUMBER = "number", "Number"
        PERCENT = "percent", "Percentage"
        WEEKS = "weeks", "Weeks"
        DAYS = "days", "Days"
        PEOPLE = "people", "People"

    class Direction(models.TextChoices):
        UP = "up", "Higher is better"
        DOWN = "down", "Lower is better"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Every month"
        QUARTERLY = "quarterly", "Every quarter"
        HALF_YEARLY = "half_yearly", "Every six months"
        YEARLY = "yearly", "Every year"

    class Source(models.TextChoices):
        STAFF = "staff", "Figures entered or uploaded by staff"
        CHARTER = "charter", "Families’ answers to a charter statement"
        SURVEY = "survey", "A survey question’s results"

    # How many days may pass after a value before the next one is overdue.
    FREQUENCY_DAYS = {"monthly": 31, "quarterly": 92, "half_yearly": 183, "yearly": 366}

    action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="measures")
    priority = models.ForeignKey(Priority, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="measures")
    code = models.CharField(max_length=30, unique=True,
                            help_text="A short code that names the measure in CSV uploads.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="What it counts and where the figure "
                                                         "comes from.")
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.NUMBER)
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.UP)
    baseline_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    baseline_date = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="measures",
                              help_text="The person who adds its values.")
    frequency = models.CharField(max_length=12, choices=Frequency.choices,
                                 default=Frequency.QUARTERLY)
    is_public = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    # A family-reported measure's source, as its owning app names it: the
    # lineage of a charter statement (charter feeds it), or a survey question.
    statement_lineage = models.UUIDField(null=True, blank=True, db_index=True)
    survey_question = models.CharField(max_length=300, blank=True)
    lock_version = lock_version_field()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(action__isnull=False, priority__isnull=True)
                           | Q(action__isnull=True, priority__isnull=False)),
                name="measure_action_or_priority"),
            models.CheckConstraint(condition=Q(unit__in=["number", "percent", "weeks", "days",
                                                         "people"]),
                                   name="measure_unit_valid"),
            models.CheckConstraint(condition=Q(direction__in=["up", "down"]),
                                   name="measure_direction_valid"),
            models.CheckConstraint(condition=Q(source__in=["staff", "charter", "survey"]),
                                   name="measure_source_valid"),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_date__isnull=False),
                name="measure_baseline_has_date"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        if self.action_id:
            return reverse("staff:actionplan:action_detail", args=[self.action_id]) + \
                f"#measure-{self.pk}"
        return reverse("staff:actionplan:priority_detail", args=[self.priority_id]) + \
            f"#measure-{self.pk}"

    @property
    def is_family_reported(self) -> bool:
        return self.source != self.Source.STAFF

    def format(self, value) -> str:
        """A value as it reads: "82%", "14.5 weeks", "1,240 people"."""
        if value is None:
            return ""
        number = f"{value:,.2f}".rstrip("0").rstrip(".")
        return {"percent": f"{number}%", "weeks": f"{number} weeks",
                "days": f"{number} days", "people": f"{number} people"}.get(self.unit, number)


class MeasureTarget(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="targets")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    date = models.DateField()

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "date"], name="measure_target_once_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.value} by {self.date}"


class MeasureValue(models.Model):
    """One dated figure. A family-reported value also keeps how many answered
    (`responses`); rounds with fewer than five answers are never stored."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="values")
    date = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=500, blank=True)
    provisional = models.BooleanField(default=False)
    responses = models.PositiveIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        get_latest_by = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "date"], name="measure_value_once_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.date}: {self.value}"


class MeasureReminder(models.Model):
    """A reminder to the person who updates a measure that its next value is
    overdue: one per measure and period (an ISO week), as `Reminder`."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="reminders")
    period = models.CharField(max_length=10)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                  related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "period"],
                                    name="measure_reminder_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.period}"
