from datetime import date

import factory

from actionplan.models import Action, Board, Meeting, Plan, Priority
from tests.core.factories import OrganisationFactory


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Joint Board {n}")
    slug = factory.Sequence(lambda n: f"joint-board-{n}")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    title = factory.Sequence(lambda n: f"Joint SEND Strategy {n}")
    slug = factory.Sequence(lambda n: f"joint-send-strategy-{n}")
    area = "Testshire"
    period_start = date(2025, 1, 1)
    period_end = date(2027, 12, 31)
    board = factory.SubFactory(BoardFactory)


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Needs are identified and met in a timely way ({n})")


class ActionFactory(factory.django.DjangoModelFactory):
    """An action row. Progress goes through services.action_update_progress;
    tests that need many rows at once set the copied state directly."""

    class Meta:
        model = Action

    priority = factory.SubFactory(PriorityFactory)
    reference = factory.Sequence(lambda n: f"1.{n + 1}")
    title = factory.Sequence(lambda n: f"Refresh the Local Offer pages, part {n}")
    lead_organisation = factory.SubFactory(OrganisationFactory)
    due_date = date(2026, 12, 31)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    board = factory.SubFactory(BoardFactory)
    date = date(2026, 3, 12)
    title = factory.Sequence(lambda n: f"Quarterly board meeting {n}")

