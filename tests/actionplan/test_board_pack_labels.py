"""The board can tell its priorities apart in the board pack too: on the
demo's real plans every priority is labelled by its number and whole title,
read back from the PDF itself (pdftotext), never cut into identical text."""

import os
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from actionplan.models import Action, Board, Priority
from actionplan.selectors import board_pack_context
from core.pdf import render_pdf_from_template
from tests.actionplan.factories import MeetingFactory
from tests.conftest import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # load_demo refuses to run on a production-like site
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def _words(text: str) -> str:
    """The PDF's text with its line breaks and hyphen-free wrapping undone.
    Hyphens are dropped on both sides: pdftotext joins a word broken after
    its hyphen ("co-" / "producing") without it."""
    return re.sub(r"\s+", " ", text.replace("\u00ad", "").replace("-", ""))


def test_every_seed_plans_priorities_are_whole_and_distinct_in_the_board_pack(demo):
    boards = Board.objects.filter(plans__isnull=False).distinct()
    assert boards.exists()
    for board in boards:
        meeting = MeetingFactory(board=board)
        meeting.reviewed_actions.set(Action.objects.filter(priority__plan__board=board))
        context = board_pack_context(meeting_id=meeting.pk, today=timezone.localdate())
        text = _words(pdf_text(render_pdf_from_template("actionplan/board_pack.html", context)))
        section = text.split("Progress by priority", 1)[1].split("Actions for review", 1)[0]
        for plan, rows in context["plans"]:
            labels = [label for label, _ in rows]
            expected = [f"{p.number}. {p.title}"
                        for p in Priority.objects.filter(plan=plan).order_by("number")]
            assert labels == expected, plan.title  # every priority, whole
            assert len(set(labels)) == len(labels), plan.title
            for label in expected:  # and the PDF says so, whole
                assert _words(label) in section, label
            assert "…" not in section
        # each action reviewed names its priority in full
        for action in context["actions"]:
            assert _words(f"Priority {action.priority.number}. {action.priority.title}") in text
