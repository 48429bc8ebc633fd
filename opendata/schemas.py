"""The shapes of the open-data API's answers (pydantic, through django-ninja).

They are the OpenAPI document's components: each field says what it is, so
/api/docs/ can explain it. Only what the public pages already show is here;
a field added to a schema is published to everyone, so add one only when
the page it comes from shows it too (tests/opendata/test_canary.py looks for
a family's words in every answer).
"""

import datetime as dt
from datetime import date, datetime

from ninja import Field, Schema


class Error(Schema):
    detail: str = Field(description="What went wrong, in words.")


class Withdrawn(Schema):
    detail: str = Field(description="Always “This report has been withdrawn”.")
    slug: str
    version: int
    withdrawn_at: datetime | None = Field(description="When it was withdrawn.")
    reason: str = Field(description="Why it was withdrawn, as the report's page says.")


class Page(Schema):
    count: int = Field(description="How many match the filters, on every page.")
    page: int = Field(description="This page's number, from 1.")
    pages: int = Field(description="How many pages there are.")
    per_page: int
    next: str | None = Field(description="The address of the next page, or null.")
    previous: str | None = Field(description="The address of the previous page, or null.")


# --- Reference lists ---------------------------------------------------------------------


class Organisation(Schema):
    slug: str = Field(description="Stable identifier, used by the filters.")
    name: str = Field(description="The name the public sees.")
    kind: str = Field(description="local_authority, nhs_provider, school, parent_carer_forum…")
    kind_label: str
    area: str = Field(description="The local area, e.g. Gloucestershire.")
    website: str


class NamedItem(Schema):
    slug: str = Field(description="Stable identifier, used by the filters.")
    name: str
    description: str
    active: bool = Field(description="Still offered for new feedback and reports.")


# --- Reports -----------------------------------------------------------------------------


class ReportSummary(Schema):
    slug: str = Field(description="Stable identifier: /reports/{slug}/ on the site.")
    version: int = Field(description="The published version (older ones stay readable).")
    title: str
    kind: str = Field(description="annual_survey, local_offer, quality_assurance, event, other")
    kind_label: str
    period_start: date
    period_end: date
    period_label: str = Field(description="The period in words, e.g. “2025–26 academic year”.")
    edition: str = Field(description="full, or update (an interim update).")
    publisher: str = Field(description="The publishing organisation's slug.")
    publisher_name: str
    service_area: str | None = Field(description="The service area's slug, if the report has one.")
    series: str | None = Field(description="The series' slug, if the report is one of a series.")
    series_name: str | None
    published_on: date | None = Field(description="The day it was (first) published.")
    summary: str
    url: str = Field(description="The report's page on the site.")
    api_url: str = Field(description="This report in full, in the API.")
    pdf_url: str | None = Field(description="Its tagged PDF, when ready.")


class ReportList(Page):
    results: list[ReportSummary]


class Statistic(Schema):
    question: str
    survey: str = Field(description="The survey's title.")
    responses: int = Field(description="n: how many answered the question.")
    positive: int = Field(description="How many answered positively.")
    positive_percent: int | None


class LinkedAction(Schema):
    id: int = Field(description="The action's identifier in /api/actions/.")
    reference: str
    title: str
    status: str
    status_label: str
    percent: int


class EvidenceLink(Schema):
    text: str
    url: str


class Item(Schema):
    heading: str
    theme: str | None = Field(description="The theme's slug.")
    you_said: str = Field(description="What families said, in summary (no names).")
    raised_count: int | None = Field(
        description="How many people raised it, counted when the report was published.")
    raised_by_channel: dict[str, int] = Field(description="{channel: n} behind raised_count.")
    quotes: list[str] = Field(description="Approved, redacted quotes only.")
    statistics: list[Statistic]
    we_did: str
    outcome: str = Field(description="done, in_progress or not_possible.")
    outcome_label: str
    rationale: str = Field(description="Why it was not possible.")
    what_next: str
    evidence: str
    evidence_links: list[EvidenceLink]
    actions: list[LinkedAction] = Field(description="Public actions, with their status today.")


class Topic(Schema):
    title: str
    items: list[Item]


class Version(Schema):
    version: int
    status: str = Field(description="published, superseded or withdrawn.")
    published_at: datetime | None
    url: str


class Report(ReportSummary):
    audience: str
    topics: list[Topic]
    versions: list[Version] = Field(description="Every public version, newest first.")


# --- Action plan -------------------------------------------------------------------------


class StatusChange(Schema):
    date: dt.date
    status: str
    status_label: str
    percent: int
    public_narrative: str = Field(description="What was said to the public, if anything.")


class MeasureTarget(Schema):
    date: dt.date
    value: float


class MeasureValue(Schema):
    date: dt.date
    value: float
    provisional: bool = Field(description="May still change (e.g. a return not yet final).")
    responses: int | None = Field(
        description="For a measure from families' answers: how many answered, else null.")


class Measure(Schema):
    id: int = Field(description="Stable identifier.")
    name: str
    description: str
    unit: str = Field(description="number, percent, weeks, days or people")
    direction: str = Field(description="up (higher is better) or down (lower is better)")
    direction_label: str
    source: str = Field(description="staff (figures entered by staff), charter (families' "
                                    "answers to a charter statement) or survey")
    source_label: str
    baseline_value: float | None
    baseline_date: date | None
    targets: list[MeasureTarget] = Field(description="Oldest first.")
    values: list[MeasureValue] = Field(
        description="Every value, oldest first. From families' answers, groups of fewer than "
                    "5 answers are not shown.")
    latest_value: float | None
    latest_date: date | None
    movement: str = Field(description="better, worse, same, or empty (not enough values)")
    movement_label: str
    course: str = Field(description="met, on_course, off_course, or empty (no target or value)")
    course_label: str


class Action(Schema):
    id: int = Field(description="Stable identifier.")
    reference: str = Field(description="Its number in the plan, e.g. “3.2”.")
    title: str
    description: str
    plan: str = Field(description="The plan's slug: /action-plan/{plan}/ on the site.")
    plan_title: str
    priority_number: int
    priority_title: str
    lead_organisation: str = Field(description="The lead organisation's slug.")
    lead_organisation_name: str
    themes: list[str] = Field(description="Theme slugs.")
    due_date: date | None
    inspection_finding: bool = Field(description="Answers a SEND inspection finding.")
    status: str = Field(description="not_started, on_track, at_risk, off_track, complete, cancelled")
    status_label: str
    percent: int
    last_update_on: date | None
    history: list[StatusChange] = Field(description="Every progress update, oldest first.")
    measures: list[Measure] = Field(
        description="Its public measures of impact, as on the plan's page (may be empty).")


class ActionList(Page):
    results: list[Action]


# --- Charter -----------------------------------------------------------------------------


class CharterSummary(Schema):
    slug: str = Field(description="Stable identifier: /charter/{slug}/ on the site.")
    version: int
    title: str
    area: str
    publisher: str = Field(description="The organisation that looks after it (slug).")
    publisher_name: str
    adopted_on: date | None
    review_date: date | None
    url: str
    api_url: str


class CharterList(Page):
    results: list[CharterSummary]


class Commitment(Schema):
    id: str = Field(description="The same in every version of the charter.")
    text: str
    in_practice: list[str]


class Section(Schema):
    title: str
    introduction: str
    commitments: list[Commitment]


class Signatory(Schema):
    organisation: str = Field(description="The organisation's slug.")
    organisation_name: str
    role_title: str
    person_name: str = Field(description="A professional's published name, or empty.")
    signed_on: date


class RoundResult(Schema):
    round: str = Field(description="When people were asked, e.g. an event.")
    held_on: date
    n: int | None = Field(description="How many answered; null when fewer than the threshold.")
    agree: int | None = Field(description="How many agreed; null when suppressed.")
    agree_percent: int | None = Field(description="Share who agree or strongly agree.")
    suppressed: bool = Field(description="True when 1 to threshold−1 people answered.")


class StatementResults(Schema):
    id: str = Field(description="The same in every version of the charter.")
    text: str
    results: list[RoundResult] = Field(description="One per round, oldest first.")


class Charter(CharterSummary):
    introduction: str
    sections: list[Section]
    signatories: list[Signatory]
    suppression_threshold: int = Field(description="Groups smaller than this are not shown.")
    statements: list[StatementResults]


# --- Figures -----------------------------------------------------------------------------


class Figures(Schema):
    since: date = Field(description="The first day of the 12 months counted.")
    received: int = Field(description="Individual pieces of feedback received.")
    survey_answers: int = Field(description="Survey answers (counted apart).")
    answered: int
    answered_percent: int | None
    median_working_days: int | None = Field(description="Median working days to answer.")
