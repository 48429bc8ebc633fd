"""Withdrawn is gone: the page, the PDF and every older version answer
410 Gone with the date and reason only; the PDF files leave storage; the
archive, feed, home page and charter evidence drop the report."""

from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from charter.models import Charter, EvidenceLink
from reports import services
from reports.models import Report
from tests.charter.factories import CharterFactory, CommitmentFactory, SectionFactory
from tests.reports.factories import make_people, published_report

pytestmark = pytest.mark.django_db

REASON = "It named a child's school."


@pytest.fixture
def withdrawn(django_capture_on_commit_callbacks):
    """Version 1 (superseded) and version 2 (published), each with its PDF
    made, then version 2 withdrawn by an approver."""
    org, officer, approver = make_people()
    charter = CharterFactory(organisation=org, status=Charter.Status.ADOPTED,
                             adopted_on=date(2026, 1, 1))
    commitment = CommitmentFactory(section=SectionFactory(charter=charter))
    with django_capture_on_commit_callbacks(execute=True):
        first = published_report(org=org, author=officer, approver=approver,
                                 title="Short breaks 2026")
    with django_capture_on_commit_callbacks(execute=True):
        second = services.report_new_version(acting_user=officer, report=first)
        item = second.items.first()
        services.item_save(acting_user=officer, report=second, item=item,
                           heading=item.heading, you_said=item.you_said, we_did=item.we_did,
                           outcome="done", commitments=[commitment])
        services.report_submit(acting_user=officer, report=second)
        services.report_approve(acting_user=approver, report=second)
        services.report_publish(acting_user=officer, report=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "superseded" and second.status == "published"
    files = [first.pdf_file.name, second.pdf_file.name]
    assert all(files) and all(default_storage.exists(f) for f in files)
    assert EvidenceLink.objects.filter(url__startswith=f"/reports/{second.slug}/").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_withdraw(acting_user=approver, report=second, reason=REASON)
    second.refresh_from_db()
    return first, second, files


def _assert_gone(response):
    assert response.status_code == 410
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "This report has been withdrawn" in html
    assert REASON.replace("'", "&#x27;") in html
    assert "Pages were hard to find" not in html  # no item content
    assert "What families told us about the Local Offer" not in html  # no summary
    return html


def test_the_withdrawn_page_and_every_older_version_answer_410(withdrawn):
    first, second, _ = withdrawn
    client = Client()
    html = _assert_gone(client.get(reverse("reports:detail", args=[second.slug])))
    assert f"{timezone.localtime(second.withdrawn_at):%-d %B %Y}" in html
    for version in (1, 2):
        _assert_gone(client.get(reverse("reports:version", args=[second.slug, version])))
    first.refresh_from_db()
    assert first.status == "withdrawn" and first.withdrawn_reason == REASON


def test_the_withdrawn_pdfs_answer_410_and_leave_storage(withdrawn):
    first, second, files = withdrawn
    client = Client()
    for version in (1, 2):
        response = client.get(reverse("reports:pdf", args=[second.slug, version]))
        _assert_gone(response)
        assert response.get("Content-Type") != "application/pdf"
        status = client.get(reverse("reports:pdf-status", args=[second.slug, version]))
        assert status.status_code == 410
    assert not any(default_storage.exists(f) for f in files)
    for report in (first, second):
        report.refresh_from_db()
        assert not report.pdf_file and report.pdf_state == Report.PdfState.NONE


def test_lists_feed_and_charter_evidence_drop_it(withdrawn):
    _, second, _ = withdrawn
    client = Client()
    for url in (reverse("reports:index"), reverse("reports:feed"), reverse("home"),
                reverse("reports:index") + "?q=grouped"):
        assert "Short breaks 2026" not in client.get(url).content.decode(), url
    assert not EvidenceLink.objects.filter(url__startswith=f"/reports/{second.slug}/").exists()
    useful = client.post(reverse("reports:useful", args=[second.slug, 2]), {"useful": "yes"})
    assert useful.status_code == 410


def test_a_corrected_new_version_can_be_published_after_withdrawal(withdrawn):
    _, second, _ = withdrawn
    officer, approver = second.author, second.approved_by
    third = services.report_new_version(acting_user=officer, report=second)
    services.report_submit(acting_user=officer, report=third)
    services.report_approve(acting_user=approver, report=third)
    services.report_publish(acting_user=officer, report=third)
    client = Client()
    assert client.get(reverse("reports:detail", args=[second.slug])).status_code == 200
    html = client.get(reverse("reports:version", args=[second.slug, 2])).content.decode()
    assert "Read the current version of this report" in html


def test_withdrawn_page_query_count_is_pinned(withdrawn, django_assert_num_queries):
    _, second, _ = withdrawn
    client = Client()
    with django_assert_num_queries(2):
        assert client.get(reverse("reports:version", args=[second.slug, 1])).status_code == 410
