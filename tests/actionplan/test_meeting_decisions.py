"""What a board meeting decided about each action it reviewed (noted /
agreed / escalated / closed, with a note) and its minutes: recorded on the
meeting's decision page, shown on the meeting page, in the action's history
on its staff page, and in the NEXT meeting's board pack ("decided at the
last meeting"), read back from the PDF itself."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from actionplan import services
from actionplan.models import MeetingDecision
from actionplan.selectors import board_pack_context
from core.models import AuditEvent
from core.pdf import render_pdf_from_template
from tests.conftest import pdf_text

from .factories import ActionFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def board_world(world):
    """The world's board has the lead organisation on it, so its officers
    record decisions; a later meeting of the same board."""
    world["plan"].board.organisations.set([world["lead"]])
    world["meeting"].date = date(2026, 3, 12)
    world["meeting"].save()
    world["next_meeting"] = MeetingFactory(board=world["plan"].board, date=date(2026, 6, 11),
                                           title="June board")
    world["next_meeting"].reviewed_actions.set([world["action"]])
    return world


def _decide(client, world, action, **data):
    return client.post(reverse("staff:actionplan:meeting_decision",
                               args=[world["meeting"].pk, action.pk]), data)


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_a_decision_is_recorded_once_and_changed_by_recording_it_again(board_world):
    w = board_world
    officer = w["people"]["lead_officer"]
    services.meeting_record_decision(acting_user=officer, meeting=w["meeting"],
                                     action=w["action"], outcome="noted", note="  First go  ")
    decision = services.meeting_record_decision(
        acting_user=officer, meeting=w["meeting"], action=w["action"], outcome="escalated",
        note="Escalated to the Health and Wellbeing Board")
    assert MeetingDecision.objects.count() == 1
    decision.refresh_from_db()
    assert (decision.outcome, decision.note, decision.recorded_by) == (
        "escalated", "Escalated to the Health and Wellbeing Board", officer)
    events = AuditEvent.objects.filter(verb="meeting.decision_recorded").order_by("id")
    assert [e.data for e in events] == [
        {"action": w["action"].pk, "outcome": "noted"},
        {"action": w["action"].pk, "outcome": "escalated"}]
    assert "Health and Wellbeing" not in str([(e.summary, e.data) for e in events])


def test_only_an_action_the_meeting_reviews_can_have_a_decision(board_world):
    w = board_world
    elsewhere = ActionFactory(priority=w["priority"], lead_organisation=w["lead"])
    with pytest.raises(ValidationError):
        services.meeting_record_decision(acting_user=None, meeting=w["meeting"],
                                         action=elsewhere, outcome="agreed")
    assert not MeetingDecision.objects.exists()


def test_recorded_on_the_page_and_shown_on_the_meeting_and_action_pages(client, board_world):
    w = board_world
    client.force_login(w["people"]["lead_officer"])
    meeting_url = reverse("staff:actionplan:meeting_detail", args=[w["meeting"].pk])
    page = client.get(meeting_url).content.decode()
    assert "Not recorded" in page and "Record the decision" in page
    response = _decide(client, w, w["action"], outcome="agreed",
                       note="Agreed a revised date of July; the web team to report monthly.")
    assert response.status_code == 302
    assert response["Location"] == f"{meeting_url}#decision-{w['action'].pk}"
    page = client.get(meeting_url).content.decode()
    row = page.split(f'id="decision-{w["action"].pk}"', 1)[1].split("</td>", 1)[0]
    assert "<strong>Agreed</strong>" in row and "revised date of July" in row
    internal_row = page.split(f'id="decision-{w["internal"].pk}"', 1)[1].split("</td>", 1)[0]
    assert "Not recorded" in internal_row

    action_page = client.get(w["action"].get_absolute_url()).content.decode()
    history = action_page.split('id="decisions"', 1)[1].split('id="changes"', 1)[0]
    assert w["meeting"].title in history and "12 March 2026" in history
    assert "<strong>Agreed</strong>" in history and "revised date of July" in history
    # the form opens with what was recorded, to change it
    form = client.get(reverse("staff:actionplan:meeting_decision",
                              args=[w["meeting"].pk, w["action"].pk])).content.decode()
    assert re.search(r'value="agreed"[^>]*checked', form)
    assert "Agreed a revised date of July" in form


def test_the_next_meetings_board_pack_says_what_was_decided_at_the_last(client, board_world):
    w = board_world
    services.meeting_record_decision(acting_user=None, meeting=w["meeting"], action=w["action"],
                                     outcome="escalated",
                                     note="Escalated to the Health and Wellbeing Board in April.")
    services.meeting_record_decision(acting_user=None, meeting=w["meeting"],
                                     action=w["internal"], outcome="closed", note="")
    services.meeting_edit(acting_user=None, meeting=w["meeting"], title=w["meeting"].title,
                          date=w["meeting"].date, minutes="The board thanked the Forum.")
    context = board_pack_context(meeting_id=w["next_meeting"].pk, today=date(2026, 6, 1))
    assert context["last_meeting"] == w["meeting"]
    assert [(d.action.reference, d.outcome) for d in context["last_meeting"].decision_list] == [
        ("1.1", "escalated"), ("1.2", "closed")]
    text = _words(pdf_text(render_pdf_from_template("actionplan/board_pack.html", context)))
    section = text.split("Decided at the last meeting", 1)[1].split("Progress by priority", 1)[0]
    assert "March board, 12 March 2026" in section
    assert "1.1 Publish a co-produced Local Offer Escalated Escalated to the Health and " \
           "Wellbeing Board in April." in section
    assert "1.2 Renegotiate the therapy contract Closed No note" in section
    assert "Minutes of the last meeting The board thanked the Forum." in section

    # the earlier meeting's own pack has no meeting before it
    first = board_pack_context(meeting_id=w["meeting"].pk, today=date(2026, 3, 1))
    assert first["last_meeting"] is None
    text = _words(pdf_text(render_pdf_from_template("actionplan/board_pack.html", first)))
    assert "This is the board’s first meeting in the portal." in text


def test_a_decision_left_unchosen_or_too_long_is_a_clear_error_and_keeps_what_was_typed(
        client, board_world):
    w = board_world
    client.force_login(w["people"]["lead_officer"])
    response = _decide(client, w, w["action"], note="Agreed in principle")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_outcome_1"' in page or 'href="#id_outcome"' in page
    assert "Select what the meeting decided" in page
    assert "Agreed in principle" in page
    response = _decide(client, w, w["action"], outcome="agreed", note="x" * 1001)
    assert response.status_code == 400
    assert "The note must be 1,000 characters or fewer" in response.content.decode()
    response = _decide(client, w, w["action"], outcome="not-an-outcome")
    assert response.status_code == 400
    assert not MeetingDecision.objects.exists()


def test_an_action_the_meeting_does_not_review_has_no_decision_page(client, board_world):
    w = board_world
    client.force_login(w["people"]["lead_officer"])
    elsewhere = ActionFactory(priority=w["priority"], lead_organisation=w["lead"])
    assert client.get(reverse("staff:actionplan:meeting_decision",
                              args=[w["meeting"].pk, elsewhere.pk])).status_code == 404
    assert _decide(client, w, elsewhere, outcome="agreed").status_code == 404
    assert not MeetingDecision.objects.exists()


@pytest.mark.parametrize(("person", "may"), [
    ("lead_officer", True), ("lead_approver", True), ("administrator", True),
    ("board_member", False), ("other_officer", False), ("owner", False), ("no_role", False)])
def test_who_may_record_a_decision(client, board_world, person, may):
    w = board_world
    client.force_login(w["people"][person])
    url = reverse("staff:actionplan:meeting_decision", args=[w["meeting"].pk, w["action"].pk])
    response = client.post(url, {"outcome": "agreed"})
    assert (response.status_code == 302) is may, response.status_code
    assert MeetingDecision.objects.exists() is may
    if not may:
        assert response.status_code in (403, 404)
        assert client.get(url).status_code in (403, 404)
    page = client.get(reverse("staff:actionplan:meeting_detail", args=[w["meeting"].pk]))
    if person != "no_role":
        assert ("Record the decision" in page.content.decode()
                or "Change<span" in page.content.decode()) is may


def test_anonymous_is_sent_to_sign_in(client, board_world):
    w = board_world
    url = reverse("staff:actionplan:meeting_decision", args=[w["meeting"].pk, w["action"].pk])
    for response in (client.get(url), client.post(url, {"outcome": "agreed"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/account/sign-in/")
    assert not MeetingDecision.objects.exists()


def test_minutes_are_written_on_the_meeting_edit_page(client, board_world):
    w = board_world
    client.force_login(w["people"]["lead_officer"])
    meeting = w["meeting"]
    response = client.post(reverse("staff:actionplan:meeting_edit", args=[meeting.pk]), {
        "title": meeting.title, "date_0": "12", "date_1": "3", "date_2": "2026",
        "location": "", "minutes": "Present: council, ICB, Parent Carer Forum.\n\nAgreed: …",
        "lock_version": meeting.lock_version})
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting.refresh_from_db()
    assert meeting.minutes.startswith("Present: council, ICB")
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Present: council, ICB, Parent Carer Forum." in page and "Change the minutes" in page
    # arranging a meeting asks for no minutes
    create = client.get(reverse("staff:actionplan:meeting_create", args=[meeting.board.slug]))
    assert 'name="minutes"' not in create.content.decode()


def test_page_query_counts_are_pinned_and_do_not_grow_with_decisions(
        client, board_world, django_assert_num_queries):
    w = board_world
    client.force_login(w["people"]["lead_officer"])
    meeting_url = reverse("staff:actionplan:meeting_detail", args=[w["meeting"].pk])
    action_url = w["action"].get_absolute_url()
    decision_url = reverse("staff:actionplan:meeting_decision",
                           args=[w["meeting"].pk, w["action"].pk])
    services.meeting_record_decision(acting_user=None, meeting=w["meeting"], action=w["action"],
                                     outcome="noted")
    client.get(meeting_url)  # the first page after signing in also writes the session
    # The action page: 10 with its decisions, +1 its measures, +2 the waiting families
    # (the session is read from its cached copy).
    pinned = {meeting_url: 6, action_url: 13, decision_url: 6}
    for url, n in pinned.items():
        with django_assert_num_queries(n):
            assert client.get(url).status_code == 200

    more = [ActionFactory(priority=w["priority"], lead_organisation=w["lead"]) for _ in range(4)]
    w["meeting"].reviewed_actions.add(*more)
    for action in more:
        services.meeting_record_decision(acting_user=None, meeting=w["meeting"], action=action,
                                         outcome="agreed", note="Agreed")
    for meeting in [MeetingFactory(board=w["plan"].board) for _ in range(3)]:
        meeting.reviewed_actions.add(w["action"])
        services.meeting_record_decision(acting_user=None, meeting=meeting, action=w["action"],
                                         outcome="escalated", note="Escalated")
    for url, n in pinned.items():
        with django_assert_num_queries(n):
            assert client.get(url).status_code == 200
