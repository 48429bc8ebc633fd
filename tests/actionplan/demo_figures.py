"""The action plan's figures for the demo, as plain data, so the same numbers
can be read from Postgres (the suite's database) and from SQLite (`make
run`'s). Run as a script against any database:

    DATABASE_URL=sqlite:///demo.sqlite3 python -m tests.actionplan.demo_figures

prints them as JSON (after `migrate` and `load_demo`)."""

import json
from datetime import date


def demo_figures(today: date | None = None) -> dict:
    from django.http import QueryDict
    from django.utils import timezone

    from actionplan import selectors
    from actionplan.filters import DashboardFilter
    from actionplan.models import Meeting, Plan
    from core.models import User

    today = today or timezone.localdate()
    board_member = User.objects.get(email="board@demo.example")

    def dashboard(params: str) -> dict:
        filterset = DashboardFilter(QueryDict(params),
                                    queryset=selectors.actions_for_staff())
        data = selectors.dashboard(filterset.qs, today=today)
        return {
            "totals": data.totals, "by_status": data.by_status,
            "by_priority": [[r.label, r.counts] for r in data.by_priority],
            "by_organisation": [[r.label, r.counts] for r in data.by_organisation],
            "over_time": [[r.key, r.counts] for r in data.over_time],
            "overdue": [a.reference for a in data.overdue],
            "stale": [a.reference for a in data.stale],
        }

    opening = selectors.plan_for_dashboard(board_member)
    figures = {
        "statuses": [s for s, _ in selectors.dashboard(
            selectors.actions_for_staff().none(), today=today).statuses],
        "opening_plan": opening.slug,
        "dashboard": {"any plan": dashboard("plan="),
                      **{plan.slug: dashboard(f"plan={plan.pk}")
                         for plan in Plan.objects.order_by("slug")}},
        "public": {},
        "board_pack": {},
    }
    for plan in Plan.objects.filter(is_published=True).order_by("slug"):
        priorities, page = selectors.public_priorities(plan)
        figures["public"][plan.slug] = {
            "count": page.paginator.count,
            "priorities": [[p.number, p.public_total,
                            [a.current_status for a in p.public_actions]] for p in priorities]}
    for meeting in Meeting.objects.order_by("title"):
        context = selectors.board_pack_context(meeting_id=meeting.pk, today=today)
        figures["board_pack"][meeting.title] = {
            "summary": context["summary"],
            "overdue": [a.reference for a in context["overdue"]],
            "plans": [[plan.slug, priorities] for plan, priorities in context["plans"]],
        }
    # The loop's figures (feedback/loop_figures.py): the last 12 months (home page,
    # dashboard, board pack) and each published report's period and organisation.
    from dataclasses import asdict
    from datetime import timedelta

    from feedback.loop_figures import loop_figures
    from reports.models import Report

    figures["loop"] = {"last 12 months": asdict(loop_figures(
        since=today - timedelta(days=364), until=today))}
    for report in Report.objects.filter(status=Report.Status.PUBLISHED).order_by("slug"):
        figures["loop"][report.slug] = asdict(loop_figures(
            since=report.period_start, until=report.period_end,
            organisation_id=report.organisation_id))
    return figures


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sendportal.settings.local")
    django.setup()
    print(json.dumps(demo_figures(), default=str))
