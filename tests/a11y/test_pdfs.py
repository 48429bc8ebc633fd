"""The report and board-pack PDFs, as made by the worker code, checked by a
PDF/UA checker (pdfua, on pikepdf) and by their tag tree (pdfinfo -struct):
no decoration read out as text, one described link per contents entry."""

import re
import tempfile

import pytest

from tests.conftest import pdf_structure, pdf_table_header_problems, pdf_table_text_sizes


def pdfua_errors(pdf: bytes) -> list[str]:
    from pdfua.model import Severity
    from pdfua.validator import Validator

    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        report = Validator().validate(f.name)
    errors = []
    for outcome in report.outcomes:
        errors += [f"{outcome.rule_id}: {finding}" for finding in outcome.findings
                   if finding.severity >= Severity.ERROR]
    return errors


def link_descriptions(pdf: bytes) -> list[str]:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return [str(a.get("/Contents")) for page in document.pages
                for a in page.obj.get("/Annots", []) if a.get("/Subtype") == "/Link"]


def text_tagged_leaders(structure: str) -> list[str]:
    """Text in the tag tree (pdfinfo -struct-text) that is only leader
    characters: WeasyPrint's leader(".") puts each dot there as text."""
    return [line for line in structure.splitlines()
            if re.fullmatch(r'\s*"[.…·_\s]+"\s*', line) or re.search(r"(\.\s?){4,}", line)]


@pytest.fixture
def report_pdf(world):
    report = world.published
    report.refresh_from_db()
    assert report.pdf_state == "ready", report.pdf_error
    with report.pdf_file.open("rb") as f:
        return report, f.read()


@pytest.mark.postgres
def test_a_report_pdf_passes_the_pdfua_checker_with_described_contents_links(report_pdf):
    import subprocess

    report, pdf = report_pdf
    assert pdfua_errors(pdf) == []
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        structure = subprocess.run(["pdfinfo", "-struct-text", f.name], capture_output=True,
                                   check=True, text=True).stdout
    assert text_tagged_leaders(structure) == []
    assert "Link" in pdf_structure(pdf)
    headings = [topic.title for topic in report.topics.all()]  # the contents list topics
    described = link_descriptions(pdf)
    # Each contents entry's link says where it goes, in the entry's words;
    # no link is described by a bare anchor name.
    for heading in headings:
        assert heading in described
    assert not [d for d in described if re.fullmatch(r"(item|topic)-\d+", d)]


# The body text of the report PDF (templates/reports/report_pdf.html).
REPORT_BODY_PT = 11


@pytest.mark.postgres
def test_a_table_report_pdf_names_its_headers_and_is_set_at_body_size(world):
    from reports.models import Report

    report = Report.objects.filter(status=Report.Status.PUBLISHED,
                                   layout=Report.Layout.TABLE).first()
    assert report.pdf_state == "ready", report.pdf_error
    with report.pdf_file.open("rb") as f:
        pdf = f.read()
    assert pdf_table_header_problems(pdf) == []
    sizes = pdf_table_text_sizes(pdf)
    assert sizes and min(sizes) >= REPORT_BODY_PT, sorted(sizes)


@pytest.mark.postgres
def test_a_board_pack_pdf_passes_the_pdfua_checker(world):
    import subprocess

    from actionplan.services import board_pack_build

    meeting = board_pack_build(meeting_id=world.meeting.pk)
    with meeting.pack_file.open("rb") as f:
        pdf = f.read()
    assert pdfua_errors(pdf) == []
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        structure = subprocess.run(["pdfinfo", "-struct-text", f.name], capture_output=True,
                                   check=True, text=True).stdout
    assert text_tagged_leaders(structure) == []
    assert not [d for d in link_descriptions(pdf) if not d.strip()]
    assert pdf_table_header_problems(pdf) == []
    # Table text no smaller than the pack's body text (templates/actionplan/board_pack.html).
    sizes = pdf_table_text_sizes(pdf)
    assert sizes and min(sizes) >= 11, sorted(sizes)
