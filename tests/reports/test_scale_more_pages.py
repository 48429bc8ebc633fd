"""County scale, the pages tests/reports/test_scale.py does not cover: the
same number of queries at a volume and at ten times it for a report page,
the feedback form, a family's tracking page, the charter, the Atom feed
and the filtered inbox."""

import pytest

from core.models import User
from feedback.models import Feedback
from reports import volume
from reports.models import Report
from tests.reports.test_scale import TEN_TIMES, TINY, demo_people  # noqa: F401

pytestmark = pytest.mark.django_db


def _report():
    report = Report.objects.filter(status=Report.Status.PUBLISHED).order_by("pk").first()
    return f"/reports/{report.slug}/"


def _tracking():
    # Only a token's digest is stored: give the first feedback one we know.
    feedback = Feedback.objects.order_by("pk").first()
    feedback.tracking_token = "scale-test-" + "t" * 32
    feedback.save(update_fields=["tracking_digest"])
    return f"/feedback/track/{feedback.tracking_token}/"


def _filtered_inbox():
    # Any status, a theme and a channel that some of the officer's feedback has
    # (a page of rows at both volumes, as in bench/http.py).
    officer = User.objects.get(email="officer@demo.example")
    org = officer.memberships.values_list("organisation", flat=True).first()
    item = Feedback.objects.filter(organisation=org).exclude(themes=None).order_by("pk").first()
    return (f"/staff/feedback/?status=&theme={item.themes.order_by('pk').first().pk}"
            f"&channel={item.channel}")


PAGES = [
    ("report page", None, _report),
    ("feedback form", None, lambda: "/feedback/give/"),
    ("tracking page", None, _tracking),
    ("charter", None, lambda: "/charter/"),
    ("feed", None, lambda: "/reports/feed/"),
    ("filtered inbox", "officer", _filtered_inbox),
]
# A report page: the report and its versions (its items from the fragment
# cache); the form: its choices (its HTML from the cache); the tracking page:
# the feedback with its status changes and published reply, in one query.
# The report page's loop figures (three queries); the private page's actions
# and report items answering it (one query each). The filtered inbox reads the
# session from its cached copy, not a query.
EXPECTED = {"report page": 5, "feedback form": 2, "tracking page": 3, "charter": 1,
            "feed": 1, "filtered inbox": 11}


@pytest.mark.postgres
@pytest.mark.parametrize("name,who,path", PAGES, ids=[p[0] for p in PAGES])
def test_query_count_does_not_grow_with_the_volume(client, demo_people, name, who,  # noqa: F811
                                                   path, django_assert_num_queries):
    if who:
        client.force_login(demo_people[who])
    volume.seed(TINY, seed=1)
    address = path()
    for scale in (None, TEN_TIMES):
        if scale:
            volume.seed(scale, seed=2)
            assert Feedback.objects.count() >= 660
        assert client.get(address).status_code == 200  # fragments and forms cached, as usual
        with django_assert_num_queries(EXPECTED[name]):
            assert client.get(address).status_code == 200
