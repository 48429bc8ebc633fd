"""The open data's CSV files, and their CSV on the Web (W3C CSVW) metadata.

Each table is its columns (name, title, datatype, description) and a
function giving its rows from the same selectors as the API, so a CSV file
says exactly what the API says. /api/<name>.csv is the file,
/api/<name>.csv-metadata.json its metadata (where CSVW looks for it first),
and /api/csv-metadata.json describes them all as one table group.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings

from reports import selectors as report_selectors

from . import selectors

OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
OGL_NAME = "Open Government Licence v3.0"


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    datatype: str = "string"
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[dict]]
    primary_key: tuple[str, ...]
    # The groups of tables (core.changes) its rows are read from, as the
    # API endpoint with the same data declares them: the file is kept until
    # one of them is written (tests/core/test_freshness.py checks them).
    groups: tuple[str, ...] = ("core",)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


def _reports() -> Iterable[dict]:
    return (selectors.report_summary(r) for r in selectors.reports_filtered())


def _report_items() -> Iterable[dict]:
    reports = list(selectors.reports_filtered())
    report_selectors.reports_items_prefetch(reports)
    for report in reports:
        for topic in report.topics.all():
            for position, item in enumerate(topic.items.all(), 1):
                row = selectors.report_item(item)
                yield {**row, "report": report.slug, "version": report.version,
                       "topic": topic.title, "position": position,
                       "quotes": "\n".join(row["quotes"]),
                       "actions": " ".join(str(a["id"]) for a in row["actions"]),
                       "survey_n": " ".join(str(s["responses"]) for s in row["statistics"])}


def _actions() -> Iterable[dict]:
    # No history in this file (action-history.csv has it): not read at all.
    actions = selectors.actions_with_history(list(selectors.actions_filtered()), history=False)
    for action in actions:
        row = selectors.action_row(action, history=False)
        yield {**row, "themes": " ".join(row["themes"])}


def _action_history() -> Iterable[dict]:
    actions = selectors.actions_with_history(list(selectors.actions_filtered()))
    for action in actions:
        for change in selectors.action_row(action)["history"]:
            yield {"action": action.pk, **change}


def _public_measures() -> list:
    from django.utils import timezone

    from actionplan import selectors as actionplan_selectors

    return actionplan_selectors.public_measures_all(today=timezone.localdate())


def _measures() -> Iterable[dict]:
    for measure in _public_measures():
        row = selectors.measure_row(measure)
        priority = measure.action.priority if measure.action_id else measure.priority
        yield {**row, "action": measure.action_id, "plan": priority.plan.slug,
               "priority_number": priority.number,
               "targets": " ".join(f"{t['value']:g}@{t['date']:%Y-%m-%d}" for t in row["targets"]),
               "values": len(row["values"])}


def _measure_values() -> Iterable[dict]:
    for measure in _public_measures():
        for value in selectors.measure_row(measure)["values"]:
            yield {"measure": measure.pk, **value}


def _charters() -> list[dict]:
    return [selectors.charter_detail(c) for c in selectors.charters_current()]


def _commitments() -> Iterable[dict]:
    for charter in _charters():
        for section in charter["sections"]:
            for commitment in section["commitments"]:
                yield {"charter": charter["slug"], "version": charter["version"],
                       "section": section["title"], "commitment": commitment["id"],
                       "text": commitment["text"],
                       "in_practice": "\n".join(commitment["in_practice"])}


def _statement_results() -> Iterable[dict]:
    for charter in _charters():
        for statement in charter["statements"]:
            for result in statement["results"]:
                yield {"charter": charter["slug"], "statement": statement["id"],
                       "text": statement["text"], **result}


SLUG = "string"
TABLES = [
    Table("reports", "Published reports",
          "The current published version of every “You said, we did” report.", (
              Column("slug", "Report", SLUG, "Stable identifier: /reports/{slug}/"),
              Column("version", "Version", "integer"),
              Column("title", "Title"),
              Column("kind", "Kind"),
              Column("period_start", "Period start", "date"),
              Column("period_end", "Period end", "date"),
              Column("period_label", "Period"),
              Column("edition", "Edition", description="full, or update"),
              Column("publisher", "Publisher", SLUG, "The organisation's slug"),
              Column("publisher_name", "Publisher name"),
              Column("service_area", "Service area", SLUG),
              Column("series", "Series", SLUG),
              Column("published_on", "Published on", "date"),
              Column("summary", "Summary"),
              Column("url", "Page", "anyURI"),
          ), _reports, ("slug",), ("reports", "core")),
    Table("report-items", "Report items",
          "Each “You said, we did” item of the published reports.", (
              Column("report", "Report", SLUG),
              Column("version", "Version", "integer"),
              Column("topic", "Topic"),
              Column("position", "Position in topic", "integer"),
              Column("heading", "Heading"),
              Column("theme", "Theme", SLUG),
              Column("you_said", "You said", description="In summary, no names"),
              Column("raised_count", "Raised by", "integer",
                     "How many people raised it, counted when published"),
              Column("quotes", "Quotes", description="Approved redacted quotes, one a line"),
              Column("survey_n", "Survey n", description="n of each survey statistic"),
              Column("we_did", "We did"),
              Column("outcome", "Outcome", description="done, in_progress or not_possible"),
              Column("rationale", "Why not possible"),
              Column("what_next", "What next"),
              Column("evidence", "Evidence"),
              Column("actions", "Actions", description="Ids of linked public actions"),
          ), _report_items, ("report", "topic", "position"),
          ("reports", "actionplan", "feedback", "core")),
    Table("actions", "Public actions",
          "The public actions of the published action plans, with their status today.", (
              Column("id", "Action", "integer", "Stable identifier"),
              Column("reference", "Reference"),
              Column("title", "Title"),
              Column("description", "Description"),
              Column("plan", "Plan", SLUG),
              Column("priority_number", "Priority", "integer"),
              Column("priority_title", "Priority title"),
              Column("lead_organisation", "Lead organisation", SLUG),
              Column("lead_organisation_name", "Lead organisation name"),
              Column("themes", "Themes", description="Theme slugs, space-separated"),
              Column("due_date", "Due", "date"),
              Column("inspection_finding", "Answers an inspection finding", "boolean"),
              Column("status", "Status"),
              Column("percent", "Percent complete", "integer"),
              Column("last_update_on", "Last updated", "date"),
          ), _actions, ("id",), ("actionplan", "core")),
    Table("action-history", "Action status history",
          "Every progress update of the public actions: date, status and percent.", (
              Column("action", "Action", "integer"),
              Column("date", "Date", "date"),
              Column("status", "Status"),
              Column("percent", "Percent complete", "integer"),
              Column("public_narrative", "What was said to the public"),
          ), _action_history, (), ("actionplan", "core")),
    Table("measures", "Measures of impact",
          "The public measures of the published action plans: of an action, or of a "
          "priority as a whole, with where each stands today.", (
              Column("id", "Measure", "integer", "Stable identifier"),
              Column("name", "Name"),
              Column("description", "Description"),
              Column("plan", "Plan", SLUG),
              Column("priority_number", "Priority", "integer"),
              Column("action", "Action", "integer", "The action's id; empty for a priority's"),
              Column("unit", "Unit", description="number, percent, weeks, days or people"),
              Column("direction", "Better is", description="up or down"),
              Column("source", "Source", description="staff, charter or survey"),
              Column("baseline_value", "Baseline", "decimal"),
              Column("baseline_date", "Baseline date", "date"),
              Column("targets", "Targets",
                     description="Each target as value@date (ISO), space-separated"),
              Column("values", "Values", "integer", "How many values (see measure-values.csv)"),
              Column("latest_value", "Latest value", "decimal"),
              Column("latest_date", "Latest value's date", "date"),
              Column("movement", "Movement", description="better, worse, same or empty"),
              Column("course", "On course", description="met, on_course, off_course or empty"),
          ), _measures, ("id",), ("actionplan", "core")),
    Table("measure-values", "Measure values",
          "Every value of the public measures. From families' answers, groups of fewer "
          "than 5 answers are not shown.", (
              Column("measure", "Measure", "integer"),
              Column("date", "Date", "date"),
              Column("value", "Value", "decimal"),
              Column("provisional", "Provisional", "boolean"),
              Column("responses", "Answers", "integer",
                     "How many families answered (family-reported measures only)"),
          ), _measure_values, ("measure", "date"), ("actionplan", "core")),
    Table("charter-commitments", "Charter commitments",
          "The commitments of each adopted co-production charter.", (
              Column("charter", "Charter", SLUG),
              Column("version", "Version", "integer"),
              Column("section", "Section"),
              Column("commitment", "Commitment", SLUG, "The same in every version"),
              Column("text", "Commitment text"),
              Column("in_practice", "What it means in practice", description="One a line"),
          ), _commitments, ("charter", "commitment"), ("charter", "core")),
    Table("charter-results", "Charter statement results",
          "How each charter statement was answered in each round. Groups smaller "
          "than the threshold are suppressed (n, agree and agree_percent empty).", (
              Column("charter", "Charter", SLUG),
              Column("statement", "Statement", SLUG, "The same in every version"),
              Column("text", "Statement text"),
              Column("round", "Round"),
              Column("held_on", "Held on", "date"),
              Column("n", "Answers", "integer", "Empty when suppressed"),
              Column("agree", "Agree", "integer", "Empty when suppressed"),
              Column("agree_percent", "Agree (%)", "integer", "Empty when suppressed"),
              Column("suppressed", "Suppressed", "boolean"),
          ), _statement_results, (), ("charter", "core")),
    Table("organisations", "Organisations", "The partnership's organisations.", (
        Column("slug", "Organisation", SLUG),
        Column("name", "Name"),
        Column("kind", "Kind"),
        Column("area", "Area"),
        Column("website", "Website", "anyURI"),
    ), selectors.organisations, ("slug",)),
    Table("themes", "Themes", "What feedback is about, across services.", (
        Column("slug", "Theme", SLUG), Column("name", "Name"),
        Column("description", "Description"), Column("active", "Active", "boolean"),
    ), selectors.themes, ("slug",)),
    Table("service-areas", "Service areas", "The services families give feedback on.", (
        Column("slug", "Service area", SLUG), Column("name", "Name"),
        Column("description", "Description"), Column("active", "Active", "boolean"),
    ), selectors.service_areas, ("slug",)),
]
BY_NAME = {t.name: t for t in TABLES}


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def table_rows(table: Table) -> Iterable[list[str]]:
    """The header (column names), then each row's cells."""
    yield [c.name for c in table.columns]
    for row in table.rows():
        yield [cell(row[c.name]) for c in table.columns]


def table_metadata(table: Table, base_url: str) -> dict:
    meta = {
        "url": f"{base_url}{table.filename}",
        "dc:title": table.title,
        "dc:description": table.description,
        "tableSchema": {
            "columns": [{"name": c.name, "titles": c.title,
                         "datatype": c.datatype,
                         **({"dc:description": c.description} if c.description else {})}
                        for c in table.columns],
        },
    }
    if table.primary_key:
        meta["tableSchema"]["primaryKey"] = list(table.primary_key)
    return meta


def _common(base_url: str) -> dict:
    return {"@context": "http://www.w3.org/ns/csvw",
            "dc:license": {"@id": OGL}, "dc:rights": OGL_NAME,
            "dc:publisher": settings.SERVICE_NAME}


def metadata_for(table: Table, base_url: str) -> dict:
    return {**_common(base_url), **table_metadata(table, base_url)}


def metadata_all(base_url: str) -> dict:
    return {**_common(base_url), "dc:title": f"{settings.SERVICE_NAME}: open data",
            "tables": [table_metadata(t, base_url) for t in TABLES]}
