"""Nothing lost when two people edit at once (core.concurrency).

"Second save refused" cases post the same form twice with the same, now
stale, lock_version; "happens once" cases send real simultaneous requests
from two threads, each with its own Postgres connection."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from actionplan.models import Action
from core.models import Role
from feedback.models import Feedback, Notification, Reply, StatusChange
from reports.models import ReportItem
from tests.actionplan.factories import ActionFactory
from tests.charter.factories import CharterFactory, CommitmentFactory, SectionFactory
from tests.core.factories import OrganisationFactory, ThemeFactory, staff_user
from tests.core.parallel import run_together
from tests.feedback.factories import FeedbackFactory
from tests.reports.factories import draft_report, make_people

CONFLICT = "Someone else changed this while you were editing"


def _hidden_version(html: str) -> int:
    match = re.search(r'name="lock_version" value="(\d+)"', html)
    assert match, "the form carries no lock_version"
    return int(match.group(1))


def _assert_refused_and_kept(response, *, theirs: str, typed: str) -> None:
    assert response.status_code == 409
    html = response.content.decode()
    assert CONFLICT in html and "govuk-error-summary" in html
    assert theirs in html, "the other person's change is not shown"
    assert typed in html, "what this person typed was lost"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Second save refused ----------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_report_details_second_save_is_refused_and_shows_both():
    org, officer, approver = make_people()
    report = draft_report(org=org, author=officer, items=0)
    url = reverse("staff:reports:edit", args=[report.pk])
    first, second = _client(officer), _client(approver)
    version = _hidden_version(first.get(url).content.decode())
    assert _hidden_version(second.get(url).content.decode()) == version
    form = {"title": report.title, "kind": report.kind, "period_start_0": "1",
            "period_start_1": "4", "period_start_2": "2026", "period_end_0": "30",
            "period_end_1": "9", "period_end_2": "2026", "summary": report.summary,
            "lock_version": version}
    assert first.post(url, {**form, "summary": "Officer's careful summary."}).status_code == 302
    response = second.post(url, {**form, "summary": "Approver's other summary."})
    _assert_refused_and_kept(response, theirs="Officer&#x27;s careful summary.",
                             typed="Approver&#x27;s other summary.")
    report.refresh_from_db()
    assert report.summary == "Officer's careful summary."
    # Saving again from the refused page (it now carries the current version) works.
    again = _hidden_version(response.content.decode())
    assert again == report.lock_version
    assert second.post(url, {**form, "summary": "Agreed summary.",
                             "lock_version": again}).status_code == 302
    report.refresh_from_db()
    assert report.summary == "Agreed summary."


def test_report_item_second_save_is_refused():
    org, officer, approver = make_people()
    report = draft_report(org=org, author=officer, items=1)
    item = report.items.get()
    url = reverse("staff:reports:item-edit", args=[report.pk, item.pk])
    version = _hidden_version(_client(officer).get(url).content.decode())
    form = {"topic": item.topic_id, "heading": item.heading, "you_said": item.you_said,
            "we_did": item.we_did, "outcome": "done", "lock_version": version}
    assert _client(officer).post(url, {**form, "we_did": "We rewrote the pages."}
                                 ).status_code == 302
    response = _client(approver).post(url, {**form, "we_did": "We printed a booklet."})
    _assert_refused_and_kept(response, theirs="We rewrote the pages.",
                             typed="We printed a booklet.")
    item.refresh_from_db()
    assert item.we_did == "We rewrote the pages."


def test_triage_and_status_second_save_is_refused():
    org = OrganisationFactory(name="Testshire County Council")
    feedback = FeedbackFactory(organisation=org)
    officer, approver = staff_user(Role.OFFICER, org), staff_user(Role.APPROVER, org)
    first_theme, second_theme = ThemeFactory(name="Waiting times"), ThemeFactory(name="Transport")
    url = reverse("staff:feedback:detail", args=[feedback.pk])
    version = _hidden_version(_client(officer).get(url).content.decode())
    triage = {"action": "triage", "lock_version": version}
    assert _client(officer).post(url, {**triage, "assigned_to": officer.pk,
                                       "themes": [first_theme.pk]}).status_code == 302
    response = _client(approver).post(url, {**triage, "themes": [second_theme.pk]})
    _assert_refused_and_kept(response, theirs="Waiting times", typed="Transport")
    assert re.search(rf'<input[^>]*name="themes"[^>]*value="{second_theme.pk}"[^>]*checked',
                     response.content.decode()), "the theme this person ticked is still ticked"
    feedback.refresh_from_db()
    assert feedback.assigned_to == officer
    assert list(feedback.themes.values_list("name", flat=True)) == ["Waiting times"]

    response = _client(approver).post(url, {"action": "status", "status": "acknowledged",
                                            "lock_version": version})
    assert response.status_code == 409 and CONFLICT in response.content.decode()
    assert Feedback.objects.get(pk=feedback.pk).status == "in_review"


def test_action_progress_second_save_is_refused():
    org = OrganisationFactory(name="Testshire County Council")
    action = ActionFactory(lead_organisation=org)
    officer, approver = staff_user(Role.OFFICER, org), staff_user(Role.APPROVER, org)
    url = reverse("staff:actionplan:action_update", args=[action.pk])
    version = _hidden_version(_client(officer).get(url).content.decode())
    form = {"status": "on_track", "percent": "40", "date_0": "1", "date_1": "2",
            "date_2": "2026", "lock_version": version}
    assert _client(officer).post(url, {**form, "narrative": "Designers started."}
                                 ).status_code == 302
    response = _client(approver).post(url, {**form, "status": "at_risk",
                                            "narrative": "Budget not agreed yet."})
    _assert_refused_and_kept(response, theirs="Designers started.",
                             typed="Budget not agreed yet.")
    assert Action.objects.get(pk=action.pk).updates.count() == 1


def test_charter_item_and_details_second_save_is_refused():
    org = OrganisationFactory(name="Testshire County Council")
    charter = CharterFactory(organisation=org)
    commitment = CommitmentFactory(section=SectionFactory(charter=charter), text="We listen")
    officer, approver = staff_user(Role.OFFICER, org), staff_user(Role.APPROVER, org)
    url = reverse("staff:charter:item_edit", args=["commitment", commitment.pk])
    version = _hidden_version(_client(officer).get(url).content.decode())
    assert _client(officer).post(url, {"text": "We listen and act",
                                       "lock_version": version}).status_code == 302
    response = _client(approver).post(url, {"text": "We listen to everyone",
                                            "lock_version": version})
    _assert_refused_and_kept(response, theirs="We listen and act", typed="We listen to everyone")
    commitment.refresh_from_db()
    assert commitment.text == "We listen and act"

    url = reverse("staff:charter:charter_edit", args=[charter.pk])
    version = _hidden_version(_client(officer).get(url).content.decode())
    form = {"title": charter.title, "area": "Testshire", "position": "100",
            "lock_version": version}
    assert _client(officer).post(url, {**form, "introduction": "Written together."}
                                 ).status_code == 302
    response = _client(approver).post(url, {**form, "introduction": "Our promise."})
    _assert_refused_and_kept(response, theirs="Written together.", typed="Our promise.")


# --- Happens once, however many press at once --------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_replies_make_one_reply_one_email_one_responded():
    org = OrganisationFactory(name="Testshire County Council")
    feedback = FeedbackFactory(organisation=org, wants_contact=True,
                               contact_email="family@example.com")
    officer, approver = staff_user(Role.OFFICER, org), staff_user(Role.APPROVER, org)
    url = reverse("staff:feedback:detail", args=[feedback.pk])
    # Both pages were shown at the same version (read from the row, so this
    # test also runs, and fails, on code without versions).
    version = getattr(feedback, "lock_version", 0)
    clients = [_client(officer), _client(approver)]

    def reply(client, text):
        return lambda: client.post(url, {"action": "reply", "outcome": "done", "text": text,
                                         "lock_version": version}).status_code

    statuses = run_together(reply(clients[0], "We fixed the form."),
                            reply(clients[1], "We fixed the form!"))
    assert Reply.objects.filter(feedback=feedback).count() == 1
    assert Notification.objects.filter(feedback=feedback, kind="reply").count() == 1
    assert StatusChange.objects.filter(feedback=feedback, to_status="responded").count() == 1
    assert sorted(statuses) == [302, 409], statuses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_items_added_at_once_get_distinct_positions():
    org, officer, approver = make_people()
    report = draft_report(org=org, author=officer, items=1)
    url = reverse("staff:reports:item-create", args=[report.pk])
    clients = [_client(officer), _client(approver), _client(officer)]
    topic = report.topics.get()

    def add(client, n):
        return lambda: client.post(url, {"topic": topic.pk, "heading": f"Added at once {n}",
                                         "you_said": "x",
                                         "we_did": "y", "outcome": "done"}).status_code

    for round_ in range(3):
        assert run_together(*(add(c, f"{round_}-{i}") for i, c in enumerate(clients))) == [302] * 3
    positions = list(ReportItem.objects.filter(report=report).values_list("position", flat=True))
    assert len(positions) == 10 and len(set(positions)) == 10, positions
