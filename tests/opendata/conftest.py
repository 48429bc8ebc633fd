"""A small published world for the open data: one report of each state, a
plan with a public and an internal action, and a charter with results on
both sides of the suppression threshold. Feedback arrives through the
public form, carrying canary words that must never be published."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from actionplan import services as actionplan_services
from charter import services as charter_services
from charter.models import Charter
from core.models import Role
from feedback import services as feedback_services
from feedback.models import Feedback
from reports import services as report_services
from reports.models import Report
from tests.actionplan.factories import ActionFactory, PlanFactory, PriorityFactory
from tests.charter.factories import (
    CharterFactory,
    CommitmentFactory,
    PracticeFactory,
    PulseRoundFactory,
    SectionFactory,
    SignatoryFactory,
    StatementFactory,
)
from tests.core.factories import (
    OrganisationFactory,
    ServiceAreaFactory,
    ThemeFactory,
    staff_user,
)

# What a family typed, which must never leave the portal.
CANARY = {
    "name": "Canaryname Zqxwvu",
    "email": "canary.zqxwvu@example.com",
    "phone": "07700 900987",
    "went_well": "Zqxwvu-went-well-canary words about our son",
    "even_better": "Zqxwvu-even-better-canary words about his school",
}
# Titles of reports the public must never see through the API.
HIDDEN_TITLES = {
    "draft": "Zqxwvu draft report title",
    "in_review": "Zqxwvu report in review title",
    "withdrawn": "Zqxwvu withdrawn report title",
}
INTERNAL_ACTION = "Zqxwvu internal action title"
INTERNAL_NARRATIVE = "Zqxwvu internal narrative for the board"
# Measures the public must never see: an internal one of a public action, a
# public one of an internal action, and a public value's note.
INTERNAL_MEASURE = "Zqxwvu internal measure name"
MEASURE_OF_INTERNAL_ACTION = "Zqxwvu measure of an internal action"
MEASURE_NOTE = "Zqxwvu note on a value for staff"
PUBLIC_MEASURE = "Families who found the Local Offer page they needed"


@dataclass
class OpenWorld:
    org: object
    officer: object
    approver: object
    theme: object
    area: object
    published: Report
    withdrawn: Report
    public_action: object
    internal_action: object
    charter: Charter


def _report(world_org, officer, theme, title, *, area=None, quotes=(), actions=()):
    today = timezone.localdate()
    report = report_services.report_create(
        acting_user=officer, organisation=world_org, title=title,
        kind=Report.Kind.LOCAL_OFFER, period_start=today - timedelta(days=60),
        period_end=today + timedelta(days=1), service_area=area,
        summary="What families told us about the Local Offer, and what we did.")
    report_services.item_save(
        acting_user=officer, report=report, new_topic="Finding information",
        heading="Finding information", theme=theme, quotes=quotes, actions=actions,
        you_said="Pages on the Local Offer were hard to find.",
        we_did="We grouped the Local Offer pages by age.", outcome="done")
    return report


def _publish(report, officer, approver):
    report_services.report_submit(acting_user=officer, report=report)
    report_services.report_approve(acting_user=approver, report=report)
    return report_services.report_publish(acting_user=officer, report=report)


def add_measures(officer, public_action, internal_action, priority, *, code: str = "") -> None:
    """A public measure with a baseline, a target and two values (one with
    a staff note) on the public action, an internal one beside it, a public
    one on the internal action, and a public one of the priority."""
    today = timezone.localdate()
    public = actionplan_services.measure_create(
        acting_user=officer, action=public_action, code=f"LO-FOUND{code}", name=PUBLIC_MEASURE,
        unit="percent", direction="up", baseline_value=Decimal("40"),
        baseline_date=today - timedelta(days=400), is_public=True,
        targets=[(Decimal("75"), today + timedelta(days=200))])
    for days, value in ((200, "48"), (20, "61.5")):
        actionplan_services.measure_value_add(
            acting_user=officer, measure=public, date=today - timedelta(days=days),
            value=Decimal(value), note=MEASURE_NOTE)
    for action, name, is_public, kind in (
            (public_action, INTERNAL_MEASURE, False, "INT"),
            (internal_action, MEASURE_OF_INTERNAL_ACTION, True, "HID")):
        hidden = actionplan_services.measure_create(
            acting_user=officer, action=action, code=f"{kind}{code}", name=name,
            is_public=is_public)
        actionplan_services.measure_value_add(
            acting_user=officer, measure=hidden, date=today - timedelta(days=5),
            value=Decimal("3"))
    actionplan_services.measure_create(
        acting_user=officer, priority=priority, code=f"PRI{code}",
        name="Local Offer page views a month", unit="number", direction="up", is_public=True)


def build_open_world(client) -> OpenWorld:
    org = OrganisationFactory(name="Testshire County Council", slug="testshire-county-council")
    officer = staff_user(Role.OFFICER, org)
    approver = staff_user(Role.APPROVER, org)
    theme = ThemeFactory(name="Information and the Local Offer")
    area = ServiceAreaFactory(name="Local Offer")

    # A family gives feedback through the public form, with every canary.
    response = client.post(reverse("feedback:give"), {
        "service_areas": [area.pk], "what_went_well": CANARY["went_well"],
        "even_better_if": CANARY["even_better"], "respondent": "parent_carer",
        "consent_to_quote": "yes", "wants_contact": "yes", "contact_name": CANARY["name"],
        "contact_email": CANARY["email"], "contact_phone": CANARY["phone"]})
    assert response.status_code == 302, response.content.decode()[:2000]
    feedback = Feedback.objects.get(contact_email=CANARY["email"])
    feedback.themes.add(theme)
    quote = feedback_services.quote_propose(
        acting_user=officer, feedback=feedback,
        redacted_text="The pages were hard to find for a parent like me.", theme=theme)
    quote = feedback_services.quote_decide(acting_user=approver, quote=quote, approve=True)

    plan = PlanFactory(title="Testshire SEND Strategy", slug="testshire-send-strategy")
    priority = PriorityFactory(plan=plan, number=1, title="Information families can find")
    public_action = ActionFactory(priority=priority, reference="1.1", is_public=True,
                                  title="Group the Local Offer pages by age",
                                  lead_organisation=org)
    public_action.themes.add(theme)
    actionplan_services.action_update_progress(
        acting_user=officer, action=public_action, status="on_track", percent=40,
        narrative=INTERNAL_NARRATIVE, public_narrative="Pages for 0 to 5 are live.",
        date=timezone.localdate() - timedelta(days=10))
    internal_action = ActionFactory(priority=priority, reference="1.2", is_public=False,
                                    title=INTERNAL_ACTION, lead_organisation=org)

    add_measures(officer, public_action, internal_action, priority)

    published = _publish(_report(org, officer, theme, "Local Offer feedback: what we did",
                                 area=area, quotes=[quote], actions=[public_action,
                                                                     internal_action]),
                         officer, approver)
    _report(org, officer, theme, HIDDEN_TITLES["draft"])
    in_review = _report(org, officer, theme, HIDDEN_TITLES["in_review"])
    report_services.report_submit(acting_user=officer, report=in_review)
    withdrawn = _publish(_report(org, officer, theme, HIDDEN_TITLES["withdrawn"]), officer,
                         approver)
    withdrawn = report_services.report_withdraw(acting_user=approver, report=withdrawn,
                                                reason="It named a school by mistake.")

    charter = CharterFactory(title="Testshire Co-production Charter", slug="testshire-charter",
                             organisation=org)
    section = SectionFactory(charter=charter, title="Welcome and Care")
    commitment = CommitmentFactory(section=section, text="All voices are heard and valued")
    PracticeFactory(commitment=commitment, text="we introduce each other at every meeting")
    many = StatementFactory(charter=charter, text="I am an equal partner")
    few = StatementFactory(charter=charter, text="I was given what I needed to take part")
    SignatoryFactory(charter=charter, organisation=org)
    charter = charter_services.charter_adopt(acting_user=None, charter=charter,
                                             adopted_on=date(2026, 3, 1), review_date=None)
    pulse_round = PulseRoundFactory(charter=charter, title="Parent carer conference")
    for n in range(6):
        ratings = {many.pk: 5 if n < 4 else 2}
        if n < 3:
            ratings[few.pk] = 4
        charter_services.pulse_submit(pulse_round=pulse_round, ratings=ratings)
    return OpenWorld(org=org, officer=officer, approver=approver, theme=theme, area=area,
                     published=published, withdrawn=withdrawn, public_action=public_action,
                     internal_action=internal_action, charter=charter)


@pytest.fixture
def open_world(db, client) -> OpenWorld:
    return build_open_world(client)
