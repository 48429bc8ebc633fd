"""Issue 19 in the action plan: an administrator of an organisation that
does not sit on a board changes none of its board, plans or meetings, and
adds no plan to it; the partnership's administrators (the lead
organisation's), who set the partnership up, may."""

import pytest
from django.urls import reverse

from actionplan.models import Board, Meeting, Plan, Priority
from core.models import AuditEvent, Role
from tests.actionplan import test_edit_pages as edit_pages
from tests.actionplan.test_edit_pages import board_post, meeting_post, plan_post, priority_post
from tests.core.factories import staff_user

board_world = edit_pages.board_world  # the edit pages' fixture: a board of the lead and partner

pytestmark = pytest.mark.django_db

PAGES = {
    "change plan": (lambda w: reverse("staff:actionplan:plan_edit", args=[w["plan"].slug]),
                    lambda w: plan_post(w, area="Changed by another organisation")),
    "add a priority": (lambda w: reverse("staff:actionplan:priority_create",
                                         args=[w["plan"].slug]),
                       lambda w: {"title": "Another organisation's priority"}),
    "change priority": (lambda w: reverse("staff:actionplan:priority_edit",
                                          args=[w["priority"].pk]), priority_post),
    "change board": (lambda w: reverse("staff:actionplan:board_edit", args=[w["board"].slug]),
                     lambda w: board_post(w, description="Changed by another organisation")),
    "change meeting": (lambda w: reverse("staff:actionplan:meeting_edit",
                                         args=[w["meeting"].pk]), meeting_post),
    "add a plan to their board": (lambda w: reverse("staff:actionplan:plan_create"),
                                  lambda w: plan_post(w, title="Another organisation's plan")),
}


def _rows():
    return {m.__name__: list(m.objects.order_by("pk").values())
            for m in (Board, Meeting, Plan, Priority, AuditEvent)}


@pytest.fixture
def people(board_world):
    w = board_world
    # The third organisation does not sit on the board.
    outsider = staff_user(Role.ADMINISTRATOR, w["other"])
    w["lead"].is_partnership_lead = True
    w["lead"].save(update_fields=["is_partnership_lead"])
    partnership = staff_user(Role.ADMINISTRATOR, w["lead"])
    return {"outsider": outsider, "partnership": partnership}


@pytest.mark.parametrize("page", PAGES)
def test_an_administrator_of_an_organisation_off_the_board_is_refused(client, board_world,
                                                                      people, page):
    url, data = PAGES[page]
    client.force_login(people["outsider"])
    before = _rows()
    get = client.get(url(board_world))
    post = client.post(url(board_world), data(board_world))
    # "add a plan": they sit on no board, so the page is not theirs at all.
    assert (get.status_code, post.status_code) == (403, 403), page
    assert _rows() == before


@pytest.mark.parametrize("page", PAGES)
def test_the_partnership_administrator_may(client, board_world, people, page):
    url, data = PAGES[page]
    board_world["board"].organisations.set([board_world["partner"]])  # not the lead's board
    client.force_login(people["partnership"])
    assert client.get(url(board_world)).status_code == 200
    assert client.post(url(board_world), data(board_world)).status_code == 302, page
