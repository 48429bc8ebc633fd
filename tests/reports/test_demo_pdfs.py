"""The demo's report PDFs link to the address the portal is served on
(SITE_URL), never to a default one: `make run` gives load_demo (which makes
the PDFs) the same address as the server it starts, and loading the demo
again for another address remakes the PDFs made for the old one."""

import io
import os
import subprocess
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from reports.models import Report
from tests.conftest import ROOT


def link_hosts(pdf: bytes) -> set[str]:
    """The hosts of the PDF's web links (its link annotations' URIs)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return {urlsplit(str(link.A.URI)).netloc for page in document.pages
                for link in page.obj.get("/Annots", [])
                if "/A" in link and "/URI" in link.A}


@pytest.mark.parametrize(("args", "env", "address"), [
    (["PORT=8123"], {}, "http://127.0.0.1:8123"),
    ([], {"SITE_URL": "https://send.example.org"}, "https://send.example.org"),
])
def test_make_run_gives_the_demo_the_address_it_serves_on(args, env, address):
    commands = subprocess.run(
        ["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True,
        env={**{k: v for k, v in os.environ.items() if k != "SITE_URL"}, **env}).stdout
    load_demo = [line for line in commands.splitlines() if "manage.py load_demo" in line]
    runserver = [line for line in commands.splitlines() if "manage.py runserver" in line]
    assert load_demo and runserver
    for line in load_demo + runserver:
        assert f"SITE_URL='{address}'" in line or f"SITE_URL={address} " in line, line


@pytest.mark.postgres
def test_demo_pdfs_link_only_to_the_address_the_portal_is_started_with(settings,
                                                                       transactional_db):
    settings.DEBUG = True  # load_demo refuses to run on a production-like site
    with open(os.devnull, "w") as devnull:
        settings.SITE_URL = "http://127.0.0.1:8123"  # a first `make run PORT=8123`
        call_command("load_demo", stdout=devnull)
        settings.SITE_URL = "https://send.example.org"  # then started on another address
        call_command("load_demo", stdout=devnull)
    reports = list(Report.objects.filter(status=Report.Status.PUBLISHED))
    assert reports
    for report in reports:
        report.refresh_from_db()
        assert report.pdf_state == Report.PdfState.READY, report.pdf_error
        # Evidence links to other websites are the report's own; every other
        # link (read it online, evidence on the portal) goes to SITE_URL.
        elsewhere = {urlsplit(link["url"]).netloc for item in report.items.all()
                     for link in item.evidence_link_list if link["url"].startswith("http")}
        with report.pdf_file.open("rb") as f:
            hosts = link_hosts(f.read())
        assert "send.example.org" in hosts, report.title
        assert hosts - elsewhere == {"send.example.org"}, report.title
