"""The demo is one coherent local area: Gloucestershire (as the settings say)
and its partners. The public charter and action plan open on Gloucestershire's
own, the parent carer forum runs itself (officer, approver, administrator),
and no public page presents another local area as the portal's own."""

import os
import re
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command

from actionplan.models import Plan
from charter.models import Charter
from core.demo import ORGANISATIONS, PEOPLE
from core.models import Membership, Organisation, Role

pytestmark = pytest.mark.django_db

AREA = "Gloucestershire"
# Other English local areas a demo could borrow from. "South Gloucestershire"
# is another area too, so it is matched as a whole.
OTHER_AREAS = re.compile(r"\b(Herefordshire|Worcestershire|Wye Valley|Wiltshire|Oxfordshire|"
                         r"Warwickshire|Somerset|Swindon|Bristol|South Gloucestershire)\b")
SKIP = ("/staff", "/static", "/media", "/django-admin", "/healthz")
MAX_PAGES = 250


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # load_demo refuses to run on a production-like site
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_every_organisation_and_account_belongs_to_gloucestershire(demo):
    assert Organisation.objects.count() == len(ORGANISATIONS)
    for org in Organisation.objects.all():
        assert org.area == AREA, org.name
        assert not OTHER_AREAS.search(org.name), org.name
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {Organisation.Kind.LOCAL_AUTHORITY, Organisation.Kind.NHS_PROVIDER,
            Organisation.Kind.NHS_COMMISSIONER, Organisation.Kind.PARENT_CARER_FORUM} <= kinds
    assert Organisation.objects.filter(name__icontains="young people").exists()
    forum = Organisation.objects.get(kind=Organisation.Kind.PARENT_CARER_FORUM)
    roles = set(Membership.objects.filter(organisation=forum).values_list("role", flat=True))
    assert {Role.OFFICER, Role.APPROVER, Role.ADMINISTRATOR} <= roles
    # Every account the README and load_demo list exists with that organisation and role.
    for email, _first, _last, _title, org_name, role in PEOPLE:
        assert Membership.objects.filter(user__email=email, organisation__name=org_name,
                                         role=role).exists(), email
    # Every plan and charter is the partnership's; a borrowed one is never public.
    assert set(Plan.objects.values_list("area", flat=True)) == {AREA}
    assert set(Charter.objects.values_list("area", flat=True)) == {AREA}
    for charter in Charter.objects.filter(title__iregex=OTHER_AREAS.pattern):
        assert "borrowed" in charter.title.lower()
        assert charter.status != Charter.Status.ADOPTED


def test_readme_lists_every_demo_account_with_its_organisation_and_role():
    readme = open(os.path.join(os.path.dirname(__file__), "..", "..", "README.md")).read()
    for email, _first, _last, _title, org_name, role in PEOPLE:
        row = re.search(rf"^\| `{re.escape(email)}` \| (.+?) \| (.+?) \|$", readme, re.M)
        assert row, email
        assert row.groups() == (org_name, role.label), email


def test_public_site_opens_on_gloucestershires_own_and_names_no_other_area(client, demo):
    charter = _text(client.get("/charter/").text)
    assert "Gloucestershire SEND Co-production Working Agreement" in charter
    assert "co-production for Gloucestershire" in charter
    plan = _text(client.get("/action-plan/").text)
    assert "Gloucestershire SEND partnership priorities" in plan
    for page in (charter, plan):
        assert not OTHER_AREAS.search(page)

    # No page of the public site names another local area (as its own or at all).
    seen, queue = set(), ["/", "/charter/", "/action-plan/", "/reports/", "/feedback/"]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        found = OTHER_AREAS.search(_text(html))
        assert found is None, f"{url} names {found.group(0)}"
        for href in re.findall(r'href="([^"]+)"', html):
            href = urldefrag(unescape(href))[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/"):
                continue
            if href.startswith(SKIP) or parts.path.endswith((".pdf", ".csv", ".xlsx", ".ics")):
                continue
            if href not in seen:
                queue.append(href)
    assert len(seen) > 20  # the crawl really went round the site
