"""What the open-data API and CSV files publish, read through each app's own
public selectors, so the API can never show more (or less) than the pages:

- reports: `reports.selectors.reports_published` (the archive: current
  published versions only) and `report_public` (a withdrawn report answers
  410 like its page); filters by year and theme are the archive's own
  (`reports.filters.ArchiveFilter`);
- actions: `actionplan.selectors.actions_public` (public actions of
  published plans, as on /action-plan/);
- charters: `charter.selectors.charters_current`, `charter_public`,
  `charter_sections`, `charter_signatories` and `pulse_results` (groups
  under the threshold suppressed);
- figures: `reports.selectors.home_figures`, the home page's own.

Each function returns plain dicts in the shapes of `opendata.schemas`.

- measures: `actionplan.selectors.public_measures_of_actions` (a page of
  actions) and `public_measures_all` (the CSV files): public measures of
  public actions and of priorities, in published plans; never a value's
  note or who updates it.
"""

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from actionplan import selectors as actionplan_selectors
from actionplan.models import Action, ProgressUpdate
from charter import selectors as charter_selectors
from charter.models import Charter
from core.models import Organisation, ServiceArea, Theme
from reports import selectors as report_selectors
from reports.filters import ArchiveFilter
from reports.models import Report

# --- Reference lists ---------------------------------------------------------------------


def organisations() -> list[dict]:
    return [{"slug": o.slug, "name": o.display_name, "kind": o.kind,
             "kind_label": o.get_kind_display(), "area": o.area, "website": o.website}
            for o in Organisation.objects.only("slug", "name", "public_name", "kind", "area",
                                               "website").order_by("slug")]


def _named(model) -> list[dict]:
    return [{"slug": x.slug, "name": x.name, "description": x.description,
             "active": x.is_active}
            for x in model.objects.only("slug", "name", "description", "is_active")
            .order_by("slug")]


def themes() -> list[dict]:
    return _named(Theme)


def service_areas() -> list[dict]:
    return _named(ServiceArea)


# --- Reports -----------------------------------------------------------------------------


def reports_filtered(*, year: int | None = None, publisher: str | None = None,
                     service_area: str | None = None, theme: str | None = None,
                     kind: str | None = None) -> QuerySet[Report]:
    """The archive's reports (current published versions), filtered. A
    report is under every year its period touches, as in the archive."""
    queryset = report_selectors.reports_published()
    archive = ArchiveFilter(queryset=queryset)
    if year is not None:
        queryset = archive.filter_year(queryset, "year", str(year))
    if publisher:
        queryset = queryset.filter(organisation__slug=publisher)
    if service_area:
        queryset = queryset.filter(service_area__slug=service_area)
    if theme:
        found = Theme.objects.filter(slug=theme).first()
        queryset = archive.filter_theme(queryset, "theme", found) if found else queryset.none()
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def report_summary(report: Report) -> dict:
    pdf_ready = report.pdf_state == Report.PdfState.READY and bool(report.pdf_file)
    return {
        "slug": report.slug, "version": report.version, "title": report.title,
        "kind": report.kind, "kind_label": report.get_kind_display(),
        "period_start": report.period_start, "period_end": report.period_end,
        "period_label": report.period_label, "edition": report.edition,
        "publisher": report.organisation.slug, "publisher_name": report.organisation.display_name,
        "service_area": report.service_area.slug if report.service_area else None,
        "series": report.series.slug if report.series else None,
        "series_name": report.series.name if report.series else None,
        "published_on": report.publication_date, "summary": report.summary,
        "url": reverse("reports:detail", args=[report.slug]),
        "api_url": reverse("api:report", kwargs={"slug": report.slug}),
        "pdf_url": reverse("reports:pdf", args=[report.slug, report.version]) if pdf_ready
        else None,
    }


def _action_brief(action: Action) -> dict:
    return {"id": action.pk, "reference": action.reference, "title": action.title,
            "status": action.current_status, "status_label": action.get_current_status_display(),
            "percent": action.current_percent}


def report_item(item) -> dict:
    return {
        "heading": item.heading, "theme": item.theme.slug if item.theme else None,
        "you_said": item.you_said, "raised_count": item.raised_count,
        "raised_by_channel": item.raised_by_channel or {},
        # The selector prefetches approved quotes only.
        "quotes": [q.redacted_text for q in item.quotes.all()],
        "statistics": [{"question": s.question, "survey": s.survey_import.title,
                        "responses": s.responses, "positive": s.positive,
                        "positive_percent": s.positive_percent} for s in item.statistics.all()],
        "we_did": item.we_did, "outcome": item.outcome,
        "outcome_label": item.get_outcome_display(), "rationale": item.rationale,
        "what_next": item.what_next, "evidence": item.evidence,
        "evidence_links": item.evidence_link_list,
        # As the page: only public actions are named.
        "actions": [_action_brief(a) for a in item.actions.all() if a.is_public],
    }


def report_public(slug: str) -> Report | None:
    """The newest public version (a withdrawn one too: the view answers 410)."""
    return report_selectors.report_public(slug)


def report_detail(report: Report) -> dict:
    versions = [{"version": v.version, "status": v.status, "published_at": v.published_at,
                 "url": reverse("reports:version", args=[v.slug, v.version])}
                for v in report_selectors.report_versions(report.slug)]
    return {**report_summary(report), "audience": report.audience,
            "topics": [{"title": t.title, "items": [report_item(i) for i in t.items.all()]}
                       for t in report.topics.all()],
            "versions": versions}


# --- Action plan -------------------------------------------------------------------------


def actions_filtered(*, plan: str | None = None, publisher: str | None = None,
                     theme: str | None = None, status: str | None = None,
                     due_year: int | None = None) -> QuerySet[Action]:
    queryset = (actionplan_selectors.actions_public()
                .select_related("priority__plan", "lead_organisation")
                .order_by("priority__plan__slug", "priority__number", "id"))
    if plan:
        queryset = queryset.filter(priority__plan__slug=plan)
    if publisher:
        queryset = queryset.filter(lead_organisation__slug=publisher)
    if theme:
        queryset = queryset.filter(themes__slug=theme)
    if status:
        queryset = queryset.filter(current_status=status)
    if due_year is not None:
        queryset = queryset.filter(due_date__year=due_year)
    return queryset


def actions_with_history(actions: list[Action], *, history: bool = True) -> list[Action]:
    """Load the history and themes of a page of actions (two queries), or
    their themes only (one: the actions file has no history)."""
    from django.db.models import prefetch_related_objects

    themes = Prefetch("themes", queryset=Theme.objects.only("slug"))
    if not history:
        prefetch_related_objects(actions, themes)
        return actions
    prefetch_related_objects(actions, Prefetch(
        "updates", queryset=ProgressUpdate.objects.only(
            "action_id", "date", "status", "percent", "public_narrative").order_by("date", "id")),
        themes)
    return actions


def actions_with_measures(actions: list[Action]) -> list[Action]:
    """Give a page of actions their public measures (three queries)."""
    found = actionplan_selectors.public_measures_of_actions(
        [a.pk for a in actions], today=timezone.localdate())
    for action in actions:
        action.public_measure_list = found.get(action.pk, [])
    return actions


def _number(value) -> float | None:
    return None if value is None else float(value)


def measure_row(measure) -> dict:
    """A public measure as the plan's page shows it (no code, owner or notes)."""
    summary = measure.summary
    return {
        "id": measure.pk, "name": measure.name, "description": measure.description,
        "unit": measure.unit, "direction": measure.direction,
        "direction_label": measure.get_direction_display(), "source": measure.source,
        "source_label": measure.get_source_display(),
        "baseline_value": _number(measure.baseline_value),
        "baseline_date": measure.baseline_date,
        "targets": [{"date": t.date, "value": float(t.value)} for t in measure.target_list],
        "values": [{"date": v.date, "value": float(v.value), "provisional": v.provisional,
                    "responses": v.responses if measure.is_family_reported else None}
                   for v in measure.value_list],
        "latest_value": _number(summary.latest_value), "latest_date": summary.latest_date,
        "movement": summary.movement, "movement_label": summary.movement_label,
        "course": summary.course, "course_label": summary.course_label,
    }


def action_row(action: Action, *, history: bool = True) -> dict:
    plan = action.priority.plan
    return {
        "id": action.pk, "reference": action.reference, "title": action.title,
        "description": action.description, "plan": plan.slug, "plan_title": plan.title,
        "priority_number": action.priority.number, "priority_title": action.priority.title,
        "lead_organisation": action.lead_organisation.slug,
        "lead_organisation_name": action.lead_organisation.display_name,
        "themes": [t.slug for t in action.themes.all()],
        "due_date": action.due_date, "inspection_finding": action.inspection_finding,
        "status": action.current_status, "status_label": action.get_current_status_display(),
        "percent": action.current_percent, "last_update_on": action.last_update_on,
        "history": [{"date": u.date, "status": u.status, "status_label": u.get_status_display(),
                     "percent": u.percent, "public_narrative": u.public_narrative}
                    for u in action.updates.all()] if history else [],
        "measures": [measure_row(m) for m in getattr(action, "public_measure_list", ())],
    }


# --- Charter -----------------------------------------------------------------------------


def charters_current() -> QuerySet[Charter]:
    return charter_selectors.charters_current().select_related("organisation")


def charter_summary(charter: Charter) -> dict:
    return {"slug": charter.slug, "version": charter.version, "title": charter.title,
            "area": charter.area, "publisher": charter.organisation.slug,
            "publisher_name": charter.organisation.display_name,
            "adopted_on": charter.adopted_on, "review_date": charter.review_date,
            "url": reverse("charter:charter", args=[charter.slug]),
            "api_url": reverse("api:charter", kwargs={"slug": charter.slug})}


def charter_public(slug: str) -> Charter | None:
    """The adopted version, as at /charter/<slug>/."""
    return charter_selectors.charter_public(slug)


def charter_detail(charter: Charter) -> dict:
    sections = charter_selectors.charter_sections(charter)
    pulse = charter_selectors.pulse_results(charter)
    statements = []
    for row in pulse.rows:
        results = []
        for pulse_round, cell in zip(pulse.rounds, row.cells, strict=True):
            hidden = cell.n < pulse.threshold
            results.append({"round": pulse_round.title, "held_on": pulse_round.held_on,
                            "n": None if hidden else cell.n,
                            "agree": None if hidden else cell.agree,
                            "agree_percent": cell.percent, "suppressed": cell.suppressed})
        statements.append({"id": str(row.statement.lineage), "text": row.statement.text,
                           "results": results})
    return {
        **charter_summary(charter), "introduction": charter.introduction,
        "sections": [{"title": s.title, "introduction": s.introduction,
                      "commitments": [{"id": str(c.lineage), "text": c.text,
                                       "in_practice": [p.text for p in c.practices.all()]}
                                      for c in s.commitments.all()]} for s in sections],
        "signatories": [{"organisation": s.organisation.slug,
                         "organisation_name": s.organisation.display_name,
                         "role_title": s.role_title, "person_name": s.person_name,
                         "signed_on": s.signed_on}
                        for s in charter_selectors.charter_signatories(charter)],
        "suppression_threshold": pulse.threshold,
        "statements": statements,
    }


# --- Figures -----------------------------------------------------------------------------


def figures() -> dict:
    return report_selectors.home_figures()
