"""Who takes part against the area's figures, against a fixture worked by
hand, with small groups suppressed; and pinned query counts for the new
list and detail pages, at two volumes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participation import selectors, services
from participation.models import AboutYou, Channel
from participation.selectors import representation
from tests.conftest import warm_glossary

from .conftest import join, make_opportunity

pytestmark = pytest.mark.django_db


def _answers(field, counts, month):
    for value, n in counts.items():
        for _ in range(n):
            AboutYou.objects.create(source="register", month=month, **{field: value})


@pytest.fixture
def fixture_answers(world):
    month = timezone.localdate().replace(day=1)
    # Age of the child: 15 answers. 16-19 (3) and 20-25 (1) are under 5: both hidden.
    _answers("child_age", {"5-10": 6, "11-15": 5, "16-19": 3, "20-25": 1}, month)
    # Area of need: 14 answers. Only semh (2) is under 5, so the next smallest
    # group, learning (5), is hidden too: 14 - 7 would otherwise give it away.
    _answers("need", {"communication": 7, "learning": 5, "semh": 2}, month)
    # Part of the county: 11 answers, no group under 5, no area figures entered.
    _answers("area", {"stroud": 6, "gloucester": 5}, month)
    # Older than 12 months: not counted.
    _answers("child_age", {"5-10": 4}, month - timedelta(days=400))
    admin = world["administrator"]
    services.area_figures_save(acting_user=admin, dimension="child_age", source="Census 2026",
                               counts={"0-4": 100, "5-10": 400, "11-15": 300, "16-19": 150,
                                       "20-25": 50})
    services.area_figures_save(acting_user=admin, dimension="need", source="Census 2026",
                               counts={"communication": 500, "learning": 250, "semh": 250})


def _rows(comparison):
    return {r.label: (r.taking_part, r.taking_part_percent, r.area_percent, r.gap)
            for r in comparison.rows}


def test_representation_against_a_hand_worked_fixture(fixture_answers):
    age, need, area = representation()
    assert age.answered == 15 and age.source == "Census 2026"
    assert _rows(age) == {
        "0 to 4": (0, 0, 10, -10),
        "5 to 10": (6, 40, 40, 0),      # 6/15 = 40%; 400/1000 = 40%
        "11 to 15": (5, 33, 30, 3),     # 5/15 = 33%; 300/1000 = 30%
        "16 to 19": (None, None, 15, None),   # 3: fewer than 5
        "20 to 25": (None, None, 5, None),    # 1: fewer than 5
    }
    assert need.answered == 14
    rows = _rows(need)
    assert rows["Communication and interaction (including autism)"] == (7, 50, 50, 0)
    assert rows["Social, emotional and mental health"] == (None, None, 25, None)
    assert rows["Cognition and learning"] == (None, None, 25, None)  # secondary suppression
    assert rows["Another need"] == (0, 0, None, None)
    assert area.answered == 11
    assert _rows(area)["Stroud"] == (6, 55, None, None)  # 6/11 = 54.5%
    assert _rows(area)["Gloucester"] == (5, 45, None, None)


def test_the_page_shows_suppressed_groups_and_reaches_no_board_member(world, fixture_answers):
    client = Client()
    client.force_login(world["officer"])
    page = client.get(reverse("staff:participation:representation")).content.decode()
    assert "fewer than 5" in page and "Census 2026" in page
    board = Client()
    board.force_login(world["board_member"])
    assert board.get(reverse("staff:participation:representation")).status_code == 403
    assert Client().get(reverse("staff:participation:representation")).status_code == 302
    # Nothing of it on the public pages.
    public = Client().get(reverse("participation:index")).content.decode()
    assert "Census 2026" not in public and "fewer than 5" not in public


def test_area_figures_form_errors_keep_what_was_typed(world):
    client = Client()
    client.force_login(world["administrator"])
    url = reverse("staff:participation:figures", args=["area"])
    response = client.post(url, {"source": "", "count_stroud": "12x", "count_gloucester": "900"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter where the figures come from" in body and 'href="#id_source"' in body
    assert "Stroud: enter a whole number, like 1200" in body and 'href="#id_count_stroud"' in body
    assert 'value="900"' in body
    response = client.post(url, {"source": "Census", "count_stroud": "1200"})
    assert response.status_code == 302
    assert client.get(reverse("staff:participation:figures", args=["nonsense"])).status_code == 404


def _count(client, url) -> int:
    warm_glossary()  # read once per change to the glossary, not per page
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _volume(world, n, start):
    for i in range(start, start + n):
        entry = join(name=f"Member {i}", email=f"m{i}@example.com", about={"need": "semh"})
        opportunity = make_opportunity(world["county"], title=f"Workshop {i}")
        services.interest_submit(opportunity=opportunity, name=f"Person {i}",
                                 email=f"p{i}@example.com", about={"area": "stroud"})
        services.invite(acting_user=world["officer"], opportunity=world["opportunity"],
                        entries=[entry])
    join(name="By post", email="", address="1 High Street", channels=(Channel.POST,))


PAGES = [
    ("participation:index", None, "public"),
    ("participation:opportunity", "slug", "public"),
    ("staff:participation:list", None, "officer"),
    ("staff:participation:detail", "pk", "officer"),
    ("staff:participation:register", None, "officer"),
    ("staff:participation:representation", None, "officer"),
]


def test_query_counts_do_not_grow_with_volume(world, django_capture_on_commit_callbacks):
    clients = {"public": Client(), "officer": Client()}
    clients["officer"].force_login(world["officer"])
    opportunity = world["opportunity"]

    def measure():
        out = {}
        for name, arg, who in PAGES:
            kwargs = {arg: getattr(opportunity, arg)} if arg else {}
            out[name] = _count(clients[who], reverse(name, kwargs=kwargs))
        return out

    with django_capture_on_commit_callbacks(execute=False):
        _volume(world, 3, 0)
    small = measure()
    with django_capture_on_commit_callbacks(execute=False):
        _volume(world, 15, 3)
    large = measure()
    assert small == large, (small, large)
    assert small == PINNED, small


# Signed-in pages start with 2 (person, roles; the session is read from its
# cached copy). The detail page reads the opportunity, its invitations (with
# their people), the people still to invite (two), and who would like to take
# part; "who takes part" one query for the figures and one a question.
PINNED = {
    "participation:index": 1,
    "participation:opportunity": 1,
    "staff:participation:list": 3,
    "staff:participation:detail": 8,
    "staff:participation:register": 3,
    "staff:participation:representation": 6,
}


def test_entries_to_invite_match_topic_or_kind(world):
    opportunity = world["opportunity"]
    a = join(name="Topic match")
    b = join(name="Kind match", email="b@example.com", topics=("health",))
    join(name="No match", email="c@example.com", topics=("health",), kinds=("board",))
    ids = [world["county"].pk]
    assert selectors.entries_to_invite(opportunity, ids) == [b, a]
    services.invite(acting_user=world["officer"], opportunity=opportunity, entries=[a])
    assert selectors.entries_to_invite(opportunity, ids) == [b]
    assert selectors.entries_to_invite(opportunity, [world["other"].pk]) == []


def test_a_question_fewer_than_5_answered_shows_no_numbers(world):
    _answers("area", {"stroud": 3, "gloucester": 1}, timezone.localdate().replace(day=1))
    area = representation()[2]
    assert area.answered is None
    assert _rows(area)["Stroud"] == (None, None, None, None)
    assert _rows(area)["Gloucester"] == (None, None, None, None)
    assert _rows(area)["Cotswold"] == (0, 0, None, None)
