"""The board can tell its priorities apart: on the demo's real plans every
priority is labelled by its number and whole title, in the chart and the table."""

import os
import re
from html import unescape

import pytest
from django.core.management import call_command
from django.urls import reverse

from actionplan.models import Plan, Priority
from core.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # load_demo refuses to run on a production-like site
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def _priority_rows(html: str) -> list[str]:
    table = html.split("Actions by priority and status</caption>", 1)[1].split("</table>", 1)[0]
    return [unescape(re.sub(r"\s+", " ", cell)).strip()
            for cell in re.findall(r'<th scope="row"[^>]*>(.*?)</th>', table, re.S)]


def test_every_demo_plan_has_unique_complete_priority_labels(client, demo):
    client.force_login(User.objects.get(email="board@demo.example"))
    for plan in Plan.objects.all():
        html = client.get(reverse("staff:actionplan:dashboard") + f"?plan={plan.pk}").text
        rows = _priority_rows(html)
        expected = [f"{p.number}. {p.title}" for p in
                    Priority.objects.filter(plan=plan, actions__isnull=False).distinct()
                    .order_by("number")]
        assert sorted(rows) == sorted(expected), plan.title
        assert len(set(rows)) == len(rows), plan.title
        chart = html.split('id="chart-priority-title"', 1)[1].split("</svg>", 1)[0]
        words = unescape(" ".join(re.findall(r"<text[^>]*>([^<]*)</text>", chart)))
        for label in expected:  # the chart says the same, whole (wrapped over lines)
            assert label in re.sub(r"\s+", " ", words), label


def test_the_dashboard_opens_on_the_boards_own_plan(client, demo):
    client.force_login(User.objects.get(email="board@demo.example"))
    html = client.get(reverse("staff:actionplan:dashboard")).text
    own = Plan.objects.filter(board__slug="joint-additional-needs-management-board") \
        .order_by("-period_end").first()
    assert re.search(rf'<option value="{own.pk}" selected>', html)
    rows = _priority_rows(html)
    assert rows and not any(":" in r.split(".")[0] for r in rows)  # no plan name in front
