"""Organisations, people, roles, shared lists and the audit trail.

`core` imports no other app: every other app may build on it.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .concurrency import lock_version_field


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A member of staff. Families never have accounts."""

    username = None
    email = models.EmailField("e-mail address", unique=True)
    job_title = models.CharField(max_length=200, blank=True)

    class ApprovalEmail(models.TextChoices):
        """How a person hears that a reply, quote or report waits for them."""

        EACH = "each", "An e-mail each time something starts waiting for me"
        DAILY = "daily", "One e-mail a day listing what is waiting"
        NONE = "none", "No e-mails: I will look when I sign in"

    approval_email = models.CharField(max_length=10, choices=ApprovalEmail.choices,
                                      default=ApprovalEmail.EACH)
    # Moved on to end every session of this person at once: when a sign-out
    # cannot confirm the session's cached copy is gone (core.signals). Part
    # of the hash Django checks on every request (get_session_auth_hash).
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["first_name", "last_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    # Django's documented hooks for "is this session still this person's?":
    # its own hash of the password, with the session generation added once
    # it has moved on (so sessions made before it ever moves stay valid).
    _SESSION_SALT = "core.models.User.get_session_auth_hash"

    def _session_hash(self, secret: str) -> str:
        return salted_hmac(self._SESSION_SALT, f"{self.password}|{self.session_generation}",
                           secret=secret, algorithm="sha256").hexdigest()

    def get_session_auth_hash(self) -> str:
        if not self.session_generation:
            return super().get_session_auth_hash()
        return self._session_hash(settings.SECRET_KEY)

    def get_session_auth_fallback_hash(self):
        if not self.session_generation:
            yield from super().get_session_auth_fallback_hash()
            return
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret)


class Organisation(TimeStampedModel):
    """A partner in the local area's SEND partnership."""

    class Kind(models.TextChoices):
        # Stored values kept from before partners could be added on a page,
        # so existing rows and FEEDBACK_DEFAULT_ORGANISATION lookups still hold.
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        NHS_PROVIDER = "nhs_provider", "NHS trust"
        NHS_COMMISSIONER = "nhs_commissioner", "Integrated care board"
        SCHOOL = "school", "School or college"
        PARENT_CARER_FORUM = "parent_carer_forum", "Parent carer forum"
        YOUNG_PEOPLE = "young_people", "Young people’s group"
        VOLUNTARY = "voluntary", "Voluntary sector"
        PROVIDER = "provider", "Provider"
        SENDIASS = "sendiass", "SENDIASS"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    area = models.CharField(max_length=100, help_text="The local area, e.g. Gloucestershire")
    website = models.URLField(blank=True)
    public_name = models.CharField(
        max_length=200, blank=True,
        help_text="The name families see, e.g. as a report's publisher. Empty: the name.")
    # The partnership administrators are the administrators of the one
    # organisation marked as the lead: they add partners and give each its
    # own administrator. Everything else an administrator does is within
    # their own organisations.
    is_partnership_lead = models.BooleanField(default=False)
    # The partnership's decision, kept on its lead organisation: may the
    # partnership administrators act as the administrator of every partner
    # (edit a partner's charter, sign for it, open and reopen its audits)?
    # Off by default: a partner's act is that partner's own (core.roles).
    lead_acts_for_partners = models.BooleanField(
        "The partnership’s administrators may act for partner organisations", default=False)
    # Some organisations want an approver to check every public reply.
    replies_need_approval = models.BooleanField(default=False)
    # Empty means the environment's default (FEEDBACK_RESPONSE_WORKING_DAYS,
    # FEEDBACK_CONTACT_RETENTION_DAYS); read them through the properties below.
    response_working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    contact_retention_days = models.PositiveSmallIntegerField(null=True, blank=True)
    lock_version = lock_version_field()

    class Meta:
        ordering = ["area", "name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "area", name="organisation_unique_name_in_area"),
            models.UniqueConstraint(fields=["is_partnership_lead"],
                                    condition=models.Q(is_partnership_lead=True),
                                    name="organisation_one_partnership_lead"),
            models.CheckConstraint(condition=models.Q(lead_acts_for_partners=False)
                                   | models.Q(is_partnership_lead=True),
                                   name="organisation_only_lead_acts_for_partners"),
            models.CheckConstraint(condition=models.Q(response_working_days__gte=1)
                                   | models.Q(response_working_days__isnull=True),
                                   name="organisation_response_days_positive"),
            models.CheckConstraint(condition=models.Q(contact_retention_days__gte=1)
                                   | models.Q(contact_retention_days__isnull=True),
                                   name="organisation_retention_days_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name the public sees."""
        return self.public_name or self.name

    @property
    def response_days(self) -> int:
        return self.response_working_days or settings.FEEDBACK_RESPONSE_WORKING_DAYS

    @property
    def retention_days(self) -> int:
        return self.contact_retention_days or settings.FEEDBACK_CONTACT_RETENTION_DAYS


class Cornerstone(models.TextChoices):
    """The national parent carer forum network's four cornerstones of
    co-production. Charter sections, participation audits and action-plan
    actions (the partnership's co-production activities) are tagged with
    them, and the evidence pack shows how each is covered."""

    WELCOME_AND_CARE = "welcome_and_care", "Welcome and care"
    VALUE_AND_INCLUDE = "value_and_include", "Value and include"
    COMMUNICATE = "communicate", "Communicate"
    WORK_IN_PARTNERSHIP = "work_in_partnership", "Work in partnership"


def cornerstones_field():
    """The cornerstones a thing is tagged with: a list of Cornerstone values
    (JSON, so SQLite runs the demo too)."""
    return models.JSONField(default=list, blank=True,
                            help_text="The cornerstones of co-production this covers.")


class Role(models.TextChoices):
    OFFICER = "officer", "Officer"
    APPROVER = "approver", "Manager / approver"
    BOARD_MEMBER = "board_member", "Board member"
    ADMINISTRATOR = "administrator", "Administrator"


class Membership(TimeStampedModel):
    """A person's role in one organisation. A person may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"],
                                    name="membership_unique_role"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values),
                                   name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.organisation}"


class NamedListItem(TimeStampedModel):
    """An entry in a list that administrators keep (themes, service areas)."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["name"]
        constraints = [
            # "Waiting times" and "waiting times" are one theme: the database
            # refuses the second even when two administrators add it at once.
            models.UniqueConstraint(Lower("name"), name="%(app_label)s_%(class)s_name_unique_ci",
                                    violation_error_message="There is already one with that name"),
        ]

    def __str__(self) -> str:
        return self.name


class Theme(NamedListItem):
    """What feedback is about, across services: "communication", "waiting times"."""


class ServiceArea(NamedListItem):
    """A service families give feedback on: EHCP, Local Offer, short breaks…"""

    class Picture(models.TextChoices):
        """The portal's own pictures (static/images/er-*.svg) for the easy-read form."""

        PLAN = "plan", "A plan with a tick"
        INFORMATION = "information", "An open book"
        SCHOOL = "school", "A school"
        HEALTH = "health", "A red cross"
        SOCIAL_CARE = "social-care", "Two people"
        SHORT_BREAKS = "short-breaks", "A tent in the sun"
        TRANSPORT = "transport", "A bus"
        FEELINGS = "feelings", "A heart"
        GROWING_UP = "growing-up", "Steps going up"
        ADVICE = "advice", "Two speech bubbles"
        OTHER = "other", "A question mark"

    easy_read_name = models.CharField(
        max_length=200, blank=True,
        help_text="The service in plain words for the easy-read form, with no "
                  "abbreviations, e.g. “Getting help from someone who explains things”.")
    picture = models.CharField(max_length=20, choices=Picture.choices, default=Picture.OTHER)


class AuditEvent(models.Model):
    """Who changed what, and when. `data` holds ids and states, never what a
    family wrote or their contact details."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80)
    target_id = models.CharField(max_length=64)
    summary = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["target_type", "target_id"]),
                   # The audit page filters by verb, newest first.
                   models.Index(fields=["verb", "-created_at"], name="core_audit_verb_created")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.verb} {self.target_type}:{self.target_id}"

    @property
    def verb_label(self) -> str:
        from .audit import verb_label

        return verb_label(self.verb)


class ApprovalNotice(models.Model):
    """An e-mail owed to an approver: something started waiting for them.
    Written in the same transaction as the change (core.approvals), sent by
    a worker after commit, at most once; a daily-digest row waits for the
    daily round instead."""

    class Kind(models.TextChoices):
        REPLY = "reply", "Reply to a family"
        QUOTE = "quote", "Quote"
        REPORT = "report", "Report"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DIGEST = "digest", "Waiting for the daily digest"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    created_at = models.DateTimeField(auto_now_add=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # What is waiting, in words without a family's personal data, and where.
    title = models.CharField(max_length=300)
    path = models.CharField(max_length=300)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} ({self.state})"


class Heartbeat(models.Model):
    """The last time a background process proved it was alive.

    Celery beat enqueues `core.tasks.heartbeat` every minute and a worker
    writes here, so a fresh row shows beat, broker, worker and database all
    working together; /healthz reports its age.
    """

    name = models.CharField(max_length=50, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class Job(models.Model):
    """A piece of background work, written in the same transaction as the
    change that needs it (core.jobs). The Celery message only says "run job
    N"; if the broker was down, or a worker died, or the work failed, the row
    is still here and beat's dispatcher sends it again. Staff see failed work
    on one page, with "try again"."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting or running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=50)
    subject_id = models.PositiveBigIntegerField()
    organisation = models.ForeignKey(Organisation, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The error's class name (and a short message), never a family's data.
    last_error = models.CharField(max_length=300, blank=True)
    run_after = models.DateTimeField(default=timezone.now)
    # Sent to a worker (or being worked on) until then; the dispatcher leaves it.
    leased_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "run_after"], name="job_state_run_after"),
                   models.Index(fields=["kind", "subject_id"], name="job_kind_subject")]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=["pending", "done", "failed"]),
                                   name="job_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_id} ({self.state})"


class NotifyMessage(models.Model):
    """One e-mail or text message handed to GOV.UK Notify (core.notify), and
    what Notify last said became of it. Deliberately without the address,
    the phone number or the words: Notify keeps those (for seven days) under
    its own id; the portal keeps only enough to tell staff whether messages
    arrive."""

    class Kind(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "Text message"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    notify_id = models.UUIDField(unique=True)
    # Ours, never personal: a random id for e-mails, the caller's for texts.
    reference = models.CharField(max_length=100)
    # Notify's own word: created, sending, pending, sent, delivered,
    # permanent-failure, temporary-failure, technical-failure; "unknown" once
    # Notify no longer keeps it and we never heard a final answer.
    status = models.CharField(max_length=30, default="created")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "updated_at"], name="notifymessage_status")]

    def __str__(self) -> str:
        return f"{self.kind} {self.notify_id} ({self.status})"
