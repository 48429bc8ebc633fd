"""Closing the loop (issue #20): what happened as a result on the family's
private page, "tell me when something changes" messages gathered at most
once a day with a way back and a stop link, contact details kept for
progress, and "Did it make a difference?"."""

import logging
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from actionplan import services as action_services
from core import jobs
from core.logging import redact
from core.models import Job, Role
from feedback import progress, services
from feedback.models import DifferenceAnswer, Feedback, ProgressMessage
from tests.actionplan.factories import ActionFactory
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, ThemeFactory, staff_user
from tests.feedback.factories import FeedbackFactory
from tests.reports.factories import published_report

pytestmark = pytest.mark.django_db

WORDS = "The transport escort did not know my daughter's needs."
EMAIL = "amira.parent@example.com"


@pytest.fixture
def council():
    return OrganisationFactory(name="Gloucestershire County Council", slug="gcc")


@pytest.fixture
def officer(council):
    return staff_user(Role.OFFICER, council)


def _asked(council, **extra) -> Feedback:
    """Feedback from a family who asked to hear about progress, stored by the service."""
    feedback = services.feedback_submit(
        even_better_if=WORDS, wants_contact=True, contact_name="Amira", contact_email=EMAIL,
        wants_progress=True, about_organisation=council, received_on=date(2026, 5, 4), **extra)
    jobs.run_due()  # the acknowledgement
    mail.outbox.clear()
    return feedback


def _public_action(council, **extra):
    extra.setdefault("title", "Train every transport escort on each child’s needs")
    return ActionFactory(lead_organisation=council, is_public=True, **extra)


def _complete(action, officer, capture, narrative="All 140 escorts trained."):
    with capture(execute=True):
        action_services.action_update_progress(
            acting_user=officer, action=action, status="complete", percent=100,
            narrative="Done: staff note.", public_narrative=narrative)


def _family_mail() -> list:
    """What was sent to the family (staff are told of approvals too)."""
    return [m for m in mail.outbox if m.to == [EMAIL]]


def _links(body: str) -> dict[str, str]:
    found = re.findall(r"http://[^\s]+", body)
    return {"way_back": next(u for u in found if "/feedback/progress/" in u
                             and "/stop/" not in u and "/difference/" not in u),
            "stop": next(u for u in found if "/feedback/progress/stop/" in u)}


# --- Opting in ---------------------------------------------------------------------------


def test_both_forms_offer_progress_messages_and_keep_the_choice_only_with_contact_details(
        client, council):
    area = ServiceAreaFactory(name="Transport")
    base = {"service_areas": [area.pk], "even_better_if": WORDS, "respondent": "parent_carer",
            "consent_to_quote": "no"}
    page = client.get(reverse("feedback:give")).content.decode()
    assert "Tell me when something changes" in page and "12 months" in page
    client.post(reverse("feedback:give"), {**base, "wants_contact": "yes",
                                           "contact_email": EMAIL, "wants_progress": "on"})
    client.post(reverse("feedback:give"), {**base, "wants_contact": "no", "wants_progress": "on"})
    easy = client.get(reverse("feedback:give-easy-read")).content.decode()
    assert "tell you when things change" in easy and "12 months" in easy
    client.post(reverse("feedback:give-easy-read"), {
        "feeling": "1", "better": WORDS, "who": "young_person", "wants_contact": "phone",
        "contact_phone": "07700 900123", "wants_progress": "yes"})
    rows = list(Feedback.objects.order_by("pk").values_list("wants_progress", "channel"))
    assert rows == [(True, "web_form"), (False, "web_form"), (True, "easy_read")]


# --- What happened as a result -------------------------------------------------------------


def test_the_private_page_shows_public_actions_and_report_items_and_nothing_private(
        client, council, officer, django_capture_on_commit_callbacks):
    theme = ThemeFactory(name="Home to school transport")
    feedback = _asked(council)
    feedback.themes.add(theme)
    action = _public_action(council, due_date=date(2026, 12, 31))
    hidden = ActionFactory(lead_organisation=council, is_public=False, title="Private staff work")
    action_services.action_link_feedback(acting_user=officer, action=action, feedback=feedback)
    action_services.action_link_feedback(acting_user=officer, action=hidden, feedback=feedback)
    action_services.action_update_progress(
        acting_user=officer, action=action, status="on_track", percent=40,
        narrative="Staff only: budget agreed.", public_narrative="Half the escorts are trained.")
    # Another family's feedback, linked to another public action.
    other = FeedbackFactory(organisation=council)
    other_action = _public_action(council, title="Another family's action")
    other_action.feedback.add(other)
    approver = staff_user(Role.APPROVER, council)
    with django_capture_on_commit_callbacks(execute=True):
        published_report(org=council, author=officer, approver=approver, theme=theme, items=1,
                         title="Transport feedback 2026")
    page = client.get(reverse("feedback:track-token", args=[feedback.tracking_token]))
    text = page.content.decode()
    assert "What happened as a result" in text
    assert action.title in text and "Gloucestershire County Council" in text
    assert "On track (green)" in text and "Half the escorts are trained." in text
    assert "31 December 2026" in text
    assert "Transport feedback 2026" in text and "We grouped pages by age (0)." in text
    for private in ("Private staff work", "Staff only", "Another family's action", WORDS, EMAIL):
        assert private not in text
    feedback.refresh_from_db()
    assert feedback.linked_at is not None and feedback.we_did_at is not None


def test_a_report_item_answers_feedback_through_a_linked_action_only_when_published(
        client, council, officer):
    from reports import services as report_services
    from tests.reports.factories import draft_report

    feedback = _asked(council)
    action = _public_action(council)
    action.feedback.add(feedback)
    report = draft_report(org=council, author=officer, items=1, title="Escorts report")
    item = report.items.get()
    item.theme = None
    item.save()
    item.actions.add(action)
    url = reverse("feedback:track-token", args=[feedback.tracking_token])
    assert "Escorts report" not in client.get(url).content.decode()
    report_services.report_submit(acting_user=officer, report=report)
    report_services.report_approve(acting_user=staff_user(Role.APPROVER, council), report=report)
    report_services.report_publish(acting_user=officer, report=report)
    assert "Escorts report" in client.get(url).content.decode()


def test_the_private_page_query_count_does_not_grow_with_actions_or_reports(
        client, council, officer, django_assert_num_queries):
    feedback = _asked(council)
    theme = ThemeFactory(name="Home to school transport")
    feedback.themes.add(theme)
    url = reverse("feedback:track-token", args=[feedback.tracking_token])
    with django_assert_num_queries(3):
        client.get(url)
    approver = staff_user(Role.APPROVER, council)
    for n in range(4):
        action = _public_action(council, title=f"Action {n}")
        action.feedback.add(feedback)
        for step in range(3):
            action_services.action_update_progress(
                acting_user=officer, action=action, status="on_track", percent=10 * step,
                narrative="x", public_narrative=f"Step {step}")
    published_report(org=council, author=officer, approver=approver, theme=theme, items=3)
    with django_assert_num_queries(3):
        page = client.get(url).content.decode()
    assert page.count("govuk-summary-card__title\"") == 4 + 3


def test_the_easy_read_feedback_gets_easy_read_words(client, council, officer):
    feedback = _asked(council, channel=Feedback.Channel.EASY_READ)
    action = _public_action(council)
    action.feedback.add(feedback)
    page = client.get(reverse("feedback:track-token", args=[feedback.tracking_token]))
    text = page.content.decode()
    assert "What we are doing" in text and "Who is doing it" in text


# --- Messages -------------------------------------------------------------------------------


def test_a_completed_action_sends_one_message_with_a_way_back_and_a_stop_link(
        client, council, officer, django_capture_on_commit_callbacks):
    feedback = _asked(council)
    action = _public_action(council)
    action_services.action_link_feedback(acting_user=officer, action=action, feedback=feedback)
    _complete(action, officer, django_capture_on_commit_callbacks)
    assert len(_family_mail()) == 1
    body = _family_mail()[0].body
    assert action.title in body and "is complete" in body
    assert WORDS not in body and feedback.tracking_token not in body
    links = _links(body)
    way_back = client.get(links["way_back"].removeprefix("http://127.0.0.1:8000"))
    assert way_back.status_code == 200 and "Complete" in way_back.content.decode()
    assert way_back["Referrer-Policy"] == "no-referrer"
    stop_path = links["stop"].removeprefix("http://127.0.0.1:8000")
    confirm = client.get(stop_path)
    assert confirm.status_code == 200 and "Stop messages" in confirm.content.decode()
    feedback.refresh_from_db()
    assert feedback.wants_progress  # opening the link stops nothing
    done = client.post(stop_path)
    assert done.status_code == 200 and "Messages stopped" in done.content.decode()
    feedback.refresh_from_db()
    assert not feedback.wants_progress
    # Later changes send nothing.
    with django_capture_on_commit_callbacks(execute=True):
        action_services.action_update_progress(
            acting_user=officer, action=action, status="on_track", percent=90,
            narrative="Reopened.", public_narrative="")
    jobs.run_due()
    assert len(_family_mail()) == 1
    message = ProgressMessage.objects.get()
    assert message.state == "sent" and "is complete" in message.told


def test_changes_within_a_day_are_gathered_into_one_later_message(
        council, officer, django_capture_on_commit_callbacks):
    feedback = _asked(council)
    first, second = _public_action(council, title="First action"), _public_action(
        council, title="Second action")
    for action in (first, second):
        action.feedback.add(feedback)
    _complete(first, officer, django_capture_on_commit_callbacks)
    assert len(_family_mail()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        for status in ("on_track", "at_risk"):
            action_services.action_update_progress(
                acting_user=officer, action=second, status=status, percent=50, narrative="x")
    assert len(_family_mail()) == 1  # not before a day has passed
    pending = ProgressMessage.objects.get(state="pending")
    sent = ProgressMessage.objects.get(state="sent")
    assert pending.due_at >= sent.sent_at + timedelta(hours=24) - timedelta(seconds=1)
    assert pending.news.count() == 2
    job = Job.objects.get(kind="progress_message", subject_id=pending.pk)
    assert job.run_after == pending.due_at
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    ProgressMessage.objects.filter(pk=pending.pk).update(due_at=timezone.now())
    jobs.run_due()
    assert len(_family_mail()) == 2
    assert "On track" in _family_mail()[1].body and "At risk" in _family_mail()[1].body


def test_job_payloads_and_logs_carry_no_words_address_or_token(
        council, officer, django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.DEBUG)
    feedback = _asked(council)
    action = _public_action(council)
    action.feedback.add(feedback)
    _complete(action, officer, django_capture_on_commit_callbacks)
    body = _family_mail()[0].body
    job = Job.objects.get(kind="progress_message")
    payload = " ".join(str(v) for v in Job.objects.filter(pk=job.pk).values().get().values())
    logs = caplog.text
    for secret in (WORDS, EMAIL, "Amira", *_links(body).values()):
        assert secret not in payload and secret not in logs
    assert feedback.reference in logs  # what was logged is the reference


def test_only_families_who_asked_and_only_public_actions_are_told(
        council, officer, django_capture_on_commit_callbacks):
    asked = _asked(council)
    not_asked = services.feedback_submit(
        even_better_if=WORDS, wants_contact=True, contact_email="other@example.com",
        about_organisation=council)
    private = ActionFactory(lead_organisation=council, is_public=False)
    public = _public_action(council)
    for action in (private, public):
        action.feedback.add(asked, not_asked)
    mail.outbox.clear()
    _complete(private, officer, django_capture_on_commit_callbacks)
    assert not _family_mail() and not [m for m in mail.outbox if m.to == ["other@example.com"]]
    _complete(public, officer, django_capture_on_commit_callbacks)
    assert len(_family_mail()) == 1


def test_a_family_with_only_a_phone_number_is_not_texted_without_text_messages(
        council, officer, django_capture_on_commit_callbacks):
    feedback = services.feedback_submit(
        even_better_if=WORDS, wants_contact=True, contact_phone="07700 900123",
        wants_progress=True, about_organisation=council)
    assert not progress.text_messages_enabled()
    action = _public_action(council)
    action.feedback.add(feedback)
    _complete(action, officer, django_capture_on_commit_callbacks)
    assert not _family_mail()
    assert ProgressMessage.objects.get().state == "cancelled"


def test_a_report_answering_the_feedback_is_news(
        council, officer, django_capture_on_commit_callbacks):
    theme = ThemeFactory(name="Home to school transport")
    feedback = _asked(council)
    feedback.themes.add(theme)
    with django_capture_on_commit_callbacks(execute=True):
        published_report(org=council, author=officer, approver=staff_user(Role.APPROVER, council),
                         theme=theme, items=2, title="Transport feedback 2026")
    assert len(_family_mail()) == 1
    assert "Transport feedback 2026" in _family_mail()[0].body
    assert _family_mail()[0].body.count("Transport feedback 2026") == 1  # once, not per item


def test_a_way_back_stops_working_when_the_private_link_is_replaced_or_expires(client, council):
    feedback = _asked(council)
    good = progress.way_back_token(feedback)
    url = reverse("feedback:progress-way-back", args=[good])
    assert client.get(url).status_code == 200
    assert client.get(url[:-3] + "xx/").status_code == 404
    # Subject erasure gives a new private link: the old ways back end with it.
    Feedback.objects.filter(pk=feedback.pk).update(tracking_digest="0" * 64)
    assert client.get(url).status_code == 404
    feedback.refresh_from_db()
    fresh = progress.way_back_token(feedback)
    assert progress.way_back_where(fresh) is not None
    with override_settings(PROGRESS_LINK_MAX_AGE_DAYS=-1):  # older than allowed
        assert progress.way_back_where(fresh) is None
    # A stop link signed for another purpose is no way back, and the reverse.
    assert progress.way_back_where(progress.stop_token(feedback.pk)) is None
    assert progress.feedback_pk_from_stop(fresh) is None
    # Any token that is not ours, of any shape, is a 404, never a 500.
    for odd in ("1", "1:abc", "x" * 200, "%00", "12.zz:aaaa:bbbb"):
        for prefix in ("", "stop/", "difference/"):
            # (Django itself answers 400 to a NUL byte in an address.)
            assert client.get(f"/feedback/progress/{prefix}{odd}/").status_code in (400, 404)


def test_the_links_of_progress_messages_are_redacted_in_logs():
    for path in ("/feedback/progress/abc:def/", "/feedback/progress/stop/abc:def/",
                 "/feedback/progress/difference/abc:def/"):
        assert "abc" not in redact(f"GET {path} 200")


# --- Retention ------------------------------------------------------------------------------


def test_contact_details_kept_for_progress_while_an_action_is_open_then_a_year(
        council, officer):
    feedback = _asked(council)
    action = _public_action(council)
    action.feedback.add(feedback)
    # Closed long ago: without progress, its details would go after 90 days.
    Feedback.objects.filter(pk=feedback.pk).update(
        status="closed", closed_at=timezone.now() - timedelta(days=400))
    plain = services.feedback_submit(even_better_if="x", wants_contact=True,
                                     contact_email="plain@example.com", about_organisation=council)
    Feedback.objects.filter(pk=plain.pk).update(
        status="closed", closed_at=timezone.now() - timedelta(days=400))
    run = services.retention_apply()
    feedback.refresh_from_db()
    assert feedback.contact_email == EMAIL and run.erased_count == 1  # only the plain one
    action_services.action_update_progress(acting_user=officer, action=action, status="complete",
                                           percent=100, narrative="Done.")
    services.retention_apply(now=timezone.now() + timedelta(days=360))
    feedback.refresh_from_db()
    assert feedback.contact_email == EMAIL  # within the year after it ended
    run = services.retention_apply(now=timezone.now() + timedelta(days=370))
    feedback.refresh_from_db()
    assert feedback.contact_email == "" and not feedback.wants_progress
    assert run.erased_count == 1


def test_subject_access_shows_progress_messages_and_erasure_stops_them(
        council, officer, django_capture_on_commit_callbacks):
    from feedback.subject import subject_access_export, subject_erase, subject_parse

    feedback = _asked(council)
    action = _public_action(council)
    action.feedback.add(feedback)
    _complete(action, officer, django_capture_on_commit_callbacks)
    export = subject_access_export(acting_user=officer, subject=subject_parse(EMAIL))
    record = export["feedback"][0]["progress_messages"]
    assert record["asked_to_hear_about_progress"] is True
    assert record["messages"][0]["state"] == "Sent" and "is complete" in record["messages"][0]["told"]
    subject_erase(acting_user=officer, subject=subject_parse(EMAIL))
    feedback.refresh_from_db()
    assert not feedback.wants_progress and feedback.contact_email == ""


# --- Did it make a difference? -------------------------------------------------------------


def _difference_asked(council, officer, capture) -> tuple[Feedback, str]:
    feedback = _asked(council)
    action = _public_action(council)
    action.feedback.add(feedback)
    _complete(action, officer, capture)
    Feedback.objects.filter(pk=feedback.pk).update(we_did_at=timezone.now() - timedelta(weeks=5))
    mail.outbox.clear()
    with capture(execute=True):
        assert progress.difference_ask_due() == 1
        assert progress.difference_ask_due() == 0  # once per feedback
    # Not before the daily gap after the last progress message: brought forward here.
    Job.objects.filter(kind="progress_message").update(run_after=timezone.now())
    jobs.run_due()
    assert len(_family_mail()) == 1 and "Did it make a difference?" in _family_mail()[0].subject
    link = re.search(r"http://[^\s]+/feedback/progress/difference/[^\s]+", _family_mail()[0].body)
    return feedback, link.group(0).removeprefix("http://127.0.0.1:8000")


def test_no_with_a_comment_comes_back_into_the_inbox_linked_to_the_first(
        client, council, officer, django_capture_on_commit_callbacks):
    feedback, path = _difference_asked(council, officer, django_capture_on_commit_callbacks)
    page = client.get(path)
    assert page.status_code == 200 and "Did it make a difference?" in page.content.decode()
    bad = client.post(path, {"comment": "x"})
    assert bad.status_code == 400 and "Select yes, partly or no" in bad.content.decode()
    assert 'href="#id_answer' in bad.content.decode() and "x</textarea>" in bad.content.decode()
    done = client.post(path, {"answer": "no", "comment": "The escort changed again in June."})
    assert done.status_code == 200 and "Thank you for your answer" in done.content.decode()
    answer = DifferenceAnswer.objects.get(feedback=feedback)
    follow_up = answer.follow_up
    assert answer.answer == "no" and follow_up.follows_up == feedback
    assert follow_up.even_better_if == "The escort changed again in June."
    assert follow_up.organisation == council and follow_up.status == "received"
    assert follow_up.channel == Feedback.Channel.DIFFERENCE
    # It is in the inbox, linked to the first.
    client.force_login(officer)
    inbox = client.get(reverse("staff:feedback:inbox")).content.decode()
    assert follow_up.reference in inbox
    detail = client.get(reverse("staff:feedback:detail", args=[follow_up.pk])).content.decode()
    assert feedback.reference in detail
    # A second answer changes nothing.
    client.logout()
    again = client.post(path, {"answer": "yes"})
    assert "already answered" in again.content.decode() or "Thank you" in again.content.decode()
    assert DifferenceAnswer.objects.get(feedback=feedback).answer == "no"


def test_yes_without_a_comment_adds_no_feedback(
        client, council, officer, django_capture_on_commit_callbacks):
    feedback, path = _difference_asked(council, officer, django_capture_on_commit_callbacks)
    before = Feedback.objects.count()
    client.post(path, {"answer": "yes", "comment": ""})
    assert Feedback.objects.count() == before
    assert DifferenceAnswer.objects.get(feedback=feedback).follow_up is None


def test_a_waiting_question_and_progress_news_are_a_day_apart_too(
        council, officer, django_capture_on_commit_callbacks):
    feedback = _asked(council)
    first, second = _public_action(council), _public_action(council, title="A second action")
    first.feedback.add(feedback)
    second.feedback.add(feedback)
    _complete(first, officer, django_capture_on_commit_callbacks)  # told now
    Feedback.objects.filter(pk=feedback.pk).update(we_did_at=timezone.now() - timedelta(weeks=5))
    with django_capture_on_commit_callbacks(execute=True):
        progress.difference_ask_due()
    question = ProgressMessage.objects.get(kind="difference")
    assert question.state == "pending"  # a day after the last message
    with django_capture_on_commit_callbacks(execute=True):
        action_services.action_update_progress(acting_user=officer, action=second,
                                               status="on_track", percent=10, narrative="x")
    news = ProgressMessage.objects.get(kind="progress", state="pending")
    assert news.due_at >= question.due_at + timedelta(hours=24)
