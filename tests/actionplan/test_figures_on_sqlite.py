"""The same figures on SQLite (what `make run` uses) as on Postgres (the
suite's database), against one fixture whose numbers are worked out by hand
below: the dashboard (status over time with updates in several months, on a
month's last day, two on one day), the public plan and the board pack.

Every test here runs in the suite on Postgres; `test_the_same_figures_on_sqlite`
runs them all again in a pytest subprocess on a fresh SQLite database, so both
databases are held to the same hand-worked numbers. A few seconds: no demo,
one small fixture.

On SQLite the month-end query once cast dates to their year number, so every
month of "status over time" counted every action as not started."""

import os
import re
import subprocess  # nosec B404 # the test's own command, no input from outside
import sys
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from actionplan import selectors, services
from actionplan.models import Action, Status
from core.pdf import render_pdf_from_template
from tests.conftest import pdf_text
from tests.core.factories import OrganisationFactory, staff_user

from .factories import ActionFactory, BoardFactory, MeetingFactory, PlanFactory, PriorityFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# Set in the SQLite subprocess: the database its tests must be running on.
DATABASE_ASKED = os.environ.get("FIGURES_DATABASE", "")
TODAY = date(2026, 6, 15)
# statuses in STATUS_ORDER: off track, at risk, on track, not started, complete, cancelled
assert [s.value for s in selectors.STATUS_ORDER] == [
    "off_track", "at_risk", "on_track", "not_started", "complete", "cancelled"]


@pytest.fixture
def figures_world(db):
    """Two priorities, five actions; three of their updates fall on a
    month's last day, two on one day (the later entry holds)."""
    from core.models import Role

    alpha = OrganisationFactory(name="Alpha County Council")
    beta = OrganisationFactory(name="Beta NHS Trust")
    board = BoardFactory(name="Figures Board", slug="figures-board")
    board.organisations.set([alpha, beta])
    plan = PlanFactory(title="Figures Strategy", slug="figures-strategy", board=board,
                       is_published=True)
    p1 = PriorityFactory(plan=plan, number=1, title="Timely")
    p2 = PriorityFactory(plan=plan, number=2, title="Together")

    def make(reference, priority, org, due, history, **extra):
        action = ActionFactory(priority=priority, reference=reference, lead_organisation=org,
                               due_date=due, title=f"Action {reference}", **extra)
        for day, status, percent in history:
            services.action_update_progress(acting_user=None, action=action, status=status,
                                            percent=percent, narrative="Update", date=day,
                                            public_narrative=f"{reference} on {day}")
        return action

    a = make("1.1", p1, alpha, date(2026, 5, 1), [
        (date(2025, 8, 31), Status.ON_TRACK, 20), (date(2025, 12, 1), Status.AT_RISK, 30),
        (date(2026, 3, 31), Status.OFF_TRACK, 35)], is_public=True, inspection_finding=True)
    make("1.2", p1, beta, date(2026, 9, 30), [
        (date(2025, 7, 26), Status.ON_TRACK, 50), (date(2025, 10, 31), Status.COMPLETE, 100)],
        is_public=True)
    c = make("2.1", p2, alpha, date(2026, 12, 31), [
        (date(2026, 1, 21), Status.ON_TRACK, 10), (date(2026, 1, 21), Status.AT_RISK, 10)],
        is_public=False)
    d = make("2.2", p2, beta, date(2026, 7, 1), [], is_public=True)
    e = make("2.3", p2, alpha, date(2026, 8, 31), [
        (date(2025, 9, 30), Status.ON_TRACK, 40), (date(2026, 4, 2), Status.CANCELLED, 40)],
        is_public=True)

    march = MeetingFactory(board=board, date=date(2026, 3, 12), title="March board")
    march.reviewed_actions.set([a, e])
    services.meeting_record_decision(acting_user=None, meeting=march, action=a,
                                     outcome="escalated", note="To the Health and Wellbeing Board")
    services.meeting_record_decision(acting_user=None, meeting=march, action=e,
                                     outcome="closed")
    june = MeetingFactory(board=board, date=date(2026, 6, 18), title="June board")
    june.reviewed_actions.set([a, c, d])
    officer = staff_user(Role.BOARD_MEMBER, alpha)
    return {"plan": plan, "june": june, "board_member": officer}


def test_running_on_the_database_asked_for():
    assert connection.vendor == (DATABASE_ASKED or "postgresql")


def test_dashboard_figures_worked_out_by_hand(figures_world):
    data = selectors.dashboard(Action.objects.all(), today=TODAY)
    assert data.totals == {"total": 5, "overdue": 1, "due_soon": 1, "stale": 1, "inspection": 1}
    assert data.by_status == [1, 1, 0, 1, 1, 1]
    assert [(r.label, r.counts) for r in data.by_priority] == [
        ("1. Timely", [1, 0, 0, 0, 1, 0]), ("2. Together", [0, 1, 0, 1, 0, 1])]
    assert [(r.label, r.counts) for r in data.by_organisation] == [
        ("Alpha County Council", [1, 1, 0, 0, 0, 1]), ("Beta NHS Trust", [0, 0, 0, 1, 1, 0])]
    assert [(r.key, r.counts) for r in data.over_time] == [
        ("2025-07-31", [0, 0, 1, 4, 0, 0]),  # 1.2 on track since 26 July
        ("2025-08-31", [0, 0, 2, 3, 0, 0]),  # 1.1 on track on the month's last day
        ("2025-09-30", [0, 0, 3, 2, 0, 0]),  # 2.3 on track on the last day
        ("2025-10-31", [0, 0, 2, 2, 1, 0]),  # 1.2 complete on the last day
        ("2025-11-30", [0, 0, 2, 2, 1, 0]),
        ("2025-12-31", [0, 1, 1, 2, 1, 0]),  # 1.1 at risk
        ("2026-01-31", [0, 2, 1, 1, 1, 0]),  # 2.1: on track then at risk, one day
        ("2026-02-28", [0, 2, 1, 1, 1, 0]),
        ("2026-03-31", [1, 1, 1, 1, 1, 0]),  # 1.1 off track on the last day
        ("2026-04-30", [1, 1, 0, 1, 1, 1]),  # 2.3 cancelled
        ("2026-05-31", [1, 1, 0, 1, 1, 1]),
        ("2026-06-15", [1, 1, 0, 1, 1, 1]),  # today: where "at a glance" stands
    ]
    assert [a.reference for a in data.overdue] == ["1.1"]
    assert [a.reference for a in data.due_soon] == ["2.2"]
    assert [a.reference for a in data.stale] == ["2.1"]


def test_the_dashboard_page_shows_the_selectors_figures(client, figures_world):
    """The page as a board member opens it today: its "status over time"
    table is the figures above, for whatever today is."""
    from django.http import QueryDict

    from actionplan.filters import DashboardFilter

    plan = figures_world["plan"]
    client.force_login(figures_world["board_member"])
    page = client.get(reverse("staff:actionplan:dashboard"), {"plan": plan.pk})
    assert page.status_code == 200
    html = page.content.decode()
    table = html.split("Actions in each status at the end of each month", 1)[1]
    table = table.split("</table>", 1)[0]
    shown = [[int(n) for n in re.findall(r'numeric">(?:<strong>)?(\d+)', row)][:6]
             for row in table.split("<tr")[2:]]
    qs = DashboardFilter(QueryDict(f"plan={plan.pk}"), queryset=selectors.actions_for_staff()).qs
    expected = selectors.dashboard(qs, today=timezone.localdate()).over_time
    assert shown == [r.counts for r in expected]
    assert len(shown) == 12
    assert sum(shown[-1]) == 5


def test_public_plan_figures_worked_out_by_hand(client, figures_world):
    priorities, page = selectors.public_priorities(figures_world["plan"])
    assert page.paginator.count == 4  # 2.1 is internal
    assert [(p.number, p.public_total, [a.reference for a in p.public_actions],
             [a.current_status for a in p.public_actions]) for p in priorities] == [
        (1, 2, ["1.1", "1.2"], ["off_track", "complete"]),
        (2, 2, ["2.2", "2.3"], ["not_started", "cancelled"])]
    assert [a.public_narrative for p in priorities for a in p.public_actions] == [
        "1.1 on 2026-03-31", "1.2 on 2025-10-31", None, "2.3 on 2026-04-02"]
    html = client.get(reverse("actionplan:plan", args=["figures-strategy"])).content.decode()
    assert "Action 2.1" not in html
    for words in ("Action 1.1", "Action 2.3", "1.1 on 2026-03-31", "2.3 on 2026-04-02"):
        assert words in html


def test_board_pack_figures_worked_out_by_hand(figures_world):
    context = selectors.board_pack_context(meeting_id=figures_world["june"].pk, today=TODAY)
    assert [n for _, n in context["summary"]] == [1, 1, 0, 1, 0, 0]
    assert [a.reference for a in context["overdue"]] == ["1.1"]
    assert [(plan.slug, rows) for plan, rows in context["plans"]] == [
        ("figures-strategy", [("1. Timely", [1, 0, 0, 0, 1, 0]),
                              ("2. Together", [0, 1, 0, 1, 0, 1])])]
    assert [(d.action.reference, d.outcome) for d in context["last_meeting"].decision_list] == [
        ("1.1", "escalated"), ("2.3", "closed")]
    text = re.sub(r"\s+", " ", pdf_text(
        render_pdf_from_template("actionplan/board_pack.html", context)))
    assert ("Off track (red) 1 At risk (amber) 1 On track (green) 0 Not started 1 Complete 0 "
            "Cancelled 0") in text
    assert "1. Timely 1 0 0 0 1 0" in text and "2. Together 0 1 0 1 0 1" in text
    assert "1.1 Action 1.1 Escalated To the Health and Wellbeing Board" in text
    assert "2.3 Action 2.3 Closed No note" in text


@pytest.mark.postgres
def test_the_same_figures_on_sqlite(tmp_path):
    """This module again, in a subprocess on a fresh SQLite database (the
    test settings take DATABASE_URL), with no Redis: every test above must
    pass there too, none skipped."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"REDIS_URL", "CELERY_BROKER_URL", "TEST_CELERY_BROKER_URL"}}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'figures.sqlite3'}",
               FIGURES_DATABASE="sqlite", DJANGO_SETTINGS_MODULE="sendportal.settings.test",
               TEST_MEDIA_ROOT=str(tmp_path / "media"))
    done = subprocess.run(  # nosec B603
        [sys.executable, "-m", "pytest", str(Path(__file__).relative_to(ROOT)), "-q",
         "-p", "no:cacheprovider", "-k", "not test_the_same_figures_on_sqlite"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert re.search(r"\b5 passed, 1 deselected\b", done.stdout), done.stdout[-2000:]
    assert "skipped" not in done.stdout
