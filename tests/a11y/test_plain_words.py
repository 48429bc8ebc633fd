"""Done 2 of issue 25: on every public page of the demo each glossary
abbreviation is written out in words at its first use, and a page that uses
one without ever writing it out fails. The pages are the a11y crawl's own
public list (tests/a11y/conftest.py), so a new public page is checked here
from the day it is added to that list."""

import re

import pytest
from django.test import Client

from directory.models import GlossaryTerm
from tests.a11y.conftest import pages
from tests.directory.plainwords_check import problems, shouting_words

# Capitals that are not abbreviations a family needs written out (reference
# prefixes, levels), found on the demo's pages and reviewed.
NOT_ABBREVIATIONS = {"FB", "FC", "OK", "JSON",
                     "AA"}  # WCAG's conformance level, a name rather than a shortening


@pytest.mark.django_db(transaction=True)
def test_every_public_page_writes_each_glossary_abbreviation_out_at_first_use(world):
    glossary = dict(GlossaryTerm.objects.exclude(abbreviation="")
                    .values_list("abbreviation", "term"))
    client = Client()
    failures, unknown, checked = [], {}, 0
    for who, _name, path in pages(world):
        if who != "public":
            continue
        response = client.get(path, follow=True)
        assert response.status_code == 200, (path, response.status_code)
        html = response.content.decode()
        checked += 1
        failures += [f"{path}: {p}" for p in problems(html, glossary)]
        for word in shouting_words(html) - set(glossary) - NOT_ABBREVIATIONS:
            unknown.setdefault(word, path)
    assert checked > 25
    assert not failures, "\n".join(failures)
    # The demo's glossary covers every abbreviation its public pages use.
    assert not unknown, f"abbreviations missing from the demo's glossary: {unknown}"


@pytest.mark.django_db(transaction=True)
def test_the_check_fails_a_page_that_never_writes_an_abbreviation_out(world):
    """The crawl's judge is not a test that cannot fail."""
    glossary = {"EHCP": "education, health and care plan"}
    short = '<main><h1>EHCP reviews</h1><p>Your EHCP is reviewed each year.</p></main>'
    heading_only = '<main><h1>EHCP reviews</h1><p>Reviewed each year.</p></main>'
    written = ('<main><h1>EHCP reviews</h1><p>Your education, health and care plan '
               '(<a href="/jargon-buster/#term-ehcp">EHCP</a>) is reviewed. Each EHCP…</p></main>')
    assert problems(short, glossary) == [
        "EHCP is not written out at its first use: …Your EHCP is reviewed each ye…"]
    assert problems(heading_only, glossary) == ["EHCP is used only in headings, never written out"]
    assert problems(written, glossary) == []


@pytest.mark.django_db(transaction=True)
def test_a_report_pdf_writes_each_glossary_abbreviation_out_at_first_use(world):
    """The published report's PDF as the worker made it: its HTML judged as a
    page is, and its text read back from the PDF says each in full."""
    from reports.tasks import report_pdf_html
    from tests.conftest import pdf_text

    glossary = dict(GlossaryTerm.objects.exclude(abbreviation="")
                    .values_list("abbreviation", "term"))
    report = world.published
    report.refresh_from_db()
    html = report_pdf_html(report)
    assert problems(html, glossary, region="body") == []
    with report.pdf_file.open("rb") as f:
        text = " ".join(pdf_text(f.read()).replace("-\n", "-").split())
    used = [a for a in glossary if re.search(rf"(?<![\w-]){a}s?(?![\w-])", text)]
    assert "SEND" in used
    for abbreviation in used:
        assert f"{glossary[abbreviation]} ({abbreviation}".lower() in text.lower(), abbreviation
