"""The loop's figures (feedback/loop_figures.py) against a fixture worked out
by hand, their suppression under 5, their query count at two volumes, and
where they are shown (`/`, a report page, the board dashboard and pack).

March 2026 has no bank holiday (Good Friday is 3 April). Working days are
counted after the day the feedback came, up to and including the day of
the "we did" (core.working_days.working_days_between):

    ref  received     answered  linked  we did       working days  difference?
    F1   Mon 2 Mar    yes       yes     Mon 9 Mar     5            yes
    F2   Mon 2 Mar    yes       no      Fri 13 Mar    9            yes
    F3   Tue 3 Mar    yes       yes     -             -            -
    F4   Wed 4 Mar    yes       no      Wed 18 Mar   10            no
    F5   Thu 5 Mar    no        no      -             -            -
    F6   Fri 6 Mar    yes       no      Fri 6 Mar     0            partly
    F7   Mon 9 Mar    yes       no      Mon 16 Mar    5            yes
    S    Tue 10 Mar   (a survey answer: not counted)
    X    Tue 10 Mar   yes, given to another organisation
    L    Wed 1 Apr    yes (after the period)

For the council: 7 received; 6 answered (86%); 6 linked or with a "we
did" (86%: F5 has neither); "we did" for 5, in [0, 5, 5, 9, 10] working
days: median 5; 5 answers, 3 yes (60%). For every organisation: 8 received
(X too), 7 answered (88%), 6 linked (75%).
"""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Role
from feedback.loop_figures import loop_figures
from feedback.models import DifferenceAnswer, Feedback
from tests.core.factories import OrganisationFactory, staff_user
from tests.feedback.factories import FeedbackFactory

pytestmark = pytest.mark.django_db

MARCH = {"since": date(2026, 3, 1), "until": date(2026, 3, 31)}


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


def _row(org, received, *, answered=True, linked=False, we_did=None, answer=None, **extra):
    feedback = FeedbackFactory(
        organisation=org, received_on=received,
        responded_at=_at(received) if answered else None,
        linked_at=_at(received) if linked else None,
        we_did_at=_at(we_did) if we_did else None, **extra)
    if answer:
        DifferenceAnswer.objects.create(feedback=feedback, answer=answer)
    return feedback


@pytest.fixture
def council():
    org = OrganisationFactory(name="Gloucestershire County Council")
    d = date
    _row(org, d(2026, 3, 2), linked=True, we_did=d(2026, 3, 9), answer="yes")
    _row(org, d(2026, 3, 2), we_did=d(2026, 3, 13), answer="yes")
    _row(org, d(2026, 3, 3), linked=True)
    _row(org, d(2026, 3, 4), we_did=d(2026, 3, 18), answer="no")
    _row(org, d(2026, 3, 5), answered=False)
    _row(org, d(2026, 3, 6), we_did=d(2026, 3, 6), answer="partly")
    _row(org, d(2026, 3, 9), we_did=d(2026, 3, 16), answer="yes")
    _row(org, d(2026, 3, 10), channel=Feedback.Channel.SURVEY, we_did=d(2026, 3, 11),
         answer="no")
    _row(OrganisationFactory(name="Elsewhere Trust"), d(2026, 3, 10))
    _row(org, d(2026, 4, 1), we_did=d(2026, 4, 2), answer="no")
    return org


def test_the_figures_match_the_hand_worked_fixture(council):
    figures = loop_figures(**MARCH, organisation_id=council.pk)
    assert (figures.received, figures.answered, figures.linked) == (7, 6, 6)
    assert (figures.answered_percent, figures.linked_percent) == (86, 86)
    assert (figures.we_did, figures.median_shown) == (5, 5)
    assert (figures.difference_answers, figures.difference_yes) == (5, 3)
    assert figures.change_made_shown and figures.change_made_percent == 60
    everyone = loop_figures(**MARCH)
    assert (everyone.received, everyone.answered, everyone.linked) == (8, 7, 6)
    assert (everyone.answered_percent, everyone.linked_percent) == (88, 75)


def test_groups_under_five_are_suppressed(council):
    DifferenceAnswer.objects.filter(answer="partly").delete()
    figures = loop_figures(**MARCH, organisation_id=council.pk)
    assert figures.difference_answers == 4 and not figures.change_made_shown
    assert figures.change_made_percent is None
    Feedback.objects.filter(we_did_at__date=date(2026, 3, 6)).update(we_did_at=None)
    figures = loop_figures(**MARCH, organisation_id=council.pk)
    assert figures.we_did == 4 and figures.median_shown is None
    small = loop_figures(since=date(2026, 3, 2), until=date(2026, 3, 3),
                         organisation_id=council.pk)
    assert small.received == 3 and not small.shown and small.answered_percent is None


def test_three_queries_at_two_volumes(council, django_assert_num_queries):
    with django_assert_num_queries(3):
        loop_figures(**MARCH, organisation_id=council.pk)
    for n in range(60):
        day = date(2026, 3, 2 + n % 20)
        _row(council, day, we_did=date(2026, 3, 25), answer=["yes", "no", "partly"][n % 3])
    with django_assert_num_queries(3):
        figures = loop_figures(**MARCH, organisation_id=council.pk)
    assert figures.received == 67 and figures.difference_answers == 65


def test_the_figures_are_on_the_home_page_a_report_the_dashboard_and_the_board_pack(
        client, council):
    from django.core.cache import cache

    from actionplan.selectors import board_pack_context
    from reports.selectors import HOME_FIGURES_KEY
    from tests.actionplan.factories import MeetingFactory
    from tests.reports.factories import published_report

    # Twelve months back from today: move the fixture to this year.
    today = timezone.localdate()
    for feedback in Feedback.objects.all():
        Feedback.objects.filter(pk=feedback.pk).update(received_on=today)
    cache.delete(HOME_FIGURES_KEY)
    home = client.get("/").content.decode()
    assert "What feedback led to" in home
    assert "3 of 6 families who answered said it made a difference" in home

    officer, approver = staff_user(Role.OFFICER, council), staff_user(Role.APPROVER, council)
    report = published_report(org=council, author=officer, approver=approver, items=1)
    page = client.get(reverse("reports:detail", args=[report.slug])).content.decode()
    assert "What feedback in this period led to" in page

    client.force_login(staff_user(Role.BOARD_MEMBER, council))
    dashboard = client.get(reverse("staff:actionplan:dashboard")).content.decode()
    assert "families who answered said it made a difference" in dashboard
    context = board_pack_context(meeting_id=MeetingFactory().pk, today=today)
    assert context["loop"].difference_yes == 3
