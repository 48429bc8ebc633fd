from datetime import date

from core.working_days import add_working_days, is_working_day, working_days_between


def test_weekends_and_bank_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 12, 25))  # Christmas Day, a Friday
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day substitute, a Monday
    assert not is_working_day(date(2026, 5, 25))   # Spring bank holiday
    assert not is_working_day(date(2026, 11, 28))  # a Saturday
    assert is_working_day(date(2026, 11, 25))


def test_twenty_working_days_over_christmas():
    # From Mon 14 Dec 2026: 15-18 (4), 21-24 (4), 29-31 (3), 4-8 Jan (5), 11-14 (4) = 20
    assert add_working_days(date(2026, 12, 14), 20) == date(2027, 1, 14)


def test_working_days_between_counts_what_add_adds():
    start = date(2026, 3, 27)
    for n in (0, 1, 5, 20, 60):
        assert working_days_between(start, add_working_days(start, n)) == n
