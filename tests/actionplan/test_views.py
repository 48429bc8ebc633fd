import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplan import selectors, services
from actionplan.models import Action, Status
from core import changes
from core.models import Role
from tests.core.factories import OrganisationFactory, staff_user

from .factories import ActionFactory, MeetingFactory, PlanFactory, PriorityFactory

pytestmark = pytest.mark.django_db


# --- Public page ------------------------------------------------------------------------


def test_public_page_shows_public_actions_and_public_words_only(client, world):
    page = client.get(reverse("actionplan:index")).content.decode()
    assert "Publish a co-produced Local Offer" in page
    assert "At risk (amber)" in page
    assert "Some delay; a plan to catch up is agreed." in page
    assert "Renegotiate the therapy contract" not in page  # internal action
    assert "INTERNAL" not in page  # internal narrative
    assert "Olive" not in page and "Owner" not in page.replace("Owner</", "")  # staff names
    assert client.get(reverse("actionplan:plan", args=["testshire-strategy"])).status_code == 200
    assert client.get(reverse("actionplan:plan", args=["no-such-plan"])).status_code == 404


def test_public_page_without_any_plan(client, db):
    response = client.get(reverse("actionplan:index"))
    assert response.status_code == 200
    assert "No action plan has been published yet" in response.content.decode()


def _many_public_actions(plan, count, numbers):
    org = OrganisationFactory()
    priorities = [PriorityFactory(plan=plan, number=n) for n in numbers]
    Action.objects.bulk_create([
        Action(priority=priorities[i % 2], reference=f"x.{i}", title=f"Public action {i}",
               lead_organisation=org, is_public=True) for i in range(count)])


def test_public_page_query_count_does_not_grow(client, world, django_assert_num_queries):
    _many_public_actions(world["plan"], 5, (7, 8))
    with django_assert_num_queries(6):  # +1: the page's public measures (none here)
        client.get(reverse("actionplan:index"))
    _many_public_actions(world["plan"], 50, (9, 10))
    with django_assert_num_queries(6):
        client.get(reverse("actionplan:index"))


# --- Action pages and the update form ------------------------------------------------------


def test_update_form_errors_are_govuk_style_and_keep_what_was_typed(client, world):
    client.force_login(world["people"]["lead_officer"])
    url = reverse("staff:actionplan:action_update", args=[world["action"].pk])
    response = client.post(url, {"status": "complete", "percent": "150", "date_0": "31",
                                 "date_1": "2", "date_2": "2026", "narrative": "",
                                 "public_narrative": "Nearly there for families",
                                 "evidence_link": "not a link"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in page
    assert "There is a problem" in page
    for message in ("Say how the action was completed",
                    "Percent complete must be between 0 and 100",
                    "The date of the update must be a real date",
                    "Enter a link in the correct format, like https://www.example.org/report"):
        assert message in page
    assert "Nearly there for families" in page and 'value="150"' in page
    assert world["action"].updates.count() == 1


def test_update_form_rejects_the_wrong_kind_of_file(client, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(world["people"]["owner"])
    url = reverse("staff:actionplan:action_update", args=[world["action"].pk])
    response = client.post(url, {"status": "on_track", "percent": "50", "date_0": "1",
                                 "date_1": "2", "date_2": "2026", "narrative": "",
                                 "evidence_file": SimpleUploadedFile("run.exe", b"MZ")})
    page = response.content.decode()
    assert response.status_code == 400
    assert "The selected file must be a PDF" in page
    assert "choose it again" in page


def test_recording_progress_moves_the_action_and_shows_on_the_timeline(client, world, settings,
                                                                        tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(world["people"]["owner"])
    action = world["action"]
    response = client.post(
        reverse("staff:actionplan:action_update", args=[action.pk]),
        {"status": "on_track", "percent": "60", "date_0": "1", "date_1": "2", "date_2": "2026",
         "narrative": "Two developers started", "public_narrative": "Back on track",
         "evidence_title": "Project plan",
         "evidence_file": SimpleUploadedFile("plan.pdf", b"%PDF-1.7", "application/pdf")})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.current_status, action.current_percent) == (Status.ON_TRACK, 60)
    page = client.get(reverse("staff:actionplan:action_detail", args=[action.pk])).content.decode()
    assert page.index("Two developers started") < page.index("INTERNAL: web team")
    assert "plan.pdf (file)" in page
    evidence = action.updates.first().evidence.get()
    download = client.get(reverse("staff:actionplan:evidence_file", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.7"


def _more_actions(world, count):
    Action.objects.bulk_create([
        Action(priority=world["priority"], reference=f"9.{i}", title=f"Bulk action {i}",
               lead_organisation=world["lead"], owner=world["people"]["owner"],
               due_date=date(2026, 1, 1)) for i in range(count)])


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# The action list opens on the person's plan: finding it and checking the chosen
# plan are two queries more than listing every plan would (7), constant with volume.
# (The session is read from its cached copy, not a query.)
@pytest.mark.parametrize("name,pinned", [("action_list", 9), ("board_list", 3)])
def test_list_pages_query_counts_are_pinned(client, world, name, pinned):
    client.force_login(world["people"]["lead_officer"])
    url = reverse(f"staff:actionplan:{name}")
    assert _queries(client, url) == pinned
    _more_actions(world, 60)
    MeetingFactory.create_batch(5, board=world["plan"].board)
    assert _queries(client, url) == pinned


def test_action_page_and_meeting_page_query_counts_are_pinned(client, world):
    client.force_login(world["people"]["lead_officer"])
    action, meeting = world["action"], world["meeting"]
    detail = reverse("staff:actionplan:action_detail", args=[action.pk])
    meeting_url = reverse("staff:actionplan:meeting_detail", args=[meeting.pk])
    # +1 each: the action's change history; the board's partners (who may change the meeting).
    # +1: the action's measures (none here; their values and targets when there are).
    # (The session is read from its cached copy, not a query.)
    assert (_queries(client, detail), _queries(client, meeting_url)) == (13, 6)
    # +1: the board decisions on the meeting page.
    for n in range(5):
        services.action_update_progress(acting_user=None, action=action, status="on_track",
                                        percent=50 + n, narrative=f"step {n}",
                                        evidence_links=[f"https://example.org/{n}"])
    _more_actions(world, 20)
    meeting.reviewed_actions.add(*Action.objects.all())
    for reviewed in Action.objects.all():
        services.meeting_record_decision(acting_user=None, meeting=meeting, action=reviewed,
                                         outcome="noted", note="Noted")
    assert (_queries(client, detail), _queries(client, meeting_url)) == (13, 6)


# --- CSV export ------------------------------------------------------------------------------


def test_csv_export_has_the_filtered_actions(client, world):
    other_plan_action = ActionFactory(title="=HYPERLINK(\"http://evil\")",
                                      lead_organisation=world["other"])
    client.force_login(world["people"]["board_member"])
    response = client.get(reverse("staff:actionplan:export"),
                          {"plan": world["plan"].pk, "status": "at_risk"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["Reference", "Plan", "Priority", "Action"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=False))
    assert row["Reference"] == "1.1"
    assert row["Action"] == "Publish a co-produced Local Offer"
    assert row["Lead organisation"] == "Testshire County Council"
    assert row["Partners"] == "Testshire Parent Carer Forum"
    assert row["Owner"] == "Olive Owner"
    assert row["Status"] == "At risk (amber)" and row["Percent complete"] == "40"
    assert row["Overdue"] == "Yes" and row["Public"] == "Yes"
    assert row["Latest narrative"] == "INTERNAL: web team short of two developers"

    everything = client.get(reverse("staff:actionplan:export"))
    rows = list(csv.reader(io.StringIO(b"".join(everything.streaming_content).decode())))
    assert len(rows) == 4  # the header and all three actions
    titles = [r[3] for r in rows[1:]]
    # Never a live formula in someone's spreadsheet.
    assert "'" + other_plan_action.title in titles


# --- Dashboard ---------------------------------------------------------------------------------


@pytest.fixture
def dashboard_fixture(db):
    """Five actions whose figures are worked out by hand in the test."""
    plan = PlanFactory()
    p1 = PriorityFactory(plan=plan, number=1, title="Timely")
    p2 = PriorityFactory(plan=plan, number=2, title="Together")
    a_org = OrganisationFactory(name="Alpha Council")
    b_org = OrganisationFactory(name="Beta Trust")

    def make(priority, org, due, history, **extra):
        action = ActionFactory(priority=priority, lead_organisation=org, due_date=due, **extra)
        for day, status, percent in history:
            services.action_update_progress(acting_user=None, action=action, status=status,
                                            percent=percent, narrative="n", date=day)
        return action

    make(p1, a_org, date(2026, 5, 1), [(date(2026, 1, 10), "on_track", 20),
                                       (date(2026, 4, 20), "at_risk", 40)])
    make(p1, b_org, date(2026, 7, 1), [(date(2026, 2, 1), "on_track", 30)])
    make(p2, a_org, date(2026, 3, 1), [(date(2026, 1, 5), "on_track", 50),
                                       (date(2026, 2, 20), "complete", 100)])
    make(p2, a_org, date(2026, 12, 31), [])
    make(p2, b_org, date(2026, 6, 1), [(date(2025, 12, 15), "off_track", 10)],
         inspection_finding=True)
    return plan


def test_dashboard_numbers_match_a_hand_computed_fixture(dashboard_fixture):
    data = selectors.dashboard(Action.objects.all(), today=date(2026, 6, 15))
    # statuses: off track, at risk, on track, not started, complete, cancelled
    assert data.totals == {"total": 5, "overdue": 2, "due_soon": 1, "stale": 2, "inspection": 1}
    assert data.by_status == [1, 1, 1, 1, 1, 0]
    assert [(r.label, r.counts) for r in data.by_priority] == [
        ("1. Timely", [0, 1, 1, 0, 0, 0]), ("2. Together", [1, 0, 0, 1, 1, 0])]
    assert [(r.label, r.counts) for r in data.by_organisation] == [
        ("Alpha Council", [0, 1, 0, 1, 1, 0]), ("Beta Trust", [1, 0, 1, 0, 0, 0])]
    trend = {r.key: r.counts for r in data.over_time}
    assert len(trend) == 12
    assert trend["2025-07-31"] == trend["2025-11-30"] == [0, 0, 0, 5, 0, 0]
    assert trend["2025-12-31"] == [1, 0, 0, 4, 0, 0]
    assert trend["2026-01-31"] == [1, 0, 2, 2, 0, 0]
    assert trend["2026-02-28"] == trend["2026-03-31"] == [1, 0, 2, 1, 1, 0]
    assert trend["2026-04-30"] == trend["2026-05-31"] == trend["2026-06-15"] == [1, 1, 1, 1, 1, 0]
    assert [a.due_date for a in data.overdue] == [date(2026, 5, 1), date(2026, 6, 1)]
    assert [a.due_date for a in data.due_soon] == [date(2026, 7, 1)]
    assert [a.last_update_on for a in data.stale] == [date(2025, 12, 15), date(2026, 2, 1)]

    filtered = selectors.dashboard(Action.objects.filter(lead_organisation__name="Beta Trust"),
                                   today=date(2026, 6, 15))
    assert filtered.totals == {"total": 2, "overdue": 1, "due_soon": 1, "stale": 2,
                               "inspection": 1}


def test_dashboard_page_shows_the_figures_in_tables_and_accessible_charts(client, world):
    client.force_login(world["people"]["board_member"])
    page = client.get(reverse("staff:actionplan:dashboard")).content.decode()
    # Each chart is drawn twice, wide and narrow; CSS shows one at any width
    # (tests/actionplan/test_dashboard_browser.py), so a screen reader meets three.
    assert page.count('role="img"') == 6
    assert page.count("app-chart--wide") == 3 and page.count("app-chart--narrow") == 3
    for chart in ("chart-priority", "chart-organisation", "chart-trend"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in page
        assert f'<title id="{chart}-title">' in page and f'<desc id="{chart}-desc">' in page
    assert "Actions by priority and status</caption>" in page
    assert 'style="' not in page


def test_dashboard_query_count_is_the_same_for_10_and_10000_actions(client, db):
    board = staff_user(Role.BOARD_MEMBER)
    org = OrganisationFactory()
    priorities = [PriorityFactory(number=n) for n in (1, 2, 3)]
    statuses = Status.values

    def add(count, offset):
        Action.objects.bulk_create([
            Action(priority=priorities[i % 3], reference=f"{i}", title=f"Action {i}",
                   lead_organisation=org, due_date=date(2026, 1 + i % 12, 1),
                   current_status=statuses[i % len(statuses)], current_percent=i % 101,
                   last_update_on=date(2025, 1 + i % 12, 1))
            for i in range(offset, offset + count)], batch_size=2000)

    def computed(url):  # the figures worked out, not kept ones (the test's writes are not committed)
        changes.move_on(["actionplan"])
        return _queries(client, url)

    client.force_login(board)
    url = reverse("staff:actionplan:dashboard")
    client.get(url)  # the first page after signing in also writes the session
    add(10, 0)
    small = computed(url)
    add(9990, 10)
    assert Action.objects.count() == 10000
    large = computed(url)
    # + the plan it opens on, looked up and validated; + its measures (none here);
    # + the loop's figures (three queries, feedback/loop_figures.py). The session
    # is read from its cached copy, not a query (12, not 13).
    assert small == large == 12 + 2 + 1 + 3
    # Kept figures: the filters and plan looked up, the person, nothing else.
    assert _queries(client, url) == 14 - 7
    every_plan = _queries(client, url + "?plan=")
    # The 12-month trend is one query; with no plan chosen there is no priority
    # filter to fill (one query fewer than the 12 it was); +1 for the measures;
    # +3 the loop's figures.
    assert every_plan == 11 + 1 + 3
    filtered = _queries(client, url + f"?plan=&priority={priorities[0].pk}&status=at_risk")
    # the priority is looked up once; no matching action, no trend query; +1 the measures;
    # +3 the loop's figures
    assert filtered == 12 + 1 + 3


def test_evidence_link_is_a_govuk_input_and_flagged_when_wrong(client, world):
    """The link field looked like a bare browser box: crispy-forms-gds gives
    a "url" input no GOV.UK class."""
    import lxml.html

    def link_field(response):
        return lxml.html.fromstring(response.content).get_element_by_id("id_evidence_link")

    client.force_login(world["people"]["lead_officer"])
    url = reverse("staff:actionplan:action_update", args=[world["action"].pk])
    field = link_field(client.get(url))
    assert "govuk-input" in field.classes
    assert field.get("inputmode") == "url"
    response = client.post(url, {"status": "on_track", "percent": "50", "date_0": "1",
                                 "date_1": "2", "date_2": "2026", "evidence_link": "not a link"})
    field = link_field(response)
    assert {"govuk-input", "govuk-input--error"} <= set(field.classes)
    assert field.get("value") == "not a link"
