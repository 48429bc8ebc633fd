"""What the database itself guarantees, whatever a service or a race does:
one number per action, one published and one in-progress version per report,
theme and service-area names unique ignoring case."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from actionplan import services as actionplan_services
from actionplan.models import Action
from core.models import Role, ServiceArea, Theme
from reports import services as report_services
from reports.models import Report
from tests.actionplan.factories import PriorityFactory
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, ThemeFactory, staff_user
from tests.core.parallel import run_together
from tests.reports.factories import draft_report, make_people, published_report

# --- Action numbers -------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_actions_created_at_the_same_moment_get_different_numbers():
    priority = PriorityFactory(number=3)
    lead = OrganisationFactory()

    def create(n):
        def call():
            return actionplan_services.action_create(
                acting_user=None, priority=priority, title=f"Concurrent action {n}",
                lead_organisation=lead).reference
        return call

    results = run_together(*(create(n) for n in range(4)))
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(results) == ["3.1", "3.2", "3.3", "3.4"]
    assert Action.objects.filter(priority=priority).count() == 4


@pytest.mark.django_db
def test_the_database_refuses_a_second_action_with_the_same_number():
    priority = PriorityFactory(number=2)
    lead = OrganisationFactory()
    Action.objects.create(priority=priority, reference="2.1", title="First", lead_organisation=lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(priority=priority, reference="2.1", title="Second",
                              lead_organisation=lead)
    # Actions with no number yet are not each other's duplicates.
    Action.objects.create(priority=priority, reference="", title="A", lead_organisation=lead)
    Action.objects.create(priority=priority, reference="", title="B", lead_organisation=lead)


# --- Report versions ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_refuses_a_second_published_version():
    org, officer, approver = make_people()
    report = published_report(org=org, author=officer, approver=approver)
    second = report_services.report_new_version(acting_user=officer, report=report)
    # Straight to the table, round the services: still refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=second.pk).update(status=Report.Status.PUBLISHED)
    assert Report.objects.get(pk=second.pk).status == Report.Status.DRAFT


@pytest.mark.django_db
def test_the_database_refuses_a_second_version_in_progress():
    org, officer, approver = make_people()
    report = published_report(org=org, author=officer, approver=approver)
    report_services.report_new_version(acting_user=officer, report=report)
    copy = Report.objects.get(pk=report.pk)
    copy.pk, copy.version, copy.status = None, 9, Report.Status.IN_REVIEW
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


@pytest.mark.django_db
def test_publishing_a_new_version_still_supersedes_the_old_one():
    org, officer, approver = make_people()
    first = published_report(org=org, author=officer, approver=approver)
    second = report_services.report_new_version(acting_user=officer, report=first)
    report_services.report_submit(acting_user=officer, report=second)
    report_services.report_approve(acting_user=approver, report=second)
    report_services.report_publish(acting_user=officer, report=second)
    statuses = dict(Report.objects.filter(slug=first.slug).values_list("version", "status"))
    assert statuses == {1: "superseded", 2: "published"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_new_versions_started_at_once_make_one_draft():
    org, officer, approver = make_people()
    report = published_report(org=org, author=officer, approver=approver)

    def start():
        return report_services.report_new_version(acting_user=officer, report=report)

    results = run_together(start, start)
    made = [r for r in results if isinstance(r, Report)]
    assert len(made) == 1, results
    assert Report.objects.filter(slug=report.slug, status=Report.Status.DRAFT).count() == 1


@pytest.mark.django_db
def test_two_drafts_of_different_reports_are_allowed():
    org, officer, _ = make_people()
    draft_report(org=org, author=officer, items=0, title="Report one")
    draft_report(org=org, author=officer, items=0, title="Report two")
    assert Report.objects.filter(status=Report.Status.DRAFT).count() == 2


# --- Names of themes and service areas ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [ThemeFactory, ServiceAreaFactory])
def test_the_database_refuses_a_name_differing_only_in_case(factory):
    factory(name="Waiting times", slug="waiting-times")
    with pytest.raises(IntegrityError), transaction.atomic():
        factory._meta.model.objects.create(name="WAITING TIMES", slug="waiting-times-2")


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Theme, ServiceArea])
def test_a_name_added_at_the_same_moment_gives_a_form_error_not_a_500(model, monkeypatch):
    admin = staff_user(Role.ADMINISTRATOR)
    client = Client()
    client.force_login(admin)
    # The form's own check has passed; someone adds the same name in between.
    from core import forms

    real_clean = forms.ListItemForm.clean

    def clean_then_race(self):
        cleaned = real_clean(self)
        model.objects.create(name="short breaks", slug="short-breaks-elsewhere")
        return cleaned

    monkeypatch.setattr(forms.ListItemForm, "clean", clean_then_race)
    kind = "theme" if model is Theme else "service_area"
    response = client.post(reverse("staff:list-add"), {"kind": kind, "name": "Short Breaks",
                                                       "picture": "other"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and 'href="#id_name"' in html
    assert "There is already one with that name" in html
    assert 'value="Short Breaks"' in html  # nothing typed is lost
    assert model.objects.filter(name__iexact="short breaks").count() == 1
