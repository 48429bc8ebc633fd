"""Pulse results: the share who agree (agree + strongly agree) with n, per
round, with groups smaller than 5 hidden. The expected numbers below were
worked out by hand from the answers, not by the code under test."""

from datetime import date

import pytest
from django.urls import reverse

from charter import selectors, services
from charter.models import SUPPRESSION_THRESHOLD, PulseRound

pytestmark = pytest.mark.django_db

SA, A, N, D, SD = 5, 4, 3, 2, 1

# Round 1 (version 1, 7 people). Statement "equal": SA A A N D SD SA → 4 of 7
# agree = 57.14…% → 57%. Statement "views": A A A A A A SD → 6 of 7 = 85.7% → 86%.
ROUND_1 = [(SA, A), (A, A), (A, A), (N, A), (D, A), (SD, A), (SA, SD)]
# Round 2 (version 2, 5 people, exactly the threshold). "equal": A D D N SA → 2 of 5 =
# 40%. "views": N N N D SD → 0 of 5 = 0%. The statement new in version 2: SA A SA A N
# → 4 of 5 = 80%.
ROUND_2 = [(A, N, SA), (D, N, A), (D, N, SA), (N, D, A), (SA, SD, N)]
# Round 3 (4 people): fewer than 5, so nothing is shown; all of them agreed.
ROUND_3 = [(SA, SA, SA)] * 4


def _answer(pulse_round, statements, rows):
    for row in rows:
        services.pulse_submit(pulse_round=pulse_round,
                              ratings={s.pk: r for s, r in zip(statements, row, strict=False)})


@pytest.fixture
def answered(world):
    v1 = world["charter"]
    services.pulse_round_set_state(acting_user=None, pulse_round=world["round"], state="closed")
    r1 = services.pulse_round_create(acting_user=None, charter=v1, title="Conference 2025",
                                     held_on=date(2025, 11, 1), access="invitation")
    _answer(r1, list(v1.statements.all()), ROUND_1)
    draft = world["draft"]
    services.charter_item_add(acting_user=None, kind="statement", parent=draft,
                              fields={"text": "I can see my contribution in what was produced."})
    v2 = services.charter_adopt(acting_user=None, charter=draft, adopted_on=date(2026, 1, 5),
                                review_date=date(2028, 1, 5))
    r2 = services.pulse_round_create(acting_user=None, charter=v2, title="Workshop 2026",
                                     held_on=date(2026, 2, 10), access="invitation")
    _answer(r2, list(v2.statements.all()), ROUND_2)
    r3 = services.pulse_round_create(acting_user=None, charter=v2, title="Forum 2026",
                                     held_on=date(2026, 3, 20), access="public")
    _answer(r3, list(v2.statements.all()), ROUND_3)
    return {"v1": v1, "v2": v2, "rounds": [r1, r2, r3]}


def _table(table):
    return [[(c.n, c.agree, c.percent, c.suppressed) for c in row.cells] for row in table.rows]


def test_results_match_the_hand_computed_fixture(answered):
    table = selectors.pulse_results(answered["v2"])
    assert [r.title for r in table.rounds] == ["Conference 2025", "Workshop 2026", "Forum 2026"]
    assert [row.statement.text for row in table.rows] == [
        "I am an equal partner and am listened to and valued.",
        "My views and experiences are represented.",
        "I can see my contribution in what was produced."]
    assert _table(table) == [
        [(7, 4, 57, False), (5, 2, 40, False), (4, 4, None, True)],
        [(7, 6, 86, False), (5, 0, 0, False), (4, 4, None, True)],
        # New in version 2: nobody was asked it at the 2025 conference.
        [(0, 0, None, False), (5, 4, 80, False), (4, 4, None, True)],
    ]


def test_small_groups_are_suppressed_on_the_public_page(client, answered):
    assert SUPPRESSION_THRESHOLD == 5
    page = client.get(reverse("charter:index")).content.decode()
    assert "<strong>57%</strong> agree" in page and "4 of 7 answers" in page
    assert "<strong>86%</strong> agree" in page
    assert "<strong>40%</strong> agree" in page and "2 of 5 answers" in page
    assert "<strong>0%</strong> agree" in page
    assert "<strong>80%</strong> agree" in page
    assert page.count("Fewer than 5 answers") == 3
    # Round 3's four people all agreed: neither 100% nor their count may leak.
    assert "100%" not in page and "of 4 answers" not in page
    assert "No answers" in page


def test_a_round_grows_past_the_threshold_and_is_then_shown(answered):
    r3 = answered["rounds"][2]
    _answer(r3, list(answered["v2"].statements.all()), [(SD, SD, SD)])
    cells = [row.cells[2] for row in selectors.pulse_results(answered["v2"]).rows]
    assert [(c.n, c.agree, c.percent) for c in cells] == [(5, 4, 80)] * 3


def test_the_old_version_page_does_not_show_results(client, answered):
    page = client.get(reverse("charter:version", args=["testshire-charter", 1])).content.decode()
    assert "earlier version" in page
    assert "57%" not in page


def test_staff_see_suppressed_results_too(client, answered, world):
    client.force_login(world["people"]["lead_officer"])
    page = client.get(reverse("staff:charter:pulse_rounds", args=[answered["v2"].pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Fewer than 5 answers" in text and "100%" not in text
    assert PulseRound.objects.get(title="Forum 2026").token in text  # the invitation link


def test_a_measure_follows_a_statements_results_and_hides_groups_under_5(answered, client):
    """A measure of the action plan that families report: the share who agree
    with "I am an equal partner…", one value a round, hand-worked above: 4 of
    7 (57.14%) at the 2025 conference, 2 of 5 (40%) at the 2026 workshop, and
    nothing for the forum's 4 answers until a fifth person answers (5 of 5)."""
    from decimal import Decimal

    from actionplan import services as actionplan_services
    from actionplan.models import Measure
    from tests.actionplan.factories import PriorityFactory

    statement = answered["v2"].statements.get(text__startswith="I am an equal partner")
    measure = actionplan_services.measure_create(
        acting_user=None, priority=PriorityFactory(), code="PCF-LISTENED",
        name="Parent carers who feel listened to", unit=Measure.Unit.PERCENT,
        source=Measure.Source.CHARTER, statement_lineage=statement.lineage, is_public=True)

    def values():
        return [(v.date, v.value, v.responses) for v in measure.values.order_by("date")]

    assert values() == [(date(2025, 11, 1), Decimal("57.14"), 7),
                        (date(2026, 2, 10), Decimal("40.00"), 5)]
    r3 = answered["rounds"][2]
    services.pulse_submit(pulse_round=r3, ratings={statement.pk: SA})
    assert values()[-1] == (date(2026, 3, 20), Decimal("100.00"), 5)
    # and it shows so on the public plan, with how many answered
    measure.priority.plan.is_published = True
    measure.priority.plan.save()
    html = client.get(reverse("actionplan:plan", args=[measure.priority.plan.slug])).content
    assert b"57.14%" in html and b"Groups of fewer than 5 answers are not shown" in html


def test_a_measure_can_follow_a_survey_question(world):
    """A survey question imported with its statistics: the share who answered
    positively, with n, on the day the survey was received; a group under 5
    is not shown."""
    from decimal import Decimal

    from actionplan import services as actionplan_services
    from actionplan.models import Measure
    from feedback.models import SurveyImport, SurveyStatistic
    from tests.actionplan.factories import PriorityFactory

    def survey(received_on, n, positive, state="imported"):
        imported = SurveyImport.objects.create(
            title=f"Survey {received_on}", organisation=world["lead"], received_on=received_on,
            file="survey-imports/x.csv", file_sha256="0" * 64,
            uploaded_by=world["people"]["lead_officer"], state=state)
        SurveyStatistic.objects.create(survey_import=imported, question="I feel listened to",
                                       responses=n, positive=positive)

    survey(date(2025, 7, 1), 120, 66)
    survey(date(2026, 7, 1), 4, 4)  # too few to show
    survey(date(2026, 8, 1), 50, 50, state="checked")  # not imported yet
    measure = actionplan_services.measure_create(
        acting_user=None, priority=PriorityFactory(), code="SURVEY-LISTENED",
        name="Parents who feel listened to", unit=Measure.Unit.PERCENT,
        source=Measure.Source.SURVEY, survey_question="I feel listened to")
    assert [(v.date, v.value, v.responses) for v in measure.values.all()] == [
        (date(2025, 7, 1), Decimal("55.00"), 120)]
