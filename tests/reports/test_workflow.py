from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse

from core.audit import Verb
from core.models import AuditEvent, Role
from feedback import services as feedback_services
from reports import services
from reports.models import Report, ReportItem
from tests.core.factories import OrganisationFactory, ThemeFactory, UserFactory, staff_user
from tests.feedback.factories import FeedbackFactory
from tests.reports.factories import approved_quote, draft_report, make_people, published_report

pytestmark = pytest.mark.django_db


def test_the_whole_workflow_is_audited(django_capture_on_commit_callbacks):
    org, officer, approver = make_people()
    report = draft_report(org=org, author=officer)
    services.report_submit(acting_user=officer, report=report)
    with pytest.raises(PermissionDenied):
        services.report_approve(acting_user=officer, report=report)
    services.report_approve(acting_user=approver, report=report)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_publish(acting_user=officer, report=report)
    report.refresh_from_db()
    assert report.status == "published" and report.pdf_state == "ready"
    verbs = list(AuditEvent.objects.filter(target_type="reports.report", target_id=str(report.pk))
                 .order_by("created_at", "id").values_list("verb", flat=True))
    assert verbs[-3:] == [Verb.REPORT_SUBMITTED, Verb.REPORT_APPROVED, Verb.REPORT_PUBLISHED]


def test_the_database_refuses_approval_by_the_author():
    org, officer, _ = make_people()
    report = draft_report(org=org, author=officer)
    with pytest.raises(IntegrityError):
        Report.objects.filter(pk=report.pk).update(status="approved", approved_by=officer)


def test_not_possible_needs_a_rationale_and_quotes_must_be_approved():
    org, officer, approver = make_people()
    report = draft_report(org=org, author=officer, items=0)
    with pytest.raises(ValidationError):
        services.item_save(acting_user=officer, report=report, new_topic="General", heading="Printed booklet",
                           you_said="Print it.", we_did="No.", outcome="not_possible")
    theme = ThemeFactory()
    feedback = FeedbackFactory(organisation=org)
    proposed = feedback_services.quote_propose(acting_user=officer, feedback=feedback,
                                               redacted_text="Unapproved words")
    with pytest.raises(ValidationError):
        services.item_save(acting_user=officer, report=report, new_topic="General", heading="x", theme=theme,
                           you_said="x", we_did="x", outcome="done", quotes=[proposed])
    assert not ReportItem.objects.exists()


def test_counts_come_from_feedback_in_the_period_and_freeze_at_publication():
    org, officer, approver = make_people()
    theme = ThemeFactory(name="Waiting times")
    for received in [date(2026, 4, 2), date(2026, 6, 30), date(2026, 9, 30), date(2026, 10, 1)]:
        FeedbackFactory(organisation=org, received_on=received).themes.add(theme)
    report = published_report(org=org, author=officer, approver=approver, theme=theme, items=1)
    item = report.items.get()
    assert item.raised_count == 3  # the one from 1 October is outside the period
    FeedbackFactory(organisation=org, received_on=date(2026, 5, 5)).themes.add(theme)
    item.refresh_from_db()
    assert item.raised_count == 3  # a published report does not change under its readers


def test_new_version_keeps_the_old_one_readable_at_its_own_address(client):
    org, officer, approver = make_people()
    first = published_report(org=org, author=officer, approver=approver)
    second = services.report_new_version(acting_user=officer, report=first)
    assert second.version == 2 and second.items.count() == 2 and second.status == "draft"
    services.item_save(acting_user=officer, report=second, new_topic="General", heading="Something new",
                       you_said="More.", we_did="Done.", outcome="done")
    services.report_submit(acting_user=officer, report=second)
    services.report_approve(acting_user=approver, report=second)
    services.report_publish(acting_user=officer, report=second)
    first.refresh_from_db()
    assert first.status == "superseded"
    latest = client.get(reverse("reports:detail", args=[first.slug])).content.decode()
    assert "Something new" in latest
    old = client.get(reverse("reports:version", args=[first.slug, 1]))
    assert old.status_code == 200
    html = old.content.decode()
    assert "Something new" not in html and "Read the latest version (2)" in html


def test_withdrawal_needs_a_reason_and_shows_it():
    org, officer, approver = make_people()
    report = published_report(org=org, author=officer, approver=approver)
    with pytest.raises(ValidationError):
        services.report_withdraw(acting_user=approver, report=report, reason=" ")
    services.report_withdraw(acting_user=approver, report=report, reason="A figure was wrong.")
    from django.test import Client

    response = Client().get(reverse("reports:detail", args=[report.slug]))
    html = response.content.decode()
    assert response.status_code == 410
    assert "This report has been withdrawn" in html and "A figure was wrong." in html
    archive = Client().get(reverse("reports:index")).content.decode()
    assert report.title not in archive


PEOPLE = ["anonymous", "author", "officer", "approver", "other_officer", "board",
          "administrator", "no_role"]


def _login(client, kind, org, author, approver):
    users = {
        "author": author, "approver": approver, "officer": staff_user(Role.OFFICER, org),
        "other_officer": staff_user(Role.OFFICER, OrganisationFactory(name="Elsewhere Trust")),
        "board": staff_user(Role.BOARD_MEMBER, org),
        "administrator": staff_user(Role.ADMINISTRATOR, org), "no_role": UserFactory(),
    }
    if kind != "anonymous":
        client.force_login(users[kind])


# who: (staff list, edit draft, approve in review, publish approved)
MATRIX = {
    "anonymous": (302, False, False, False),
    "no_role": (403, False, False, False),
    "author": (200, True, False, True),
    "officer": (200, True, False, False),
    "approver": (200, True, True, True),
    "other_officer": (200, False, False, False),
    "board": (403, False, False, False),
    "administrator": (200, False, False, False),
}


@pytest.mark.parametrize("kind", PEOPLE)
def test_permission_matrix(client, kind):
    org, author, approver = make_people()
    report = draft_report(org=org, author=author)
    _login(client, kind, org, author, approver)
    listing, edit, approve, publish = MATRIX[kind]
    assert client.get(reverse("staff:reports:list")).status_code == listing

    client.post(reverse("staff:reports:item-create", args=[report.pk]), {
        "heading": "Added", "you_said": "x", "we_did": "y", "outcome": "done",
        "new_topic": "General"})
    assert report.items.filter(heading="Added").exists() is edit

    services.report_submit(acting_user=author, report=report)
    client.post(reverse("staff:reports:workflow", args=[report.pk]), {"action": "approve"})
    report.refresh_from_db()
    assert (report.status == "approved") is approve

    if report.status != "approved":
        services.report_approve(acting_user=approver, report=report)
    client.post(reverse("staff:reports:workflow", args=[report.pk]), {"action": "publish"})
    report.refresh_from_db()
    assert (report.status == "published") is publish


def test_anonymous_visitors_cannot_see_drafts(client):
    org, officer, _ = make_people()
    report = draft_report(org=org, author=officer)
    assert client.get(reverse("reports:detail", args=[report.slug])).status_code == 404
    assert client.get(reverse("reports:version", args=[report.slug, 1])).status_code == 404
    assert client.get(reverse("reports:pdf", args=[report.slug, 1])).status_code == 404


def test_item_form_errors_keep_what_was_typed(client):
    org, officer, _ = make_people()
    report = draft_report(org=org, author=officer, items=0)
    client.force_login(officer)
    response = client.post(reverse("staff:reports:item-create", args=[report.pk]), {
        "heading": "Printed booklet", "you_said": "Print the Local Offer.",
        "we_did": "We did not.", "outcome": "not_possible"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Explain why it was not possible" in html and "Print the Local Offer." in html


def test_quote_choices_offer_only_approved_quotes(client):
    org, officer, approver = make_people()
    theme = ThemeFactory()
    approved_quote(org=org, proposer=officer, approver=approver, theme=theme,
                   text="Approved words here")
    feedback = FeedbackFactory(organisation=org)
    feedback_services.quote_propose(acting_user=officer, feedback=feedback,
                                    redacted_text="Waiting words here")
    report = draft_report(org=org, author=officer, items=0)
    client.force_login(officer)
    html = client.get(reverse("staff:reports:item-create", args=[report.pk])).content.decode()
    assert "Approved words here" in html and "Waiting words here" not in html


def test_items_can_be_reordered():
    org, officer, _ = make_people()
    report = draft_report(org=org, author=officer, items=3)
    last = report.items.order_by("position").last()
    services.item_move(acting_user=officer, item=last, direction=-1)
    services.item_move(acting_user=officer, item=last, direction=-1)
    assert list(report.items.order_by("position").values_list("heading", flat=True)) == [
        "Finding information 2", "Finding information 0", "Finding information 1"]


def test_published_items_become_evidence_on_the_charter_page(client):
    from charter.models import Charter, EvidenceLink
    from tests.charter.factories import CharterFactory, CommitmentFactory, SectionFactory

    org, officer, approver = make_people()
    charter = CharterFactory(organisation=org, status=Charter.Status.ADOPTED,
                             adopted_on=date(2026, 1, 1))
    commitment = CommitmentFactory(section=SectionFactory(charter=charter),
                                   text="All voices are heard and valued")
    report = draft_report(org=org, author=officer, items=0, title="Being heard 2026")
    item = services.item_save(acting_user=officer, report=report, new_topic="General", heading="Being heard",
                              you_said="We were not asked.", we_did="We ask first now.",
                              outcome="done", commitments=[commitment])
    assert not EvidenceLink.objects.exists()  # a draft is not evidence
    services.report_submit(acting_user=officer, report=report)
    services.report_approve(acting_user=approver, report=report)
    services.report_publish(acting_user=officer, report=report)
    link = EvidenceLink.objects.get()
    assert link.url == f"/reports/{report.slug}/v/1/#item-{item.pk}"
    page = client.get(f"/charter/{charter.slug}/").content.decode()
    assert "Being heard 2026: Being heard" in page
    services.report_withdraw(acting_user=approver, report=report, reason="Wrong figures.")
    assert not EvidenceLink.objects.exists()


def test_withdrawing_without_a_reason_says_why_and_keeps_the_report(client):
    org, officer, approver = make_people()
    report = published_report(org=org, author=officer, approver=approver)
    client.force_login(approver)
    response = client.post(reverse("staff:reports:workflow", args=[report.pk]),
                           {"action": "withdraw", "withdrawn_reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Say why the report is withdrawn" in html
    report.refresh_from_db()
    assert report.status == "published"
