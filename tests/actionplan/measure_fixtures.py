"""A measure with a baseline, a target and five dated values, worked out by
hand, beside a "lower is better" one and an internal one. Dates count from
today, so the target is always still to come."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from actionplan import services
from actionplan.models import Measure

# EHC plans issued within 20 weeks: 40% at the baseline (600 days ago), 70% by a
# target 130 days ahead (730 days after the baseline). A straight line from one to
# the other reaches 40 + 30 × 530 / 730 = 61.78% on the latest value's day (70 days
# ago, 530 days after the baseline): 63% is on course. It rose from 55%: moving the
# right way.
BASELINE_DAYS_AGO, TARGET_DAYS_AHEAD = 600, 130
EHCP_VALUES = [(520, "44"), (430, "47.5"), (340, "51"), (250, "55"), (70, "63")]
# Weeks waited for a speech and language assessment: lower is better, baseline 18,
# target 12. The latest, 21, is worse than the 19 before it (moving the wrong way)
# and worse than the line's 18 − 6 × 530 / 730 = 13.64 (not on course).
WAIT_VALUES = [(520, "18"), (430, "17"), (340, "16"), (250, "19"), (70, "21")]


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def measured(world):
    owner = world["people"]["owner"]
    today = timezone.localdate()
    baseline_day = days_ago(BASELINE_DAYS_AGO)
    target_day = today + timedelta(days=TARGET_DAYS_AHEAD)
    ehcp = services.measure_create(
        acting_user=owner, action=world["action"], code="ehcp20",
        name="EHC plans issued within 20 weeks", description="From the SEN2 return.",
        unit=Measure.Unit.PERCENT, direction=Measure.Direction.UP,
        baseline_value=Decimal("40"), baseline_date=baseline_day, owner=owner,
        frequency=Measure.Frequency.QUARTERLY, is_public=True,
        targets=[(Decimal("70"), target_day)])
    wait = services.measure_create(
        acting_user=owner, action=world["action"], code="WAIT-SALT",
        name="Weeks waiting for a speech and language assessment", unit=Measure.Unit.WEEKS,
        direction=Measure.Direction.DOWN, baseline_value=Decimal("18"),
        baseline_date=baseline_day, owner=owner, is_public=True,
        frequency=Measure.Frequency.QUARTERLY, targets=[(Decimal("12"), target_day)])
    internal = services.measure_create(
        acting_user=owner, action=world["action"], code="INT-COST",
        name="Agency spend on therapy cover", unit=Measure.Unit.NUMBER,
        direction=Measure.Direction.DOWN, is_public=False)
    for measure, values in ((ehcp, EHCP_VALUES), (wait, WAIT_VALUES)):
        for ago, value in values:
            services.measure_value_add(acting_user=owner, measure=measure, date=days_ago(ago),
                                       value=Decimal(value),
                                       note="INTERNAL NOTE: figures from the team",
                                       provisional=ago == 70)
    services.measure_value_add(acting_user=owner, measure=internal, date=days_ago(70),
                               value=Decimal("123456"))
    return {"ehcp": ehcp, "wait": wait, "internal": internal, "target_day": target_day,
            "baseline_day": baseline_day}
