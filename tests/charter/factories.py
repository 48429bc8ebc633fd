from datetime import date

import factory

from charter.models import (
    Charter,
    Commitment,
    Practice,
    PulseRound,
    Section,
    Signatory,
    Statement,
)
from tests.core.factories import OrganisationFactory


class CharterFactory(factory.django.DjangoModelFactory):
    """A charter version made directly. State changes in tests go through
    charter.services (charter_adopt, charter_new_version)."""

    class Meta:
        model = Charter

    title = factory.Sequence(lambda n: f"Testshire Co-production Charter {n}")
    slug = factory.Sequence(lambda n: f"testshire-charter-{n}")
    area = "Testshire"
    organisation = factory.SubFactory(OrganisationFactory)
    status = Charter.Status.DRAFT


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    charter = factory.SubFactory(CharterFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Welcome and Care {n}")


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    section = factory.SubFactory(SectionFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"All voices are heard and valued ({n})")


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    commitment = factory.SubFactory(CommitmentFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"we introduce each other ({n})")


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement

    charter = factory.SubFactory(CharterFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"I am an equal partner and am listened to ({n})")


class SignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signatory

    charter = factory.SubFactory(CharterFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role_title = "Director of Children and Families"
    signed_on = date(2026, 3, 1)


class PulseRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PulseRound

    charter = factory.SubFactory(CharterFactory)
    title = factory.Sequence(lambda n: f"Parent carer conference {n}")
    held_on = date(2026, 3, 14)
    access = PulseRound.Access.INVITATION
    state = PulseRound.State.OPEN
    token = factory.Sequence(lambda n: f"test-token-{n:04d}-abcdefghijklmnop")
