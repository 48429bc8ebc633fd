"""Feedback from families and how it is answered.

What a family types and their contact details live only in `Feedback`; every
other table refers to it by id. Contact details are erased when no longer
needed (`contact_details_erased_at`).
"""

import hashlib
import re

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Value

from core.concurrency import lock_version_field
from core.models import Organisation, ServiceArea, Theme, TimeStampedModel

# The text search language. Only what the family wrote is indexed, never
# their contact details (a search must not find a person by name or e-mail).
SEARCH_CONFIG = "english"
SEARCHED_FIELDS = ("what_went_well", "even_better_if")


# A reference is "FB-", the year the feedback came in and its number in that
# year, five digits or more: FB-2026-00123.
def reference_format(year: int, number: int) -> str:
    return f"FB-{year}-{number:05d}"


# What people type for FB-2026-00258: "fb 2026 258", "FB.2026.00258",
# "2026-258", "fb2026258". Separators are spaces, dots, hyphens (and the
# dashes a copied reference may carry), slashes or underscores, or none.
# ASCII digits only ([0-9], not \d, which also takes "²" and other scripts).
_SEP = r"[\s.\-\u2010-\u2015\u2212_/]"
_TYPED_REFERENCE = re.compile(
    rf"{_SEP}*(?:FB{_SEP}*)?(?P<year>20[0-9]{{2}})"
    # With a separator the number may have lost its leading zeros ("258").
    # With none, the year is the first four digits ("fb2026258"), but only
    # when two digits or more follow: "20261" or "FB20258" may as well be a
    # number typed without its year. (Years are this century's.)
    rf"(?:{_SEP}+(?P<number>[0-9]{{1,7}})|(?P<joined>[0-9]{{2,7}})){_SEP}*",
    re.IGNORECASE)


def reference_from_typed(text: str) -> str | None:
    """The reference someone typed, written as we write it, or None when
    what they typed cannot be read as one reference (no year, two-digit
    years, other words). Whether such feedback exists is not looked up."""
    match = _TYPED_REFERENCE.fullmatch(text.strip())
    if match is None:
        return None
    number = int(match["number"] or match["joined"])
    return reference_format(int(match["year"]), number) if number else None


def text_search_vector() -> SearchVector:
    """What `Feedback.search_vector` holds, computed by the database."""
    return SearchVector(*SEARCHED_FIELDS, config=SEARCH_CONFIG)


def text_search_vector_of(*texts: str) -> SearchVector:
    """The same vector for words not yet stored (given in SEARCHED_FIELDS'
    order), for an INSERT to compute it with the row."""
    return SearchVector(*(Value(text) for text in texts), config=SEARCH_CONFIG)


# What an owed e-mail's token is set to once it is no longer needed.
TOKEN_FORGOTTEN = ""  # nosec B105 # an empty value, no password


def tracking_digest(token: str) -> str:
    """What is stored of a tracking token, and what a presented one is
    looked up by: its SHA-256 digest (the token is 256 random bits, so no
    salt or slow hash is needed to stop guessing)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Feedback(TimeStampedModel):
    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        IN_REVIEW = "in_review", "In review"
        RESPONDED = "responded", "Responded"
        CLOSED = "closed", "Closed"

    class Channel(models.TextChoices):
        WEB_FORM = "web_form", "Online form"
        EASY_READ = "easy_read", "Easy-read form"
        EMAIL = "email", "E-mail"
        PHONE = "phone", "Phone call"
        WORKSHOP = "workshop", "Workshop"
        FOCUS_GROUP = "focus_group", "Focus group"
        FEEDBACK_CARD = "feedback_card", "Feedback card"
        SURVEY = "survey", "Survey"
        COMPLAINT = "complaint", "Complaint"
        COMPLIMENT = "compliment", "Compliment"
        SELF_ADVOCACY_APP = "self_advocacy_app", "Self-advocacy app"
        PAGE_USEFUL = "page_useful", "“Was this page useful?”"
        DIFFERENCE = "difference", "“Did it make a difference?” answer"

    class Respondent(models.TextChoices):
        PARENT_CARER = "parent_carer", "Parent or carer"
        YOUNG_PERSON = "young_person", "Child or young person"
        PROFESSIONAL = "professional", "Professional"
        OTHER = "other", "Someone else"

    class AgeGroup(models.TextChoices):
        """Ages in whole years. The form offers `offered()`, which do not
        overlap; the first form's bands overlapped (an 11-year-old fitted two)
        and stay valid, with the meaning they had, for the rows that have
        them and for surveys that use them."""

        AGE_0_3 = "0-3", "0 to 3"
        AGE_4_7 = "4-7", "4 to 7"
        AGE_8_10 = "8-10", "8 to 10"
        AGE_11_15 = "11-15", "11 to 15"
        AGE_16_17 = "16-17", "16 or 17"
        AGE_18_25 = "18-25", "18 to 25"
        # The first form's, no longer offered.
        AGE_8_11 = "8-11", "8 to 11"
        AGE_11_16 = "11-16", "11 to 16"
        AGE_16_18 = "16-18", "16 to 18"

        @classmethod
        def offered(cls) -> list[tuple[str, str]]:
            return [(g.value, g.label) for g in (
                cls.AGE_0_3, cls.AGE_4_7, cls.AGE_8_10, cls.AGE_11_15, cls.AGE_16_17,
                cls.AGE_18_25)]

    reference = models.CharField(max_length=20, unique=True)
    # The private tracking link carries a random token (not derived from the
    # reference, so one family cannot guess another's link). Only its SHA-256
    # digest is stored: someone who reads the database cannot open anyone's
    # link. Set `tracking_token` (below) to give a new one.
    tracking_digest = models.CharField(max_length=64, unique=True)

    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WEB_FORM)
    received_on = models.DateField()
    respondent = models.CharField(max_length=20, choices=Respondent.choices, blank=True)
    age_group = models.CharField(max_length=5, choices=AgeGroup.choices, blank=True)
    service_areas = models.ManyToManyField(ServiceArea, blank=True, related_name="feedback")
    about_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The organisation the family said it is about, if they knew.",
    )

    what_went_well = models.TextField(blank=True)
    even_better_if = models.TextField(blank=True)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    consent_to_quote = models.BooleanField(default=False)

    wants_contact = models.BooleanField(default=False)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_details_erased_at = models.DateTimeField(null=True, blank=True)
    # "Tell me when something changes" (feedback/progress.py): only with
    # contact details, which are then kept while a linked action is open.
    wants_progress = models.BooleanField(default=False)
    # The loop, for its figures and for "Did it make a difference?": when
    # the feedback was first linked to an action, and when it first had a
    # published "we did" (a "Done" reply, a linked action completed, or a
    # published report item answering it). Set by feedback.progress only.
    linked_at = models.DateTimeField(null=True, blank=True)
    we_did_at = models.DateTimeField(null=True, blank=True)
    # A "Did it make a difference?" answer that came back as new feedback.
    follows_up = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="follow_ups")

    # Triage
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="feedback",
        help_text="The organisation responsible for answering it.",
    )
    shared_with = models.ManyToManyField(Organisation, blank=True, related_name="shared_feedback")
    # A theme tagged after someone started handling it has its own route to
    # another organisation: offered to its handlers, never done silently
    # (feedback.routing.after_tagging). Cleared when it is sent on or kept.
    route_suggested_to = models.ForeignKey(Organisation, null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    route_suggested_because = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    themes = models.ManyToManyField(Theme, blank=True, related_name="feedback")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="assigned_feedback")
    # "Was this page useful?" comments are read, not answered: no one can be
    # replied to, so they have no deadline and no reply form.
    needs_reply = models.BooleanField(default=True)
    response_due_on = models.DateField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    # Retention is counted from here: contact details are erased a set time
    # after the feedback was closed (reopening clears it).
    closed_at = models.DateTimeField(null=True, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    # Raised by triage, status changes and replies (core.concurrency).
    lock_version = lock_version_field()
    # The words of SEARCHED_FIELDS for the inbox's full-text search (Postgres
    # only; empty on SQLite). Written by the services that store the text
    # (services.search_vector_refresh; a new submission's with its INSERT),
    # never from the instance's own fields by save().
    search_vector = SearchVectorField(null=True, editable=False)

    # Where it came from when it was not the public form: a report's "Was this
    # page useful?" (its address), or the survey import and row it came from.
    source_url = models.CharField(max_length=300, blank=True)
    source_label = models.CharField(max_length=300, blank=True)
    survey_import = models.ForeignKey("SurveyImport", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="feedback")
    import_key = models.CharField(max_length=64, null=True, blank=True, unique=True,
                                  help_text="Fingerprint of the survey row, so a re-import adds nothing.")

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status", "received_on"]),
            models.Index(fields=["status", "response_due_on"]),
            # The inbox's order and the home page's 12-month window.
            models.Index(fields=["received_on", "id"], name="feedback_received_on_id"),
            # Open feedback only (a few thousand of five years' rows): the inbox's
            # default list newest first, its capped count and the staff counts,
            # all read from the index alone. Keep the statuses in step with
            # services.OPEN_STATUSES (a test checks).
            models.Index(fields=["-received_on", "-id"],
                         include=["organisation", "response_due_on", "assigned_to"],
                         condition=Q(status__in=["received", "acknowledged", "in_review"]),
                         name="feedback_open_newest"),
            GinIndex(fields=["search_vector"], name="feedback_search_vector"),
            # The inbox filtered by channel (any status): most channels are a small
            # share of five years' feedback, found here instead of by reading them all.
            # The organisation is included so that who may see a row is answered
            # from the index: the capped count of a filtered inbox ("e-mails about
            # transport") then reads no table rows at all.
            models.Index(fields=["channel", "-received_on", "-id"], include=["organisation"],
                         name="feedback_channel_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                   name="feedback_rating_1_to_5"),
            models.CheckConstraint(
                condition=Q(wants_contact=True) | Q(contact_name="", contact_email="", contact_phone=""),
                name="feedback_contact_details_only_when_wanted",
            ),
            models.CheckConstraint(
                condition=Q(wants_progress=False) | Q(wants_contact=True),
                name="feedback_progress_only_with_contact",
            ),
            models.CheckConstraint(
                condition=Q(needs_reply=True, response_due_on__isnull=False)
                | Q(needs_reply=False, response_due_on__isnull=True),
                name="feedback_deadline_only_when_a_reply_is_needed",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["received", "acknowledged", "in_review", "responded", "closed"]),
                name="feedback_status_valid",
            ),
        ]

    @property
    def tracking_token(self) -> str | None:
        """The plain token, only on the instance it was given to (after
        `feedback_submit`, for the confirmation page); never read back from
        the database, which holds the digest alone."""
        return getattr(self, "_tracking_token", None)

    @tracking_token.setter
    def tracking_token(self, token: str) -> None:
        self._tracking_token = token
        self.tracking_digest = tracking_digest(token)

    def __str__(self) -> str:
        return self.reference

    @property
    def has_contact_details(self) -> bool:
        return bool(self.contact_email or self.contact_phone)

    @property
    def has_any_contact_details(self) -> bool:
        return bool(self.contact_name or self.contact_email or self.contact_phone)


class ReferenceCounter(models.Model):
    """The last reference number given out in a year (FB-2026-00123)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class StatusChange(models.Model):
    """One step on a piece of feedback's timeline: who moved it, and when
    (and, when closed feedback was reopened, why: for staff only)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Feedback.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Feedback.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.feedback_id}: {self.from_status or '—'} → {self.to_status}"


class InternalNote(TimeStampedModel):
    """A note between staff. Never shown to the family or the public."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()

    class Meta:
        ordering = ["created_at"]


class Reply(TimeStampedModel):
    """The answer to a family. Public once approved (or at once where the
    organisation does not ask for approval)."""

    class Outcome(models.TextChoices):
        DONE = "done", "Done"
        IN_PROGRESS = "in_progress", "In progress"
        NOT_POSSIBLE = "not_possible", "Not possible"
        THANK_YOU = "thank_you", "Thank you (no change needed)"

    class State(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        PUBLISHED = "published", "Sent"
        RETURNED = "returned", "Returned for changes"

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    text = models.TextField()
    reason = models.TextField(blank=True, help_text="Why it is not possible.")
    state = models.CharField(max_length=20, choices=State.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(outcome="not_possible") | ~Q(reason=""),
                                   name="reply_not_possible_needs_reason"),
        ]

    @property
    def outcome_tag(self) -> str:
        """The tag's colour class for its outcome (feedback.workflow)."""
        from .workflow import REPLY_OUTCOME_TAGS

        return REPLY_OUTCOME_TAGS[self.outcome]


class Quote(TimeStampedModel):
    """A redacted quote that may appear in reports once a second person approves it.
    The original words stay in the feedback and are never published."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="quotes")
    redacted_text = models.TextField()
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="quotes")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | (Q(decided_by__isnull=False) & ~Q(decided_by=models.F("proposed_by"))),
                name="quote_approved_by_someone_else",
            ),
        ]

    @property
    def status_tag(self) -> str:
        """The tag's colour class for its status (feedback.workflow)."""
        from .workflow import QUOTE_STATUS_TAGS

        return QUOTE_STATUS_TAGS[self.status]


class Notification(TimeStampedModel):
    """An e-mail the portal owes someone. Written in the same transaction as
    what caused it, so nothing is lost if the broker is down; sent by a task
    (and re-sent by beat while pending), at most once."""

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement to the family"
        REPLY = "reply", "Reply to the family"
        ASSIGNMENT = "assignment", "New assignment to an officer"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Not needed"

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The reply or assignment it is about, so each is sent once.
    subject_id = models.PositiveBigIntegerField(default=0)
    recipient_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                       on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The acknowledgement carries the family's private link, and the database
    # keeps only the token's digest: the plain token waits here, on the owed
    # e-mail alone, and is blanked the moment the e-mail leaves "pending"
    # (sent, failed for good, or cancelled), so it is held for seconds, or for
    # as long as the relay is down, never for good.
    tracking_token = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["feedback", "kind", "subject_id"],
                                    name="notification_once_per_subject"),
        ]
        indexes = [models.Index(fields=["state", "created_at"])]


class ProgressNews(models.Model):
    """Something a family who asked to hear about progress is owed news of:
    a linked action changed its public status or completed, or a report
    answering their feedback was published. Public words only (the
    action's public title and status, the report's title), gathered into
    at most one `ProgressMessage` a day."""

    class Kind(models.TextChoices):
        ACTION_STATUS = "action_status", "A linked action changed its status"
        ACTION_COMPLETE = "action_complete", "A linked action was completed"
        REPORT_PUBLISHED = "report_published", "A report answering it was published"

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="progress_news")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The action or report it is about (for the action's staff page).
    subject_id = models.PositiveBigIntegerField()
    text = models.CharField(max_length=500)
    at = models.DateTimeField(auto_now_add=True)
    message = models.ForeignKey("ProgressMessage", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="news")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["kind", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.feedback_id} {self.kind} {self.subject_id}"


class ProgressMessage(TimeStampedModel):
    """One message to a family about their feedback's progress, or the one
    "Did it make a difference?" question. Written with what caused it and
    sent by a job (core.jobs) once due: at most one progress message a day
    per family, later news gathered into the pending one. Nothing of the
    family's is stored here: the address is read from the feedback when
    sending."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", "Progress"
        DIFFERENCE = "difference", "Did it make a difference?"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Not needed"
        FAILED = "failed", "Failed"

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE,
                                 related_name="progress_messages")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PROGRESS)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    by = models.CharField(max_length=10, blank=True, help_text="E-mail or text message.")
    # What the family was told, in the public words of the news (for staff).
    told = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["feedback", "state"])]
        constraints = [
            # One question per feedback, however often the beat job runs.
            models.UniqueConstraint(fields=["feedback"], condition=Q(kind="difference"),
                                    name="progress_message_one_question"),
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id} {self.kind} {self.state}"


class DifferenceAnswer(TimeStampedModel):
    """A family's answer to "Did it make a difference?". The comment, if
    any, is kept as new feedback (`follow_up`) when the answer is "no" or
    "partly", so it is read and answered in the inbox."""

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"

    feedback = models.OneToOneField(Feedback, on_delete=models.CASCADE,
                                    related_name="difference_answer")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    follow_up = models.ForeignKey(Feedback, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(answer__in=["yes", "partly", "no"]),
                                   name="difference_answer_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id}: {self.answer}"


class SurveyImport(TimeStampedModel):
    """An annual survey's CSV: mapped, checked row by row, then imported."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        CHECKED = "checked", "Checked"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"

    title = models.CharField(max_length=200)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField()
    file = models.FileField(upload_to="survey-imports/%Y/")
    file_sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    mapping = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_rows = models.PositiveIntegerField(default=0)
    duplicate_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class SurveyStatistic(models.Model):
    """How one rating question was answered in one survey import.

    `positive` counts the answers at or above the positive threshold (for
    example 4 and 5 of 5: "good" or "very good")."""

    survey_import = models.ForeignKey(SurveyImport, on_delete=models.CASCADE,
                                      related_name="statistics")
    question = models.CharField(max_length=300)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="survey_statistics")
    responses = models.PositiveIntegerField()
    positive = models.PositiveIntegerField()
    distribution = models.JSONField(default=dict)

    class Meta:
        ordering = ["survey_import", "question"]
        constraints = [
            models.UniqueConstraint(fields=["survey_import", "question"],
                                    name="survey_statistic_once_per_question"),
            models.CheckConstraint(condition=Q(positive__lte=models.F("responses")),
                                   name="survey_statistic_positive_within_n"),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.positive}/{self.responses}"

    @property
    def positive_percent(self) -> int | None:
        if not self.responses:
            return None
        return round(100 * self.positive / self.responses)


class RetentionRun(models.Model):
    """One run of the retention job: what it closed and what it erased, so a
    data protection officer can show the duty is met (counts only, no data)."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    closed_count = models.PositiveIntegerField(default=0,
                                               help_text="Answered feedback closed automatically.")
    erased_count = models.PositiveIntegerField(default=0,
                                               help_text="Feedback whose contact details were erased.")
    register_asked_count = models.PositiveIntegerField(
        default=0, help_text="Participation register members asked to renew.")
    register_erased_count = models.PositiveIntegerField(
        default=0, help_text="Lapsed participation register entries erased.")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Retention run {self.started_at:%Y-%m-%d %H:%M}: {self.closed_count} closed, {self.erased_count} erased"


class Route(TimeStampedModel):
    """Who answers feedback about a service area: the routing table.

    A route names the organisation whose inbox new feedback about the area
    goes to and, if wanted, the team or officer there. A route for an area
    and a theme is narrower, and wins over the area's own when the feedback
    carries that theme (staff logging and imports can know themes; the
    public forms do not). The team and officer are for staff only: families
    are told the organisation's public name, never an officer's."""

    service_area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="routes")
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="routes")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="routes")
    team = models.CharField(max_length=200, blank=True,
                            help_text="The team that answers, e.g. SEND Casework (staff only).")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["service_area__name", "theme__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service_area"], condition=Q(theme__isnull=True),
                                    name="route_one_per_service_area",
                                    violation_error_message="This service area already has a route"),
            models.UniqueConstraint(fields=["service_area", "theme"],
                                    condition=Q(theme__isnull=False),
                                    name="route_one_per_service_area_and_theme",
                                    violation_error_message="This service area and theme already have a route"),
        ]

    def __str__(self) -> str:
        about = f"{self.service_area_id}/{self.theme_id}" if self.theme_id else str(self.service_area_id)
        return f"Route {about} → {self.organisation_id}"


class Reroute(models.Model):
    """Feedback moved by hand to another organisation's inbox, and why. Many
    of these for one service area say the routing table is wrong. The reason
    stays here, for staff, out of the audit log (it may name people)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="reroutes")
    from_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    to_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()
    # Moved by the routing table itself (a theme with its own route tagged
    # before anyone handled it), not by a person's choice: not counted in
    # the share "sent on by hand".
    by_rule = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_organisation=models.F("to_organisation")),
                                   name="reroute_to_another_organisation"),
            models.CheckConstraint(condition=~Q(reason=""), name="reroute_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id}: {self.from_organisation_id} → {self.to_organisation_id}"


class ReplyTemplate(TimeStampedModel):
    """A reply an organisation often gives, to start from. Only words: it
    has no placeholders and nothing of the family is ever put into it; the
    officer edits it for each family."""

    OUTCOMES = ("done", "in_progress", "not_possible")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="reply_templates")
    outcome = models.CharField(max_length=20, choices=Reply.Outcome.choices)
    title = models.CharField(max_length=120)
    text = models.TextField()
    # For "not possible": the start of the reason, prompting for the rationale.
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["organisation", "outcome", "title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "title"],
                                    name="reply_template_title_unique_in_organisation",
                                    violation_error_message="Your organisation already has a template with this name"),
        ]

    def __str__(self) -> str:
        return self.title


class CardBatch(TimeStampedModel):
    """Paper feedback cards printed together: each card has its own reference.
    Their PDF is made in the background (feedback.tasks, "card_batch_pdf");
    `pdf_state` says where that work is."""

    class Paper(models.TextChoices):
        A5 = "A5", "A5 (one card a page)"
        A4 = "A4", "A4 (one card a page, larger print)"

    class PdfState(models.TextChoices):
        NONE = "none", "Not prepared"  # batches made before PDFs were made in the background
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be prepared"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    paper = models.CharField(max_length=2, choices=Paper.choices, default=Paper.A5)
    easy_read = models.BooleanField(default=False)
    size = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(500)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    pdf_state = models.CharField(max_length=10, choices=PdfState.choices, default=PdfState.NONE)
    pdf_file = models.FileField(upload_to="feedback/cards/", blank=True)
    pdf_error = models.CharField(max_length=300, blank=True)
    pdf_ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.size} cards ({self.paper})"

    # For templates, which never compare states themselves.
    @property
    def pdf_ready(self) -> bool:
        return self.pdf_state == self.PdfState.READY and bool(self.pdf_file)

    @property
    def pdf_pending(self) -> bool:
        return self.pdf_state == self.PdfState.PENDING

    @property
    def pdf_can_ask(self) -> bool:
        """Not being made and not there: the page offers to make it."""
        return not (self.pdf_pending or self.pdf_ready)

    @property
    def pdf_filename(self) -> str:
        kind = "easy-read-" if self.easy_read else ""
        return f"feedback-cards-{kind}{self.paper.lower()}-{self.pk}.pdf"


class FeedbackCard(models.Model):
    """One printed card. Its reference logs exactly one feedback."""

    batch = models.ForeignKey(CardBatch, on_delete=models.CASCADE, related_name="cards")
    reference = models.CharField(max_length=12, unique=True)
    feedback = models.OneToOneField(Feedback, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="card")
    logged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.reference


# The service area whose feedback is about the Local Offer (its slug). Other
# feedback joins it when an officer marks it as about the Local Offer.
LOCAL_OFFER_SLUG = "local-offer"


class LocalOfferCoding(TimeStampedModel):
    """How an officer coded a comment on the Local Offer for the annual
    report that regulation 56 of the SEND Regulations 2014 asks for: which of
    the regulation's matters it is about, and whether it is left out of
    publication (and why). Who decided and when is kept here and in the
    audit trail."""

    class Code(models.TextChoices):
        # Reg. 56(1)(a): content, including the quality of what is provided
        # and what is missing; (b) accessibility; (c) development and review.
        CONTENT = "content", "Content and quality of what is provided"
        GAPS = "gaps", "Gaps in provision"
        ACCESSIBILITY = "accessibility", "Accessibility of the information"
        DEVELOPMENT = "development", "How it is developed and reviewed"

    class LeftOut(models.TextChoices):
        # Reg. 56(2): the council need not publish comments it considers
        # vexatious or that are about the services given to one person; a
        # comment that identifies someone is left out as well.
        VEXATIOUS = "vexatious", "Vexatious"
        ONE_PERSON = "one_person", "About the services given to a particular person"
        IDENTIFIES = "identifies", "Identifies someone"

    feedback = models.OneToOneField(Feedback, on_delete=models.CASCADE, primary_key=True,
                                    related_name="local_offer")
    # Feedback outside the Local Offer service area that an officer marked as
    # being about the Local Offer.
    about_local_offer = models.BooleanField(default=False)
    code = models.CharField(max_length=20, choices=Code.choices, blank=True)
    left_out_reason = models.CharField(max_length=20, choices=LeftOut.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(code__in=["", "content", "gaps", "accessibility", "development"]),
                name="local_offer_coding_code_valid"),
            models.CheckConstraint(
                condition=Q(left_out_reason__in=["", "vexatious", "one_person", "identifies"]),
                name="local_offer_coding_reason_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id}: {self.code or 'not coded'}"

    @property
    def is_left_out(self) -> bool:
        return bool(self.left_out_reason)


class FeedbackEmbedding(models.Model):
    """What feedback says, as a vector from the portal's own small model
    (feedback.suggest): stored so that suggesting themes and similar feedback
    does not embed every earlier item again. `digest` is of the model and the
    text embedded; a change to either makes the vector stale."""

    feedback = models.OneToOneField(Feedback, on_delete=models.CASCADE, primary_key=True,
                                    related_name="embedding")
    digest = models.CharField(max_length=32)
    vector = models.BinaryField()  # float16, little-endian

    def __str__(self) -> str:
        return f"Embedding of {self.feedback_id}"


class ThemeSuggestion(models.Model):
    """A theme the portal suggested for feedback, and what an officer did with
    it: taken (accepted) or left (rejected). Counted for the acceptance rate
    administrators see; one row per feedback and theme, the latest decision."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE,
                                 related_name="theme_suggestions")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")
    accepted = models.BooleanField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feedback", "theme"],
                                               name="one_suggestion_decision_per_theme")]

    def __str__(self) -> str:
        return f"{self.theme_id} for {self.feedback_id}: {'taken' if self.accepted else 'left'}"
