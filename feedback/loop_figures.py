"""The loop's figures, for `/`, every published report, the board dashboard
and the board pack: for feedback received in a period (and, for a report,
given to its organisation),

- the share answered (a published reply);
- the share linked to an action or with a published "we did";
- the median working days from the feedback to its first published "we
  did" (`Feedback.we_did_at`: a "Done" reply, a linked action completed, or
  a published report item answering it);
- the change-made rate: of the families who answered "Did it make a
  difference?", how many said yes.

A figure counted from fewer than SMALLEST_GROUP is not shown (it could point
at a family). Three queries whatever the volume, and no database-specific
SQL: counts are aggregates, and working days are counted in Python once per
distinct pair of dates (core.working_days), so SQLite and Postgres give the
same numbers.
"""

import statistics
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from core.working_days import working_days_between

from .models import DifferenceAnswer, Feedback

SMALLEST_GROUP = 5

# Survey answers are answered together in their survey's report, and "Was
# this page useful?" comments need no answer: neither is counted.
_NOT_INDIVIDUAL = Q(channel__in=[Feedback.Channel.SURVEY, Feedback.Channel.PAGE_USEFUL])


@dataclass(frozen=True)
class LoopFigures:
    since: date
    until: date
    received: int
    answered: int
    linked: int
    we_did: int
    median_working_days: int | None
    difference_answers: int
    difference_yes: int

    @staticmethod
    def _share(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole >= SMALLEST_GROUP else None

    @property
    def shown(self) -> bool:
        """Whether there is enough feedback to show any share."""
        return self.received >= SMALLEST_GROUP

    @property
    def answered_percent(self) -> int | None:
        return self._share(self.answered, self.received)

    @property
    def linked_percent(self) -> int | None:
        return self._share(self.linked, self.received)

    @property
    def median_shown(self) -> int | None:
        return self.median_working_days if self.we_did >= SMALLEST_GROUP else None

    @property
    def change_made_shown(self) -> bool:
        return self.difference_answers >= SMALLEST_GROUP

    @property
    def change_made_percent(self) -> int | None:
        return self._share(self.difference_yes, self.difference_answers)


def loop_figures(*, since: date, until: date, organisation_id: int | None = None) -> LoopFigures:
    """The figures for feedback received from `since` to `until` (both
    included), given to `organisation_id` when set. Three queries."""
    feedback = Feedback.objects.filter(received_on__gte=since, received_on__lte=until).exclude(
        _NOT_INDIVIDUAL).order_by()
    if organisation_id is not None:
        feedback = feedback.filter(organisation_id=organisation_id)
    totals = feedback.aggregate(
        received=Count("pk"),
        answered=Count("pk", filter=Q(responded_at__isnull=False)),
        linked=Count("pk", filter=Q(linked_at__isnull=False) | Q(we_did_at__isnull=False)))
    pairs = (feedback.filter(we_did_at__isnull=False)
             .annotate(we_did_on=TruncDate("we_did_at"))
             .values_list("received_on", "we_did_on").annotate(n=Count("pk")))
    days: list[int] = []
    for received_on, we_did_on, n in pairs:
        days.extend([working_days_between(received_on, max(we_did_on, received_on))] * n)
    answers = DifferenceAnswer.objects.filter(feedback__in=feedback).aggregate(
        total=Count("pk"), yes=Count("pk", filter=Q(answer=DifferenceAnswer.Answer.YES)))
    return LoopFigures(
        since=since, until=until, received=totals["received"], answered=totals["answered"],
        linked=totals["linked"], we_did=len(days),
        median_working_days=round(statistics.median(days)) if days else None,
        difference_answers=answers["total"], difference_yes=answers["yes"])
