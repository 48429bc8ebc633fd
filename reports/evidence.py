"""The evidence pack's figures: what the portal holds about co-production,
listening, responding and impact for a period, for the partnership or one
organisation, arranged under the pack's four areas (EvidencePack.Area).

Only what is published or finished is read: adopted charters, completed
participation audits, published reports, published plans (and, by name,
only their public actions). So another organisation's unpublished work can
never appear, whoever made the pack. Feedback is only ever counted, never
quoted or named, and a count under SMALLEST_GROUP is not shown (it could
point at a family).

Every figure carries `link`, the page it comes from (a path; the PDF
prefixes the site's address). A fixed number of queries whatever the
volume (tests/reports/test_evidence_pack.py pins it at two volumes).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from actionplan import selectors as plan_selectors
from actionplan.models import Action, Measure, Plan, Status, overdue_condition
from charter import selectors as charter_selectors
from charter.models import Charter, ParticipationAudit, Section, Signatory
from core.models import Cornerstone
from feedback.loop_figures import SMALLEST_GROUP, LoopFigures, loop_figures
from feedback.models import Feedback

from .models import EvidencePack, Report

LIST_LIMIT = 10


@dataclass(frozen=True)
class Group:
    """One counted group: `n` is None when it is under SMALLEST_GROUP."""

    label: str
    n: int | None
    link: str

    @property
    def suppressed(self) -> bool:
        return self.n is None


def _counted(label: str, n: int, link: str) -> Group:
    return Group(label, n if n >= SMALLEST_GROUP else None, link)


@dataclass
class CornerstoneCoverage:
    cornerstone: str
    label: str
    sections: list[str] = field(default_factory=list)
    audits: int = 0
    activities: int = 0
    # Where each is listed: the charter, the audits, the actions.
    charter_link: str = ""
    audits_link: str = ""
    activities_link: str = ""

    @property
    def covered(self) -> bool:
        return bool(self.sections or self.audits or self.activities)


@dataclass
class PlanStanding:
    plan: Plan
    link: str
    total: int
    by_status: list[tuple[str, int, str]]
    overdue_link: str
    overdue: int
    stale: int
    overdue_listed: list[Action]
    stale_listed: list[Action]


@dataclass
class EvidenceFigures:
    pack: EvidencePack
    judged_on: date
    # Our co-production charter
    charters: list[Charter]
    signatories: list
    cornerstones: list[CornerstoneCoverage]
    # How families take part in decisions
    audits: list[tuple[ParticipationAudit, object]]
    audits_link: str
    received: int
    feedback_link: str
    by_channel: list[Group]
    by_respondent: list[Group]
    by_age_group: list[Group]
    # How their views are heard and acted on
    loop: LoopFigures
    reports: list[Report]
    reports_link: str
    # The difference made
    plans: list[PlanStanding]
    measures: list[Measure]
    statement_results: list[tuple[Charter, object]]

    @property
    def received_shown(self) -> int | None:
        return self.received if self.received >= SMALLEST_GROUP else None


def _inbox_link(organisation_id: int | None, **filters) -> str:
    if organisation_id:
        filters["organisation"] = organisation_id
    query = urlencode(sorted(filters.items()))
    return reverse("staff:feedback:inbox") + (f"?{query}" if query else "")


def _actions_link(pack: EvidencePack, **filters) -> str:
    """The staff action list, filtered to what a figure counts."""
    if pack.organisation_id:
        filters["lead_organisation"] = pack.organisation_id
    query = urlencode(sorted(filters.items()))
    return reverse("staff:actionplan:action_list") + (f"?{query}" if query else "")


def _feedback_counts(pack: EvidencePack):
    """Feedback received in the period, by channel, by who gave it and by
    age group: one query. Survey answers and "Was this page useful?"
    comments are counted with their channel like the rest."""
    feedback = Feedback.objects.filter(received_on__gte=pack.period_start,
                                       received_on__lte=pack.period_end)
    if pack.organisation_id:
        feedback = feedback.filter(organisation_id=pack.organisation_id)
    channels, respondents, ages = Counter(), Counter(), Counter()
    for channel, respondent, age_group, n in (feedback.order_by()
                                              .values_list("channel", "respondent", "age_group")
                                              .annotate(n=Count("pk"))):
        channels[channel] += n
        respondents[respondent] += n
        if age_group:
            ages[age_group] += n
    org = pack.organisation_id
    by_channel = [_counted(label, channels[value], _inbox_link(org, channel=value))
                  for value, label in Feedback.Channel.choices if channels[value]]
    inbox = _inbox_link(org)
    by_respondent = [_counted(label, respondents[value], inbox)
                     for value, label in [*Feedback.Respondent.choices, ("", "Not said")]
                     if respondents[value]]
    by_age = [_counted(label, ages[value], inbox)
              for value, label in Feedback.AgeGroup.choices if ages[value]]
    return sum(channels.values()), by_channel, by_respondent, by_age


def _cornerstones(charters: list[Charter], audits: list[ParticipationAudit],
                  actions) -> list[CornerstoneCoverage]:
    """How each cornerstone is covered: the charter sections, completed
    audits and co-production activities (actions) tagged with it."""
    links = {"charter_link": charters[0].get_absolute_url() if charters else "",
             "audits_link": reverse("staff:charter:audit_list"),
             "activities_link": reverse("staff:actionplan:action_list")}
    coverage = {c.value: CornerstoneCoverage(c.value, c.label, **links) for c in Cornerstone}
    for section in Section.objects.filter(charter__in=charters).order_by("charter", "order", "id"):
        for value in section.cornerstones:
            if value in coverage:
                coverage[value].sections.append(section.title)
    for audit in audits:
        for value in audit.cornerstones:
            if value in coverage:
                coverage[value].audits += 1
    for tags in actions.exclude(cornerstones=[]).values_list("cornerstones", flat=True):
        for value in tags:
            if value in coverage:
                coverage[value].activities += 1
    return list(coverage.values())


def _plans(pack: EvidencePack, judged_on: date) -> tuple[list[PlanStanding], object]:
    """The published plans running in the period, each with how its actions
    stand (those led by the pack's organisation, for one organisation's
    pack) as on `judged_on`: two queries and two short lists per plan."""
    plans = list(Plan.objects.filter(is_published=True, period_start__lte=pack.period_end,
                                     period_end__gte=pack.period_start)
                 .order_by("-period_end", "id"))
    actions = Action.objects.filter(priority__plan__in=plans)
    if pack.organisation_id:
        actions = actions.filter(lead_organisation_id=pack.organisation_id)
    overdue = overdue_condition(judged_on)
    stale = plan_selectors.stale_condition(
        judged_on - timedelta(days=plan_selectors.STALE_AFTER_DAYS))
    rows = {r["priority__plan_id"]: r for r in actions.order_by().values("priority__plan_id")
            .annotate(total=Count("pk"), overdue=Count("pk", filter=overdue),
                      stale=Count("pk", filter=stale),
                      **{f"s_{s}": Count("pk", filter=Q(current_status=s))
                         for s in plan_selectors.STATUS_ORDER})}
    public = actions.filter(is_public=True).select_related("lead_organisation")
    standings = []
    for plan in plans:
        row = rows.get(plan.pk, {})
        mine = public.filter(priority__plan=plan)
        standings.append(PlanStanding(
            plan=plan, link=reverse("staff:actionplan:plan_detail", args=[plan.slug]),
            total=row.get("total", 0),
            by_status=[(Status(s).label, row.get(f"s_{s}", 0),
                        _actions_link(pack, plan=plan.pk, status=s))
                       for s in plan_selectors.STATUS_ORDER],
            overdue_link=_actions_link(pack, plan=plan.pk, overdue="true"),
            overdue=row.get("overdue", 0), stale=row.get("stale", 0),
            overdue_listed=list(mine.filter(overdue).order_by("due_date", "id")[:LIST_LIMIT]),
            stale_listed=list(mine.filter(stale).order_by("last_update_on", "id")[:LIST_LIMIT])))
    return standings, actions


def evidence_figures(pack: EvidencePack, *, today: date) -> EvidenceFigures:
    """Every figure of the pack, as the portal holds it today."""
    judged_on = min(today, pack.period_end)
    org = pack.organisation_id

    charters = list(Charter.objects.filter(status=Charter.Status.ADOPTED)
                    .order_by("position", "title"))
    signatories = list(Signatory.objects.filter(charter__in=charters)
                       .select_related("organisation", "charter").order_by("charter", "signed_on",
                                                                          "id"))
    statement_results = [(c, charter_selectors.pulse_results(c)) for c in charters]

    audits = (ParticipationAudit.objects.filter(
        status=ParticipationAudit.Status.COMPLETED,
        year__gte=pack.period_start.year, year__lte=pack.period_end.year)
        .select_related("organisation").order_by("-year", "organisation__name", "team"))
    if org:
        audits = audits.filter(organisation_id=org)
    audits = list(audits)
    _, summaries = charter_selectors.audit_summaries(audits)

    received, by_channel, by_respondent, by_age = _feedback_counts(pack)
    loop = loop_figures(since=pack.period_start, until=pack.period_end, organisation_id=org)

    reports = (Report.objects.filter(status=Report.Status.PUBLISHED,
                                     period_start__lte=pack.period_end,
                                     period_end__gte=pack.period_start)
               .select_related("organisation").order_by("-period_end", "title"))
    if org:
        reports = reports.filter(organisation_id=org)

    plans, actions = _plans(pack, judged_on)
    measures = plan_selectors.measures_with_summaries(
        Measure.objects.filter(Q(action__in=actions.values("pk"))
                               | Q(priority__plan__in=[p.plan for p in plans]))
        .filter(is_public=True).select_related("action", "priority"), today=judged_on)

    return EvidenceFigures(
        pack=pack, judged_on=judged_on, charters=charters, signatories=signatories,
        cornerstones=_cornerstones(charters, audits, actions),
        audits=[(a, summaries[a.pk]) for a in audits],
        audits_link=reverse("staff:charter:audit_list"),
        received=received, feedback_link=_inbox_link(org),
        by_channel=by_channel, by_respondent=by_respondent, by_age_group=by_age,
        loop=loop, reports=list(reports), reports_link=reverse("reports:index"),
        plans=plans, measures=measures, statement_results=statement_results)
