"""Every read the action plan's views, tasks and other apps need.

Dashboard figures are computed with aggregate queries over the copied
current state on `Action`, so the number of queries does not depend on the
number of actions.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Cast, Coalesce, Lead

from core.models import Organisation
from feedback.loop_figures import loop_figures

from .models import (
    OPEN_STATUSES,
    Action,
    ActionChange,
    Board,
    Measure,
    MeasureTarget,
    MeasureValue,
    Meeting,
    MeetingDecision,
    Plan,
    Priority,
    ProgressUpdate,
    Reminder,
    Status,
    overdue_condition,
)

DUE_SOON_DAYS = 30
STALE_AFTER_DAYS = 90
DASHBOARD_LIST_LIMIT = 10
TREND_MONTHS = 12

# The order statuses appear in charts, tables and legends.
STATUS_ORDER = [Status.OFF_TRACK, Status.AT_RISK, Status.ON_TRACK, Status.NOT_STARTED,
                Status.COMPLETE, Status.CANCELLED]


# --- Lists and pages ----------------------------------------------------------------------


def actions_for_staff() -> QuerySet[Action]:
    """All actions, for staff lists (every partner's staff may read them)."""
    return Action.objects.select_related("priority__plan", "lead_organisation", "owner")


# What a row of the staff action list shows (templates/actionplan/action_list.html).
ACTION_ROW_FIELDS = (
    "reference", "title", "inspection_finding", "is_public", "due_date", "current_status",
    "current_percent", "priority__number", "priority__plan__title", "lead_organisation__name",
    "owner__first_name", "owner__last_name",
)


def actions_for_staff_list() -> QuerySet[Action]:
    """All actions, for the staff list: only what a row shows, so a page of
    25 does not read and build every plan's summary, every description and
    every owner's password hash."""
    return actions_for_staff().only(*ACTION_ROW_FIELDS)


def action_detail(pk: int) -> Action | None:
    history = (ProgressUpdate.objects.select_related("author")
               .prefetch_related("evidence").order_by("-date", "-id"))
    return (actions_for_staff()
            .prefetch_related("partner_organisations", "themes",
                              Prefetch("updates", queryset=history, to_attr="history"),
                              Prefetch("meetings", queryset=Meeting.objects.select_related("board")),
                              Prefetch("decisions", to_attr="board_decisions",
                                       queryset=MeetingDecision.objects
                                       .select_related("meeting__board")
                                       .order_by("-meeting__date", "-meeting_id")),
                              Prefetch("changes", queryset=ActionChange.objects.select_related(
                                  "changed_by"), to_attr="change_history"))
            .annotate(feedback_count=Count("feedback", distinct=True))
            .filter(pk=pk).first())


def _latest_update(field_name: str, **conditions) -> Subquery:
    return Subquery(ProgressUpdate.objects.filter(action=OuterRef("pk"), **conditions)
                    .order_by("-date", "-id").values(field_name)[:1])


def actions_for_export(queryset: QuerySet[Action]) -> QuerySet[Action]:
    return (queryset.select_related("priority__plan", "lead_organisation", "owner")
            .prefetch_related("partner_organisations")
            .annotate(latest_narrative=_latest_update("narrative"))
            .order_by("priority__plan__title", "priority__number", "id"))


def plans_all() -> QuerySet[Plan]:
    return Plan.objects.select_related("board")


def plans_for_staff() -> QuerySet[Plan]:
    """Every plan, newest first, with its board (and the board's partners,
    for the permission check) and how many priorities and actions it has."""
    return (Plan.objects.select_related("board").prefetch_related("board__organisations")
            .annotate(priority_count=Count("priorities", distinct=True),
                      action_count=Count("priorities__actions", distinct=True))
            .order_by("-period_start", "title"))


def plan_for_staff(slug: str) -> Plan | None:
    """A plan for its staff page: the board and its partners, and the
    priorities in order, each with how many actions it has."""
    priorities = Priority.objects.annotate(action_count=Count("actions")).order_by("number")
    return (Plan.objects.select_related("board")
            .prefetch_related("board__organisations",
                              Prefetch("priorities", queryset=priorities, to_attr="ordered"))
            .filter(slug=slug).first())


def priority_for_edit(pk: int) -> Priority | None:
    return (Priority.objects.select_related("plan__board")
            .prefetch_related("plan__board__organisations").filter(pk=pk).first())


def boards_for_choice(user, *, everyone: bool) -> QuerySet[Board]:
    """Boards a person may give a plan to: those their organisations sit on
    (all boards for an administrator)."""
    from core.roles import WORKING_ROLES, organisation_ids_with_role

    boards = Board.objects.order_by("name")
    if everyone:
        return boards
    return boards.filter(
        organisations__in=organisation_ids_with_role(user, WORKING_ROLES)).distinct()


def board_for_edit(slug: str) -> Board | None:
    return Board.objects.prefetch_related("organisations").filter(slug=slug).first()


def meeting_for_edit(pk: int) -> Meeting | None:
    return (Meeting.objects.select_related("board").prefetch_related("board__organisations")
            .filter(pk=pk).first())


def plan_for_public(slug: str | None = None) -> Plan | None:
    """The plan shown on the public page: the one asked for, or else the
    newest that has public actions (or the newest of all if none has)."""
    plans = Plan.objects.filter(is_published=True)
    if slug:
        return plans.filter(slug=slug).first()
    return (plans.annotate(public_actions=Count("priorities__actions",
                                                filter=Q(priorities__actions__is_public=True)))
            .order_by(Case(When(public_actions=0, then=Value(1)), default=Value(0)),
                      "-period_start", "-id").first())


def public_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(is_published=True).order_by("-period_start", "title")


PUBLIC_ACTIONS_PER_PAGE = 50


def actions_public() -> QuerySet[Action]:
    """Every action the public may see: marked public, in a published plan.
    The public plan page and the open-data API both start from here."""
    return Action.objects.filter(is_public=True, priority__plan__is_published=True)


def public_priorities(plan: Plan, page_number=None) -> tuple[list[Priority], Page]:
    """One page of the plan's public actions (PUBLIC_ACTIONS_PER_PAGE, in
    priority order) and the priorities they belong to, each action with its
    status and the latest narrative written for the public. Nothing else: no
    staff names, no internal narrative, no internal actions. Three queries
    however long the plan: a county's plan can have thousands of actions.

    The priorities listed are those with actions on this page, and, on the
    first page, those with no public action yet."""
    priorities = list(plan.priorities.annotate(
        public_total=Count("actions", filter=Q(actions__is_public=True))))
    public_actions = (
        actions_public().filter(priority__plan=plan)
        .select_related("lead_organisation")
        .annotate(public_narrative=_latest_update("public_narrative",
                                                  public_narrative__gt=""),
                  public_narrative_on=_latest_update("date", public_narrative__gt=""))
        .order_by("priority__number", "id")
        .only("id", "priority_id", "reference", "title", "description", "due_date",
              "current_status", "current_percent", "inspection_finding", "last_update_on",
              "lead_organisation__name")
    )
    paginator = Paginator(public_actions, PUBLIC_ACTIONS_PER_PAGE)
    # The total is known from the priorities: no separate COUNT query.
    paginator.__dict__["count"] = sum(p.public_total for p in priorities)
    page = paginator.get_page(page_number)
    on_page: dict[int, list[Action]] = {}
    for action in page.object_list:
        on_page.setdefault(action.priority_id, []).append(action)
    shown = []
    for priority in priorities:
        priority.public_actions = on_page.get(priority.pk, [])
        if priority.public_actions or (priority.public_total == 0 and page.number == 1):
            shown.append(priority)
    return shown, page


def boards_all() -> QuerySet[Board]:
    return Board.objects.annotate(meeting_count=Count("meetings", distinct=True),
                                  plan_count=Count("plans", distinct=True))


def board_detail(slug: str) -> Board | None:
    return (Board.objects.prefetch_related("organisations", "plans",
                                           Prefetch("meetings", queryset=Meeting.objects.annotate(
                                               action_count=Count("reviewed_actions"))))
            .filter(slug=slug).first())


def meeting_detail(pk: int) -> Meeting | None:
    """The meeting, its reviewed actions (latest narrative), each with
    `decision`, what the meeting decided about it (or None). Four queries
    however many actions and decisions."""
    reviewed = actions_for_staff().annotate(latest_narrative=_latest_update("narrative"))
    meeting = (Meeting.objects.select_related("board")
               .prefetch_related("board__organisations",  # who may change it
                                 Prefetch("reviewed_actions", queryset=reviewed,
                                          to_attr="actions"),
                                 Prefetch("decisions", to_attr="decision_list"))
               .filter(pk=pk).first())
    if meeting is not None:
        _attach_decisions(meeting)
    return meeting


def _attach_decisions(meeting: Meeting) -> None:
    by_action = {d.action_id: d for d in meeting.decision_list}
    for action in meeting.actions:
        action.decision = by_action.get(action.pk)


def meeting_decision_for_edit(meeting_pk: int, action_pk: int
                              ) -> tuple[Meeting, Action, MeetingDecision | None] | None:
    """The meeting (with its board's partners, for the permission check), one
    action it reviews, and the decision recorded for it so far; None when
    the meeting does not review that action."""
    meeting = meeting_for_edit(meeting_pk)
    if meeting is None:
        return None
    action = (meeting.reviewed_actions.select_related("priority__plan")
              .filter(pk=action_pk).first())
    if action is None:
        return None
    return meeting, action, MeetingDecision.objects.filter(meeting=meeting, action=action).first()


def meeting_before(meeting: Meeting) -> Meeting | None:
    """The same board's meeting before this one (by date, then id), with its
    decisions and their actions: what the next board pack repeats as
    "decided at the last meeting". Two queries."""
    return (Meeting.objects.filter(board_id=meeting.board_id)
            .filter(Q(date__lt=meeting.date) | Q(date=meeting.date, id__lt=meeting.pk))
            .prefetch_related(Prefetch(
                "decisions", to_attr="decision_list",
                queryset=MeetingDecision.objects.select_related("action")
                .order_by("action__priority__number", "action__reference", "action_id")))
            .order_by("-date", "-id").first())


# --- Dashboard ----------------------------------------------------------------------------


@dataclass
class Row:
    """One line of a chart and its table: a label and a count per status."""

    label: str
    counts: list[int]
    key: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class Dashboard:
    today: date
    # The day overdue, not updated and the trend are judged on: today, or the
    # end of a finished plan (see `dashboard_judged_on`).
    judged_on: date
    statuses: list[tuple[str, str]]
    totals: dict[str, int]
    by_status: list[int]
    by_priority: list[Row]
    by_organisation: list[Row]
    over_time: list[Row]
    overdue: list[Action] = field(default_factory=list)
    due_soon: list[Action] = field(default_factory=list)
    stale: list[Action] = field(default_factory=list)
    measures: dict = field(default_factory=dict)


def month_ends(today: date, months: int = TREND_MONTHS) -> list[date]:
    """The last day of each of the previous `months - 1` months, then today."""
    ends = [today]
    year, month = today.year, today.month
    for _ in range(months - 1):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        ends.append(date(year, month, calendar.monthrange(year, month)[1]))
    return list(reversed(ends))


def _stale_condition(stale_before: date) -> Q:
    """Open and not updated since `stale_before`; an action never updated
    counts from the day it was added."""
    return Q(current_status__in=OPEN_STATUSES) & (
        Q(last_update_on__lt=stale_before)
        | Q(last_update_on__isnull=True, created_at__date__lt=stale_before))


def _rows(queryset: QuerySet[Action], key: str, label_fields: list[str],
          label) -> list[Row]:
    counts: dict = {}
    labels: dict = {}
    for item in (queryset.order_by().values(key, *label_fields, "current_status")
                 .annotate(n=Count("id"))):
        counts.setdefault(item[key], dict.fromkeys(STATUS_ORDER, 0))
        counts[item[key]][item["current_status"]] = item["n"]
        labels[item[key]] = label(item)
    return [Row(label=labels[k], counts=[counts[k][s] for s in STATUS_ORDER], key=str(k))
            for k in counts]


def plan_for_dashboard(user) -> Plan | None:
    """The plan a person's dashboard opens on: the newest plan of a board their
    organisation sits on, else the newest plan."""
    from django.db.models import Exists, OuterRef

    from core.models import Role
    from core.roles import organisation_ids_with_role

    sits_on_board = Board.organisations.through.objects.filter(
        board_id=OuterRef("board_id"),
        organisation_id__in=organisation_ids_with_role(user, Role.values))
    return (Plan.objects.annotate(own=Exists(sits_on_board))
            .order_by("-own", "-period_end", "-id").first())


def _status_counts_at(actions: QuerySet[Action], days: list[date], total: int
                      ) -> dict[date, dict]:
    """How many of these `total` actions were in each status at the end of
    each day, in one query however many actions and days: each progress
    update holds from its date until the next one's (by date, then id), so it
    is counted for the days in that span. An action with no update yet on a
    day counts as not started."""
    counts = {day: dict.fromkeys(STATUS_ORDER, 0) for day in days}
    if total and days:
        held = (ProgressUpdate.objects.filter(action__in=actions.values("pk"))
                .annotate(next_date=Window(Lead("date"), partition_by=[F("action_id")],
                                           order_by=[F("date").asc(), F("id").asc()]))
                .order_by().values("date", "status", "next_date"))
        sql, params = held.query.sql_with_params()
        # SQLite (the `make run` demo) has no date type: CAST(… AS date) gives
        # the value NUMERIC affinity, so '2026-01-31' became 2026 and matched
        # no update. There a date is its ISO text, which compares in order.
        # Written in the ORM instead (Lead with a default, one filtered count
        # per day and status: 72) it gave the same counts but took 1.6 to 3
        # times as long (10,000 actions with 3 updates each: 311 against
        # 197 ms), so the join on the days stays. Both databases are held to
        # the same hand-worked figures by tests/actionplan/test_figures_on_sqlite.py.
        day = "DATE(%s)" if connection.vendor == "sqlite" else "CAST(%s AS date)"
        day_rows = " UNION ALL ".join([f"SELECT {day} AS d"] * len(days))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m.d, u.status, COUNT(*) FROM ({day_rows}) m "  # noqa: S608  # nosec B608 # only placeholders and the ORM's own SQL
                f"JOIN ({sql}) u ON u.date <= m.d AND (u.next_date IS NULL OR u.next_date > m.d) "
                "GROUP BY m.d, u.status",
                [*days, *params])
            for day, status, n in cursor.fetchall():
                day = day if isinstance(day, date) else date.fromisoformat(str(day))
                counts[day][status] = n
    for day in days:
        counts[day][Status.NOT_STARTED] += total - sum(counts[day].values())
    return counts


# What the dashboard's kept figures are made from: the actions, plans and
# measures; the loop's figures (feedback); organisations and people (core).
DASHBOARD_GROUPS = ("actionplan", "feedback", "core")


def dashboard_cache_key(params, *, today: date) -> str | None:
    """Where the dashboard for these filters is kept: the same for everyone
    (the actions staff see do not depend on who asks), until a table of
    DASHBOARD_GROUPS is written (core.changes) or the day changes (overdue,
    due soon). None when Redis cannot say what changed: nothing is kept."""
    import hashlib

    from core import changes

    stamp = changes.stamp(DASHBOARD_GROUPS)
    if stamp is None:
        return None
    query = repr(sorted((k, sorted(params.getlist(k))) for k in params))
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    generation = ".".join(map(str, stamp))
    return f"dashboard:{generation}:{today.isoformat()}:{digest}"


def dashboard_judged_on(plan: Plan | None, today: date) -> date:
    """The day a dashboard of `plan` judges overdue and not updated on: today,
    or the plan's own end once it has ended.

    A board member reading a finished plan reads its record: what was late,
    and what had gone quiet, when it ended. Judged against today every action
    left open would be years overdue and "not updated for 90 days" for ever,
    which says nothing new and cannot be acted on in that plan. Work carried
    on elsewhere is judged against today on its own plan's dashboard (and on
    "any plan")."""
    if plan is not None and plan.period_end < today:
        return plan.period_end
    return today


def dashboard(queryset: QuerySet[Action], *, today: date,
              judged_on: date | None = None) -> Dashboard:
    """Every figure on the board dashboard for the (filtered) actions, with
    overdue, due soon, not updated and the trend as on `judged_on` (today
    unless given: see `dashboard_judged_on`).

    A fixed number of queries: one for the headline counts, one per
    breakdown, one per month-end of the trend, one per short list.
    """
    judged_on = judged_on or today
    stale_before = judged_on - timedelta(days=STALE_AFTER_DAYS)
    soon = judged_on + timedelta(days=DUE_SOON_DAYS)
    is_open = Q(current_status__in=OPEN_STATUSES)
    overdue = overdue_condition(judged_on)
    # Nothing of a finished plan is "due soon".
    due_soon = is_open & Q(due_date__gte=today, due_date__lte=soon) if judged_on == today \
        else Q(pk__in=[])
    stale = _stale_condition(stale_before)

    base = queryset.order_by()
    totals = base.aggregate(
        total=Count("id"), overdue=Count("id", filter=overdue),
        due_soon=Count("id", filter=due_soon), stale=Count("id", filter=stale),
        inspection=Count("id", filter=Q(inspection_finding=True)),
        **{f"status_{s}": Count("id", filter=Q(current_status=s)) for s in STATUS_ORDER},
    )
    by_status = [totals.pop(f"status_{s}") for s in STATUS_ORDER]

    by_priority = _rows(
        base, "priority_id", ["priority__plan__title", "priority__number", "priority__title"],
        lambda i: (i["priority__plan__title"], i["priority__number"], i["priority__title"]))
    by_priority.sort(key=lambda r: r.label)
    several_plans = len({r.label[0] for r in by_priority}) > 1
    for row in by_priority:
        plan_title, number, title = row.label
        row.label = f"{plan_title}: {number}. {title}" if several_plans else f"{number}. {title}"
    by_organisation = sorted(
        _rows(base, "lead_organisation_id", ["lead_organisation__name"],
              lambda i: i["lead_organisation__name"]),
        key=lambda r: r.label)

    over_time = []
    ends = month_ends(judged_on)
    counts_then = _status_counts_at(base, ends, totals["total"])
    for month_end in ends:
        counts = counts_then[month_end]
        over_time.append(Row(label=f"{month_end:%b %Y}" if month_end != today
                             else f"Today ({today:%-d %b %Y})",
                             counts=[counts[s] for s in STATUS_ORDER],
                             key=month_end.isoformat()))

    listed = queryset.select_related("priority__plan", "lead_organisation", "owner")
    return Dashboard(
        today=today,
        judged_on=judged_on,
        statuses=[(s.value, s.label) for s in STATUS_ORDER],
        totals=totals,
        by_status=by_status,
        by_priority=by_priority,
        by_organisation=by_organisation,
        over_time=over_time,
        overdue=list(listed.filter(overdue).order_by("due_date", "id")[:DASHBOARD_LIST_LIMIT]),
        due_soon=list(listed.filter(due_soon).order_by("due_date", "id")[:DASHBOARD_LIST_LIMIT]),
        stale=list(listed.filter(stale)
                   .annotate(since=Coalesce("last_update_on",
                                            Cast(F("created_at"), DateField())))
                   .order_by("since", "id")[:DASHBOARD_LIST_LIMIT]),
    )


# --- Board packs and reminders -------------------------------------------------------------


def board_pack_context(*, meeting_id: int, today: date) -> dict:
    """Everything the board pack PDF shows: the reviewed actions with status
    and latest narrative, and every overdue action in the board's plans.
    Staff names appear (the pack is for the board); families' data never."""
    meeting = (Meeting.objects.select_related("board")
               .prefetch_related(Prefetch(
                   "reviewed_actions",
                   queryset=actions_for_staff()
                   .annotate(latest_narrative=_latest_update("narrative"))
                   .order_by("priority__plan__title", "priority__number", "id"),
                   to_attr="actions"))
               .get(pk=meeting_id))
    overdue = list(actions_for_staff().filter(priority__plan__board=meeting.board)
                   .overdue(today).order_by("due_date", "id"))
    summary = dict.fromkeys(STATUS_ORDER, 0)
    for action in meeting.actions:
        summary[action.current_status] += 1
    measures = _summarised(_with_values(
        Measure.objects.filter(Q(action__in=[a.pk for a in meeting.actions])
                               | Q(priority__plan__board=meeting.board))
        .select_related("action", "priority").order_by("priority__number", "action__reference",
                                                       "name", "id")), today)
    return {
        "meeting": meeting, "actions": meeting.actions, "overdue": overdue, "today": today,
        "measures": measures,
        "last_meeting": meeting_before(meeting),
        "summary": [(Status(s).label, n) for s, n in summary.items()],
        "statuses": [Status(s).label for s in STATUS_ORDER],
        "plans": board_pack_priorities(board_id=meeting.board_id),
        "loop": loop_figures(since=today - timedelta(days=364), until=today),
    }


def board_pack_priorities(*, board_id: int) -> list[tuple[Plan, list[tuple[str, list[int]]]]]:
    """For each plan the board oversees (newest first), every priority
    labelled by its number and whole title ("3. Preparing for adulthood…"),
    never cut short (ten long titles cut to 60 characters read the same),
    with its actions counted by status in STATUS_ORDER. Two queries."""
    plans = list(Plan.objects.filter(board_id=board_id).order_by("-period_end", "title"))
    counts = {s: Count("actions", filter=Q(actions__current_status=s)) for s in STATUS_ORDER}
    priorities = (Priority.objects.filter(plan__in=plans).annotate(**counts)
                  .order_by("plan_id", "number"))
    by_plan: dict[int, list] = {plan.pk: [] for plan in plans}
    for priority in priorities:
        by_plan[priority.plan_id].append(
            (f"{priority.number}. {priority.title}",
             [getattr(priority, s) for s in STATUS_ORDER]))
    return [(plan, by_plan[plan.pk]) for plan in plans]


def actions_needing_reminders(*, today: date, stale_before: date, period: str):
    """(kind, action) pairs whose owner has not yet been reminded this period."""
    base = (Action.objects.filter(owner__isnull=False, owner__is_active=True,
                                  current_status__in=OPEN_STATUSES)
            .select_related("owner", "priority__plan").order_by("id"))
    for kind, condition in ((Reminder.Kind.OVERDUE, overdue_condition(today)),
                            (Reminder.Kind.NOT_UPDATED, _stale_condition(stale_before))):
        already = Reminder.objects.filter(kind=kind, period=period).values("action_id")
        for action in base.filter(condition).exclude(pk__in=already).iterator(chunk_size=500):
            yield kind, action


def organisations_leading_actions() -> QuerySet[Organisation]:
    return Organisation.objects.filter(led_actions__isnull=False).distinct().order_by("name")


# --- Measures ------------------------------------------------------------------------------


@dataclass
class MeasureSummary:
    """Where a measure stands, worked out from its baseline, latest two
    values and targets. Shared by every page that shows a measure."""

    latest_value: object = None
    latest_date: date | None = None
    previous_value: object = None
    target_value: object = None
    target_date: date | None = None
    # "better", "worse", "same" or "" (nothing to compare with)
    movement: str = ""
    # "met", "on_course", "off_course" or "" (no target or no value yet)
    course: str = ""
    days_since: int | None = None
    value_overdue: bool = False
    next_due: date | None = None

    MOVEMENT_LABELS = {"better": "Moving the right way", "worse": "Moving the wrong way",
                       "same": "No change", "": "Not enough values yet"}
    COURSE_LABELS = {"met": "Target met", "on_course": "On course",
                     "off_course": "Not on course", "": "No target or no value yet"}

    @property
    def movement_label(self) -> str:
        return self.MOVEMENT_LABELS[self.movement]

    @property
    def course_label(self) -> str:
        return self.COURSE_LABELS[self.course]


def _better(direction: str, new, old) -> str:
    if new == old:
        return "same"
    return "better" if (new > old) == (direction == Measure.Direction.UP) else "worse"


def measure_summary(measure: Measure, *, today: date, latest=None, previous=None,
                    targets: list | None = None) -> MeasureSummary:
    """`latest` and `previous` are (date, value) pairs or None; `targets`
    (date, value) pairs in date order.

    - Moving the right way: the latest value against the one before it (or
      the baseline, when there is one value), by the measure's direction.
    - The target is the next one on or after today, else the last.
    - On course: the target is already met; or the latest value is at least
      as good as a straight line from the baseline to the target would have
      it on that date. Without a baseline, "on course" is "moving the right
      way".
    - A new value is overdue once the measure's frequency has passed since
      the latest value (or since it was added, if it has none)."""
    summary = MeasureSummary()
    direction = measure.direction
    if latest:
        summary.latest_date, summary.latest_value = latest
        summary.days_since = (today - summary.latest_date).days
    before = previous or ((measure.baseline_date, measure.baseline_value)
                          if measure.baseline_value is not None else None)
    if previous:
        summary.previous_value = previous[1]
    has_value = bool(latest) and summary.latest_value is not None
    if has_value and before:
        summary.movement = _better(direction, summary.latest_value, before[1])
    targets = targets or []
    upcoming = [t for t in targets if t[0] >= today]
    target = upcoming[0] if upcoming else (targets[-1] if targets else None)
    if target:
        summary.target_date, summary.target_value = target
    if has_value and target:
        value, goal = summary.latest_value, summary.target_value
        if value == goal or _better(direction, value, goal) == "better":
            summary.course = "met"
        elif measure.baseline_value is not None and measure.baseline_date is not None \
                and summary.target_date > measure.baseline_date:
            span = (summary.target_date - measure.baseline_date).days
            gone = min(max((summary.latest_date - measure.baseline_date).days, 0), span)
            expected = measure.baseline_value + (goal - measure.baseline_value) * gone / span
            summary.course = ("on_course" if value == expected
                              or _better(direction, value, expected) == "better"
                              else "off_course")
        else:
            summary.course = "on_course" if summary.movement == "better" else "off_course"
    every = timedelta(days=Measure.FREQUENCY_DAYS.get(measure.frequency, 92))
    since = summary.latest_date or (measure.created_at.date() if measure.created_at else today)
    summary.next_due = since + every
    summary.value_overdue = not measure.is_family_reported and summary.next_due < today
    return summary


def _with_values(measures: QuerySet[Measure]) -> QuerySet[Measure]:
    return (measures.select_related("owner")
            .prefetch_related(Prefetch("values", queryset=MeasureValue.objects.order_by("date", "id"),
                                       to_attr="value_list"),
                              Prefetch("targets", queryset=MeasureTarget.objects.order_by("date"),
                                       to_attr="target_list")))


def _summarised(measures, today: date) -> list[Measure]:
    """Each measure with `summary`, from its prefetched values and targets."""
    from .charts import measure_description

    measures = list(measures)
    for m in measures:
        values = [(v.date, v.value) for v in m.value_list]
        m.chart_description = measure_description(
            m, [(v.date, v.value, v.provisional) for v in m.value_list],
            [(t.date, t.value) for t in m.target_list])
        m.summary = measure_summary(m, today=today, latest=values[-1] if values else None,
                                    previous=values[-2] if len(values) > 1 else None,
                                    targets=[(t.date, t.value) for t in m.target_list])
    return measures


def measures_with_summaries(measures: QuerySet[Measure], *, today: date) -> list[Measure]:
    """These measures with every value and target and their `summary`: three
    queries however many (the evidence pack's)."""
    return _summarised(_with_values(measures), today)


def stale_condition(stale_before: date) -> Q:
    """Open and not updated since `stale_before` (the dashboard's "not updated")."""
    return _stale_condition(stale_before)


def measures_for_action(action: Action, *, today: date) -> list[Measure]:
    """An action's measures, every value and target: three queries."""
    return _summarised(_with_values(action.measures.all()), today)


def measures_for_priority(priority: Priority, *, today: date) -> list[Measure]:
    return _summarised(_with_values(priority.measures.all()), today)


def priority_detail(pk: int) -> Priority | None:
    return (Priority.objects.select_related("plan__board")
            .prefetch_related("plan__board__organisations")
            .annotate(action_count=Count("actions")).filter(pk=pk).first())


def measure_for_edit(pk: int) -> Measure | None:
    return (Measure.objects.select_related("action__priority__plan", "action__lead_organisation",
                                           "priority__plan__board", "owner")
            .prefetch_related("priority__plan__board__organisations", "targets")
            .filter(pk=pk).first())


def public_measures(plan: Plan, *, actions: list[Action], priorities: list[Priority],
                    today: date) -> None:
    """Give each public action on the page, and each priority shown, its
    public measures (`public_measure_list`), with every value and target:
    three queries however many. Internal measures are never read."""
    action_ids = [a.pk for a in actions]
    priority_ids = [p.pk for p in priorities]
    measures = _summarised(_with_values(
        Measure.objects.filter(is_public=True)
        .filter(Q(action_id__in=action_ids, action__is_public=True)
                | Q(priority_id__in=priority_ids, priority__plan=plan))), today) \
        if action_ids or priority_ids else []
    by_action: dict[int, list] = {}
    by_priority: dict[int, list] = {}
    for m in measures:
        (by_action.setdefault(m.action_id, []) if m.action_id
         else by_priority.setdefault(m.priority_id, [])).append(m)
    for a in actions:
        a.public_measure_list = by_action.get(a.pk, [])
    for p in priorities:
        p.public_measure_list = by_priority.get(p.pk, [])


def _published_values(measures: QuerySet[Measure]) -> QuerySet[Measure]:
    """Values and targets only as the public plan shows them: never a
    value's note or who recorded it."""
    return measures.prefetch_related(
        Prefetch("values", queryset=MeasureValue.objects.order_by("date", "id")
                 .only("measure_id", "date", "value", "provisional", "responses"),
                 to_attr="value_list"),
        Prefetch("targets", queryset=MeasureTarget.objects.order_by("date"),
                 to_attr="target_list"))


def public_measures_of_actions(action_ids: list[int], *, today: date) -> dict[int, list[Measure]]:
    """The public measures of these actions, for the open data: only for an
    action that is public in a published plan (as on /action-plan/), each
    with its values, targets and `summary`. Three queries however many
    actions (none for none)."""
    if not action_ids:
        return {}
    measures = _summarised(_published_values(
        Measure.objects.filter(is_public=True, action_id__in=action_ids)
        .filter(action__in=actions_public())), today)
    by_action: dict[int, list[Measure]] = {}
    for m in measures:
        by_action.setdefault(m.action_id, []).append(m)
    return by_action


def public_measures_all(*, today: date) -> list[Measure]:
    """Every public measure the public plans show (of a public action, or of
    a priority, in a published plan), with its plan and priority, values,
    targets and `summary`: three queries."""
    return _summarised(_published_values(
        Measure.objects.filter(is_public=True)
        .filter(Q(action__in=actions_public())
                | Q(priority__plan__is_published=True))
        .select_related("action__priority__plan", "priority__plan")
        .order_by("id")), today)


DASHBOARD_MEASURES_LIMIT = 25
# Of those, the first this many have their chart and every value on the
# dashboard, as its other lists show ten; each measure's own page (the
# action's or the priority's) has its chart. Twenty-five charts with their
# tables made a plan's dashboard half a megabyte (docs/benchmarks).
DASHBOARD_MEASURE_CHARTS = 10


def _latest_value(field_name: str, offset: int = 0) -> Subquery:
    # One value per measure and date (a unique constraint): by date alone, the
    # index gives the order with no sort.
    return Subquery(MeasureValue.objects.filter(measure=OuterRef("pk"))
                    .order_by("-date").values(field_name)[offset:offset + 1])


def dashboard_measures(actions: QuerySet[Action], *, plan: Plan | None, today: date) -> dict:
    """The dashboard's "Measures": every measure of these actions (and of the
    plan's priorities), each with its latest value against its next target,
    which way it is moving and how stale it is; the first
    DASHBOARD_MEASURES_LIMIT (not on course, overdue, moving the wrong way
    first), the first DASHBOARD_MEASURE_CHARTS of them with every value for
    their charts. Four queries however many
    measures and values: the latest two values come from subqueries, and
    every measure is read as plain values (a county's plan can have
    thousands); only those listed are built as models."""
    from types import SimpleNamespace

    condition = Q(action__in=actions.order_by().values("pk"))
    if plan is not None:
        condition |= Q(priority__plan=plan)
    rows = list(
        Measure.objects.filter(condition).order_by()
        .annotate(latest_date=_latest_value("date"), latest_value=_latest_value("value"),
                  previous_date=_latest_value("date", 1),
                  previous_value=_latest_value("value", 1))
        .values("pk", "name", "direction", "baseline_value", "baseline_date", "frequency",
                "source", "created_at", "latest_date", "latest_value", "previous_date",
                "previous_value"))
    targets: dict[int, list] = {}
    if rows:
        for t in MeasureTarget.objects.filter(measure__in=[r["pk"] for r in rows]).order_by(
                "measure_id", "date").values_list("measure_id", "date", "value"):
            targets.setdefault(t[0], []).append((t[1], t[2]))
    summaries = {}
    for r in rows:
        facts = SimpleNamespace(**r, is_family_reported=r["source"] != Measure.Source.STAFF)
        summaries[r["pk"]] = measure_summary(
            facts, today=today,
            latest=(_as_date(r["latest_date"]), r["latest_value"]) if r["latest_date"] else None,
            previous=(_as_date(r["previous_date"]), r["previous_value"])
            if r["previous_date"] else None,
            targets=targets.get(r["pk"], []))
    worst_first = sorted(rows, key=lambda r: (summaries[r["pk"]].course != "off_course",
                                              not summaries[r["pk"]].value_overdue,
                                              summaries[r["pk"]].movement != "worse",
                                              r["name"], r["pk"]))
    listed_ids = [r["pk"] for r in worst_first[:DASHBOARD_MEASURES_LIMIT]]
    listed = {m.pk: m for m in Measure.objects.filter(pk__in=listed_ids)
              .select_related("action", "priority")} if listed_ids else {}
    charted = [listed[pk] for pk in listed_ids[:DASHBOARD_MEASURE_CHARTS]]
    # Every value, only of the measures charted.
    prefetch_related_objects(charted, Prefetch(
        "values", queryset=MeasureValue.objects.order_by("date", "id"), to_attr="value_list"))
    for m in listed.values():
        m.summary = summaries[m.pk]
        m.target_list = [SimpleNamespace(date=d, value=v) for d, v in targets.get(m.pk, [])]
    values = summaries.values()
    return {
        "total": len(rows),
        "off_course": sum(s.course == "off_course" for s in values),
        "on_course": sum(s.course in ("on_course", "met") for s in values),
        "overdue": sum(s.value_overdue for s in values),
        "listed": [listed[pk] for pk in listed_ids],
        "charted": charted,
    }


def _as_date(value) -> date:
    # SQLite gives a subquery's date back as text.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def measures_needing_reminders(*, today: date, period: str):
    """Measures entered by staff whose next value is overdue and whose
    updater (its owner) has not been reminded this period."""
    from .models import MeasureReminder

    already = MeasureReminder.objects.filter(period=period).values("measure_id")
    measures = (Measure.objects.filter(source=Measure.Source.STAFF, owner__isnull=False,
                                       owner__is_active=True)
                .exclude(pk__in=already).select_related("owner")
                .annotate(latest_date=_latest_value("date")).order_by("id"))
    for measure in measures.iterator(chunk_size=500):
        latest = _as_date(measure.latest_date) if measure.latest_date else None
        summary = measure_summary(measure, today=today,
                                  latest=(latest, None) if latest else None)
        if summary.value_overdue:
            yield measure, summary


@dataclass(frozen=True)
class InspectionStanding:
    """How a plan that answers an area SEND inspection stands against the
    expected monitoring inspection: the time left and its actions."""

    report_on: date
    outcome: str
    monitoring_due_on: date
    today: date
    total: int  # not cancelled
    complete: int
    overdue: int
    due_after: int  # open and due after the monitoring date, or with no due date

    @property
    def days_left(self) -> int:
        return (self.monitoring_due_on - self.today).days

    @property
    def time_left(self) -> str:
        """"1 year and 2 months left", "3 weeks left", "due today", or how
        long ago it was expected."""
        days = self.days_left
        if days == 0:
            return "Expected today"
        later, earlier = (self.today, self.monitoring_due_on) if days < 0 else (
            self.monitoring_due_on, self.today)
        months = (later.year - earlier.year) * 12 + later.month - earlier.month \
            - (1 if later.day < earlier.day else 0)
        if months >= 1:
            years, months = divmod(months, 12)
            parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
            if months:
                parts.append(f"{months} month{'s' if months != 1 else ''}")
            span = " and ".join(parts)
        else:
            weeks = abs(days) // 7
            span = (f"{weeks} week{'s' if weeks != 1 else ''}" if weeks
                    else f"{abs(days)} day{'s' if abs(days) != 1 else ''}")
        return f"{span} left" if days > 0 else f"Expected {span} ago"

    @property
    def is_past(self) -> bool:
        return self.days_left < 0

    @property
    def complete_percent(self) -> int | None:
        return round(100 * self.complete / self.total) if self.total else None


def plan_inspection_standing(plan: Plan | None, today: date, *,
                             public_only: bool = False) -> InspectionStanding | None:
    """The standing of a plan answering an inspection, or None for a plan
    that answers none. With `public_only`, its public actions only (for the
    public page). One query."""
    if plan is None or not plan.inspection_report_on or not plan.monitoring_due_on:
        return None
    actions = Action.objects.filter(priority__plan=plan).exclude(
        current_status=Status.CANCELLED)
    if public_only:
        actions = actions.filter(is_public=True)
    is_open = Q(current_status__in=OPEN_STATUSES)
    figures = actions.aggregate(
        total=Count("pk"), complete=Count("pk", filter=Q(current_status=Status.COMPLETE)),
        overdue=Count("pk", filter=overdue_condition(today)),
        due_after=Count("pk", filter=is_open & (Q(due_date__gt=plan.monitoring_due_on)
                                                | Q(due_date__isnull=True))))
    return InspectionStanding(report_on=plan.inspection_report_on,
                              outcome=plan.inspection_outcome,
                              monitoring_due_on=plan.monitoring_due_on, today=today, **figures)
