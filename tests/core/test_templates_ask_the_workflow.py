"""Templates ask the workflow tables what a state means (reports.workflow,
charter.workflow, feedback.workflow); none decides from a bare status string
such as `report.status == "draft"`."""

import re
from pathlib import Path

import pytest
from django.template import engines
from django.template.base import Lexer, TokenType

from charter import workflow as charter_workflow
from charter.models import Charter
from feedback import workflow as feedback_workflow
from feedback.models import Quote, Reply
from reports import workflow as report_workflow
from reports.models import Report

# A status or outcome (report.status, reply.outcome, from_status, …) compared
# with a string, either way round.
BARE = re.compile(r"""\b[\w.]*(?:status|outcome)\s*(?:==|!=)\s*["']"""
                  r"""|["'][^"']*["']\s*(?:==|!=)\s*[\w.]*(?:status|outcome)\b""")


def template_files() -> list[Path]:
    engine = engines["django"].engine
    dirs = [Path(d) for d in engine.dirs]
    dirs += [Path(loader_dir) for loader in engine.template_loaders
             for loader_dir in getattr(loader, "get_dirs", list)()]
    found = set()
    for directory in dirs:
        if directory.is_dir() and ".venv" not in directory.parts \
                and "site-packages" not in directory.parts:
            found.update(p for p in directory.rglob("*") if p.suffix in (".html", ".txt"))
    return sorted(found)


def bare_comparisons(source: str) -> list[tuple[int, str]]:
    """(line, tag) for each {% if %} / {% elif %} comparing a status with a string."""
    hits = []
    for token in Lexer(source).tokenize():
        if token.token_type is TokenType.BLOCK and token.contents.split()[0] in ("if", "elif"):
            if BARE.search(token.contents):
                hits.append((token.lineno, token.contents))
    return hits


@pytest.mark.parametrize("source", [
    '{% if report.status == "draft" %}x{% endif %}',
    "{% if can_edit and report.status != 'published' %}x{% endif %}",
    '{% if a %}{% elif reply.outcome == "done" %}x{% endif %}',
    '{% if "adopted" == charter.status %}x{% endif %}',
])
def test_the_scan_finds_a_bare_comparison(source):
    assert bare_comparisons(source)


def test_the_scan_leaves_the_workflow_alone():
    assert not bare_comparisons(
        "{% if can_edit and report.workflow_state.editable %}x{% endif %}"
        '{% if kind == "current" %}x{% endif %}')


def test_no_template_compares_a_bare_status_string():
    files = template_files()
    assert any(p.name == "staff_report.html" for p in files)  # the project's own are read
    found = [f"{path}:{line}: {{% {tag} %}}"
             for path in files for line, tag in bare_comparisons(path.read_text())]
    assert not found, "ask the workflow table instead:\n" + "\n".join(found)


def test_every_state_and_outcome_has_its_row():
    assert set(report_workflow.STATES) == set(Report.Status.values)
    assert set(charter_workflow.STATES) == set(Charter.Status.values)
    assert set(feedback_workflow.REPLY_OUTCOME_TAGS) == set(Reply.Outcome.values)
    assert set(feedback_workflow.QUOTE_STATUS_TAGS) == set(Quote.Status.values)
    # Only a draft may be changed, by the services as on the page.
    assert [s for s, st in report_workflow.STATES.items() if st.editable] == ["draft"]
    assert [s for s, st in charter_workflow.STATES.items() if st.editable] == ["draft"]


@pytest.mark.django_db
def test_the_quote_page_offers_the_tables_buttons_and_nothing_else_decides(client):
    from django.urls import reverse

    from core.models import Role
    from feedback import services
    from tests.core.factories import OrganisationFactory, staff_user
    from tests.feedback.factories import FeedbackFactory

    org = OrganisationFactory(name="Gloucestershire County Council")
    feedback = FeedbackFactory(organisation=org, consent_to_quote=True)
    quote = services.quote_propose(acting_user=staff_user(Role.OFFICER, org), feedback=feedback,
                                   redacted_text="The new short breaks leaflet was clear.")
    client.force_login(staff_user(Role.APPROVER, org))
    html = client.get(reverse("staff:feedback:quotes")).content.decode()
    for d in feedback_workflow.QUOTE_DECISIONS:
        assert f'name="decision" value="{d.value}"' in html and d.label in html
    url = reverse("staff:feedback:quote-decide", args=[quote.pk])
    client.post(url, {"decision": "maybe"})  # no button of the page's
    quote.refresh_from_db()
    assert quote.status == Quote.Status.PROPOSED
    client.post(url, {"decision": "reject"})
    quote.refresh_from_db()
    assert quote.status == Quote.Status.REJECTED
