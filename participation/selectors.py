"""What the participation pages read.

The representation view compares who takes part (the anonymous `AboutYou`
answers of the last 12 months) with the make-up of the area's children and
young people with SEND (`AreaFigure`, entered from published figures).
Small groups are suppressed: a group of 1 to 4 people who took part is shown
as "fewer than 5", without a percentage; and where only one group of a
question would be suppressed, the next smallest is suppressed too, so the
hidden number cannot be worked out from the total; a question fewer than 5
people answered shows no numbers at all.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from .forms import dimension_values
from .models import AboutYou, AreaFigure, Dimension, Invitation, Opportunity, RegisterEntry

SUPPRESS_BELOW = 5


@dataclass
class Row:
    label: str
    taking_part: int | None  # None: suppressed
    taking_part_percent: int | None
    area_count: int | None
    area_percent: int | None

    @property
    def gap(self) -> int | None:
        """Percentage points taking part minus the area's share."""
        if self.taking_part_percent is None or self.area_percent is None:
            return None
        return self.taking_part_percent - self.area_percent


@dataclass
class Comparison:
    dimension: str
    label: str
    rows: list[Row]
    answered: int | None  # None: fewer than SUPPRESS_BELOW, not shown
    source: str


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def twelve_months_ago(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return today.replace(year=today.year - 1, day=1)


def representation(*, since: date | None = None) -> list[Comparison]:
    """One comparison per dimension. Four queries whatever the volume."""
    since = since or twelve_months_ago()
    about = AboutYou.objects.filter(month__gte=since)
    figures = {}
    sources = {}
    for figure in AreaFigure.objects.all():
        figures.setdefault(figure.dimension, {})[figure.value] = figure.count
        sources[figure.dimension] = figure.source
    comparisons = []
    for dimension, label in Dimension.choices:
        counts = dict(about.exclude(**{dimension: ""}).values_list(dimension)
                      .annotate(n=Count("pk")).order_by())
        answered = sum(counts.values())
        area = figures.get(dimension, {})
        area_total = sum(area.values())
        values = dimension_values(dimension)
        small = [v for v, _ in values if 0 < counts.get(v, 0) < SUPPRESS_BELOW]
        if answered < SUPPRESS_BELOW:  # too few altogether: the total would tell
            small = [v for v, _ in values if counts.get(v, 0)]
        elif len(small) == 1:  # secondary suppression: the next smallest group too
            others = sorted((counts.get(v, 0), i, v) for i, (v, _) in enumerate(values)
                            if v not in small and counts.get(v, 0) > 0)
            if others:
                small.append(others[0][2])
        rows = []
        for value, value_label in values:
            n = counts.get(value, 0)
            hidden = value in small
            rows.append(Row(
                label=value_label,
                taking_part=None if hidden else n,
                taking_part_percent=None if hidden else _percent(n, answered),
                area_count=area.get(value),
                area_percent=_percent(area[value], area_total) if value in area else None))
        comparisons.append(Comparison(
            dimension=dimension, label=label, rows=rows, source=sources.get(dimension, ""),
            answered=None if 0 < answered < SUPPRESS_BELOW else answered))
    return comparisons


def staff_opportunities(organisation_ids):
    return (Opportunity.objects.filter(organisation_id__in=organisation_ids)
            .select_related("organisation")
            .annotate(interest_count=Count("interests", distinct=True),
                      invited_count=Count("invitations", distinct=True),
                      yes_count=Count("invitations", distinct=True,
                                      filter=Q(invitations__answer=Invitation.Answer.YES)))
            .order_by("-closes_on", "pk"))


def register_entries(organisation_ids):
    return (RegisterEntry.objects.filter(organisation_id__in=organisation_ids)
            .annotate(invitation_count=Count("invitations")).order_by("name", "pk"))


def entries_to_invite(opportunity: Opportunity, organisation_ids) -> list[RegisterEntry]:
    """Register members who asked about the opportunity's topic or kind and
    are not invited yet. JSON lists are matched in Python (SQLite too)."""
    invited = set(opportunity.invitations.values_list("entry_id", flat=True))
    return [e for e in RegisterEntry.objects.filter(organisation_id__in=organisation_ids)
            .exclude(pk__in=invited).order_by("name", "pk")
            if opportunity.topic in e.topics or opportunity.kind in e.kinds]
