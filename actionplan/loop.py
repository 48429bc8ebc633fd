"""The action plan's part in closing the loop (feedback/progress.py): what a
family's private page shows of the actions linked to their feedback, news
for families who asked to hear when a linked action moves, and whether a
linked action is still open (contact details kept for progress).

Registered with feedback.progress in `ActionplanConfig.ready()`, so that
feedback, which sits below this app, never imports it."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from feedback import progress
from feedback.models import ProgressMessage, ProgressNews

from .models import CLOSED_STATUSES, Action, ProgressUpdate, Status


@dataclass(frozen=True)
class FamilyAction:
    """An action as the public sees it: nothing of staff's narrative."""

    reference: str
    title: str
    lead: str
    status: str
    status_label: str
    latest_news: str
    due_date: date | None
    plan_url: str

    @property
    def is_complete(self) -> bool:
        return self.status == Status.COMPLETE


def _public() -> Q:
    return Q(is_public=True, priority__plan__is_published=True)


def actions_for_family(feedback_pk: int) -> list[FamilyAction]:
    """Public actions linked to the feedback, with their latest public
    narrative: one query, however many updates each has."""
    latest_public = (ProgressUpdate.objects.filter(action=OuterRef("pk"))
                     .exclude(public_narrative="").order_by("-date", "-id")
                     .values("public_narrative")[:1])
    rows = (Action.objects.filter(_public(), feedback=feedback_pk)
            .annotate(latest_news=Subquery(latest_public))
            .values_list("reference", "title", "lead_organisation__name", "current_status",
                         "latest_news", "due_date", "priority__plan__slug")
            .order_by("due_date", "pk"))
    labels = dict(Status.choices)
    return [FamilyAction(ref, title, lead, status, labels.get(status, status), news or "",
                         due, reverse("actionplan:plan", args=[slug]))
            for ref, title, lead, status, news, due, slug in rows]


def action_states(feedback_ids: list[int]) -> dict[int, tuple[bool, datetime | None]]:
    """For the retention run: {feedback: (a linked action is open, when the
    last linked action ended)}, one query. An action ended on the date of
    its latest update (when it was completed or cancelled)."""
    through = Action.feedback.through
    rows = (through.objects.filter(feedback_id__in=feedback_ids)
            .values("feedback_id")
            .annotate(any_open=Exists(Action.objects.filter(
                          feedback=OuterRef("feedback_id")).exclude(
                          current_status__in=CLOSED_STATUSES)),
                      ended=Max("action__last_update_on"))
            .values_list("feedback_id", "any_open", "ended"))
    result = {}
    for pk, any_open, ended in rows:
        ended_at = timezone.make_aware(datetime.combine(ended, time.min)) if ended else None
        result[pk] = (bool(any_open), ended_at)
    return result


def news_for_status_change(action: Action, *, before: str) -> None:
    """In `action_update_progress`'s transaction: a public action whose
    status changed is news for the families who asked to hear about the
    feedback linked to it; completing it is also their "we did"."""
    if action.current_status == before:
        return
    feedback_ids = list(Action.feedback.through.objects.filter(action_id=action.pk)
                        .values_list("feedback_id", flat=True))
    if not feedback_ids:
        return
    if action.current_status == Status.COMPLETE:
        progress.feedback_mark_we_did(feedback_ids)
    if not (action.is_public and action.priority.plan.is_published):
        return
    complete = action.current_status == Status.COMPLETE
    label = "is complete" if complete else (
        f"is now: {Status(action.current_status).label}")
    text = f"{action.reference} {action.title}".strip() + f" ({action.lead_organisation.name}) {label}"
    progress.progress_news_record(
        feedback_ids=feedback_ids, subject_id=action.pk, text=text,
        kind=ProgressNews.Kind.ACTION_COMPLETE if complete else ProgressNews.Kind.ACTION_STATUS)


@dataclass(frozen=True)
class Waiting:
    """For the action's staff page: who is waiting to hear (references
    only) and what they were last told about it."""

    references: list[str]
    last_told: str
    last_told_at: datetime | None


def families_waiting(action: Action) -> Waiting:
    """Two queries: the references of linked feedback whose families asked
    to hear about progress, and the last news about this action sent."""
    references = list(action.feedback.filter(wants_progress=True,
                                             contact_details_erased_at__isnull=True)
                      .order_by("reference").values_list("reference", flat=True))
    last = (ProgressNews.objects.filter(
        kind__in=[ProgressNews.Kind.ACTION_STATUS, ProgressNews.Kind.ACTION_COMPLETE],
        subject_id=action.pk, message__state=ProgressMessage.State.SENT)
        .order_by("-message__sent_at", "-id").values_list("text", "message__sent_at").first())
    return Waiting(references, *(last or ("", None)))


def register() -> None:
    progress.register_outcomes("actions", actions_for_family)
    progress.register_action_states(action_states)
