"""The co-production charter: what partners promise, who signed it, whether
people say it is working, the yearly participation audit, and the evidence
that each commitment is kept (or broken).

A charter is a series of versions that share a slug. Only
`services.charter_new_version` and `services.charter_adopt` move a version
between draft, adopted and superseded. Commitments and statements carry a
`lineage` that is copied into every new version, so evidence and pulse
answers recorded against an earlier version still count for the same
commitment or statement in the current one.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from core.concurrency import lock_version_field
from core.models import Organisation, TimeStampedModel, cornerstones_field

# Fewer answers than this and a result is not shown: with 3 or 4 people in a
# room, a percentage would say how each of them answered.
SUPPRESSION_THRESHOLD = 5


class Charter(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ADOPTED = "adopted", "Adopted"
        SUPERSEDED = "superseded", "Replaced by a newer version"

    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=200, help_text="Shared by every version of the charter.")
    version = models.PositiveSmallIntegerField(default=1)
    area = models.CharField(max_length=100, help_text="The local area or partnership, e.g. Herefordshire")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="charters",
        help_text="The partner that looks after the charter: its officers draft, its approvers adopt.")
    introduction = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    adopted_on = models.DateField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)
    superseded_on = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(
        default=100, help_text="Order on the public charter page; the first is shown in full.")
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    lock_version = lock_version_field()

    class Meta:
        ordering = ["position", "area", "title", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="charter_unique_version"),
            models.UniqueConstraint(fields=["slug"], condition=Q(status="adopted"),
                                    name="charter_one_adopted_version"),
            models.UniqueConstraint(fields=["slug"], condition=Q(status="draft"),
                                    name="charter_one_draft_version"),
            models.CheckConstraint(condition=Q(status__in=["draft", "adopted", "superseded"]),
                                   name="charter_status_valid"),
            models.CheckConstraint(condition=Q(status="draft") | Q(adopted_on__isnull=False),
                                   name="charter_adopted_has_date"),
            models.CheckConstraint(
                condition=Q(review_date__isnull=True) | Q(adopted_on__isnull=True)
                | Q(review_date__gt=models.F("adopted_on")),
                name="charter_review_after_adoption"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    def get_absolute_url(self) -> str:
        if self.status == self.Status.ADOPTED:
            return reverse("charter:charter", args=[self.slug])
        return reverse("charter:version", args=[self.slug, self.version])

    def get_staff_url(self) -> str:
        return reverse("staff:charter:charter_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def workflow_state(self):
        """What this version's state means to the pages (charter.workflow.STATES)."""
        from .workflow import state_of

        return state_of(self)


class Section(models.Model):
    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    cornerstones = cornerstones_field()

    lock_version = lock_version_field()

    class Meta:
        ordering = ["charter", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Commitment(models.Model):
    """ "All voices are heard and valued"."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="commitments")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=400)
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True,
                               help_text="The same in every version of the charter.")

    lock_version = lock_version_field()

    class Meta:
        ordering = ["section__order", "order", "id"]

    def __str__(self) -> str:
        return self.text


class Practice(models.Model):
    """What a commitment means in practice: "we widen participation by
    effective chairing and facilitation"."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="practices")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=400)

    lock_version = lock_version_field()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class Responsibility(models.Model):
    """One party's part in a responsibility framework: "As settings we need
    to…" and "What others can do to help us". Each line is one point."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE,
                                related_name="responsibilities")
    order = models.PositiveSmallIntegerField(default=0)
    party = models.CharField(max_length=120, help_text='Who it is about, e.g. "settings"')
    we_need_to = models.TextField()
    others_can_help = models.TextField(blank=True)

    lock_version = lock_version_field()

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = "responsibilities"

    def __str__(self) -> str:
        return f"As {self.party} we need to…"

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip(" •-\t") for line in text.splitlines() if line.strip(" •-\t")]

    @property
    def we_need_to_lines(self) -> list[str]:
        return self._lines(self.we_need_to)

    @property
    def others_can_help_lines(self) -> list[str]:
        return self._lines(self.others_can_help)


class Statement(models.Model):
    """ "How we will know it is working": "I am an equal partner and am
    listened to and valued"."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="statements")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True)

    lock_version = lock_version_field()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class Signatory(TimeStampedModel):
    """A partner that signed a version. The name, when given, is a
    professional's published name (a director, a forum chair)."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="signatories")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="charter_signatures")
    role_title = models.CharField(max_length=200)
    person_name = models.CharField(max_length=200, blank=True)
    signed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["signed_on", "id"]
        verbose_name_plural = "signatories"
        constraints = [
            models.UniqueConstraint(fields=["charter", "organisation", "role_title"],
                                    name="signatory_once_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.role_title}, {self.organisation}"


# --- Pulse: "how we will know it is working" ----------------------------------------------


class Agreement(models.IntegerChoices):
    STRONGLY_AGREE = 5, "Strongly agree"
    AGREE = 4, "Agree"
    NEITHER = 3, "Neither agree nor disagree"
    DISAGREE = 2, "Disagree"
    STRONGLY_DISAGREE = 1, "Strongly disagree"


AGREEING = (Agreement.AGREE, Agreement.STRONGLY_AGREE)


class PulseRound(TimeStampedModel):
    """One time people were asked, usually at an event ("Parent Carer Voice
    conference, March 2026"). Public rounds are answered at the charter's
    stable address; every round can also be answered through its
    invitation link, which carries a random token."""

    class Access(models.TextChoices):
        PUBLIC = "public", "Anyone, at the charter’s survey address"
        INVITATION = "invitation", "Only people with the invitation link"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="pulse_rounds")
    title = models.CharField(max_length=200)
    held_on = models.DateField(help_text="The date of the event, or when the round opened.")
    access = models.CharField(max_length=20, choices=Access.choices, default=Access.INVITATION)
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(access__in=["public", "invitation"]),
                                   name="pulse_round_access_valid"),
            models.CheckConstraint(condition=Q(state__in=["open", "closed"]),
                                   name="pulse_round_state_valid"),
            models.UniqueConstraint(fields=["charter"],
                                    condition=Q(access="public", state="open"),
                                    name="pulse_round_one_open_public_round"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    def get_invitation_url(self) -> str:
        return reverse("charter:pulse_invitation", args=[self.token])


class PulseResponse(models.Model):
    """One person's answers. Nothing about who they are is kept."""

    round = models.ForeignKey(PulseRound, on_delete=models.CASCADE, related_name="responses")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"Answers to round {self.round_id}"


class PulseAnswer(models.Model):
    response = models.ForeignKey(PulseResponse, on_delete=models.CASCADE, related_name="answers")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="answers")
    rating = models.PositiveSmallIntegerField(choices=Agreement.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "statement"],
                                    name="pulse_answer_once_per_statement"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5),
                                   name="pulse_answer_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.rating}"


# --- Annual participation audit -------------------------------------------------------------


class AuditSection(models.Model):
    """A group of questions in the participation audit's question bank."""

    key = models.SlugField(max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def short_title(self) -> str:
        """ "Evidence" for "Evidence: people can see their work…"."""
        return self.title.split(":")[0]


class AuditQuestion(models.Model):
    key = models.SlugField(max_length=60, unique=True)
    section = models.ForeignKey(AuditSection, on_delete=models.PROTECT, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=400)
    guidance = models.TextField(blank=True, help_text="What evidence might show it.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["section__order", "order", "id"]

    def __str__(self) -> str:
        return self.text


class AuditScore(models.IntegerChoices):
    NOT_YET = 0, "0 – Not yet: we do not do this"
    STARTING = 1, "1 – Starting: we do this sometimes"
    DEVELOPING = 2, "2 – Developing: we usually do this"
    EMBEDDED = 3, "3 – Embedded: we always do this and can show it"


AUDIT_MAX_SCORE = 3


class ParticipationAudit(TimeStampedModel):
    """A team's yearly participation audit. The questions it answers are
    fixed when it is started, so later changes to the bank do not change a
    past year's score."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="participation_audits")
    team = models.CharField(max_length=200, help_text="The team or service, e.g. SEND casework team")
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000),
                                                        MaxValueValidator(2100)])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    cornerstones = cornerstones_field()

    class Meta:
        ordering = ["-year", "organisation__name", "team"]
        constraints = [
            models.UniqueConstraint("organisation", Lower("team"), "year",
                                    name="audit_once_per_team_and_year"),
            models.CheckConstraint(condition=Q(status__in=["in_progress", "completed"]),
                                   name="audit_status_valid"),
            models.CheckConstraint(condition=Q(status="in_progress") | Q(completed_at__isnull=False),
                                   name="audit_completed_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.team}, {self.organisation} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("staff:charter:audit_detail", args=[self.pk])

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED


class AuditAnswer(models.Model):
    audit = models.ForeignKey(ParticipationAudit, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(AuditQuestion, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(null=True, blank=True, choices=AuditScore.choices)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["question__section__order", "question__order", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "question"], name="audit_answer_once"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=3),
                                   name="audit_answer_score_0_to_3"),
        ]

    def __str__(self) -> str:
        return f"{self.audit_id}/{self.question_id}: {self.score}"


class ImprovementAction(models.Model):
    """An improvement the audit found, made into an action-plan action."""

    audit = models.ForeignKey(ParticipationAudit, on_delete=models.CASCADE,
                              related_name="improvements")
    action = models.OneToOneField("actionplan.Action", on_delete=models.CASCADE,
                                  related_name="participation_audit_link")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Audit {self.audit_id} → action {self.action_id}"


# --- Evidence -------------------------------------------------------------------------------


class EvidenceLink(models.Model):
    """Something that shows a commitment being kept, or broken: a piece of
    feedback that has been answered, an action, or an item of a published
    report (title and address). Exactly one of the three.

    The public page shows feedback only once its reply is published, and
    then only the reply's outcome, its date and `summary` (written by staff
    for the public), never what the family wrote."""

    class Effect(models.TextChoices):
        KEEPS = "keeps", "Keeps the commitment"
        BREAKS = "breaks", "Breaks the commitment"

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="evidence")
    effect = models.CharField(max_length=10, choices=Effect.choices)
    feedback = models.ForeignKey("feedback.Feedback", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="charter_evidence")
    action = models.ForeignKey("actionplan.Action", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="charter_evidence")
    title = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=500, blank=True)
    summary = models.CharField(max_length=500, blank=True,
                               help_text="For the public: what happened, with no names.")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(effect__in=["keeps", "breaks"]),
                                   name="evidence_effect_valid"),
            models.CheckConstraint(
                condition=(Q(feedback__isnull=False) & Q(action__isnull=True) & Q(url=""))
                | (Q(feedback__isnull=True) & Q(action__isnull=False) & Q(url=""))
                | (Q(feedback__isnull=True) & Q(action__isnull=True) & ~Q(url="") & ~Q(title="")),
                name="evidence_exactly_one_source"),
            models.UniqueConstraint(fields=["commitment", "feedback"],
                                    condition=Q(feedback__isnull=False),
                                    name="evidence_feedback_once"),
            models.UniqueConstraint(fields=["commitment", "action"],
                                    condition=Q(action__isnull=False),
                                    name="evidence_action_once"),
            models.UniqueConstraint(fields=["commitment", "url"], condition=~Q(url=""),
                                    name="evidence_url_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_effect_display()}: {self.commitment_id}"

    @property
    def kind(self) -> str:
        if self.feedback_id:
            return "feedback"
        if self.action_id:
            return "action"
        return "report"
