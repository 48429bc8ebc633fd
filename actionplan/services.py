"""Every write to the action plan. Views, tasks, the demo loader and other
apps (the charter) call these; none of them saves a model directly.

Audit events carry ids and states, never narrative text.
"""

import logging
from collections.abc import Iterable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone

from core import jobs
from core.audit import Verb
from core.concurrency import lock_for_edit
from core.models import Organisation, Theme, User
from core.ordering import move_in_order
from core.services import audit_record
from core.text import slug_from
from feedback import progress

from . import loop
from .models import (
    CLOSED_STATUSES,
    MONITORING_AFTER_MONTHS,
    Action,
    ActionChange,
    Board,
    Evidence,
    Measure,
    MeasureTarget,
    MeasureValue,
    Meeting,
    MeetingDecision,
    Plan,
    Priority,
    ProgressUpdate,
    Status,
    months_after,
)

logger = logging.getLogger(__name__)


# --- Plans, priorities and actions ----------------------------------------------------


@transaction.atomic
def _inspection(report_on: date | None, outcome: str, monitoring_due_on: date | None) -> dict:
    """The inspection a plan answers, the monitoring date defaulting to
    MONITORING_AFTER_MONTHS after the report."""
    if report_on and not monitoring_due_on:
        monitoring_due_on = months_after(report_on, MONITORING_AFTER_MONTHS)
    return {"inspection_report_on": report_on, "inspection_outcome": (outcome or "").strip(),
            "monitoring_due_on": monitoring_due_on if report_on else None}


def plan_create(*, acting_user: User | None, title: str, area: str, period_start: date,
                period_end: date, board: Board | None = None, summary: str = "",
                review_date: date | None = None, slug: str = "",
                is_published: bool = True, inspection_report_on: date | None = None,
                inspection_outcome: str = "", monitoring_due_on: date | None = None) -> Plan:
    """A new plan; one that answers an area SEND inspection records the
    day of its report, its outcome and the expected monitoring inspection
    (18 months after the report unless given)."""
    plan = Plan(title=title.strip(), slug=slug or slug_from(title)[:200], area=area,
                period_start=period_start, period_end=period_end, board=board,
                summary=summary.strip(), review_date=review_date, is_published=is_published,
                **_inspection(inspection_report_on, inspection_outcome, monitoring_due_on))
    plan.full_clean()
    plan.save()
    audit_record(actor=acting_user, verb=Verb.PLAN_CREATED, target=plan, summary=plan.title)
    return plan


def _changed(obj, values: dict) -> list[str]:
    """Set `values` on `obj`; the names of the fields whose value changed."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _set_m2m(manager, new: Iterable) -> bool:
    """Replace a many-to-many set; whether it changed."""
    new_ids = {o.pk for o in new}
    if {o.pk for o in manager.all()} == new_ids:
        return False
    manager.set(new_ids)
    return True


@transaction.atomic
def plan_edit(*, acting_user: User | None, plan: Plan, title: str, area: str,
              period_start: date, period_end: date, board: Board | None, summary: str = "",
              review_date: date | None = None, is_published: bool,
              lock_version: int | None = None, **inspection) -> Plan:
    """Change a plan's details, review date and whether it is published.

    The address (slug) stays as it was, so links in published reports and
    minutes keep working. Refused with EditConflict when the page was out of
    date. The caller checks `actionplan.change_plan`. Audited as "plan
    edited" with the changed field names; publishing or unpublishing is also
    audited on its own ("plan published" / "plan unpublished"). The
    inspection it answers (`inspection_report_on`, `inspection_outcome`,
    `monitoring_due_on`) changes only when given; the monitoring date
    defaults to 18 months after the report."""
    plan = lock_for_edit(Plan.objects.all(), plan.pk, lock_version)
    was_published = plan.is_published
    values = {
        "title": title.strip(), "area": area.strip(), "period_start": period_start,
        "period_end": period_end, "board": board, "summary": summary.strip(),
        "review_date": review_date, "is_published": is_published}
    if inspection:
        values.update(_inspection(inspection.get("inspection_report_on"),
                                  inspection.get("inspection_outcome", ""),
                                  inspection.get("monitoring_due_on")))
    changed = _changed(plan, values)
    plan.full_clean()
    plan.save()
    audit_record(actor=acting_user, verb=Verb.PLAN_EDITED, target=plan, summary=plan.title[:300],
                 data={"changed": changed})
    if was_published != plan.is_published:
        audit_record(actor=acting_user,
                     verb=Verb.PLAN_PUBLISHED if plan.is_published else Verb.PLAN_UNPUBLISHED,
                     target=plan, summary=plan.title[:300])
    return plan


@transaction.atomic
def plan_set_published(*, acting_user: User | None, plan: Plan, is_published: bool) -> Plan:
    """Publish or unpublish a plan (its public actions appear on, or leave,
    the public page). Doing what is already so changes nothing and records
    nothing. The caller checks `actionplan.change_plan`."""
    plan = lock_for_edit(Plan.objects.all(), plan.pk, None)
    if plan.is_published == is_published:
        return plan
    plan.is_published = is_published
    plan.save(update_fields=["is_published", "lock_version", "updated_at"])
    audit_record(actor=acting_user, verb=Verb.PLAN_PUBLISHED if is_published else Verb.PLAN_UNPUBLISHED,
                 target=plan, summary=plan.title[:300])
    return plan


@transaction.atomic
def priority_create(*, acting_user: User | None, plan: Plan, number: int | None = None,
                    title: str, description: str = "") -> Priority:
    """Add a priority to a plan; without a number it goes last. The plan row
    is locked, so two people adding at once get different numbers."""
    if number is None:
        Plan.objects.select_for_update().filter(pk=plan.pk).first()
        last = plan.priorities.order_by("-number").values_list("number", flat=True).first()
        number = (last or 0) + 1
    priority = Priority(plan=plan, number=number, title=title.strip(),
                        description=description.strip())
    priority.full_clean()
    priority.save()
    audit_record(actor=acting_user, verb=Verb.PRIORITY_CREATED, target=priority,
                 data={"plan": plan.pk, "number": number})
    return priority


@transaction.atomic
def priority_edit(*, acting_user: User | None, priority: Priority, title: str,
                  description: str = "", lock_version: int | None = None) -> Priority:
    """Change a priority's words (its number changes only by moving it).
    The caller checks `actionplan.change_plan` on its plan. Audited as
    "priority edited" with the changed field names."""
    priority = lock_for_edit(Priority.objects.all(), priority.pk, lock_version)
    changed = _changed(priority, {"title": title.strip(), "description": description.strip()})
    priority.full_clean()
    priority.save()
    audit_record(actor=acting_user, verb=Verb.PRIORITY_EDITED, target=priority,
                 summary=str(priority)[:300], data={"plan": priority.plan_id, "changed": changed})
    return priority


@transaction.atomic
def priority_move(*, acting_user: User | None, priority: Priority, direction: int) -> bool:
    """Swap a priority with the one above (-1) or below (+1) it and number
    the plan's priorities 1…n again. The plan row is locked, so two moves at
    once do not interleave. Action references ("3.2") are not renumbered:
    they are what minutes and reports quote. Moving the first up or the last
    down changes nothing and records nothing. Returns whether it moved."""
    if direction not in (-1, 1):
        raise ValidationError("Direction must be up or down.")
    Plan.objects.select_for_update().filter(pk=priority.plan_id).first()
    moved = move_in_order(Priority.objects.filter(plan_id=priority.plan_id), priority, direction,
                          field="number")
    if moved:
        Priority.objects.filter(plan_id=priority.plan_id).update(
            lock_version=models.F("lock_version") + 1)
        audit_record(actor=acting_user, verb=Verb.PRIORITY_MOVED, target=priority,
                     summary=priority.title[:300],
                     data={"plan": priority.plan_id, "direction": direction})
    return moved


def _next_reference(priority: Priority) -> str:
    """"3.1", "3.2"… the next free number under a priority. The caller holds
    the priority's row lock (action_create), so two actions added at the same
    moment are numbered one after the other instead of both getting "3.2";
    the database's unique constraint is the backstop."""
    taken = set(Action.objects.filter(priority=priority).values_list("reference", flat=True))
    n = len(taken) + 1
    while f"{priority.number}.{n}" in taken:
        n += 1
    return f"{priority.number}.{n}"


@transaction.atomic
def action_create(*, acting_user: User | None, priority: Priority, title: str,
                  description: str = "", lead_organisation: Organisation,
                  owner: User | None = None, due_date: date | None = None,
                  is_public: bool = False, source: str = "", reference: str = "",
                  start_date: date | None = None, success_measures: str = "",
                  inspection_finding: bool = False,
                  partner_organisations: Iterable[Organisation] = (),
                  themes: Iterable[Theme] = (), feedback: Iterable = ()) -> Action:
    """Add an action under a priority.

    Other apps rely on this signature (the charter turns participation-audit
    improvement actions into plan actions with `source` saying where they
    came from). The caller checks permission; this validates, saves, links
    and audits. The reference ("3.2") is given automatically when not passed.
    The action starts "not started" at 0%.
    """
    # Numbering reads the references already taken under the priority: lock
    # the priority row first so concurrent creations take turns.
    Priority.objects.select_for_update().filter(pk=priority.pk).first()
    action = Action(
        priority=priority, reference=reference or _next_reference(priority), title=title.strip(),
        description=description.strip(), lead_organisation=lead_organisation, owner=owner,
        due_date=due_date, start_date=start_date, is_public=is_public, source=source.strip()[:300],
        success_measures=success_measures.strip(), inspection_finding=inspection_finding,
    )
    action.full_clean()
    action.save()
    if partner_organisations:
        action.partner_organisations.set(partner_organisations)
    if themes:
        action.themes.set(themes)
    if feedback:
        action.feedback.set(feedback)
        progress.feedback_mark_linked(f.pk for f in feedback)
    audit_record(actor=acting_user, verb=Verb.ACTION_CREATED, target=action, summary=str(action)[:300],
                 data={"priority": priority.pk, "lead_organisation": lead_organisation.pk,
                       "owner": owner.pk if owner else None, "is_public": is_public})
    return action


def _history_text(value) -> str:
    """A value as the action's history shows it."""
    if value is None or value == "":
        return "Not set"
    if isinstance(value, bool):
        return "Public" if value else "Internal"
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    if isinstance(value, User):
        return value.get_full_name() or value.email
    if isinstance(value, Priority):
        return f"{value.number}. {value.title}"
    return str(value)[:300]


# Changes the board or the public rely on: kept as the action's history
# (ActionChange), with the values before and after.
ACTION_HISTORY = {
    "title": "What will be done", "priority": "Priority", "lead_organisation": "Lead organisation",
    "owner": "Owner", "start_date": "Start date", "due_date": "Due date",
    "is_public": "Visibility", "partner_organisations": "Partners",
}


@transaction.atomic
def action_edit(*, acting_user: User | None, action: Action, priority: Priority, title: str,
                description: str = "", lead_organisation: Organisation,
                owner: User | None = None, start_date: date | None = None,
                due_date: date | None = None, success_measures: str = "",
                inspection_finding: bool = False, is_public: bool = False,
                source: str = "", reference: str = "",
                partner_organisations: Iterable[Organisation] = (),
                themes: Iterable[Theme] = (), feedback: Iterable | None = None,
                cornerstones: list[str] | None = None,
                lock_version: int | None = None) -> Action:
    """Change any of an action's details (`cornerstones` None leaves them).

    Refused with EditConflict when the page was out of date (a progress
    update also moves the action's lock_version on). A change to the title,
    priority, lead, owner, dates, public flag or partners is kept as the
    action's history (ActionChange, shown on its staff page) with the values
    before and after; the public plan shows only the current values.
    `feedback` None leaves the linked feedback as it is; otherwise it is the
    feedback to keep linked (the form offers only unlinking). The caller
    checks `actionplan.change_action`. Audited as "action edited" with the
    changed field names only.
    """
    action = lock_for_edit(Action.objects.all(), action.pk, lock_version)
    before = {name: getattr(action, name) for name in ACTION_HISTORY
              if name != "partner_organisations"}
    partners_before = sorted(o.name for o in action.partner_organisations.all())
    changed = _changed(action, {
        "priority": priority, "title": title.strip(), "description": description.strip(),
        "lead_organisation": lead_organisation, "owner": owner, "start_date": start_date,
        "due_date": due_date, "success_measures": success_measures.strip(),
        "inspection_finding": inspection_finding, "is_public": is_public,
        "source": source.strip()[:300], "reference": reference.strip() or action.reference,
        **({"cornerstones": [str(c) for c in cornerstones]} if cornerstones is not None else {})})
    action.full_clean()
    action.save()
    partners = list(partner_organisations)
    if _set_m2m(action.partner_organisations, partners):
        changed.append("partner_organisations")
    if _set_m2m(action.themes, themes):
        changed.append("themes")
    if feedback is not None and _set_m2m(action.feedback, feedback):
        changed.append("feedback")
    history = []
    for name in changed:
        if name not in ACTION_HISTORY:
            continue
        if name == "partner_organisations":
            old = ", ".join(partners_before) or "None named"
            new = ", ".join(sorted(o.name for o in partners)) or "None named"
        else:
            old, new = _history_text(before[name]), _history_text(getattr(action, name))
        history.append(ActionChange(action=action, field=name, label=ACTION_HISTORY[name],
                                    old_value=old[:300], new_value=new[:300],
                                    changed_by=acting_user if getattr(
                                        acting_user, "is_authenticated", False) else None))
    ActionChange.objects.bulk_create(history)
    audit_record(actor=acting_user, verb=Verb.ACTION_EDITED, target=action,
                 summary=str(action)[:300], data={"changed": changed})
    return action


def _check_evidence_file(file: UploadedFile) -> None:
    """Size and type limits, the same the model field enforces."""
    probe = Evidence(file=file)
    for validator in Evidence._meta.get_field("file").validators:
        validator(probe.file)


@transaction.atomic
def action_update_progress(*, acting_user: User | None, action: Action, status: str,
                           percent: int, narrative: str, public_narrative: str = "",
                           date: date | None = None,
                           evidence_links: Iterable[tuple[str, str] | str] = (),
                           evidence_files: Iterable[UploadedFile] = (),
                           lock_version: int | None = None) -> ProgressUpdate:
    """Record where an action has got to, with optional evidence.

    Keeps every update (the timeline) and copies the latest one's status,
    percent and date onto the action, here and nowhere else, so dashboards
    count without reading the history. The latest is by date, then by order
    of entry, so a back-dated update does not hide a newer one.

    Completing or cancelling needs a narrative; "complete" means 100%. The
    date cannot be in the future. The caller checks permission
    (`actionplan.update_action`); audited with ids and states only.
    """
    today = timezone.localdate()
    date = date or today
    narrative = narrative.strip()
    errors: dict[str, list[str]] = {}
    if status not in Status.values:
        errors["status"] = ["Select where the action has got to"]
    if status in CLOSED_STATUSES and not narrative:
        verb = "completed" if status == Status.COMPLETE else "cancelled"
        errors["narrative"] = [f"Say how the action was {verb}"]
    if status == Status.COMPLETE and percent != 100:
        errors["percent"] = ["An action marked complete must be 100% complete"]
    if date > today:
        errors["date"] = ["The date of the update must be today or in the past"]
    if errors:
        raise ValidationError(errors)

    # One update at a time per action, so the copied state is the latest; an
    # update written from a page that did not show a colleague's newer one
    # is refused (EditConflict, core.concurrency) rather than piled on top.
    action = lock_for_edit(Action.objects.all(), action.pk, lock_version)
    status_before = action.current_status
    update = ProgressUpdate(action=action, date=date, status=status, percent=percent,
                            narrative=narrative, public_narrative=public_narrative.strip(),
                            author=acting_user if getattr(acting_user, "is_authenticated",
                                                          False) else None)
    update.full_clean()
    update.save()
    for item in evidence_links:
        title, link = item if isinstance(item, tuple) else ("", item)
        evidence = Evidence(update=update, title=title[:200], link=link)
        evidence.full_clean()
        evidence.save()
    for file in evidence_files:
        _check_evidence_file(file)
        evidence = Evidence(update=update, title=file.name[:200])
        evidence.file.save(file.name, file, save=False)
        evidence.full_clean()
        evidence.save()

    latest = action.updates.order_by("-date", "-id").first()
    action.current_status = latest.status
    action.current_percent = latest.percent
    action.last_update_on = latest.date
    action.save(update_fields=["current_status", "current_percent", "last_update_on",
                               "lock_version", "updated_at"])
    audit_record(actor=acting_user, verb=Verb.ACTION_PROGRESS_UPDATED, target=action,
                 summary=f"{action.reference}: {update.get_status_display()} {percent}%",
                 data={"update": update.pk, "status": status, "percent": percent,
                       "date": date.isoformat()})
    # Families who asked to hear are owed news of it (sent after commit).
    loop.news_for_status_change(action, before=status_before)
    return update


# --- Boards, meetings and board packs -------------------------------------------------


@transaction.atomic
def board_create(*, acting_user: User | None, name: str, area: str = "", description: str = "",
                 organisations: Iterable[Organisation] = ()) -> Board:
    board = Board(name=name.strip(), slug=slug_from(name)[:200], area=area,
                  description=description.strip())
    board.full_clean()
    board.save()
    if organisations:
        board.organisations.set(organisations)
    audit_record(actor=acting_user, verb=Verb.BOARD_CREATED, target=board, summary=board.name)
    return board


@transaction.atomic
def board_edit(*, acting_user: User | None, board: Board, name: str, area: str = "",
               description: str = "", organisations: Iterable[Organisation] = (),
               lock_version: int | None = None) -> Board:
    """Change a board's name, area, description and the partners on it. Its
    address (slug) stays, so links keep working. The caller checks
    `actionplan.change_board`. Audited as "board edited" with the changed
    field names."""
    board = lock_for_edit(Board.objects.all(), board.pk, lock_version)
    changed = _changed(board, {"name": name.strip(), "area": area.strip(),
                               "description": description.strip()})
    board.full_clean()
    board.save()
    if _set_m2m(board.organisations, organisations):
        changed.append("organisations")
    audit_record(actor=acting_user, verb=Verb.BOARD_EDITED, target=board, summary=board.name,
                 data={"changed": changed})
    return board


@transaction.atomic
def meeting_create(*, acting_user: User | None, board: Board, date: date, title: str,
                   location: str = "", reviewed_actions: Iterable[Action] = ()) -> Meeting:
    meeting = Meeting(board=board, date=date, title=title.strip(), location=location.strip())
    meeting.full_clean()
    meeting.save()
    meeting.reviewed_actions.set(reviewed_actions)
    audit_record(actor=acting_user, verb=Verb.MEETING_CREATED, target=meeting, summary=meeting.title,
                 data={"board": board.pk, "actions": sorted(a.pk for a in reviewed_actions)})
    return meeting


@transaction.atomic
def meeting_edit(*, acting_user: User | None, meeting: Meeting, title: str, date: date,
                 location: str = "", minutes: str | None = None,
                 lock_version: int | None = None) -> Meeting:
    """Change a meeting's name, date, place or minutes (left as they are when
    not given). The board pack already made keeps its file: the page offers
    to generate it again. The caller checks `actionplan.change_meeting`.
    Audited as "meeting edited", naming the fields changed, not the minutes."""
    meeting = lock_for_edit(Meeting.objects.all(), meeting.pk, lock_version)
    values = {"title": title.strip(), "date": date, "location": location.strip()}
    if minutes is not None:
        values["minutes"] = minutes.strip()
    changed = _changed(meeting, values)
    meeting.full_clean()
    meeting.save()
    audit_record(actor=acting_user, verb=Verb.MEETING_EDITED, target=meeting, summary=meeting.title,
                 data={"board": meeting.board_id, "changed": changed})
    return meeting


@transaction.atomic
def meeting_set_actions(*, acting_user: User | None, meeting: Meeting,
                        actions: Iterable[Action]) -> Meeting:
    """Choose the actions a meeting reviews (replaces the previous choice)."""
    ids = sorted(a.pk for a in actions)
    meeting.reviewed_actions.set(ids)
    audit_record(actor=acting_user, verb=Verb.MEETING_ACTIONS_SELECTED, target=meeting,
                 data={"actions": ids})
    return meeting


@transaction.atomic
def meeting_record_decision(*, acting_user: User | None, meeting: Meeting, action: Action,
                            outcome: str, note: str = "") -> MeetingDecision:
    """Record what `meeting` decided about `action` (noted, agreed, escalated
    or closed) with a short note; recording it again changes the one
    decision, so it is safe to repeat. Only an action the meeting reviews
    may have a decision (ValidationError otherwise). The caller checks
    `actionplan.change_meeting`. Audited with ids and the outcome, not the note."""
    if not meeting.reviewed_actions.filter(pk=action.pk).exists():
        raise ValidationError({"outcome": "This meeting does not review that action. "
                                          "Choose the actions to review first"})
    decision = (MeetingDecision.objects.select_for_update()
                .filter(meeting=meeting, action=action).first()
                or MeetingDecision(meeting=meeting, action=action))
    decision.outcome = outcome
    decision.note = note.strip()
    decision.recorded_by = acting_user
    decision.full_clean()
    decision.save()
    audit_record(actor=acting_user, verb=Verb.MEETING_DECISION_RECORDED, target=meeting,
                 summary=f"{action.reference}: {decision.get_outcome_display()}",
                 data={"action": action.pk, "outcome": decision.outcome})
    return decision


@transaction.atomic
def board_pack_request(*, acting_user: User | None, meeting: Meeting) -> Meeting:
    """Ask for the meeting's board pack to be (re)generated in the background.

    Marks it pending and enqueues the task after commit. Asking again while
    one is pending is harmless: the task rebuilds the same file.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.pack_state = Meeting.PackState.PENDING
    meeting.pack_error = ""
    meeting.pack_requested_at = timezone.now()
    meeting.save(update_fields=["pack_state", "pack_error", "pack_requested_at", "updated_at"])
    audit_record(actor=acting_user, verb=Verb.BOARD_PACK_REQUESTED, target=meeting)
    jobs.enqueue("board_pack", meeting.pk)
    return meeting


def board_pack_build(*, meeting_id: int) -> Meeting:
    """Render the board pack PDF and store it as the meeting's one pack file.

    Safe to run twice: the file has a fixed name per meeting and is replaced,
    never added to. The PDF is rendered outside any transaction (it is slow),
    then stored and marked ready in one.
    """
    from core.pdf import render_pdf_from_template, store_pdf_when

    from . import selectors

    context = selectors.board_pack_context(meeting_id=meeting_id,
                                           today=timezone.localdate())
    pdf = render_pdf_from_template("actionplan/board_pack.html", context)
    return store_pdf_when(
        Meeting.objects.all(), meeting_id, still_wanted=lambda meeting: True,
        field="pack_file", filename=f"board-pack-meeting-{meeting_id}.pdf", pdf=pdf,
        mark={"pack_state": Meeting.PackState.READY, "pack_error": "",
              "pack_generated_at": timezone.now()},
        on_stored=lambda meeting: audit_record(actor=None, verb=Verb.BOARD_PACK_GENERATED,
                                               target=meeting, data={"bytes": len(pdf)}))


@transaction.atomic
def board_pack_mark_failed(*, meeting_id: int, error: str) -> None:
    """Make a failure visible on the meeting page, with a retry button."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting_id)
    meeting.pack_state = Meeting.PackState.FAILED
    meeting.pack_error = error[:300]
    meeting.save(update_fields=["pack_state", "pack_error", "updated_at"])
    audit_record(actor=None, verb=Verb.BOARD_PACK_FAILED, target=meeting,
                 data={"error": error[:100]})


# --- Reminders --------------------------------------------------------------------------

STALE_AFTER_DAYS = 90


def reminder_period(day: date) -> str:
    """The ISO week a reminder belongs to: one reminder per action and kind
    per week, however often the beat job runs."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def reminders_send(*, today: date | None = None) -> int:
    """Remind owners once a week of each action that is overdue or has had
    no update for 90 days. Returns how many reminders were recorded.

    The (action, kind, period) row and its e-mail job are written in one
    transaction; the unique constraint means a second run in the same week,
    or two workers at once, add nothing more. The job (core.jobs) sends the
    e-mail outside any transaction and retries it if the relay fails.
    """
    from django.db import IntegrityError

    from . import selectors
    from .models import Reminder

    today = today or timezone.localdate()
    period = reminder_period(today)
    recorded = 0
    for kind, action in selectors.actions_needing_reminders(
            today=today, stale_before=today - timedelta(days=STALE_AFTER_DAYS), period=period):
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(action=action, kind=kind, period=period,
                                                   recipient=action.owner)
                jobs.enqueue("reminder", reminder.pk,
                             organisation_id=action.lead_organisation_id)
        except IntegrityError:
            continue  # another run recorded it this week
        recorded += 1
    return recorded + _measure_reminders_send(today=today, period=period)


def _measure_reminders_send(*, today: date, period: str) -> int:
    """The same weekly reminder for measures: to the person who updates a
    measure whose next value is overdue (its frequency has passed since the
    latest value), once per measure and week."""
    from django.db import IntegrityError

    from . import selectors
    from .models import MeasureReminder

    recorded = 0
    for measure, _summary in selectors.measures_needing_reminders(today=today, period=period):
        try:
            with transaction.atomic():
                reminder = MeasureReminder.objects.create(measure=measure, period=period,
                                                          recipient=measure.owner)
                jobs.enqueue("measure_reminder", reminder.pk)
        except IntegrityError:
            continue  # another run recorded it this week
        recorded += 1
    return recorded


def measure_reminder_deliver(*, reminder_id: int) -> None:
    """E-mail one recorded measure reminder to the person who updates it."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.urls import reverse

    from core.tasks import send_one_mail

    from . import selectors
    from .models import MeasureReminder

    reminder = (MeasureReminder.objects.select_related("measure", "recipient")
                .filter(pk=reminder_id).first())
    if reminder is None or reminder.recipient is None or not reminder.recipient.is_active:
        return
    measure, owner = reminder.measure, reminder.recipient
    latest = measure.values.order_by("-date", "-id").first()
    summary = selectors.measure_summary(measure, today=timezone.localdate(),
                                        latest=(latest.date, latest.value) if latest else None)
    body = render_to_string("actionplan/email/reminder_measure.txt", {
        "measure": measure, "owner": owner, "summary": summary,
        "url": settings.SITE_URL + reverse("staff:actionplan:measure_value_add",
                                           args=[measure.pk]),
        "service_name": settings.SERVICE_NAME,
    })
    send_one_mail(f"A new value of {measure.code} is due", body, [owner.email])


def reminder_deliver(*, reminder_id: int) -> None:
    """E-mail one recorded reminder to the action's owner (a job's work)."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.urls import reverse

    from core.tasks import send_one_mail

    from .models import Reminder

    reminder = (Reminder.objects.select_related("action", "recipient")
                .filter(pk=reminder_id).first())
    if reminder is None or reminder.recipient is None or not reminder.recipient.is_active:
        return
    action, owner = reminder.action, reminder.recipient
    body = render_to_string(f"actionplan/email/reminder_{reminder.kind}.txt", {
        "action": action, "owner": owner, "today": timezone.localdate(),
        "url": settings.SITE_URL + reverse("staff:actionplan:action_update", args=[action.pk]),
        "service_name": settings.SERVICE_NAME,
    })
    subject = (f"Action {action.reference} is overdue" if reminder.kind == Reminder.Kind.OVERDUE
               else f"Action {action.reference} needs a progress update")
    send_one_mail(subject, body, [owner.email])


@transaction.atomic
def action_link_feedback(*, acting_user: User, action: Action, feedback) -> Action:
    """Record that a piece of feedback prompted this action ("you said").
    The view checks that the person may read the feedback and update the
    action; the audit holds references only."""
    action.feedback.add(feedback)
    progress.feedback_mark_linked([feedback.pk])
    for theme in feedback.themes.all():
        action.themes.add(theme)
    audit_record(actor=acting_user, verb=Verb.ACTION_FEEDBACK_LINKED, target=action,
                 summary=f"{action.reference}: {feedback.reference}",
                 data={"feedback": feedback.pk})
    return action


# --- Measures of impact -----------------------------------------------------------------

MEASURE_FIELDS = ("name", "description", "unit", "direction", "baseline_value", "baseline_date",
                  "owner", "frequency", "is_public", "source", "statement_lineage",
                  "survey_question")


def _measure_check(measure: Measure) -> None:
    errors = {}
    if measure.baseline_value is not None and measure.baseline_date is None:
        errors["baseline_date"] = ["Enter the date of the baseline"]
    if measure.baseline_date is not None and measure.baseline_value is None:
        errors["baseline_value"] = ["Enter the baseline value"]
    if measure.source == Measure.Source.CHARTER and measure.statement_lineage is None:
        errors["statement_lineage"] = ["Select the charter statement the measure follows"]
    if measure.source == Measure.Source.SURVEY and not measure.survey_question:
        errors["survey_question"] = ["Select the survey question the measure follows"]
    if errors:
        raise ValidationError(errors)


def _measure_targets_set(measure: Measure, targets: Iterable[tuple]) -> None:
    """Replace the measure's targets with these (value, date) pairs."""
    wanted = {day: value for value, day in targets if value is not None and day is not None}
    measure.targets.exclude(date__in=list(wanted)).delete()
    for day, value in wanted.items():
        MeasureTarget.objects.update_or_create(measure=measure, date=day,
                                               defaults={"value": value})


def _measure_follow_source(measure: Measure) -> None:
    """A family-reported measure takes its values from its source at once."""
    from . import family_sources

    if measure.source == Measure.Source.CHARTER:
        family_sources.refresh(measure.pk)
    elif measure.source == Measure.Source.SURVEY:
        measure_survey_refresh(measure=measure)


@transaction.atomic
def measure_create(*, acting_user: User | None, code: str, name: str,
                   action: Action | None = None, priority: Priority | None = None,
                   targets: Iterable[tuple] = (), **fields) -> Measure:
    """Add a measure to an action or a priority (one of the two), with its
    targets as (value, date) pairs. The code is kept in capitals, as CSV
    uploads name it. The caller checks permission
    (`actionplan.add_measure`); audited with ids only."""
    measure = Measure(code=code.strip().upper(), name=name.strip(), action=action,
                      priority=priority, **fields)
    _measure_check(measure)
    measure.full_clean()
    measure.save()
    _measure_targets_set(measure, targets)
    _measure_follow_source(measure)
    audit_record(actor=acting_user, verb=Verb.MEASURE_CREATED, target=measure,
                 summary=f"{measure.code}: {measure.name}"[:300])
    return measure


@transaction.atomic
def measure_edit(*, acting_user: User | None, measure: Measure, code: str, name: str,
                 targets: Iterable[tuple] = (), lock_version: int | None = None,
                 **fields) -> Measure:
    """Change a measure and its targets. Refused (EditConflict) when someone
    saved it after the page was shown."""
    measure = lock_for_edit(Measure.objects.all(), measure.pk, lock_version)
    changed = _changed(measure, {"code": code.strip().upper(), "name": name.strip(), **fields})
    _measure_check(measure)
    measure.full_clean()
    measure.save()
    _measure_targets_set(measure, targets)
    _measure_follow_source(measure)
    audit_record(actor=acting_user, verb=Verb.MEASURE_EDITED, target=measure,
                 summary=f"{measure.code}: {measure.name}"[:300], data={"changed": changed})
    return measure


@transaction.atomic
def measure_value_add(*, acting_user: User | None, measure: Measure, date: date,
                      value, note: str = "", provisional: bool = False) -> MeasureValue:
    """Record one dated value of a measure entered by staff. One value per
    date; the date is not in the future. The caller checks permission
    (`actionplan.add_measure_value`); audited with ids and the date only."""
    errors = {}
    if measure.is_family_reported:
        errors[NON_FIELD] = ["This measure takes its values from what families said"]
    if date > timezone.localdate():
        errors["date"] = ["The date must be today or in the past"]
    elif MeasureValue.objects.filter(measure=measure, date=date).exists():
        errors["date"] = [f"There is already a value for {date:%-d %B %Y}"]
    if errors:
        raise ValidationError(errors)
    item = MeasureValue(measure=measure, date=date, value=value, note=note.strip(),
                        provisional=provisional,
                        recorded_by=acting_user if getattr(acting_user, "is_authenticated",
                                                           False) else None)
    item.full_clean()
    item.save()
    audit_record(actor=acting_user, verb=Verb.MEASURE_VALUE_ADDED, target=measure,
                 summary=f"{measure.code} {date.isoformat()}", data={"value": item.pk})
    return item


NON_FIELD = "__all__"


@transaction.atomic
def measure_values_upload(*, acting_user: User, text: str, may_add) -> "object":
    """Save the good rows of a CSV of values (measure_csv.check, run again
    here on the same text, so what is saved is what was shown, checked
    against the database as it is now). Rows with problems are not saved;
    rows already recorded add nothing, so uploading the same file twice adds
    nothing. Returns the check. Audited with counts only."""
    from .measure_csv import check

    result = check(text, may_add=may_add, today=timezone.localdate())
    recorder = acting_user if getattr(acting_user, "is_authenticated", False) else None
    MeasureValue.objects.bulk_create(
        [MeasureValue(measure=row.measure, date=row.date, value=row.value, note=row.note,
                      recorded_by=recorder) for row in result.good],
        ignore_conflicts=True)  # a value saved by someone else meanwhile stays
    added: dict[int, list] = {}
    for row in result.good:
        added.setdefault(row.measure.pk, [row.measure, 0])[1] += 1
    for measure, n in added.values():
        audit_record(actor=acting_user, verb=Verb.MEASURE_VALUES_UPLOADED, target=measure,
                     summary=f"{measure.code}: {n} value{'s' if n != 1 else ''} uploaded",
                     data={"added": n})
    return result


@transaction.atomic
def measure_family_values_set(*, measure_id: int, values: Iterable[tuple]) -> int:
    """Replace a family-reported measure's values with these (date, percent
    who agree, how many answered) triples, from the app that owns the
    source (the charter's statement results, a survey's statistics). A group
    of fewer than SUPPRESSION_THRESHOLD answers is never stored: with three
    or four people, a percentage says how each of them answered. Safe to run
    twice. Returns how many values the measure now has."""
    measure = Measure.objects.select_for_update().get(pk=measure_id)
    kept = {day: (value, n) for day, value, n in values
            if n is not None and n >= SUPPRESSION_THRESHOLD and value is not None}
    current = {v.date: v for v in measure.values.all()}
    measure.values.exclude(date__in=list(kept)).delete()
    for day, (value, n) in kept.items():
        old = current.get(day)
        if old is None:
            MeasureValue.objects.create(measure=measure, date=day, value=value, responses=n)
        elif (old.value, old.responses) != (value, n):
            old.value, old.responses = value, n
            old.save(update_fields=["value", "responses"])
    audit_record(actor=None, verb=Verb.MEASURE_FAMILY_VALUES_SET, target=measure,
                 summary=measure.code, data={"values": len(kept)})
    return len(kept)


def measure_survey_refresh(*, measure: Measure) -> int:
    """Follow a survey question: each confirmed import with statistics for
    the question gives a value on the day the survey was received (the share
    who answered positively, with n)."""
    from feedback.models import SurveyStatistic

    stats = (SurveyStatistic.objects.filter(question=measure.survey_question,
                                            survey_import__state="imported")
             .select_related("survey_import"))
    values = [(s.survey_import.received_on, s.positive_percent, s.responses) for s in stats]
    return measure_family_values_set(measure_id=measure.pk, values=values)


def measures_refresh_for_survey(questions: list[str]) -> int:
    """A survey was imported (feedback.imports.after_import): measures that
    follow one of its questions take the new statistics. One query when none
    does. Returns how many measures were refreshed."""
    measures = list(Measure.objects.filter(source=Measure.Source.SURVEY,
                                           survey_question__in=questions))
    for measure in measures:
        measure_survey_refresh(measure=measure)
    return len(measures)


# Below this many answers a family-reported value is not shown (as charter's results).
SUPPRESSION_THRESHOLD = 5
