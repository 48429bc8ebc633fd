"""The evidence pack's PDF, made by a real Celery worker from the
hand-worked portal: tagged, passing the suite's PDF checks, with the same
figures and links as the page (made absolute), and nothing personal or
unpublished in its text."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from reports.models import EvidencePack
from tests.a11y.test_pdfs import link_descriptions, pdfua_errors
from tests.conftest import (
    pdf_info,
    pdf_table_header_problems,
    pdf_table_text_sizes,
    pdf_text,
    wait_for,
)
from tests.reports.test_evidence_pack import SECRET_WORDS, _form, build_portal

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.celery_worker,
              pytest.mark.django_db(transaction=True)]


def test_made_by_a_worker_tagged_checked_and_linked_like_the_page(client, celery_worker):
    portal = build_portal()
    client.force_login(portal.lead_admin)
    response = client.post(reverse("staff:evidence-pack:list"),
                           _form(heading_take_part="How families shape our decisions"))
    pack = EvidencePack.objects.get()
    assert response["Location"] == pack.get_absolute_url()

    pack = wait_for(lambda: EvidencePack.objects.filter(pk=pack.pk, pdf_state="ready").first(),
                    timeout=90)
    pdf = client.get(reverse("staff:evidence-pack:pdf", args=[pack.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    pdf = b"".join(pdf.streaming_content)

    info = pdf_info(pdf)
    assert info["Title"] == "Evidence pack 2025–26"
    assert info["Tagged"] == "yes"
    assert pdfua_errors(pdf) == []
    assert pdf_table_header_problems(pdf) == []
    sizes = pdf_table_text_sizes(pdf)
    assert sizes and min(sizes) >= 11, sorted(sizes)

    text = " ".join(pdf_text(pdf).split())
    for words in ("How families shape our decisions", "Online form 13", "E-mail Fewer than 5",
                  "Local Offer feedback 2026", "Publish waiting times", "Work in partnership",
                  "Page 1 of"):
        assert words in text, words
    for absent in ("Secret therapy draft", "Elsewhere draft charter", "Hidden plan action",
                   SECRET_WORDS, "FB-2026-", "Pat Example"):
        assert absent not in text, absent

    # Every link is the page's link, on the site's own address, and says what it is.
    page = client.get(pack.get_absolute_url()).content.decode()
    body = page.split('id="take-part"', 1)[1]
    page_links = {h.replace("&amp;", "&") for h in re.findall(r'href="(/[^"#]*)"', body)}
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        uris = {str(a.A.URI) for p in document.pages for a in p.obj.get("/Annots", [])
                if a.get("/Subtype") == "/Link" and "/A" in a and "/URI" in a.A}
    base = settings.SITE_URL.rstrip("/")
    assert uris and all(u.startswith(base) for u in uris)
    assert {u[len(base):] for u in uris} <= page_links
    assert not [d for d in link_descriptions(pdf) if not d.strip()]
