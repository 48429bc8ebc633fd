"""What a family's requests cost, pinned: the form's POST (issue #11, "County
scale": every submission stored, none queued behind another's commit) and
the family's own pages (the private link, a reference typed in).

Query counts are pinned and shown not to grow with the feedback stored, the
timeline's length or the replies; the reference counter is shown not to be
held while a submission is stored, and what that costs (gaps) is shown too."""

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, Role
from feedback import selectors, services
from feedback.models import Feedback, ReferenceCounter, StatusChange, text_search_vector
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, staff_user
from tests.feedback.factories import FeedbackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    OrganisationFactory(name="Testshire County Council")
    return ServiceAreaFactory(name="Local Offer")


def _post(area, **extra):
    return {"service_areas": [area.pk], "what_went_well": "The escort knew my son's needs.",
            "even_better_if": "Tell us sooner when the route changes.",
            "respondent": "parent_carer", "consent_to_quote": "no", "wants_contact": "no",
            **extra}


# --- The form's POST ----------------------------------------------------------------------

# The service areas chosen (the form's check), the routing table's routes for
# them (with their organisation), the answering organisation when no route
# covers them (here), the reference (one statement, its own transaction), then one transaction:
# the feedback (indexed for search in the same INSERT), its service areas,
# its first status and its audit event. Under the test's own transaction the
# service's block is a savepoint (2 statements); live it is BEGIN and COMMIT.
POST_QUERIES = 10


def test_the_form_post_query_count_is_pinned_and_constant(client, area,
                                                          django_assert_num_queries):
    with django_assert_num_queries(POST_QUERIES):
        response = client.post(reverse("feedback:give"), _post(area))
    assert response.status_code == 302
    FeedbackFactory.create_batch(30)
    with django_assert_num_queries(POST_QUERIES):
        assert client.post(reverse("feedback:give"), _post(area)).status_code == 302
    assert Feedback.objects.count() == 32  # both stored


def test_an_acknowledgement_adds_only_its_own_rows(client, area, django_assert_num_queries):
    """With an e-mail address: the owed e-mail and its job (core.jobs.enqueue
    inserts it under a savepoint), in the same transaction."""
    with django_assert_num_queries(POST_QUERIES + 4) as captured:
        client.post(reverse("feedback:give"), _post(
            area, wants_contact="yes", contact_name="Jo", contact_email="jo@example.com"))
    assert Feedback.objects.get().notifications.count() == 1
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "jo@example.com" not in sql.split("INSERT INTO \"feedback_feedback\"")[0]


@pytest.mark.postgres
def test_a_submission_is_indexed_for_search_by_its_own_insert(area):
    feedback = services.feedback_submit(what_went_well="The hydrotherapy pool reopened.",
                                        even_better_if="Earlier sessions, please.")
    stored = Feedback.objects.annotate(expected=text_search_vector()).get(pk=feedback.pk)
    assert stored.search_vector == stored.expected
    assert Feedback.objects.filter(search_vector="hydrotherapy").get() == feedback
    # The instance does not carry the vector: saving it again keeps the stored one.
    assert "search_vector" in feedback.get_deferred_fields()
    feedback.save()
    assert Feedback.objects.filter(search_vector="hydrotherapy").exists()


# --- References: unique, never held while a submission is stored, gaps explained --------

def _other_connection():
    from tests.conftest import _database_url_for_worker

    return psycopg.connect(_database_url_for_worker(), autocommit=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_reference_counter_is_free_while_a_submission_is_stored(monkeypatch, area):
    """As a public request runs (no transaction around the service), another
    submission could take its number while this one is still being stored:
    the counter row is not locked until this one commits."""
    year = timezone.localdate().year
    seen = []
    real_audit = services.audit_record

    def audit_and_look(**kwargs):
        with _other_connection() as other:
            other.execute("SET lock_timeout = '1s'")
            seen.append(other.execute(
                "UPDATE feedback_referencecounter SET last = last + 1 WHERE year = %s "
                "RETURNING last", [year]).fetchone()[0])
        return real_audit(**kwargs)

    monkeypatch.setattr(services, "audit_record", audit_and_look)
    first = services.feedback_submit(what_went_well="First.")
    second = services.feedback_submit(what_went_well="Second.")
    assert seen == [2, 4]  # the other connection took 2 and 4 while 1 and 3 were stored
    assert (first.reference, second.reference) == (f"FB-{year}-00001", f"FB-{year}-00003")


@pytest.mark.django_db(transaction=True)
def test_a_failed_store_keeps_nothing_and_leaves_a_gap(monkeypatch, area):
    """The reference is committed before the feedback's transaction: if
    storing fails, nothing of the feedback is kept (no row, no status, no
    audit event), and its number is never given out again."""
    year = timezone.localdate().year

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        services.feedback_submit(what_went_well="Lost?")
    assert not Feedback.objects.exists() and not StatusChange.objects.exists()
    assert not AuditEvent.objects.filter(verb="feedback.received").exists()
    assert ReferenceCounter.objects.get(year=year).last == 1  # spent
    monkeypatch.undo()
    assert services.feedback_submit(what_went_well="Kept.").reference == f"FB-{year}-00002"


@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_a_rolled_back_submission_leaves_no_gap(area):
    year = timezone.localdate().year
    with pytest.raises(RuntimeError), transaction.atomic():
        services.feedback_submit(what_went_well="Logged, then undone.")
        raise RuntimeError("the caller changed its mind")
    assert not ReferenceCounter.objects.filter(year=year, last__gt=0).exists()
    assert services.feedback_submit(what_went_well="Kept.").reference == f"FB-{year}-00001"


def test_blocks_of_references_follow_on_from_single_ones(area):
    year = 2031
    assert services.allocate_references(year) == ["FB-2031-00001"]
    assert services.allocate_references(year, 3) == ["FB-2031-00002", "FB-2031-00003",
                                                     "FB-2031-00004"]
    assert services.take_reference(year) == "FB-2031-00005"


# --- The family's own pages ---------------------------------------------------------------

def _replied(rounds=1):
    """Feedback answered `rounds` times: each round a published reply, and
    between rounds closed and reopened (so the timeline grows too)."""
    officer = staff_user(Role.OFFICER)
    feedback = FeedbackFactory(organisation=officer.memberships.get().organisation,
                               wants_contact=True, contact_name="Jo Bloggs",
                               contact_email="jo@example.com")
    token = feedback.tracking_token
    for i in range(rounds):
        if i:
            services.feedback_change_status(acting_user=officer, status="closed",
                                            feedback=Feedback.objects.get(pk=feedback.pk))
            services.feedback_reopen(acting_user=officer, reason="More to do.",
                                     feedback=Feedback.objects.get(pk=feedback.pk))
        services.reply_create(acting_user=officer, feedback=Feedback.objects.get(pk=feedback.pk),
                              outcome="in_progress" if i == 0 else "done",
                              text=f"Reply number {i + 1}.")
    return feedback, token


# The feedback with its timeline and replies (one query), then "What
# happened as a result": its linked actions, and the report items answering
# it (one query each, registered by actionplan and reports).
PRIVATE_PAGE_QUERIES = 3


def test_the_private_link_page_is_one_query_however_long_its_history(
        client, django_assert_num_queries):
    feedback, token = _replied()
    url = reverse("feedback:track-token", args=[token])
    with django_assert_num_queries(PRIVATE_PAGE_QUERIES):
        page = client.get(url).content.decode()
    assert "Reply number 1." in page and "In progress" in page
    longer, longer_token = _replied(rounds=3)
    with django_assert_num_queries(PRIVATE_PAGE_QUERIES):
        page = client.get(reverse("feedback:track-token", args=[longer_token])).content.decode()
    # Every reply once, in the order published; every step of the timeline once.
    assert [page.index(f"Reply number {i}.") for i in (1, 2, 3)] == sorted(
        page.index(f"Reply number {i}.") for i in (1, 2, 3))
    assert page.count("Reply number") == 3
    steps = StatusChange.objects.filter(feedback=longer).count()
    timeline = page[page.index("Where it has got to"):]
    assert timeline.count("<li>") == steps
    assert client.get(reverse("feedback:track-token", args=["guess" * 8])).status_code == 404


def test_the_private_link_page_reads_neither_the_words_nor_the_contact_details(client):
    feedback, token = _replied()
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("feedback:track-token", args=[token])).content.decode()
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    for column in ("what_went_well", "even_better_if", "contact_name", "contact_phone",
                   "search_vector", "tracking_digest\" AS"):
        assert column not in sql
    assert "Jo Bloggs" not in page and "jo@example.com" not in page
    assert feedback.even_better_if not in page


def test_the_confirmation_page_still_says_the_reference_was_e_mailed(client, area):
    response = client.post(reverse("feedback:give"), _post(
        area, wants_contact="yes", contact_name="Jo", contact_email="jo@example.com"))
    page = client.get(response["Location"]).content.decode()
    assert "We have sent your reference to your e-mail address." in page
    assert "jo@example.com" not in page
    client.cookies.clear()
    response = client.post(reverse("feedback:give"), _post(area))
    assert "We have sent your reference" not in client.get(response["Location"]).content.decode()


def test_a_reference_typed_in_is_one_query_and_shows_no_reply(client, django_assert_num_queries):
    feedback, _ = _replied(rounds=2)
    with django_assert_num_queries(1):
        response = client.post(reverse("feedback:track"), {"reference": feedback.reference})
    page = response.content.decode()
    assert response.status_code == 200 and "Responded" in page and "Reply number" not in page


def test_the_selector_gives_the_steps_and_published_replies_only():
    feedback, token = _replied(rounds=2)
    tracked = selectors.feedback_for_token(token)
    assert tracked.pk == feedback.pk and tracked.has_email and tracked.wants_contact
    assert [r.text for r in tracked.replies] == ["Reply number 1.", "Reply number 2."]
    assert [r.outcome_label for r in tracked.replies] == ["In progress", "Done"]
    assert [s.label for s in tracked.timeline] == ["Responded", "Closed", "In review",
                                                   "Responded"]
    assert selectors.feedback_for_token("") is None
    assert selectors.feedback_for_token("x" * 65) is None
