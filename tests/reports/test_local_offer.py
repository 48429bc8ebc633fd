"""The annual Local Offer report (SEND Regulations 2014, regulation 56):
comments coded and left out (audited), the report drafted from them,
refused for review while a comment has no response, frozen and published
with numbers only."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import AuditEvent, Role
from feedback import selectors as feedback_selectors
from feedback import services as feedback_services
from feedback.models import LocalOfferCoding
from reports import services
from reports.models import Report
from reports.tasks import render_report_pdf
from tests.conftest import pdf_info, pdf_text
from tests.core.factories import OrganisationFactory, staff_user
from tests.feedback.factories import FeedbackFactory
from tests.reports.factories import make_people
from tests.reports.local_offer import (
    CANARIES,
    PUBLISHED_QUOTE,
    answer_the_rest,
    comments_year,
    leave_out,
)

pytestmark = pytest.mark.django_db

YEAR = {"period_start": date(2025, 9, 1), "period_end": date(2026, 8, 31)}


def draft(org, officer, **kwargs):
    return services.local_offer_report_draft(
        acting_user=officer, organisation=org, title="Local Offer annual report 2025–26",
        families_involvement=kwargs.pop("families_involvement", "Twelve parents tested pages."),
        new_series="Local Offer annual report", **YEAR, **kwargs)


def write_responses(report, officer):
    for item in report.items.all():
        services.item_save(acting_user=officer, report=report, item=item,
                           quotes=list(item.quotes.all()), actions=list(item.actions.all()),
                           you_said=item.you_said, we_did="We rewrote the pages with parents.",
                           outcome="in_progress")


def test_coding_and_leaving_out_is_audited_with_who_and_when():
    org, officer, approver = make_people()
    year = comments_year(org=org, officer=officer, approver=approver)
    leave_out(year, officer)
    coding = LocalOfferCoding.objects.get(feedback=year.comments["vexatious"])
    assert (coding.code, coding.left_out_reason, coding.decided_by) == (
        "content", "vexatious", officer)
    assert coding.decided_at is not None
    events = AuditEvent.objects.filter(target_id=str(year.comments["one_person"].pk),
                                       target_type="feedback.feedback")
    verbs = sorted(e.verb for e in events if e.verb.startswith("local_offer"))
    assert verbs == ["local_offer.coded", "local_offer.left_out"]
    left = events.get(verb="local_offer.left_out")
    assert left.actor == officer and left.data == {"reason": "one_person", "was": ""}
    # What the family wrote is never in the trail.
    assert all("CANARY" not in str(e.data) + e.summary for e in AuditEvent.objects.all())

    # Putting it back is a decision too; saving the same again records nothing.
    feedback_services.local_offer_code(acting_user=approver,
                                       feedback=year.comments["vexatious"],
                                       about_local_offer=False, code="content",
                                       left_out_reason="")
    feedback_services.local_offer_code(acting_user=approver,
                                       feedback=year.comments["vexatious"],
                                       about_local_offer=False, code="content",
                                       left_out_reason="")
    vexatious = AuditEvent.objects.filter(target_id=str(year.comments["vexatious"].pk),
                                          verb__startswith="local_offer")
    assert sorted(vexatious.values_list("verb", flat=True)) == [
        "local_offer.coded", "local_offer.coded", "local_offer.left_out",
        "local_offer.put_back"]


def test_feedback_about_another_service_is_coded_only_once_marked():
    org, officer, _ = make_people()
    feedback = FeedbackFactory(organisation=org)
    with pytest.raises(ValidationError, match="Mark it as about the Local Offer"):
        feedback_services.local_offer_code(acting_user=officer, feedback=feedback,
                                           about_local_offer=False, code="gaps",
                                           left_out_reason="")
    feedback_services.local_offer_code(acting_user=officer, feedback=feedback,
                                       about_local_offer=True, code="gaps", left_out_reason="")
    period = {"organisation_id": org.pk, "since": feedback.received_on,
              "until": feedback.received_on}
    assert list(feedback_selectors.local_offer_comments(**period)) == [feedback]


def test_drafted_from_the_coded_comments_one_topic_per_code():
    org, officer, approver = make_people()
    year = comments_year(org=org, officer=officer, approver=approver)
    leave_out(year, officer)
    report = draft(org, officer)
    assert report.kind == Report.Kind.LOCAL_OFFER
    assert report.period_kind == Report.PeriodKind.ACADEMIC_YEAR
    assert report.series.name == "Local Offer annual report"
    topics = {t.title: t for t in report.topics.all()}
    assert list(topics) == ["Content and quality of what is provided", "Gaps in provision",
                            "Accessibility of the information",
                            "How it is developed and reviewed"]
    items = {(i.topic.local_offer_code, i.heading): i
             for i in report.items.select_related("topic").prefetch_related("quotes")}
    # The left-out comments are not counted under any theme or quoted.
    assert set(items) == {("content", "Finding information"), ("gaps", "Other comments"),
                          ("accessibility", "Accessible pages"),
                          ("development", "Finding information")}
    access = items[("accessibility", "Accessible pages")]
    assert access.you_said == "Families commented on accessible pages."
    assert [q.redacted_text for q in access.quotes.all()] == [PUBLISHED_QUOTE]
    assert not any(q.redacted_text.startswith("LEFTOUT") for i in items.values()
                   for q in i.quotes.all())
    assert all(i.we_did == services.WE_DID_TO_WRITE for i in items.values())


def test_refused_for_review_while_a_comment_has_no_response_then_published_with_counts():
    org, officer, approver = make_people()
    year = comments_year(org=org, officer=officer, approver=approver)
    leave_out(year, officer)
    report = draft(org, officer, families_involvement="")
    with pytest.raises(ValidationError) as refused:
        services.report_submit(acting_user=officer, report=report)
    messages = " ".join(refused.value.messages)
    assert "4 comments on the Local Offer in this period have no response yet" in messages
    assert "Write the response and action for 4 items" in messages
    assert "Say how families were involved" in messages
    unanswered = feedback_selectors.local_offer_unanswered(**services.local_offer_period(report))
    assert {f.pk for f in unanswered} == {year.comments[k].pk for k in (
        "reader", "dyslexia", "vexatious", "one_person")}

    answer_the_rest(year, officer)
    write_responses(report, officer)
    services.local_offer_involvement_save(acting_user=officer, report=report,
                                          text="Twelve parents tested the new pages.")
    services.report_submit(acting_user=officer, report=report)
    services.report_approve(acting_user=approver, report=report)
    report = services.report_publish(acting_user=approver, report=report)
    figures = report.local_offer.figures
    assert figures == {"received": 7, "left_out": 2, "not_coded": 0,
                       "by_channel": {"web_form": 2, "email": 2, "workshop": 1, "phone": 1,
                                      "focus_group": 1},
                       "by_code": {"content": 1, "gaps": 1, "accessibility": 2,
                                   "development": 1},
                       "by_reason": {"vexatious": 1, "one_person": 1}}
    counts = {(i.topic.local_offer_code, i.heading): i.raised_count
              for i in report.items.select_related("topic")}
    assert counts == {("content", "Finding information"): 1, ("gaps", "Other comments"): 1,
                      ("accessibility", "Accessible pages"): 2,
                      ("development", "Finding information"): 1}
    # Frozen: a comment coded later does not change the published figures.
    feedback_services.local_offer_code(acting_user=officer, feedback=year.comments["review"],
                                       about_local_offer=False, code="gaps",
                                       left_out_reason="")
    report.local_offer.refresh_from_db()
    assert report.local_offer.figures["by_code"]["development"] == 1


def test_a_quote_from_a_comment_left_out_after_drafting_stops_publishing():
    org, officer, approver = make_people()
    year = comments_year(org=org, officer=officer, approver=approver)
    answer_the_rest(year, officer)
    report = draft(org, officer)
    write_responses(report, officer)
    services.report_submit(acting_user=officer, report=report)
    services.report_approve(acting_user=approver, report=report)
    feedback_services.local_offer_code(acting_user=officer, feedback=year.comments["reader"],
                                       about_local_offer=False, code="accessibility",
                                       left_out_reason="identifies")
    with pytest.raises(ValidationError, match="A quote comes from a comment left out"):
        services.report_publish(acting_user=approver, report=report)


def test_public_page_and_pdf_show_counts_and_no_left_out_words_or_contact_details(client):
    org, officer, approver = make_people()
    year = comments_year(org=org, officer=officer, approver=approver)
    leave_out(year, officer)
    answer_the_rest(year, officer)
    report = draft(org, officer)
    write_responses(report, officer)
    services.report_submit(acting_user=officer, report=report)
    services.report_approve(acting_user=approver, report=report)
    report = services.report_publish(acting_user=approver, report=report)
    render_report_pdf(report.pk)
    report.refresh_from_db()
    html = client.get(report.get_absolute_url()).content.decode()
    pdf = report.pdf_file.read()
    text = " ".join(pdf_text(pdf).split())
    assert pdf_info(pdf)["Tagged"] == "yes"
    for page in (html, text):
        assert "We received 7 comments on the Local Offer" in page
        assert PUBLISHED_QUOTE in page
        for canary in CANARIES:
            assert canary not in page
    for label, n in (("Vexatious", 1), ("About the services given to a particular person", 1),
                     ("Identifies someone", 0), ("Accessibility of the information", 2),
                     ("Gaps in provision", 1)):
        assert f"{label}</th><td class=\"govuk-table__cell govuk-table__cell--numeric\">{n}<" \
            in html
        assert f"{label} {n}" in text
    assert "Twelve parents tested pages." in html and "Twelve parents tested pages." in text
    feed = client.get(reverse("reports:feed")).content.decode()
    assert report.title in feed and not any(c in feed for c in CANARIES)


@pytest.mark.parametrize("role, status", [
    (None, 302), (Role.OFFICER, 200), (Role.APPROVER, 200), (Role.ADMINISTRATOR, 200),
    (Role.BOARD_MEMBER, 403), ("other", 404)])
def test_comments_and_figures_page_permissions(client, role, status):
    org, officer, approver = make_people()
    comments_year(org=org, officer=officer, approver=approver)
    report = draft(org, officer)
    if role == "other":
        client.force_login(staff_user(Role.OFFICER, OrganisationFactory(name="Other Trust")))
    elif role:
        client.force_login(staff_user(role, org))
    url = reverse("staff:reports:local-offer", args=[report.pk])
    assert client.get(url).status_code == status
    posted = client.post(url, {"families_involvement": "Changed."})
    assert posted.status_code == {200: 302 if role in (Role.OFFICER, Role.APPROVER) else 403,
                                  302: 302, 403: 403, 404: 404}[status]
    report.local_offer.refresh_from_db()
    changed = report.local_offer.families_involvement == "Changed."
    assert changed == (role in (Role.OFFICER, Role.APPROVER))


@pytest.mark.parametrize("role, status", [
    (None, 302), (Role.OFFICER, 200), (Role.APPROVER, 200), (Role.ADMINISTRATOR, 403),
    (Role.BOARD_MEMBER, 403)])
def test_draft_page_permissions(client, role, status):
    org, officer, _ = make_people()
    if role:
        client.force_login(staff_user(role, org))
    assert client.get(reverse("staff:reports:local-offer-new")).status_code == status


def test_draft_form_errors_keep_what_was_typed(client):
    org, officer, _ = make_people()
    client.force_login(officer)
    response = client.post(reverse("staff:reports:local-offer-new"), {
        "title": "", "year": "other", "period_start_0": "31", "period_start_1": "2",
        "period_start_2": "2026", "families_involvement": "Parents tested it.",
        "new_series": "Local Offer annual report"})
    assert response.status_code == 400
    page = response.content.decode()
    for message in ("Enter a title", "The start of the period must be a real date",
                    "Enter the date the period ends"):
        assert message in page
    assert "Parents tested it." in page
    assert not Report.objects.exists()


@pytest.mark.parametrize("comments", [1, 3])
def test_comments_and_figures_page_queries_do_not_grow(client, django_assert_num_queries,
                                                       comments):
    org, officer, approver = make_people()
    year = comments_year(org=org, officer=officer, approver=approver)
    for n in range(comments * 10):
        FeedbackFactory(organisation=org, received_on=date(2026, 3, 1 + n % 28),
                        reference=f"FB-2026-{70000 + n:05d}").service_areas.add(year.area)
    report = draft(org, officer)
    client.force_login(officer)
    url = reverse("staff:reports:local-offer", args=[report.pk])
    client.get(url)
    with django_assert_num_queries(QUERIES):
        assert client.get(url).status_code == 200


# person, roles (the session is read from its cached copy); the report; figures;
# unanswered; the checks before review
QUERIES = 9


@pytest.mark.parametrize("role, status, coded", [
    (None, 302, False), (Role.OFFICER, 302, True), (Role.APPROVER, 302, True),
    (Role.ADMINISTRATOR, 403, False), (Role.BOARD_MEMBER, 403, False), ("other", 404, False)])
def test_who_may_code_a_comment_on_its_feedback_page(client, role, status, coded):
    org, officer, approver = make_people()
    year = comments_year(org=org, officer=officer, approver=approver, code=False)
    feedback = year.comments["gaps"]
    if role == "other":
        client.force_login(staff_user(Role.OFFICER, OrganisationFactory(name="Other Trust")))
    elif role:
        client.force_login(staff_user(role, org))
    response = client.post(reverse("staff:feedback:detail", args=[feedback.pk]), {
        "action": "local_offer", "code": "gaps", "left_out_reason": "one_person"})
    assert response.status_code == status
    assert LocalOfferCoding.objects.filter(feedback=feedback, code="gaps").exists() == coded


def test_coding_form_error_keeps_the_choice_and_says_what_to_do(client):
    org, officer, approver = make_people()
    year = comments_year(org=org, officer=officer, approver=approver, code=False)
    client.force_login(officer)
    response = client.post(reverse("staff:feedback:detail", args=[year.comments["gaps"].pk]), {
        "action": "local_offer", "code": "", "left_out_reason": "vexatious"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose what the comment is about before leaving it out" in html
    radio = re.search(r'<input[^>]*name="left_out_reason"[^>]*value="vexatious"[^>]*>', html)
    assert radio and "checked" in radio.group(0)  # what was chosen is kept
    assert not LocalOfferCoding.objects.filter(feedback=year.comments["gaps"]).exists()
