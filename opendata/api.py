"""The open-data API under /api/: read-only JSON of what the portal already
publishes, described by the OpenAPI document at /api/openapi.json.

Built with django-ninja: the answers' shapes are typed schemas
(opendata.schemas) that become the OpenAPI document, and ninja validates
every answer against them before it leaves. Ninja's own documentation page
(Swagger UI, started by an inline script in its CDN version) is switched
off: /api/docs/ is rendered by the portal from the same document
(opendata.views says why).
"""

import inspect
from functools import partial

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import NinjaAPI, Path, Query, Status
from ninja.decorators import decorate_view

from actionplan.models import Status as ActionStatus
from core.pagination import MAX_PAGE
from reports.models import Report as ReportModel

from . import schemas, selectors
from .http import open_data

DESCRIPTION = """\
Everything the portal publishes — “You said, we did” reports, the action
plan's public actions, charters with their results, the home page's figures
and the lists they use — as JSON. Read-only; no key needed. The same
collections are published as CSV files, described by CSV on the Web
metadata, from the Open data page (/open-data/).

Nothing unpublished or personal is ever here: only what the public pages
show. A withdrawn report disappears from the list, and its address answers
410 Gone.

Licence: Open Government Licence v3.0
(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).

Answers carry an ETag and a Last-Modified date: send If-None-Match or
If-Modified-Since to get 304 Not Modified when nothing changed. Lists are
paged (page, per_page) and say how many match. Each connection may make a
limited number of requests an hour; beyond it the answer is 429 with
Retry-After.
"""

api = NinjaAPI(
    title="SEND partnership open data",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,
    openapi_extra={"info": {"license": {
        "name": "Open Government Licence v3.0",
        "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}}},
)

SLUG = Path(..., pattern=r"^[-a-zA-Z0-9_]+$", max_length=200,
            description="Its stable identifier, as in its page's address.")
NOT_FOUND = {"detail": "Not found"}
LIST_ERRORS = {404: schemas.Error, 429: schemas.Error}


def kept(*groups: str):
    """Put an endpoint through opendata.http.open_data, declaring the groups
    of tables it reads (core.changes: kept until one is written) and the
    query parameters it reads (its own arguments): the public cache drops
    any other before the view runs, so unknown parameters neither make new
    cache entries nor change the answer."""

    def decorate(func):
        params = tuple(name for name in inspect.signature(func).parameters if name != "request")
        return decorate_view(partial(open_data, groups=groups, params=params))(func)

    return decorate


def _page(request: HttpRequest, queryset, page: int, per_page: int) -> tuple[dict, list] | None:
    """One page of a list, or None when the page does not exist (page 1 of
    an empty list exists). Two queries: the count and the page."""
    paginator = Paginator(queryset, per_page)
    pages = paginator.num_pages if paginator.count else 1
    if page > pages:
        return None
    rows = list(paginator.page(page).object_list) if paginator.count else []

    def link(number):
        query = request.GET.copy()
        query["page"] = str(number)
        return f"{request.path}?{query.urlencode()}"

    return ({"count": paginator.count, "page": page, "pages": pages, "per_page": per_page,
             "next": link(page + 1) if page < pages else None,
             "previous": link(page - 1) if page > 1 else None}, rows)


PAGE = Query(1, ge=1, le=MAX_PAGE, description="Which page, from 1.")
PER_PAGE = Query(50, ge=1, le=100, description="How many on a page (1 to 100).")
YEAR = Query(None, ge=1900, le=2200, description="Reports whose period touches this year.")
PUBLISHER = Query(None, max_length=200, description="An organisation's slug.")
SERVICE_AREA = Query(None, max_length=120, description="A service area's slug.")
THEME = Query(None, max_length=120, description="A theme's slug.")
KIND = Query(None, description="The kind of report.")
PLAN = Query(None, max_length=200, description="A plan's slug.")
LEAD = Query(None, max_length=200, description="The lead organisation's slug.")
STATUS = Query(None, description="Where the action stands today.")
DUE_YEAR = Query(None, ge=1900, le=2200, description="Actions due in this year.")


# --- Reports -----------------------------------------------------------------------------


@api.get("/reports/", response={200: schemas.ReportList, **LIST_ERRORS}, url_name="reports",
         summary="Published reports", tags=["Reports"])
@kept("reports", "core")
def report_list(request, page: int = PAGE, per_page: int = PER_PAGE, year: int | None = YEAR,
                publisher: str | None = PUBLISHER, service_area: str | None = SERVICE_AREA,
                theme: str | None = THEME,
                kind: ReportModel.Kind | None = KIND):
    """The current published version of every report, newest first, as in
    the archive (/reports/). Drafts, reports in review and withdrawn reports
    are never listed."""
    found = _page(request, selectors.reports_filtered(
        year=year, publisher=publisher, service_area=service_area, theme=theme,
        kind=kind.value if kind else None), page, per_page)
    if found is None:
        return Status(404, NOT_FOUND)
    meta, rows = found
    return {**meta, "results": [selectors.report_summary(r) for r in rows]}


@api.get("/reports/{slug}/", response={200: schemas.Report, 404: schemas.Error,
                                       410: schemas.Withdrawn, 429: schemas.Error},
         url_name="report", summary="One report in full", tags=["Reports"])
@kept("reports", "actionplan", "feedback", "core")
def report_detail(request, slug: str = SLUG):
    """The current published version of a report with its topics and items:
    what families said (in summary, with approved redacted quotes and survey
    statistics with their n), what was done, the outcome, and the linked
    public actions with their status today. A withdrawn report answers 410
    Gone with the date and the reason, none of its content."""
    report = selectors.report_public(slug)
    if report is None:
        return Status(404, NOT_FOUND)
    if report.status == ReportModel.Status.WITHDRAWN:
        return Status(410, {"detail": "This report has been withdrawn", "slug": report.slug,
                            "version": report.version, "withdrawn_at": report.withdrawn_at,
                            "reason": report.withdrawn_reason})
    return selectors.report_detail(report)


# --- Action plan -------------------------------------------------------------------------


@api.get("/actions/", response={200: schemas.ActionList, **LIST_ERRORS}, url_name="actions",
         summary="Public actions", tags=["Action plan"])
@kept("actionplan", "core")
def action_list(request, page: int = PAGE, per_page: int = PER_PAGE,
                plan: str | None = PLAN, publisher: str | None = LEAD,
                theme: str | None = THEME, status: ActionStatus | None = STATUS,
                due_year: int | None = DUE_YEAR):
    """The public actions of published plans (as on /action-plan/), in plan
    and priority order, each with its status today, its history and its
    public measures of impact (with every value and target)."""
    found = _page(request, selectors.actions_filtered(
        plan=plan, publisher=publisher, theme=theme, status=status.value if status else None,
        due_year=due_year),
        page, per_page)
    if found is None:
        return Status(404, NOT_FOUND)
    meta, rows = found
    rows = selectors.actions_with_measures(selectors.actions_with_history(rows))
    return {**meta, "results": [selectors.action_row(a) for a in rows]}


# --- Charter -----------------------------------------------------------------------------


@api.get("/charters/", response={200: schemas.CharterList, **LIST_ERRORS}, url_name="charters",
         summary="Adopted charters", tags=["Charter"])
@kept("charter", "core")
def charter_list(request, page: int = PAGE, per_page: int = PER_PAGE):
    """The adopted version of each co-production charter."""
    found = _page(request, selectors.charters_current(), page, per_page)
    if found is None:
        return Status(404, NOT_FOUND)
    meta, rows = found
    return {**meta, "results": [selectors.charter_summary(c) for c in rows]}


@api.get("/charters/{slug}/", response={200: schemas.Charter, 404: schemas.Error,
                                        429: schemas.Error},
         url_name="charter", summary="One charter in full", tags=["Charter"])
@kept("charter", "core")
def charter_detail(request, slug: str = SLUG):
    """A charter's adopted version: its sections and commitments, who signed
    it, and how its statements were answered in each round (the share who
    agree; groups smaller than the threshold are not shown)."""
    charter = selectors.charter_public(slug)
    if charter is None:
        return Status(404, NOT_FOUND)
    return selectors.charter_detail(charter)


# --- Figures and lists -------------------------------------------------------------------


@api.get("/figures/", response={200: schemas.Figures, 429: schemas.Error}, url_name="figures",
         summary="The home page's figures", tags=["Figures"])
@kept("feedback")
def figures(request):
    """Feedback received and answered in the last 12 months, and the median
    time to answer, as on the home page."""
    return selectors.figures()


@api.get("/organisations/", response={200: list[schemas.Organisation], 429: schemas.Error},
         url_name="organisations", summary="Organisations", tags=["Lists"])
@kept("core")
def organisations(request):
    """The partnership's organisations, by the names the public sees."""
    return selectors.organisations()


@api.get("/themes/", response={200: list[schemas.NamedItem], 429: schemas.Error},
         url_name="themes", summary="Themes", tags=["Lists"])
@kept("core")
def themes(request):
    """What feedback is about, across services."""
    return selectors.themes()


@api.get("/service-areas/", response={200: list[schemas.NamedItem], 429: schemas.Error},
         url_name="service-areas", summary="Service areas", tags=["Lists"])
@kept("core")
def service_areas(request):
    """The services families give feedback on."""
    return selectors.service_areas()
