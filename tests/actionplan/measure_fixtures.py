"""A measure with a baseline, a target and five dated values, worked out by
hand, beside an internal measure and a "lower is better" one."""

from datetime import date
from decimal import Decimal

import pytest

from actionplan import services
from actionplan.models import Measure

# EHC plans issued within 20 weeks: 40% at the baseline (31 March 2025), 70% by
# 31 March 2027. A straight line from the one to the other reaches 58.1% on
# 30 September 2026 (548 of 730 days: 40 + 30 × 548 / 730 = 62.5 — see below).
EHCP_VALUES = [(date(2025, 6, 30), "44"), (date(2025, 9, 30), "47.5"),
               (date(2025, 12, 31), "51"), (date(2026, 3, 31), "55"),
               (date(2026, 9, 30), "63")]
# Weeks waited for a speech and language assessment: lower is better, and it rose.
WAIT_VALUES = [(date(2025, 6, 30), "18"), (date(2025, 9, 30), "17"),
               (date(2025, 12, 31), "16"), (date(2026, 3, 31), "19"),
               (date(2026, 9, 30), "21")]


@pytest.fixture
def measured(world):
    owner = world["people"]["owner"]
    ehcp = services.measure_create(
        acting_user=owner, action=world["action"], code="ehcp20",
        name="EHC plans issued within 20 weeks", description="From the SEN2 return.",
        unit=Measure.Unit.PERCENT, direction=Measure.Direction.UP,
        baseline_value=Decimal("40"), baseline_date=date(2025, 3, 31), owner=owner,
        frequency=Measure.Frequency.QUARTERLY, is_public=True,
        targets=[(Decimal("70"), date(2027, 3, 31))])
    wait = services.measure_create(
        acting_user=owner, action=world["action"], code="WAIT-SALT",
        name="Weeks waiting for a speech and language assessment", unit=Measure.Unit.WEEKS,
        direction=Measure.Direction.DOWN, baseline_value=Decimal("18"),
        baseline_date=date(2025, 3, 31), owner=owner, is_public=True,
        frequency=Measure.Frequency.QUARTERLY, targets=[(Decimal("12"), date(2027, 3, 31))])
    internal = services.measure_create(
        acting_user=owner, action=world["action"], code="INT-COST",
        name="Agency spend on therapy cover", unit=Measure.Unit.NUMBER,
        direction=Measure.Direction.DOWN, is_public=False)
    for measure, values in ((ehcp, EHCP_VALUES), (wait, WAIT_VALUES)):
        for day, value in values:
            services.measure_value_add(acting_user=owner, measure=measure, date=day,
                                       value=Decimal(value),
                                       note="INTERNAL NOTE: figures from the team",
                                       provisional=day == date(2026, 9, 30))
    services.measure_value_add(acting_user=owner, measure=internal, date=date(2026, 9, 30),
                               value=Decimal("123456"))
    return {"ehcp": ehcp, "wait": wait, "internal": internal}
