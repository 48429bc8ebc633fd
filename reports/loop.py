"""Reports' part in closing the loop (feedback/progress.py): the published
report items that answer a family's feedback, on their private page, and
news for families who asked to hear when such a report is published.

An item answers feedback through an action linked to both, or through its
theme, when the feedback has that theme and came to the report's
organisation within the report's period."""

from dataclasses import dataclass

from django.db.models import Q, Subquery

from feedback import progress
from feedback.models import Feedback, ProgressNews

from .models import Report, ReportItem


@dataclass(frozen=True)
class FamilyReportItem:
    report_title: str
    period: str
    heading: str
    we_did: str
    outcome: str
    outcome_label: str
    url: str
    outcome_tag_class: str = ""


def report_items_for_family(feedback_pk: int) -> list[FamilyReportItem]:
    """Items of published reports answering the feedback: one query."""
    # Subqueries that do not depend on the item, so each runs once (as
    # correlated EXISTS they ran once for every published item: 9 ms at
    # county volume, against under 1 ms).
    by_action = Q(pk__in=ReportItem.actions.through.objects.filter(
        action__feedback=feedback_pk).values("reportitem_id"))
    feedback = Feedback.objects.filter(pk=feedback_pk).order_by()  # one row: no sort
    received_on = Subquery(feedback.values("received_on")[:1])
    by_theme = Q(theme_id__in=Feedback.themes.through.objects.filter(
                     feedback_id=feedback_pk).values("theme_id"),
                 report__organisation_id=Subquery(feedback.values("organisation_id")[:1]),
                 report__period_start__lte=received_on, report__period_end__gte=received_on)
    items = (ReportItem.objects.filter(report__status=Report.Status.PUBLISHED)
             .filter(by_action | by_theme)
             .select_related("report", "topic")
             .only("pk", "heading", "we_did", "outcome", "topic__title", "report__slug",
                   "report__version", "report__title", "report__period_kind",
                   "report__period_start", "report__period_end")
             .order_by("-report__published_at", "report__pk", "topic__position", "position",
                       "pk"))
    return [FamilyReportItem(item.report.title, item.report.period_description,
                             item.heading or item.topic.title, item.we_did, item.outcome,
                             item.get_outcome_display(),
                             f"{item.report.get_absolute_url()}#item-{item.pk}",
                             item.outcome_tag_class)
            for item in items]


def answered_by(report: Report) -> Q:
    """The feedback that the report's items answer, as a condition."""
    where = Q(pk__in=[])
    for item in report.items.all():
        where |= Q(actions__report_items=item.pk)
        if item.theme_id:
            where |= Q(themes=item.theme_id, organisation_id=report.organisation_id,
                       received_on__gte=report.period_start,
                       received_on__lte=report.period_end)
    return where


def news_for_publication(report: Report) -> None:
    """In `report_publish`'s transaction: the feedback its items answer has
    a published "we did" (where an item says "done"), and the families who
    asked to hear about it are owed news of the report."""
    done = Q(pk__in=[])
    for item in report.items.filter(outcome=ReportItem.Outcome.DONE):
        done |= Q(actions__report_items=item.pk)
        if item.theme_id:
            done |= Q(themes=item.theme_id, organisation_id=report.organisation_id,
                      received_on__gte=report.period_start, received_on__lte=report.period_end)
    progress.feedback_mark_we_did(done, at=report.published_at)
    progress.progress_news_record(
        feedback_ids=answered_by(report), kind=ProgressNews.Kind.REPORT_PUBLISHED,
        subject_id=report.pk, text=publication_news(report))


def publication_news(report: Report) -> str:
    """What a family is told of a report answering their feedback (public words)."""
    return (f"We published a “You said, we did” report that answers it: {report.title} "
            f"({report.period_description})")


def register() -> None:
    progress.register_outcomes("report_items", report_items_for_family)
