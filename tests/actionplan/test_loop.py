"""An action's staff page says how many families are waiting to hear about
it (references only) and what they were last told (actionplan/loop.py)."""

import pytest
from django.urls import reverse

from actionplan import services
from core import jobs
from core.models import Role
from feedback import services as feedback_services
from tests.actionplan.factories import ActionFactory
from tests.core.factories import OrganisationFactory, staff_user

pytestmark = pytest.mark.django_db


def _family(council, n):
    return feedback_services.feedback_submit(
        even_better_if=f"Private words {n}.", wants_contact=True,
        contact_email=f"family{n}@example.com", wants_progress=True, about_organisation=council)


def test_the_action_page_lists_waiting_families_by_reference_and_what_they_were_told(
        client, django_assert_num_queries, django_capture_on_commit_callbacks):
    council = OrganisationFactory(name="Gloucestershire County Council")
    officer = staff_user(Role.OFFICER, council)
    action = ActionFactory(lead_organisation=council, is_public=True, owner=officer,
                           title="Publish transport route changes ten days ahead")
    first = _family(council, 1)
    action.feedback.add(first)
    client.force_login(officer)
    url = reverse("staff:actionplan:action_detail", args=[action.pk])
    page = client.get(url).content.decode()
    assert "1 family asked to be told" in page and first.reference in page
    assert "Last told" not in page
    with django_capture_on_commit_callbacks(execute=True):
        services.action_update_progress(acting_user=officer, action=action, status="at_risk",
                                        percent=40, narrative="Slipping.")
    jobs.run_due()
    with django_assert_num_queries(13) as one:  # two for the waiting families; the decisions, the measures
        page = client.get(url).content.decode()
    assert "Private words 1." not in page and "family1@example.com" not in page
    assert "Last told on" in page and "At risk" in page
    others = [_family(council, n) for n in range(2, 7)]
    action.feedback.add(*others)
    with django_capture_on_commit_callbacks(execute=True):
        services.action_update_progress(acting_user=officer, action=action, status="complete",
                                        percent=100, narrative="Done.")
    jobs.run_due()
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    assert "6 families asked to be told" in page
    assert all(f.reference in page for f in [first, *others])
    assert "Publish transport route changes ten days ahead" in page and "is complete" in page
