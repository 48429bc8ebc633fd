"""Getting involved: opportunities to take part, the participation register
and the anonymous "who took part" answers.

Personal data lives in two places only: `Interest` ("I'd like to take part":
a name and a way to reply) and `RegisterEntry` (people who asked to be
asked). The optional questions about who takes part are stored apart from
both, in `AboutYou` rows that carry no name, address or link to a person, so
the representation view counts people without knowing who they are.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.models import Organisation, TimeStampedModel
from feedback.models import tracking_digest


class Level(models.TextChoices):
    """The three levels of participation (seed 000, seed 004)."""

    INDIVIDUAL = "individual", "Individual: decisions about your own child or your own support"
    OPERATIONAL = "operational", "Operational: how a service or team works"
    STRATEGIC = "strategic", "Strategic: plans and decisions for the whole area"


class Kind(models.TextChoices):
    WORKSHOP = "workshop", "Workshop"
    FOCUS_GROUP = "focus_group", "Focus group"
    SURVEY = "survey", "Survey"
    BOARD = "board", "Board or panel with family seats"
    YOUNG_PEOPLE = "young_people", "Young people’s group"


class Topic(models.TextChoices):
    EDUCATION = "education", "Schools, colleges and education"
    EHCP = "ehcp", "Education, health and care plans"
    HEALTH = "health", "Health, therapies and mental health"
    SOCIAL_CARE = "social_care", "Social care and short breaks"
    ADULTHOOD = "adulthood", "Preparing for adulthood"
    LOCAL_OFFER = "local_offer", "Information about services (the Local Offer)"
    TRANSPORT = "transport", "Travel and transport"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    TEXT = "text", "Text message"
    POST = "post", "Post"


class Relationship(models.TextChoices):
    PARENT_CARER = "parent_carer", "Parent or carer"
    YOUNG_PERSON = "young_person", "A child or young person with SEND"
    SIBLING = "sibling", "Brother, sister or other family member"
    OTHER = "other", "Someone else"


class ChildAge(models.TextChoices):
    AGE_0_4 = "0-4", "0 to 4"
    AGE_5_10 = "5-10", "5 to 10"
    AGE_11_15 = "11-15", "11 to 15"
    AGE_16_19 = "16-19", "16 to 19"
    AGE_20_25 = "20-25", "20 to 25"


class Need(models.TextChoices):
    """The school census's primary types of need, grouped as the published
    figures group them."""

    COMMUNICATION = "communication", "Communication and interaction (including autism)"
    LEARNING = "learning", "Cognition and learning"
    SEMH = "semh", "Social, emotional and mental health"
    SENSORY_PHYSICAL = "sensory_physical", "Sensory or physical needs"
    OTHER = "other", "Another need"


def area_choices() -> list[tuple[str, str]]:
    """The parts of the county (PARTICIPATION_AREAS: slug, name)."""
    return [tuple(pair) for pair in settings.PARTICIPATION_AREAS]


class Dimension(models.TextChoices):
    """What the representation view compares: each has published figures."""

    CHILD_AGE = "child_age", "Age of the child or young person"
    NEED = "need", "Area of need"
    AREA = "area", "Part of the county"


class Opportunity(TimeStampedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="opportunities")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    level = models.CharField(max_length=20, choices=Level.choices)
    topic = models.CharField(max_length=20, choices=Topic.choices)
    about = models.TextField("What it is about")
    who_for = models.TextField("Who it is for")
    when = models.CharField("When", max_length=200,
                            help_text="For example “Tuesday 9 February 2027, 10am to 12 noon”")
    where = models.CharField("Where", max_length=300, blank=True,
                             help_text="The address, or leave empty if it is online only")
    online = models.BooleanField("It can be joined online", default=False)
    bsl = models.BooleanField("British Sign Language interpreter", default=False)
    quiet_room = models.BooleanField("Quiet room", default=False)
    childcare = models.BooleanField("Childcare or a sitter paid for", default=False)
    travel_costs = models.BooleanField("Travel costs paid", default=False)
    payment = models.BooleanField("Payment or a voucher for your time", default=False)
    access_other = models.CharField("Other access arrangements", max_length=300, blank=True)
    how_to_take_part = models.TextField("How to take part")
    closes_on = models.DateField("Closing date")
    easy_read = models.TextField(
        "Easy-read summary", help_text="Short sentences, one idea each, one to a line")
    published = models.BooleanField(default=False)
    outcome = models.TextField("What came of it", blank=True)
    outcome_url = models.CharField("Link to the report or action", max_length=300, blank=True)

    class Meta:
        ordering = ["closes_on", "pk"]
        verbose_name_plural = "opportunities"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:opportunity", args=[self.slug])

    @property
    def is_open(self) -> bool:
        return self.closes_on >= timezone.localdate()

    def access_list(self) -> list[str]:
        names = [self._meta.get_field(f).verbose_name for f in
                 ("bsl", "quiet_room", "childcare", "travel_costs", "payment") if getattr(self, f)]
        if self.access_other:
            names.append(self.access_other)
        return names


class AboutYou(models.Model):
    """The optional, anonymous answers of one person who took part: no name,
    no contact details, no link to the register entry or the interest."""

    class Source(models.TextChoices):
        REGISTER = "register", "Joined the register"
        INTEREST = "interest", "Said they would like to take part"

    source = models.CharField(max_length=10, choices=Source.choices)
    opportunity = models.ForeignKey(Opportunity, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    month = models.DateField(help_text="The first day of the month it was given (no more exact)")
    relationship = models.CharField(max_length=20, choices=Relationship.choices, blank=True)
    child_age = models.CharField(max_length=10, choices=ChildAge.choices, blank=True)
    need = models.CharField(max_length=20, choices=Need.choices, blank=True)
    area = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"Anonymous answers {self.pk}"


class Interest(models.Model):
    """"I'd like to take part": who, and how to get back to them."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE,
                                    related_name="interests")
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    needs = models.TextField("Anything that would help you take part", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Interest {self.pk}"


class RegisterEntry(models.Model):
    """Someone who asked to be asked. Kept while they renew every
    REGISTER_RENEWAL_DAYS; erased by the retention run once lapsed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="register_entries")
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    postal_address = models.TextField(blank=True)
    channels = models.JSONField(default=list, help_text="Channel values")
    topics = models.JSONField(default=list, help_text="Topic values")
    kinds = models.JSONField(default=list, help_text="Kind values")
    consent_wording = models.TextField()
    consented_at = models.DateTimeField()
    renewed_at = models.DateTimeField(help_text="Consent given or last renewed")
    renewal_asked_at = models.DateTimeField(null=True, blank=True)
    # Only the SHA-256 digest of the private link's token (feedback.models.tracking_digest).
    token_digest = models.CharField(max_length=64, unique=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "register entries"

    def __str__(self) -> str:
        return f"Register entry {self.pk}"

    @property
    def token(self) -> str | None:
        """The plain token, only on the instance it was given to."""
        return getattr(self, "_token", None)

    @token.setter
    def token(self, value: str) -> None:
        self._token = value
        self.token_digest = tracking_digest(value)

    def get_channels_display(self) -> str:
        labels = dict(Channel.choices)
        return ", ".join(labels.get(c, c) for c in self.channels)

    def get_topics_display(self) -> str:
        labels = dict(Topic.choices)
        return ", ".join(labels.get(c, c) for c in self.topics)

    def get_kinds_display(self) -> str:
        labels = dict(Kind.choices)
        return ", ".join(labels.get(c, c) for c in self.kinds)


class Invitation(models.Model):
    """A register member invited to an opportunity, and their answer."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        BY_POST = "by_post", "To send by post"
        FAILED = "failed", "Could not be sent"
        CANCELLED = "cancelled", "Cancelled"

    class Answer(models.TextChoices):
        NONE = "", "No answer yet"
        YES = "yes", "Yes, would like to take part"
        NO = "no", "No, not this time"

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE,
                                    related_name="invitations")
    entry = models.ForeignKey(RegisterEntry, on_delete=models.CASCADE,
                              related_name="invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    answer = models.CharField(max_length=3, choices=Answer.choices, blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["opportunity", "entry"],
                                               name="participation_one_invitation_each")]

    def __str__(self) -> str:
        return f"Invitation {self.pk}"

    @property
    def by_post(self) -> bool:
        return self.channel == Channel.POST


class AreaFigure(models.Model):
    """How many children and young people with SEND the area has in one
    group, from published figures (e.g. the school census), entered by an
    administrator."""

    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    value = models.CharField(max_length=40)
    count = models.PositiveIntegerField()
    source = models.CharField(max_length=300)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dimension", "pk"]
        constraints = [models.UniqueConstraint(fields=["dimension", "value"],
                                               name="participation_one_figure_per_group")]

    def __str__(self) -> str:
        return f"{self.dimension} {self.value}: {self.count}"
