"""Measures of impact: the numbers a measure shows (latest, target, moving
the right way, on course) checked against the hand-worked fixture on every
page that shows it: the staff action page, the public plan (public measures
only), the dashboard and the board pack PDF."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from actionplan import selectors, services
from actionplan.models import Measure, MeasureValue
from core import changes
from core.pdf import render_pdf_from_template
from tests.conftest import pdf_text

from .measure_fixtures import EHCP_VALUES, WAIT_VALUES, days_ago

pytestmark = pytest.mark.django_db


def _words(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def _text(response) -> str:
    return _words(response.content.decode())


def _up(**kw):
    defaults = {"direction": "up", "baseline_value": Decimal("40"),
                "baseline_date": date(2025, 1, 1), "frequency": "quarterly", "source": "staff",
                "created_at": None}
    return Measure(**{**defaults, **kw})


@pytest.mark.parametrize("direction, latest, previous, movement", [
    ("up", "50", "45", "better"), ("up", "40", "45", "worse"), ("up", "45", "45", "same"),
    ("down", "10", "12", "better"), ("down", "14", "12", "worse"),
])
def test_moving_the_right_way_follows_the_direction(direction, latest, previous, movement):
    measure = _up(direction=direction)
    summary = selectors.measure_summary(
        measure, today=date(2026, 6, 1), latest=(date(2026, 5, 1), Decimal(latest)),
        previous=(date(2026, 2, 1), Decimal(previous)))
    assert summary.movement == movement


def test_on_course_against_a_straight_line_from_baseline_to_target():
    # Baseline 40 on 1 Jan 2025, target 70 on 1 Jan 2027 (730 days): on 1 Jan 2026
    # (365 days) the line is at 55.
    measure = _up()
    targets = [(date(2027, 1, 1), Decimal("70"))]
    course = {v: selectors.measure_summary(measure, today=date(2026, 2, 1),
                                           latest=(date(2026, 1, 1), Decimal(v)),
                                           targets=targets).course
              for v in ("54.9", "55", "60", "70", "71")}
    assert course == {"54.9": "off_course", "55": "on_course", "60": "on_course",
                      "70": "met", "71": "met"}
    down = _up(direction="down", baseline_value=Decimal("30"))  # 30 → 18: the line is at 24
    targets = [(date(2027, 1, 1), Decimal("18"))]
    assert [selectors.measure_summary(down, today=date(2026, 2, 1),
                                      latest=(date(2026, 1, 1), Decimal(v)),
                                      targets=targets).course
            for v in ("25", "24", "20", "17")] == ["off_course", "on_course", "on_course", "met"]


def test_a_new_value_is_overdue_after_its_frequency():
    measure = _up(frequency="quarterly")
    fresh = selectors.measure_summary(measure, today=date(2026, 4, 30),
                                      latest=(date(2026, 3, 31), Decimal("1")))
    stale = selectors.measure_summary(measure, today=date(2026, 7, 2),
                                      latest=(date(2026, 3, 31), Decimal("1")))
    assert (fresh.value_overdue, stale.value_overdue) == (False, True)
    assert stale.next_due == date(2026, 7, 1) and stale.days_since == 93


def test_the_staff_action_page_shows_every_measure_as_a_chart_and_a_table(client, world,
                                                                           measured):
    client.force_login(world["people"]["board_member"])
    response = client.get(reverse("staff:actionplan:action_detail", args=[world["action"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    ehcp, wait = measured["ehcp"], measured["wait"]
    by_pk = {m.pk: m for m in response.context["measures"]}
    assert by_pk[ehcp.pk].summary.movement == "better"
    assert by_pk[ehcp.pk].summary.course == "on_course"
    assert by_pk[ehcp.pk].summary.latest_value == Decimal("63")
    assert by_pk[ehcp.pk].summary.target_value == Decimal("70")
    assert by_pk[wait.pk].summary.movement == "worse"
    assert by_pk[wait.pk].summary.course == "off_course"
    # a chart each (wide and narrow), described in words
    assert html.count(f'aria-labelledby="chart-measure-{ehcp.pk}-title') == 1
    assert f"chart-measure-{ehcp.pk}-narrow-title" in html
    text = _text(response)
    section = text.split("EHC plans issued within 20 weeks", 1)[1].split("Weeks waiting", 1)[0]
    assert "Latest 63% (" in section and "Baseline 40% (" in section
    assert f"70% by {measured['target_day']:%-d %B %Y}" in section
    assert "Moving the right way" in section and "On course" in section
    for ago, value in EHCP_VALUES:  # the table: every value, the newest provisional
        row = f"{days_ago(ago):%-d %b %Y} {value}%"
        assert row in section, row
    assert "63% (provisional)" in section
    wait_section = text.split("Weeks waiting for a speech and language assessment", 1)[1]
    assert "Moving the wrong way" in wait_section and "Not on course" in wait_section
    for ago, value in WAIT_VALUES:
        assert f"{days_ago(ago):%-d %b %Y} {value} weeks" in wait_section
    assert "Internal: staff and the board only" in text  # the internal one, for staff


def test_the_public_plan_shows_public_measures_and_never_an_internal_one(client, world,
                                                                         measured):
    internal_action_measure = services.measure_create(
        acting_user=None, action=world["internal"], code="HIDDEN-1",
        name="Therapy contract vacancies", is_public=True)  # public, on an internal action
    services.measure_value_add(acting_user=None, measure=internal_action_measure,
                               date=days_ago(10), value=Decimal("777"))
    response = client.get(reverse("actionplan:plan", args=[world["plan"].slug]))
    assert response.status_code == 200
    text = _text(response)
    assert "EHC plans issued within 20 weeks" in text
    assert "Weeks waiting for a speech and language assessment" in text
    for ago, value in EHCP_VALUES:
        assert f"{days_ago(ago):%-d %b %Y} {value}%" in text
    assert "Moving the right way" in text and "Moving the wrong way" in text
    html = response.content.decode()
    assert f"chart-measure-{measured['ehcp'].pk}-title" in html
    # never: the internal measure, its value, a measure of an internal action,
    # staff notes, who updates it, its code
    for secret in ("Agency spend on therapy cover", "123,456", "Therapy contract vacancies",
                   "777", "INTERNAL NOTE", "Olive", "INT-COST", "EHCP20"):
        assert secret not in html, secret


def test_a_public_measure_of_a_priority_shows_under_its_priority(client, world):
    measure = services.measure_create(acting_user=None, priority=world["priority"],
                                      code="P1-M", name="Families who know who to ask",
                                      unit="percent", is_public=True)
    services.measure_value_add(acting_user=None, measure=measure, date=days_ago(5),
                               value=Decimal("64"))
    text = _text(client.get(reverse("actionplan:plan", args=[world["plan"].slug])))
    assert "Families who know who to ask" in text and "64%" in text


def test_the_dashboard_lists_latest_value_against_next_target(client, world, measured):
    client.force_login(world["people"]["board_member"])
    response = client.get(reverse("staff:actionplan:dashboard"))
    data = response.context["data"].measures
    assert data["total"] == 3
    assert (data["on_course"], data["off_course"]) == (1, 1)
    assert data["overdue"] == 0  # the latest values are 70 days old; quarterly
    first = data["listed"][0]
    assert first.pk == measured["wait"].pk  # not on course comes first
    html = response.content.decode()
    section = _words(html.split('id="measures"', 1)[1].split('id="overdue"', 1)[0])
    row = section.split("Weeks waiting for a speech and language assessment", 1)[1][:200]
    assert f"21 weeks 12 weeks by {measured['target_day']:%b %Y}" in row
    assert "Moving the wrong way Not on course 70 days ago" in row
    ehcp_row = section.split("EHC plans issued within 20 weeks", 1)[1][:200]
    assert "63% 70%" in ehcp_row and "Moving the right way On course 70 days ago" in ehcp_row
    assert f"dash-measure-{measured['ehcp'].pk}-title" in response.content.decode()
    for ago, value in EHCP_VALUES:
        assert f"{days_ago(ago):%-d %b %Y} {value}%" in section


def test_a_new_value_shows_on_the_dashboard_at_once(client, world, measured):
    client.force_login(world["people"]["board_member"])
    url = reverse("staff:actionplan:dashboard")
    client.get(url)  # kept
    services.measure_value_add(acting_user=None, measure=measured["wait"], date=days_ago(1),
                               value=Decimal("11"))
    changes.move_on(("actionplan",))  # what its commit does, outside this test's transaction
    data = client.get(url).context["data"].measures
    assert data["on_course"] == 2


def test_the_board_pack_has_each_measure_as_a_chart_and_a_table(world, measured):
    meeting = world["meeting"]
    context = selectors.board_pack_context(meeting_id=meeting.pk, today=timezone.localdate())
    pdf = render_pdf_from_template("actionplan/board_pack.html", context)
    text = re.sub(r"\s+", " ", pdf_text(pdf))
    section = text.split("Measures", 1)[1].split("Actions for review", 1)[0]
    ehcp = section.split("EHC plans issued within 20 weeks", 1)[1].split("Weeks waiting", 1)[0]
    assert "Latest: 63%" in ehcp and "Baseline: 40%" in ehcp
    assert f"Target: 70% by {measured['target_day']:%-d %B %Y}" in ehcp
    assert "Moving the right way" in ehcp and "On course" in ehcp
    for ago, value in EHCP_VALUES:
        assert f"{days_ago(ago):%-d %b %Y} {value}%" in ehcp
    wait = section.split("Weeks waiting for a speech and language assessment", 1)[1]
    assert "Moving the wrong way" in wait and "Not on course" in wait
    # the chart is a tagged figure with its words
    from tests.conftest import pdf_structure

    structure = pdf_structure(pdf)
    assert "Figure" in structure
    assert len(re.findall(r"Figure", structure)) >= 3  # one per measure with values


def test_a_value_cannot_be_given_twice_for_a_day_or_in_the_future(world, measured):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.measure_value_add(acting_user=None, measure=measured["ehcp"],
                                   date=days_ago(70), value=Decimal("1"))
    assert "already a value" in str(error.value)
    with pytest.raises(ValidationError):
        services.measure_value_add(acting_user=None, measure=measured["ehcp"],
                                   date=timezone.localdate() + timedelta(days=1),
                                   value=Decimal("1"))
    assert MeasureValue.objects.filter(measure=measured["ehcp"]).count() == 5


def test_weekly_reminders_name_measures_whose_new_value_is_overdue(world, measured):
    from django.core import mail

    from core import jobs

    owner = world["people"]["owner"]
    today = timezone.localdate()
    # EHCP20 and WAIT-SALT: quarterly, latest 70 days ago: not yet due. A monthly
    # measure last given 40 days ago is overdue; a family-reported one never is.
    monthly = services.measure_create(acting_user=None, action=world["action"], code="M-1",
                                      name="Referrals to the Local Offer team", owner=owner,
                                      frequency=Measure.Frequency.MONTHLY)
    services.measure_value_add(acting_user=None, measure=monthly, date=days_ago(40),
                               value=Decimal("12"))
    Measure.objects.filter(pk=measured["internal"].pk).update(owner=None)  # no one to tell
    Measure.objects.create(action=world["action"], code="FAM-1", name="Family-reported",
                           owner=owner, frequency="monthly", source="survey",
                           survey_question="Q")
    services.reminders_send(today=today)
    from actionplan.models import MeasureReminder

    assert list(MeasureReminder.objects.values_list("measure__code", flat=True)) == ["M-1"]
    assert services.reminders_send(today=today) == 0  # once a week
    assert jobs.run_due("measure_reminder") == 1
    [message] = [m for m in mail.outbox if "M-1" in m.subject]
    assert message.to == [owner.email]
    assert "Referrals to the Local Offer team" in message.body
    assert f"/staff/action-plan/measures/{monthly.pk}/values/new/" in message.body


def test_every_colour_of_a_measure_chart_has_3_to_1_contrast_with_the_page(client, world,
                                                                            measured):
    """Read from the SVG the page serves: every stroke and fill (the values'
    line and points, the dashed baseline, the target diamonds) against white."""
    from .test_chart_colours import contrast

    client.force_login(world["people"]["board_member"])
    html = client.get(reverse("staff:actionplan:action_detail",
                              args=[world["action"].pk])).content.decode()
    svgs = re.findall(r'<svg[^>]*aria-labelledby="chart-measure-.*?</svg>', html, flags=re.S)
    assert len(svgs) == 6  # three measures, wide and narrow
    colours = {c.lower() for svg in svgs for c in re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{6})"',
                                                             svg)} - {"#ffffff"}
    assert colours >= {"#1d70b8", "#505a5f", "#00703c"}
    for colour in colours:
        assert contrast(colour, "#ffffff") >= 3, colour


def test_every_value_is_a_dot_on_its_line_and_a_provisional_one_is_drawn_white(client, world,
                                                                               measured):
    """The dots are markers the line draws at each of its points (one
    definition a chart, not a shape a value): five values, five points,
    a marker at the start, every middle point and the end; the provisional
    newest value is drawn over again, white inside, where the line ends."""
    html = client.get(reverse("actionplan:plan", args=[world["plan"].slug])).content.decode()
    pk = measured["ehcp"].pk
    for chart_id in (f"chart-measure-{pk}", f"chart-measure-{pk}-narrow"):
        svg = re.search(rf'<svg[^>]*aria-labelledby="{chart_id}-title.*?</svg>', html,
                        flags=re.S).group(0)
        line = re.search(r"<polyline ([^>]*)/>", svg).group(1)
        points = re.search(r'points="([^"]*)"', line).group(1).split()
        assert len(points) == len(EHCP_VALUES)
        for end in ("start", "mid", "end"):
            assert f'marker-{end}="url(#{chart_id}-dot)"' in line
        marker = re.search(rf'<marker id="{chart_id}-dot"[^>]*>(.*?)</marker>', svg).group(1)
        assert 'fill="#1d70b8"' in marker
        white = re.findall(r'<path d="M([\d.]+),([\d.]+)a5,5[^"]*" fill="#ffffff"', svg)
        last_x, last_y = (float(n) for n in points[-1].split(","))
        assert [(float(x) + 5, float(y)) for x, y in white] == [(last_x, last_y)]


def test_a_lone_value_is_still_a_dot(client, world):
    measure = services.measure_create(acting_user=None, action=world["action"], code="ONE",
                                      name="Families asked", unit="number", is_public=True)
    services.measure_value_add(acting_user=None, measure=measure, date=days_ago(3),
                               value=Decimal("9"))
    html = client.get(reverse("actionplan:plan", args=[world["plan"].slug])).content.decode()
    svg = re.search(rf'<svg[^>]*aria-labelledby="chart-measure-{measure.pk}-title.*?</svg>',
                    html, flags=re.S).group(0)
    assert "<polyline" not in svg and "<marker" not in svg
    assert re.search(r'<path d="M[\d.]+,[\d.]+a5,5[^"]*" fill="#1d70b8"', svg)


def test_the_dashboard_charts_the_first_ten_measures_it_lists(client, world, measured):
    """Past ten measures, the dashboard's table lists them all (up to 25)
    and only the first ten have their chart and values below it, in the
    table's order; each name links to the measure's own page."""
    for n in range(12):
        extra = services.measure_create(acting_user=None, action=world["action"],
                                        code=f"EXTRA-{n}", name=f"Extra measure {n:02d}",
                                        unit="number", is_public=False)
        services.measure_value_add(acting_user=None, measure=extra, date=days_ago(5),
                                   value=Decimal(n))
    client.force_login(world["people"]["board_member"])
    response = client.get(reverse("staff:actionplan:dashboard"))
    data = response.context["data"].measures
    assert len(data["listed"]) == 15 and data["charted"] == data["listed"][:10]
    html = response.content.decode()
    section = html.split('id="measures"', 1)[1].split('id="overdue"', 1)[0]
    charted = re.findall(r"Chart and values: ([^<]+)</span>", section)
    assert charted == [m.name for m in data["listed"][:10]]
    assert section.count('<svg class="app-chart app-chart--wide"') == 10
    assert "The first 10 have their chart and every value below" in _words(section)
    for measure in data["listed"]:
        assert f'href="{measure.get_absolute_url()}"' in section
