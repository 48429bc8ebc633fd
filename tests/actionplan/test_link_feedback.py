"""Linking the feedback that prompted an action ("you said")."""

import pytest
from django.urls import reverse

from actionplan.models import Action
from core.audit import Verb
from core.models import AuditEvent, Role
from tests.core.factories import OrganisationFactory, ThemeFactory, staff_user
from tests.feedback.factories import FeedbackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action():
    from actionplan.models import Plan, Priority

    org = OrganisationFactory(name="Testshire County Council")
    plan = Plan.objects.create(title="Joint strategy", slug="joint", period_start="2026-01-01",
                               period_end="2028-12-31")
    priority = Priority.objects.create(plan=plan, number=1, title="Be heard")
    return Action.objects.create(priority=priority, reference="1.1", title="Reply faster",
                                 lead_organisation=org)


def test_an_officer_links_feedback_and_its_themes_follow(client, action):
    officer = staff_user(Role.OFFICER, action.lead_organisation)
    theme = ThemeFactory(name="Communication")
    feedback = FeedbackFactory(organisation=action.lead_organisation)
    feedback.themes.add(theme)
    client.force_login(officer)
    response = client.post(reverse("staff:actionplan:action_detail", args=[action.pk]),
                           {"reference": feedback.reference.lower()})
    assert response.status_code == 302
    assert list(action.feedback.all()) == [feedback]
    assert list(action.themes.all()) == [theme]
    event = AuditEvent.objects.get(verb=Verb.ACTION_FEEDBACK_LINKED)
    assert feedback.even_better_if not in f"{event.summary} {event.data}"


def test_feedback_the_officer_cannot_see_cannot_be_linked(client, action):
    officer = staff_user(Role.OFFICER, action.lead_organisation)
    elsewhere = FeedbackFactory(organisation=OrganisationFactory(name="Other Trust"))
    client.force_login(officer)
    response = client.post(reverse("staff:actionplan:action_detail", args=[action.pk]),
                           {"reference": elsewhere.reference})
    assert response.status_code == 400
    assert "There is no feedback with that reference that you can see" in response.content.decode()
    assert not action.feedback.exists()


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.ADMINISTRATOR])
def test_people_who_cannot_update_the_action_cannot_link(client, action, role):
    feedback = FeedbackFactory(organisation=action.lead_organisation)
    client.force_login(staff_user(role, action.lead_organisation))
    response = client.post(reverse("staff:actionplan:action_detail", args=[action.pk]),
                           {"reference": feedback.reference})
    assert response.status_code == 403
    assert not action.feedback.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_link_form_and_its_error_are_accessible(page, action):
    from tests.conftest import assert_accessible, sign_in

    staff_user(Role.OFFICER, action.lead_organisation, email="officer@council.example")
    sign_in(page, "officer@council.example")
    page.goto(f"/staff/action-plan/actions/{action.pk}/")
    page.get_by_label("Feedback that prompted this action").fill("FB-2026-99999")
    page.get_by_role("button", name="Link feedback").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "action page with a link error")
