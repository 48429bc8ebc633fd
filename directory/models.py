"""Who's who (profiles published with the person's consent) and the jargon
buster (the glossary every public page writes its abbreviations out from)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import Organisation, TimeStampedModel

# What the person agreed to, stored with each profile as it was worded on the day.
CONSENT_WORDING = (
    "I agree to my name, photo (if given), role, what I do and my work contact "
    "details being published on the portal's “Who we are” page, so families know "
    "who they will meet. I can withdraw this at any time and my profile and photo "
    "will be removed at once.")


def _photo_name(instance, filename: str) -> str:
    # A random name: the person's name is never in a file name or address.
    return f"profiles/{uuid.uuid4().hex}.jpg"


class Profile(TimeStampedModel):
    """A professional or forum representative families will meet. Kept only
    while the person's consent is recorded: withdrawing it deletes the row and
    its photo (directory.services.profile_withdraw)."""

    class Part(models.TextChoices):
        EDUCATION = "education", "Education and the council’s SEND services"
        HEALTH = "health", "Health"
        SOCIAL_CARE = "social_care", "Social care"
        ADVICE = "advice", "Information, advice and support"
        FAMILIES = "families", "Parent carer forum"
        YOUNG_PEOPLE = "young_people", "Young people’s forum"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="profiles")
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=150)
    part = models.CharField(max_length=20, choices=Part.choices)
    about = models.TextField(help_text="What they do, in plain words.")
    work_email = models.EmailField(blank=True)
    work_phone = models.CharField(max_length=40, blank=True)
    photo = models.ImageField(upload_to=_photo_name, blank=True)
    photo_alt = models.CharField(max_length=250, blank=True)
    consent_given_on = models.DateField()
    consent_how = models.CharField(max_length=200)
    consent_wording = models.TextField()
    consent_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                            on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["part", "name", "pk"]
        constraints = [
            # No profile without consent recorded; a photo always has its alt text.
            models.CheckConstraint(condition=~Q(consent_wording="") & ~Q(consent_how=""),
                                   name="directory_profile_consent_recorded"),
            models.CheckConstraint(condition=Q(photo="") | ~Q(photo_alt=""),
                                   name="directory_profile_photo_has_alt"),
        ]

    def __str__(self) -> str:
        return self.name


class GlossaryTerm(TimeStampedModel):
    """One entry of the jargon buster. An entry with an abbreviation is
    written out at its first use on every public page and in report PDFs
    (directory.plainwords)."""

    term = models.CharField(max_length=200, unique=True,
                            help_text="In words, as written out, e.g. “education, health and care plan”.")
    abbreviation = models.CharField(max_length=20, blank=True)
    meaning = models.TextField()
    easy_read_meaning = models.TextField(blank=True)

    class Meta:
        ordering = ["abbreviation", "term"]
        constraints = [
            models.UniqueConstraint(fields=["abbreviation"], condition=~Q(abbreviation=""),
                                    name="directory_glossary_abbreviation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.abbreviation} ({self.term})" if self.abbreviation else self.term

    @property
    def heading(self) -> str:
        return self.abbreviation or self.term

    @property
    def anchor(self) -> str:
        from django.utils.text import slugify

        return "term-" + slugify(self.abbreviation or self.term)

    @property
    def letter(self) -> str:
        return self.heading[:1].upper()
