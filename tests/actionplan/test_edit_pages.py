"""Changing actions, plans, priorities, boards and meetings from the staff
pages: who may (role × page), what each save writes (the object, its
history, an audit event), pinned query counts, the error states, and a
concurrent edit answered with the edit-conflict message, never a 500."""

import re
from datetime import date

import pytest
from django.urls import reverse

from actionplan.models import Action, ActionChange, Board, Meeting, Plan, Priority
from core.audit import Verb
from core.concurrency import CONFLICT_MESSAGE
from core.models import AuditEvent
from tests.core.factories import ThemeFactory
from tests.feedback.factories import FeedbackFactory

from .factories import PriorityFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "owner", "lead_officer", "lead_approver", "other_officer",
         "board_member", "administrator"]
STAFF = {"owner", "lead_officer", "lead_approver", "other_officer", "board_member",
         "administrator"}
# Officers, approvers and administrators of the action's lead organisation.
ACTION_CHANGERS = {"lead_officer", "lead_approver", "administrator"}
# The board has the lead organisation and the partner on it (see `board_world`);
# their officers, approvers and administrators look after its plans and meetings.
BOARD_KEEPERS = {"owner", "lead_officer", "lead_approver", "administrator"}


@pytest.fixture
def board_world(world):
    board = world["plan"].board
    board.organisations.set([world["lead"], world["partner"]])
    world["board"] = board
    world["second"] = PriorityFactory(plan=world["plan"], number=2, title="Families are heard")
    ThemeFactory(name="Communication", slug="communication")
    return world


def _client(client, world, role):
    if role != "anonymous":
        client.force_login(world["people"][role])
    return client


def _expect(role, allowed):
    if role == "anonymous":
        return 302
    return 200 if role in allowed else 403


def _date(prefix: str, value: date | None) -> dict:
    if value is None:
        return {f"{prefix}_0": "", f"{prefix}_1": "", f"{prefix}_2": ""}
    return {f"{prefix}_0": str(value.day), f"{prefix}_1": str(value.month),
            f"{prefix}_2": str(value.year)}


def action_post(w, **changes) -> dict:
    a = Action.objects.get(pk=w["action"].pk)
    data = {"priority": a.priority_id, "reference": a.reference, "title": a.title,
            "description": a.description, "lead_organisation": a.lead_organisation_id,
            "owner": a.owner_id or "", "partner_organisations": [w["partner"].pk],
            "success_measures": "", "is_public": "on", "source": "",
            "lock_version": a.lock_version,
            **_date("start_date", a.start_date), **_date("due_date", a.due_date)}
    data.update(changes)
    return data


def plan_post(w, **changes) -> dict:
    p = Plan.objects.get(pk=w["plan"].pk)
    data = {"title": p.title, "area": p.area, "board": p.board_id, "summary": p.summary,
            "is_published": "on", "lock_version": p.lock_version,
            **_date("period_start", p.period_start), **_date("period_end", p.period_end),
            **_date("review_date", date(2026, 9, 1))}
    data.update(changes)
    return data


def board_post(w, **changes) -> dict:
    b = Board.objects.get(pk=w["board"].pk)
    data = {"name": b.name, "area": "Testshire", "description": "Meets quarterly",
            "organisations": [w["lead"].pk, w["partner"].pk], "lock_version": b.lock_version}
    data.update(changes)
    return data


def meeting_post(w, **changes) -> dict:
    m = Meeting.objects.get(pk=w["meeting"].pk)
    data = {"title": "June board", "location": "Shire Hall", "lock_version": m.lock_version,
            **_date("date", date(2026, 6, 18))}
    data.update(changes)
    return data


def priority_post(w, **changes) -> dict:
    p = Priority.objects.get(pk=w["priority"].pk)
    data = {"title": "Needs are met early", "description": "", "lock_version": p.lock_version}
    data.update(changes)
    return data


# name: (url, who may open it, POST data or None, the verb its save audits)
PAGES = {
    "change action": (lambda w: reverse("staff:actionplan:action_edit", args=[w["action"].pk]),
                      ACTION_CHANGERS, lambda w: action_post(w, title="Publish the Local Offer"),
                      Verb.ACTION_EDITED),
    "plans": (lambda w: reverse("staff:actionplan:plan_list"), STAFF, None, None),
    "plan page": (lambda w: reverse("staff:actionplan:plan_detail", args=[w["plan"].slug]),
                  STAFF, None, None),
    "add a plan": (lambda w: reverse("staff:actionplan:plan_create"), BOARD_KEEPERS,
                   lambda w: plan_post(w, title="Preparing for Adulthood Plan", is_published=""),
                   Verb.PLAN_CREATED),
    "change plan": (lambda w: reverse("staff:actionplan:plan_edit", args=[w["plan"].slug]),
                    BOARD_KEEPERS, lambda w: plan_post(w, area="Testshire and Borough"),
                    Verb.PLAN_EDITED),
    "add a priority": (lambda w: reverse("staff:actionplan:priority_create",
                                         args=[w["plan"].slug]),
                       BOARD_KEEPERS, lambda w: {"title": "Young people are ready for work"},
                       Verb.PRIORITY_CREATED),
    "change priority": (lambda w: reverse("staff:actionplan:priority_edit",
                                          args=[w["priority"].pk]),
                        BOARD_KEEPERS, priority_post, Verb.PRIORITY_EDITED),
    "add a board": (lambda w: reverse("staff:actionplan:board_create"), {"administrator"},
                    lambda w: board_post(w, name="Health and Wellbeing Board"),
                    Verb.BOARD_CREATED),
    "change board": (lambda w: reverse("staff:actionplan:board_edit", args=[w["board"].slug]),
                     BOARD_KEEPERS, board_post, Verb.BOARD_EDITED),
    "change meeting": (lambda w: reverse("staff:actionplan:meeting_edit",
                                         args=[w["meeting"].pk]),
                       BOARD_KEEPERS, meeting_post, Verb.MEETING_EDITED),
}
FORMS = [name for name, page in PAGES.items() if page[2]]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(client, board_world, role, page):
    url, allowed, _, _ = PAGES[page]
    response = _client(client, board_world, role).get(url(board_world))
    assert response.status_code == _expect(role, allowed), (page, role)
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", FORMS)
def test_who_may_save_each_form_and_the_save_is_audited(client, board_world, role, page):
    url, allowed, data, verb = PAGES[page]
    before = AuditEvent.objects.count()
    response = _client(client, board_world, role).post(url(board_world), data(board_world))
    if role in allowed:
        assert response.status_code == 302, (page, role, response.content[:3000])
        event = AuditEvent.objects.order_by("-id").first()
        assert event.verb == verb
        assert event.actor == board_world["people"][role]
        if verb.endswith("edited"):
            assert event.data["changed"], "the changed field names are recorded"
    else:
        assert response.status_code == (302 if role == "anonymous" else 403), (page, role)
        assert AuditEvent.objects.count() == before


# GET and POST query counts, pinned, and the same with many more rows about.
# Each GET: person, roles (the session is read from its cached copy), then the
# page's own reads and its form's choices. Each POST also locks the row, saves, writes history and the audit event.
# The plans list and "add a plan" ask once whether the person sits on a board
# (an administrator of any organisation no longer adds plans to any board: issue 19).
# Saving a plan also checks its inspection dates' constraint in full_clean()
# (a savepoint, the check and its release: issue 23).
PINNED = {
    "change action": (14, 40), "plans": (5, None), "plan page": (5, None),
    "add a plan": (4, 16), "change plan": (6, 22), "add a priority": (5, 13),
    "change priority": (4, 11), "add a board": (4, 10), "change board": (6, 14),
    "change meeting": (4, 13),
}


def _count(client, django_assert_num_queries, url, data, n):
    with django_assert_num_queries(n):
        response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("page", PAGES)
def test_query_counts_are_pinned(client, board_world, django_assert_num_queries, page):
    """The same count with one action or many, one priority or many, few
    partners or many."""
    from tests.core.factories import OrganisationFactory

    from .test_views import _more_actions

    url, _, data, _ = PAGES[page]
    get_n, post_n = PINNED[page]
    client.force_login(board_world["people"]["administrator"])
    client.get(reverse("staff:home"))  # the session is saved once, not during the count
    for grow in (False, True):
        if grow:
            _more_actions(board_world, 15)
            for n in range(3):
                PriorityFactory(plan=board_world["plan"], number=10 + n)
            board_world["board"].organisations.add(*OrganisationFactory.create_batch(3))
            board_world["action"].themes.add(ThemeFactory(name="Transport", slug="transport"))
        _count(client, django_assert_num_queries, url(board_world), None, get_n)
    if post_n is not None:
        _count(client, django_assert_num_queries, url(board_world), data(board_world), post_n)


# --- What the saves do -------------------------------------------------------------------


def test_due_date_and_owner_changes_are_history_on_the_action_page(client, board_world):
    w = board_world
    client.force_login(w["people"]["lead_officer"])
    url = reverse("staff:actionplan:action_edit", args=[w["action"].pk])
    response = client.post(url, action_post(
        w, owner=w["people"]["lead_officer"].pk, **_date("due_date", date(2026, 6, 30))))
    assert response.status_code == 302
    changes = {c.field: (c.old_value, c.new_value) for c in ActionChange.objects.all()}
    assert changes == {"due_date": ("31 January 2026", "30 June 2026"),
                       "owner": ("Olive Owner", "Lee Officer")}
    page = client.get(reverse("staff:actionplan:action_detail", args=[w["action"].pk]))
    text = page.content.decode()
    assert "Changes to this action" in text and "31 January 2026" in text
    assert "30 June 2026" in text
    # The public plan shows the current due date (month and year) only, and no staff names.
    client.logout()
    public = client.get(reverse("actionplan:plan", args=[w["plan"].slug])).content.decode()
    assert "June 2026" in public and "January 2026" not in public
    assert "Olive" not in public and "Lee Officer" not in public


def test_action_partners_themes_and_feedback_are_changed(client, board_world):
    w = board_world
    theme = ThemeFactory(name="Waiting times", slug="waiting-times")
    kept, dropped = FeedbackFactory(), FeedbackFactory()
    w["action"].feedback.set([kept, dropped])
    client.force_login(w["people"]["lead_approver"])
    response = client.post(reverse("staff:actionplan:action_edit", args=[w["action"].pk]),
                           action_post(w, partner_organisations=[w["other"].pk],
                                       themes=[theme.pk], feedback=[kept.pk], is_public=""))
    assert response.status_code == 302
    action = Action.objects.get(pk=w["action"].pk)
    assert list(action.partner_organisations.all()) == [w["other"]]
    assert list(action.themes.all()) == [theme]
    assert list(action.feedback.all()) == [kept]
    assert not action.is_public
    event = AuditEvent.objects.filter(verb=Verb.ACTION_EDITED).get()
    assert set(event.data["changed"]) == {"partner_organisations", "themes", "feedback",
                                          "is_public"}
    assert {c.field for c in ActionChange.objects.all()} == {"partner_organisations",
                                                             "is_public"}


def test_partners_are_asked_when_an_action_is_added(client, board_world):
    w = board_world
    client.force_login(w["people"]["lead_officer"])
    response = client.post(reverse("staff:actionplan:action_create"), {
        "priority": w["priority"].pk, "title": "Train SENCOs", "lead_organisation": w["lead"].pk,
        "partner_organisations": [w["partner"].pk, w["other"].pk], **_date("due_date",
                                                                          date(2027, 3, 31))})
    assert response.status_code == 302
    action = Action.objects.get(title="Train SENCOs")
    assert set(action.partner_organisations.all()) == {w["partner"], w["other"]}


def test_priorities_move_up_and_down_and_are_renumbered(client, board_world):
    w = board_world
    client.force_login(w["people"]["owner"])
    move = reverse("staff:actionplan:priority_move", args=[w["second"].pk])
    response = client.post(move, {"direction": "up"})
    assert response.status_code == 302 and response["Location"].endswith("#priorities")
    numbers = dict(Priority.objects.filter(plan=w["plan"]).values_list("title", "number"))
    assert numbers == {"Families are heard": 1, "Needs are met in a timely way": 2}
    assert AuditEvent.objects.filter(verb=Verb.PRIORITY_MOVED).count() == 1
    # Moving the first up changes nothing and records nothing.
    assert client.post(move, {"direction": "up"}).status_code == 302
    assert AuditEvent.objects.filter(verb=Verb.PRIORITY_MOVED).count() == 1
    assert client.post(move, {"direction": "sideways"}).status_code == 400
    client.force_login(w["people"]["board_member"])
    assert client.post(move, {"direction": "down"}).status_code == 403


def test_a_plan_is_published_and_unpublished_from_its_page(client, board_world):
    w = board_world
    client.force_login(w["people"]["lead_officer"])
    url = reverse("staff:actionplan:plan_publish", args=[w["plan"].slug])
    assert client.post(url, {"publish": "no"}).status_code == 302
    assert not Plan.objects.get(pk=w["plan"].pk).is_published
    assert client.get(reverse("actionplan:plan", args=[w["plan"].slug])).status_code == 404
    assert client.post(url, {"publish": "yes"}).status_code == 302
    assert Plan.objects.get(pk=w["plan"].pk).is_published
    verbs = list(AuditEvent.objects.order_by("id").values_list("verb", flat=True))
    assert verbs[-2:] == [Verb.PLAN_UNPUBLISHED, Verb.PLAN_PUBLISHED]
    client.force_login(w["people"]["other_officer"])
    assert client.post(url, {"publish": "no"}).status_code == 403


# --- Errors and conflicts ----------------------------------------------------------------

ERRORS = {
    "change action": (lambda w: action_post(w, title="", **_date("due_date", date(2020, 1, 1)),
                                            **_date("start_date", date(2021, 1, 1))),
                      ["title", "due_date_0"]),
    "change plan": (lambda w: plan_post(w, title="", **_date("period_end", date(2020, 1, 1))),
                    ["title", "period_end_0"]),
    "add a plan": (lambda w: {}, ["title", "area", "period_start_0", "period_end_0"]),
    "change priority": (lambda w: priority_post(w, title=""), ["title"]),
    "add a priority": (lambda w: {}, ["title"]),
    "add a board": (lambda w: {"name": w["board"].name, "organisations": [w["lead"].pk]},
                    ["name"]),
    "change board": (lambda w: board_post(w, name="", organisations=[]),
                     ["name", "organisations"]),
    "change meeting": (lambda w: meeting_post(w, title="", date_1="13"), ["title", "date_0"]),
}


@pytest.mark.parametrize("page", ERRORS)
def test_errors_link_to_their_fields_and_keep_what_was_typed(client, board_world, page):
    w = board_world
    url = PAGES[page][0](w)
    data, fields = ERRORS[page]
    client.force_login(w["people"]["administrator"])
    before = AuditEvent.objects.count()
    response = client.post(url, data(w))
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    for name in fields:
        target = f"id_{name}"  # a checkbox group's first box has the group's id
        assert f'href="#{target}"' in html, (page, name)
        assert f'id="{target}"' in html, (page, name)
    assert AuditEvent.objects.count() == before
    if page == "change action":
        assert 'value="2020"' in html  # nothing typed is lost


CONFLICTS = {
    "change action": (action_post, "title", "Publish the Local Offer in plain words"),
    "change plan": (plan_post, "title", "A newer title"),
    "change priority": (priority_post, "title", "Needs are met sooner"),
    "change board": (board_post, "name", "The Partnership Board"),
    "change meeting": (meeting_post, "title", "July board"),
}


@pytest.mark.parametrize("page", CONFLICTS)
def test_a_concurrent_edit_gets_the_conflict_message_not_a_500(client, board_world, page):
    """Two people open the page; the first saves; the second's save is refused
    with what the first saved shown, and what they typed kept."""
    w = board_world
    url = PAGES[page][0](w)
    make, field, typed = CONFLICTS[page]
    client.force_login(w["people"]["administrator"])
    stale = make(w, **{field: typed})
    assert client.post(url, make(w)).status_code == 302  # the first person's save
    if page == "change action":  # a progress update also moves the action on
        pass
    response = client.post(url, stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert CONFLICT_MESSAGE.split(".")[0] in html
    assert "What it says now" in html
    assert typed in html
    # Saving again, after checking, works.
    again = client.post(url, {**stale, "lock_version": stale["lock_version"] + 1})
    assert again.status_code == 302


def test_a_progress_update_between_opening_and_saving_is_a_conflict(client, board_world):
    from actionplan import services

    w = board_world
    client.force_login(w["people"]["lead_officer"])
    stale = action_post(w, title="Publish the Local Offer")
    services.action_update_progress(acting_user=w["people"]["owner"], action=w["action"],
                                    status="on_track", percent=60, narrative="Going well")
    response = client.post(reverse("staff:actionplan:action_edit", args=[w["action"].pk]), stale)
    assert response.status_code == 409


def test_each_new_page_is_linked_from_where_people_look(client, board_world):
    w = board_world
    client.force_login(w["people"]["administrator"])

    def links(url):
        return client.get(url).content.decode()

    assert reverse("staff:actionplan:action_edit", args=[w["action"].pk]) in links(
        reverse("staff:actionplan:action_detail", args=[w["action"].pk]))
    plan_page = links(reverse("staff:actionplan:plan_detail", args=[w["plan"].slug]))
    for url in (reverse("staff:actionplan:plan_edit", args=[w["plan"].slug]),
                reverse("staff:actionplan:plan_publish", args=[w["plan"].slug]),
                reverse("staff:actionplan:priority_create", args=[w["plan"].slug]),
                reverse("staff:actionplan:priority_edit", args=[w["priority"].pk]),
                reverse("staff:actionplan:priority_move", args=[w["priority"].pk])):
        assert url in plan_page
    plans = links(reverse("staff:actionplan:plan_list"))
    assert reverse("staff:actionplan:plan_create") in plans
    assert reverse("staff:actionplan:plan_detail", args=[w["plan"].slug]) in plans
    board_page = links(reverse("staff:actionplan:board_detail", args=[w["board"].slug]))
    assert reverse("staff:actionplan:board_edit", args=[w["board"].slug]) in board_page
    assert reverse("staff:actionplan:plan_detail", args=[w["plan"].slug]) in board_page
    assert reverse("staff:actionplan:board_create") in links(
        reverse("staff:actionplan:board_list"))
    assert reverse("staff:actionplan:meeting_edit", args=[w["meeting"].pk]) in links(
        reverse("staff:actionplan:meeting_detail", args=[w["meeting"].pk]))


def test_an_officer_may_name_a_partner_organisation_as_the_lead(client, board_world):
    """The lead choice offered only the officer's own organisations: a council
    officer could not write up the action a partner leads."""
    w = board_world
    client.force_login(w["people"]["lead_officer"])
    url = reverse("staff:actionplan:action_create")
    page = client.get(url).content.decode()
    for organisation in (w["lead"], w["partner"], w["other"]):
        assert f'<option value="{organisation.pk}">{organisation.name}</option>' in page
    response = client.post(url, {
        "priority": w["priority"].pk, "title": "Offer evening therapy reviews",
        "lead_organisation": w["other"].pk, "owner": w["people"]["other_officer"].pk,
        **_date("due_date", date(2027, 3, 31))})
    assert response.status_code == 302
    action = Action.objects.get(title="Offer evening therapy reviews")
    assert action.lead_organisation == w["other"]
    # The owner still works for the lead.
    response = client.post(url, {
        "priority": w["priority"].pk, "title": "Another", "lead_organisation": w["other"].pk,
        "owner": w["people"]["lead_officer"].pk, **_date("due_date", date(2027, 3, 31))})
    assert "The owner must work for the lead organisation" in response.content.decode()
    # Changing an action offers every partner as its lead too.
    edit = client.get(reverse("staff:actionplan:action_edit", args=[w["action"].pk]))
    assert f'<option value="{w["other"].pk}">{w["other"].name}</option>' in edit.content.decode()


def test_an_actions_cornerstones_are_ticked_on_its_edit_page(client, board_world):
    """Issue 23: an action (a co-production activity) is tagged with the
    cornerstones it covers, for the evidence pack."""
    w = board_world
    client.force_login(w["people"]["lead_approver"])
    url = reverse("staff:actionplan:action_edit", args=[w["action"].pk])
    response = client.post(url, action_post(w, cornerstones=["value_and_include"]))
    assert response.status_code == 302
    action = Action.objects.get(pk=w["action"].pk)
    assert action.cornerstones == ["value_and_include"]
    assert re.search(r'value="value_and_include"\s+checked', client.get(url).content.decode())
    event = AuditEvent.objects.filter(verb=Verb.ACTION_EDITED).latest("pk")
    assert "cornerstones" in event.data["changed"]
