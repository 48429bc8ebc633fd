"""The report workflow table (reports.workflow.TRANSITIONS): services refuse
what it does not hold, and the staff page offers exactly its allowed moves."""

import re

import pytest
import rules
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.audit import Verb
from core.models import AuditEvent, Role
from reports import services, workflow
from reports.models import Report
from tests.core.factories import OrganisationFactory, staff_user
from tests.reports.factories import draft_report, make_people

S = Report.Status
pytestmark = pytest.mark.django_db


def test_the_table_names_real_states_verbs_and_permissions():
    assert len(workflow.BY_ACTION) == len(workflow.TRANSITIONS)
    for t in workflow.TRANSITIONS:
        assert t.sources and t.sources <= set(S.values) and t.target in S.values
        assert t.target not in t.sources
        assert isinstance(t.verb, Verb)
        assert rules.perm_exists(t.permission), t.permission
        assert t.label or not t.secondary


@pytest.mark.parametrize("source,target", [
    (S.DRAFT, S.PUBLISHED), (S.DRAFT, S.APPROVED), (S.PUBLISHED, S.DRAFT),
    (S.WITHDRAWN, S.PUBLISHED), (S.SUPERSEDED, S.PUBLISHED),
])
def test_moves_outside_the_table_are_refused(source, target):
    with pytest.raises(ValidationError):
        workflow.between(source, target)


def test_a_service_refuses_with_the_tables_words_and_audits_with_its_verb():
    org, officer, approver = make_people()
    report = draft_report(org=org, author=officer, items=1)
    with pytest.raises(ValidationError) as refused:
        services.report_publish(acting_user=officer, report=report)
    assert refused.value.messages == [workflow.BY_ACTION["publish"].refusal]
    services.report_submit(acting_user=officer, report=report)
    event = AuditEvent.objects.order_by("-id").first()
    assert event.verb == workflow.BY_ACTION["submit"].verb


def _buttons(html: str) -> set[str]:
    start = html.index("What happens next")
    form = html[start:html.index("</form>", start)]
    return set(re.findall(r'name="action" value="([a-z_]+)"', form))


@pytest.fixture
def people():
    org, officer, approver = make_people()
    return {
        "report": draft_report(org=org, author=officer, items=1),
        "author (officer)": officer,
        "approver": approver,
        "administrator": staff_user(Role.ADMINISTRATOR, org),
        "officer elsewhere": staff_user(Role.OFFICER, OrganisationFactory()),
    }


# Buttons in "What happens next" by state and person (the author is an officer).
EXPECTED = {
    S.DRAFT: {"author (officer)": {"submit"}, "approver": {"submit"}, "administrator": set()},
    S.IN_REVIEW: {"author (officer)": {"return"}, "approver": {"approve", "return"},
                  "administrator": set()},
    S.APPROVED: {"author (officer)": {"publish", "return"}, "approver": {"publish", "return"},
                 "administrator": set()},
}


@pytest.mark.parametrize("status", EXPECTED)
@pytest.mark.parametrize("who", ["author (officer)", "approver", "administrator"])
def test_the_page_offers_exactly_the_allowed_moves(client, people, status, who):
    report = people["report"]
    Report.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()
    user = people[who]
    moves = workflow.allowed_for(user, report)
    assert {t.action for t in moves.buttons} == EXPECTED[status][who]
    client.force_login(user)
    page = client.get(reverse("staff:reports:edit", args=[report.pk])).content.decode()
    assert _buttons(page) == EXPECTED[status][who]
    for note in moves.waiting:
        assert note in page
    waiting = workflow.BY_ACTION["approve"].waiting
    assert (waiting in page) == (status == S.IN_REVIEW and "approve" not in moves.allowed)


def test_another_organisation_gets_no_moves(people):
    assert workflow.allowed_for(people["officer elsewhere"], people["report"]).allowed == set()


def test_a_move_the_page_does_not_offer_is_refused_when_posted(client, people):
    report = people["report"]
    client.force_login(people["author (officer)"])
    Report.objects.filter(pk=report.pk).update(status=S.IN_REVIEW)
    response = client.post(reverse("staff:reports:workflow", args=[report.pk]),
                           {"action": "approve"})
    assert response.status_code == 403
    assert Report.objects.get(pk=report.pk).status == S.IN_REVIEW
