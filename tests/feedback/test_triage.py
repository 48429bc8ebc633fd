"""Triage at volume: searching what families wrote, excerpts in the inbox,
reopening closed feedback with a reason, and the CSV export."""

import csv
import importlib
import io

import pytest
from django.apps import apps
from django.db import connection
from django.http import StreamingHttpResponse
from django.urls import reverse

from core.audit import Verb
from core.models import AuditEvent, Role
from feedback import services
from feedback.models import Feedback
from feedback.subject import Subject, subject_erase
from tests.core.factories import OrganisationFactory, ThemeFactory, UserFactory, staff_user
from tests.feedback.factories import FeedbackFactory

pytestmark = pytest.mark.django_db

INBOX = "staff:feedback:inbox"


@pytest.fixture
def org():
    return OrganisationFactory(name="Testshire County Council")


@pytest.fixture
def officer(org):
    return staff_user(Role.OFFICER, org)


def _refs(client, query: str) -> set[str]:
    html = client.get(reverse(INBOX) + query).content.decode()
    return {f.reference for f in Feedback.objects.all() if f.reference in html}


# --- Search ------------------------------------------------------------------------------


def test_search_finds_the_words_families_wrote(client, org, officer):
    client.force_login(officer)
    transport = FeedbackFactory(organisation=org, even_better_if="The school transport was late.")
    praise = FeedbackFactory(organisation=org, what_went_well="Lovely speech therapists",
                             even_better_if="")
    FeedbackFactory(organisation=org, even_better_if="Nothing to add.")
    assert _refs(client, "?q=transport") == {transport.reference}
    assert _refs(client, "?q=therapist") == {praise.reference}  # stemmed: therapists
    assert _refs(client, "?q=speech+therapists") == {praise.reference}
    assert _refs(client, "?q=nowhere+to+be+found") == set()


def test_search_never_looks_at_contact_details(client, org, officer):
    """A name or e-mail address that is only in the contact details is not
    found: the search must not become a way to look people up."""
    client.force_login(officer)
    FeedbackFactory(organisation=org, wants_contact=True, contact_name="Zebedee Quimby",
                    contact_email="zebedee.quimby@example.com", contact_phone="07700900999",
                    even_better_if="More respite care please.")
    for typed in ("Zebedee", "Quimby", "zebedee.quimby@example.com", "example.com"):
        assert _refs(client, f"?q={typed}") == set(), typed
    assert len(_refs(client, "?q=respite")) == 1


def test_search_looks_through_closed_feedback_too(client, org, officer):
    client.force_login(officer)
    closed = FeedbackFactory(organisation=org, status="closed",
                             even_better_if="The annual review was missed.")
    assert _refs(client, "?q=annual+review") == {closed.reference}
    assert _refs(client, "?q=annual+review&status=open") == set()


def test_a_reference_is_still_found_exactly(client, org, officer):
    client.force_login(officer)
    item = FeedbackFactory(organisation=org, even_better_if="Waiting lists.")
    other = FeedbackFactory(organisation=org)
    assert _refs(client, f"?q={item.reference[-5:]}&status=") == {item.reference}
    # A whole reference goes straight to the feedback, in any case
    response = client.get(reverse(INBOX) + f"?q={item.reference.lower()}")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:feedback:detail", args=[item.pk])
    assert other.reference not in client.get(response["Location"]).content.decode()
    # also from the filter form, which sends its other fields (status "open")
    item.status = "closed"
    item.save()
    response = client.get(reverse(INBOX), {"q": f" {item.reference} ", "status": "open",
                                           "theme": "", "filter": ""})
    assert response.status_code == 302


def test_a_reference_typed_as_people_say_it_goes_straight_to_the_feedback(client, org, officer):
    """An officer on the phone types what the family reads out ("fb 2026 258"),
    as the family's own tracking page reads it."""
    client.force_login(officer)
    item = FeedbackFactory(organisation=org)
    year, number = item.reference.split("-")[1:]
    for typed in (f"fb {year} {int(number)}", f"FB{year}{number}", f"{year}.{int(number)}"):
        response = client.get(reverse(INBOX), {"q": typed})
        assert response.status_code == 302, typed
        assert response["Location"] == reverse("staff:feedback:detail", args=[item.pk])


def test_a_reference_of_someone_elses_feedback_is_not_shown(client, org, officer):
    client.force_login(officer)
    elsewhere = FeedbackFactory(organisation=OrganisationFactory(name="Elsewhere NHS Trust"))
    response = client.get(reverse(INBOX) + f"?q={elsewhere.reference}")
    assert response.status_code == 200
    assert "No feedback matches" in response.content.decode()


@pytest.mark.parametrize("typed", ["'", "\"unclosed", "a & | ! b", "-", "(", "<script>", "x" * 199,
                                   "FB-", "fb-2026-", ":*", "\\"])
def test_odd_searches_are_answered_not_500(client, org, officer, typed):
    client.force_login(officer)
    FeedbackFactory(organisation=org)
    assert client.get(reverse(INBOX), {"q": typed}).status_code == 200


def test_a_too_long_search_is_an_error_not_a_500(client, officer):
    client.force_login(officer)
    response = client.get(reverse(INBOX), {"q": "x" * 201})
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in response.content.decode() or \
        "200 characters" in response.content.decode()


def test_search_query_count_is_pinned_and_constant(client, org, officer,
                                                   django_assert_num_queries):
    client.force_login(officer)
    theme = ThemeFactory()
    for item in FeedbackFactory.create_batch(3, organisation=org,
                                              even_better_if="The ramp at the school."):
        item.themes.add(theme)
    url = reverse(INBOX) + "?q=ramp"
    client.get(url)
    # as the inbox: user, roles, counts, page count, rows, themes, service
    # areas, filter choices (themes, service areas, organisations); the session
    # is read from its cached copy
    with django_assert_num_queries(10):
        html = client.get(url).content.decode()
    assert html.count("The ramp at the school") == 3
    for item in FeedbackFactory.create_batch(40, organisation=org,
                                              even_better_if="The ramp at the school."):
        item.themes.add(theme)
    with django_assert_num_queries(10):
        client.get(url + "&page=2")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is Postgres's")
def test_search_reads_the_gin_index(org):
    FeedbackFactory.create_batch(3, organisation=org)
    from django.contrib.postgres.search import SearchQuery

    qs = Feedback.objects.filter(search_vector=SearchQuery("ramp", config="english",
                                                           search_type="websearch"))
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = qs.explain()
        cursor.execute("SET enable_seqscan = on")
    assert "feedback_search_vector" in plan


def test_submitted_feedback_is_searchable_at_once(client, org, officer, settings):
    settings.FEEDBACK_DEFAULT_ORGANISATION = org.slug
    client.force_login(officer)
    item = services.feedback_submit(even_better_if="Hydrotherapy sessions were cancelled.")
    assert _refs(client, "?q=hydrotherapy") == {item.reference}


def test_erased_words_are_no_longer_found(client, org, officer):
    client.force_login(officer)
    FeedbackFactory(organisation=org, wants_contact=True, contact_email="someone@example.com",
                    even_better_if="Tribunal paperwork was confusing.")
    assert len(_refs(client, "?q=tribunal")) == 1
    subject_erase(acting_user=None, subject=Subject("email", "someone@example.com"))
    assert _refs(client, "?q=tribunal") == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the vector is Postgres's")
def test_the_data_migration_indexes_existing_feedback(client, org, officer):
    client.force_login(officer)
    item = FeedbackFactory(organisation=org, even_better_if="Sensory room was closed.")
    Feedback.objects.update(search_vector=None)  # as rows stored before the search existed
    assert _refs(client, "?q=sensory") == set()
    migration = importlib.import_module("feedback.migrations.0009_fill_search_vector")
    with connection.schema_editor() as editor:
        migration.fill(apps, editor)
    assert _refs(client, "?q=sensory") == {item.reference}


def test_each_inbox_row_shows_an_excerpt_of_what_was_said(client, org, officer):
    client.force_login(officer)
    FeedbackFactory(organisation=org, even_better_if="Short one.")
    FeedbackFactory(organisation=org, even_better_if="word " * 100)
    html = client.get(reverse(INBOX)).content.decode()
    assert "“Short one.”" in html
    assert ("word " * 100).strip() not in html  # cut short
    assert "word word" in html


# --- Reopening ------------------------------------------------------------------------------


@pytest.fixture
def closed(org):
    return FeedbackFactory(organisation=org, status="closed", response_due_on="2020-01-01",
                           even_better_if="Please look again.")


REOPEN_MATRIX = {  # who: (GET status, may reopen)
    "anonymous": (302, False), "no_role": (403, False), "officer": (200, True),
    "approver": (200, True), "board": (403, False), "administrator": (403, False),
    "other_officer": (404, False), "shared_officer": (403, False),
}


def _person(kind, client, org, feedback):
    if kind == "anonymous":
        return None
    if kind == "no_role":
        user = UserFactory()
    elif kind == "other_officer":
        user = staff_user(Role.OFFICER, OrganisationFactory(name="Elsewhere NHS Trust"))
    elif kind == "shared_officer":
        partner = OrganisationFactory(name="Testshire Parent Carer Forum")
        feedback.shared_with.add(partner)
        user = staff_user(Role.OFFICER, partner)
    else:
        user = staff_user({"officer": Role.OFFICER, "approver": Role.APPROVER,
                           "board": Role.BOARD_MEMBER,
                           "administrator": Role.ADMINISTRATOR}[kind], org)
    client.force_login(user)
    return user


@pytest.mark.parametrize("kind", list(REOPEN_MATRIX))
def test_who_may_reopen(client, org, closed, kind):
    _person(kind, client, org, closed)
    url = reverse("staff:feedback:reopen", args=[closed.pk])
    status, allowed = REOPEN_MATRIX[kind]
    assert client.get(url).status_code == status
    client.post(url, {"reason": "The family wrote again.", "lock_version": closed.lock_version})
    closed.refresh_from_db()
    assert (closed.status == Feedback.Status.IN_REVIEW) is allowed


def test_reopened_feedback_is_back_in_the_inbox_with_its_reason(client, org, officer, closed):
    client.force_login(officer)
    assert closed.reference not in client.get(reverse(INBOX)).content.decode()
    detail = client.get(reverse("staff:feedback:detail", args=[closed.pk])).content.decode()
    assert "Reopen feedback" in detail
    response = client.post(reverse("staff:feedback:reopen", args=[closed.pk]),
                           {"reason": "The family says the ramp is still missing.",
                            "lock_version": closed.lock_version})
    assert response.status_code == 302
    closed.refresh_from_db()
    assert closed.status == Feedback.Status.IN_REVIEW and closed.closed_at is None
    assert closed.response_due_on > closed.received_on  # a new deadline, not 2020's
    assert closed.reference in client.get(reverse(INBOX)).content.decode()  # open again
    detail = client.get(response["Location"]).content.decode()
    assert "The family says the ramp is still missing." in detail
    assert "Reopen feedback" not in detail
    event = AuditEvent.objects.get(verb=Verb.FEEDBACK_REOPENED)
    assert event.actor == officer and event.target_id == str(closed.pk)
    assert "ramp" not in str(event.data) + event.summary  # the reason stays on the timeline
    # the family's timeline does not show staff reasons
    private = client.get(reverse("feedback:track-token", args=[closed.tracking_token]))
    assert "ramp is still missing" not in private.content.decode()


def test_reopening_without_a_reason_says_so_on_the_field(client, officer, closed):
    client.force_login(officer)
    response = client.post(reverse("staff:feedback:reopen", args=[closed.pk]),
                           {"reason": "  ", "lock_version": closed.lock_version})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_reason"' in html and 'id="id_reason"' in html
    assert "Enter why you are reopening this feedback" in html
    closed.refresh_from_db()
    assert closed.status == Feedback.Status.CLOSED


def test_reopening_an_out_of_date_page_keeps_what_was_typed(client, officer, closed):
    client.force_login(officer)
    services.feedback_reopen(acting_user=officer, feedback=closed, reason="First")
    response = client.post(reverse("staff:feedback:reopen", args=[closed.pk]),
                           {"reason": "Typed on an old page", "lock_version": closed.lock_version})
    assert response.status_code == 409
    assert "Typed on an old page" in response.content.decode()


def test_open_feedback_cannot_be_reopened(client, org, officer):
    client.force_login(officer)
    item = FeedbackFactory(organisation=org)
    url = reverse("staff:feedback:reopen", args=[item.pk])
    assert client.get(url).status_code == 302
    response = client.post(url, {"reason": "Why not", "lock_version": item.lock_version})
    assert response.status_code == 400
    assert "Only closed feedback can be reopened" in response.content.decode()
    with pytest.raises(Exception, match="Only closed"):
        services.feedback_reopen(acting_user=officer, feedback=item, reason="x")


def test_closed_feedback_is_reopened_only_with_a_reason(officer, closed):
    assert Feedback.Status.IN_REVIEW not in services.manual_transitions(closed)


def test_reopen_page_query_count_is_pinned(client, officer, closed, django_assert_num_queries):
    client.force_login(officer)
    url = reverse("staff:feedback:reopen", args=[closed.pk])
    client.get(url)
    # user, roles, the feedback (the session is read from its cached copy)
    with django_assert_num_queries(3):
        client.get(url)


# --- Export -------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_export_carries_no_contact_details(client, org, officer):
    """Canary: contact details and the private link appear nowhere in the file."""
    client.force_login(officer)
    item = FeedbackFactory(organisation=org, wants_contact=True, contact_name="Canary Name",
                           contact_email="canary@family.example", contact_phone="07700900111",
                           even_better_if="The bus was late.", what_went_well="Kind staff.")
    response = client.get(reverse("staff:feedback:export"))
    body = b"".join(response.streaming_content).decode()
    for secret in ("Canary", "canary@family.example", "07700900111", item.tracking_token,
                   item.tracking_digest):
        assert secret not in body
    rows = list(csv.reader(io.StringIO(body)))
    header, row = rows[0], rows[1]
    assert row[header.index("Reference")] == item.reference
    assert row[header.index("What could be even better")] == "The bus was late."
    assert not any(word in " ".join(header).lower() for word in ("name", "mail", "phone", "token"))


EXPORT_MATRIX = {  # who: (status, sees the feedback)
    "anonymous": (302, False), "no_role": (403, False), "board": (403, False),
    "officer": (200, True), "approver": (200, True), "administrator": (200, True),
    "other_officer": (200, False), "shared_officer": (200, True),
}


@pytest.mark.parametrize("kind", list(EXPORT_MATRIX))
def test_the_export_holds_only_what_the_person_may_read(client, org, kind):
    item = FeedbackFactory(organisation=org)
    _person(kind, client, org, item)
    status, sees = EXPORT_MATRIX[kind]
    response = client.get(reverse("staff:feedback:export"))
    assert response.status_code == status
    if status == 200:
        assert (item.reference in b"".join(response.streaming_content).decode()) is sees


def test_the_export_applies_the_inbox_filters(client, org, officer):
    client.force_login(officer)
    open_ = FeedbackFactory(organisation=org, even_better_if="Transport.")
    closed = FeedbackFactory(organisation=org, status="closed", even_better_if="Transport again.")
    other = FeedbackFactory(organisation=org, status="closed", even_better_if="Ramps.")
    refs = lambda q: {r[0] for r in _csv(client.get(reverse("staff:feedback:export") + q))[1:]}  # noqa: E731
    assert refs("") == {open_.reference}  # as the inbox: open by default
    assert refs("?status=closed") == {closed.reference, other.reference}
    assert refs("?q=transport") == {open_.reference, closed.reference}
    assert refs("?q=transport&status=closed") == {closed.reference}
    # the inbox offers the download with its filters
    html = client.get(reverse(INBOX) + "?q=transport&status=closed").content.decode()
    assert reverse("staff:feedback:export") + "?q=transport&amp;status=closed" in html
    assert AuditEvent.objects.filter(verb=Verb.FEEDBACK_EXPORTED, actor=officer).count() == 4


def test_the_export_stops_spreadsheet_formulas(client, org, officer):
    client.force_login(officer)
    FeedbackFactory(organisation=org, what_went_well="=HYPERLINK(\"http://evil\")",
                    even_better_if="+1 more thing")
    FeedbackFactory(organisation=org, what_went_well="@SUM(A1)", even_better_if="-2 and counting")
    cells = [c for row in _csv(client.get(reverse("staff:feedback:export")))[1:] for c in row]
    assert "'=HYPERLINK(\"http://evil\")" in cells and "'+1 more thing" in cells
    assert "'@SUM(A1)" in cells and "'-2 and counting" in cells
    assert not any(c[:1] in "=+-@" for c in cells if c)


def test_bad_filters_on_the_export_go_back_to_the_inbox(client, officer):
    client.force_login(officer)
    response = client.get(reverse("staff:feedback:export") + "?theme=999999")
    assert response.status_code == 302 and response["Location"].startswith(reverse(INBOX))


def test_the_export_query_count_does_not_grow_with_rows(client, org, officer,
                                                        django_assert_num_queries):
    client.force_login(officer)
    theme = ThemeFactory()
    for item in FeedbackFactory.create_batch(3, organisation=org):
        item.themes.add(theme)
    url = reverse("staff:feedback:export")
    # user, roles, audit (3 with its savepoint), rows (a server-side cursor),
    # themes, service areas; the session is read from its cached copy
    with django_assert_num_queries(8) as first:
        rows = _csv(client.get(url))
    assert len(rows) == 4
    for item in FeedbackFactory.create_batch(60, organisation=org):
        item.themes.add(theme)
    with django_assert_num_queries(len(first.captured_queries)):
        assert len(_csv(client.get(url))) == 64
