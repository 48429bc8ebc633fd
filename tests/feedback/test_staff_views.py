"""The staff side of feedback: the permission matrix, the inbox, triage,
replies, quotes and logging from other channels."""

import pytest
from django.urls import reverse

from core.models import Role
from feedback import services
from feedback.models import Feedback, Quote, Reply
from tests.core.factories import (
    OrganisationFactory,
    ServiceAreaFactory,
    ThemeFactory,
    UserFactory,
    staff_user,
)
from tests.feedback.factories import FeedbackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganisationFactory(name="Testshire County Council")


@pytest.fixture
def feedback(org):
    return FeedbackFactory(organisation=org, wants_contact=True, contact_name="Jo Bloggs",
                           contact_email="jo.bloggs@example.com")


PEOPLE = ["anonymous", "officer", "other_officer", "shared_officer", "approver", "board",
          "administrator", "no_role"]


@pytest.fixture
def person(request, org, feedback):
    """Sign in as one of PEOPLE, relative to `feedback` (owned by `org`)."""
    def make(kind, client):
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
            role = {"officer": Role.OFFICER, "approver": Role.APPROVER,
                    "board": Role.BOARD_MEMBER, "administrator": Role.ADMINISTRATOR}[kind]
            user = staff_user(role, org)
        client.force_login(user)
        return user
    return make


# who: (inbox, detail, sees contact details, can reply)
MATRIX = {
    "anonymous": (302, 302, False, False),
    "no_role": (403, 403, False, False),
    "officer": (200, 200, True, True),
    "approver": (200, 200, True, True),
    "other_officer": (200, 404, False, False),
    "shared_officer": (200, 200, False, False),
    "board": (403, 403, False, False),
    "administrator": (200, 200, False, False),
}


@pytest.mark.parametrize("kind", PEOPLE)
def test_permission_matrix(client, person, feedback, kind):
    person(kind, client)
    inbox, detail, contact, reply = MATRIX[kind]
    assert client.get(reverse("staff:feedback:inbox")).status_code == inbox
    response = client.get(reverse("staff:feedback:detail", args=[feedback.pk]))
    assert response.status_code == detail
    html = response.content.decode()
    assert ("jo.bloggs@example.com" in html) is contact
    assert ("Write a reply" in html) is reply
    post = client.post(reverse("staff:feedback:detail", args=[feedback.pk]),
                       {"action": "reply", "outcome": "done", "text": "We changed it.",
                        "lock_version": 0})
    assert Reply.objects.filter(feedback=feedback).exists() is reply
    if not reply:
        assert post.status_code in (302, 403, 404) and (
            post.status_code != 302 or "sign-in" in post["Location"])


@pytest.mark.parametrize("kind", PEOPLE)
def test_inbox_lists_only_what_the_person_may_read(client, person, feedback, kind):
    person(kind, client)
    if MATRIX[kind][0] != 200:
        return
    html = client.get(reverse("staff:feedback:inbox")).content.decode()
    assert (feedback.reference in html) is (MATRIX[kind][1] == 200)
    assert "jo.bloggs@example.com" not in html  # never in the list


@pytest.mark.parametrize(("kind", "allowed"), [("officer", True), ("approver", True),
                                               ("administrator", False), ("board", False),
                                               ("other_officer", False), ("shared_officer", False)])
def test_who_may_approve_a_quote(client, person, feedback, org, kind, allowed):
    proposer = staff_user(Role.OFFICER, org)
    quote = services.quote_propose(acting_user=proposer, feedback=feedback, redacted_text="x")
    person(kind, client)
    client.post(reverse("staff:feedback:quote-decide", args=[quote.pk]), {"decision": "approve"})
    quote.refresh_from_db()
    assert (quote.status == Quote.Status.APPROVED) is allowed


@pytest.mark.parametrize(("kind", "allowed"), [("officer", False), ("approver", True),
                                               ("administrator", False), ("board", False),
                                               ("other_officer", False)])
def test_who_may_approve_a_reply(client, person, feedback, org, kind, allowed):
    org.replies_need_approval = True
    org.save()
    author = staff_user(Role.OFFICER, org)
    reply = services.reply_create(acting_user=author, feedback=feedback, outcome="done", text="x")
    person(kind, client)
    client.post(reverse("staff:feedback:reply-decide", args=[reply.pk]), {"decision": "approve"})
    reply.refresh_from_db()
    assert (reply.state == Reply.State.PUBLISHED) is allowed


def test_inbox_query_count_is_pinned_and_constant(client, org, django_assert_num_queries):
    officer = staff_user(Role.OFFICER, org)
    client.force_login(officer)
    theme = ThemeFactory()
    for item in FeedbackFactory.create_batch(3, organisation=org):
        item.themes.add(theme)
    client.get(reverse("staff:feedback:inbox"))
    # user, roles, counts (which number the open list's pages: no count of its
    # own), rows, themes, service areas, filter choices (themes, service areas,
    # organisations); the session is read from its cached copy
    with django_assert_num_queries(9):
        client.get(reverse("staff:feedback:inbox"))
    for item in FeedbackFactory.create_batch(40, organisation=org):
        item.themes.add(theme)
    with django_assert_num_queries(9):
        client.get(reverse("staff:feedback:inbox") + "?page=2")


def test_the_open_list_is_numbered_by_the_open_figure(client, org):
    """The default inbox takes its count from the "open" figure: the same
    feedback (its own and shared with it, open only) as the list shows."""
    officer = staff_user(Role.OFFICER, org)
    client.force_login(officer)
    FeedbackFactory.create_batch(27, organisation=org)
    FeedbackFactory(organisation=org, status=Feedback.Status.CLOSED)
    FeedbackFactory(organisation=OrganisationFactory())  # not visible
    FeedbackFactory(organisation=OrganisationFactory()).shared_with.add(org)
    response = client.get(reverse("staff:feedback:inbox") + "?page=2")
    paginator = response.context["page"].paginator
    assert paginator.count == response.context["counts"]["open"] == 28
    assert len(response.context["page"].object_list) == 3
    assert "28 pieces of feedback matching the filters" in response.content.decode()
    # Anything chosen besides "open" is counted as before.
    response = client.get(reverse("staff:feedback:inbox") + "?status=open&assigned=me")
    assert response.context["page"].paginator.count == 0


def test_filtered_inbox_and_staff_home_query_counts_are_pinned_and_constant(
        client, org, django_assert_num_queries):
    officer = staff_user(Role.OFFICER, org)
    client.force_login(officer)
    theme, area = ThemeFactory(), ServiceAreaFactory()
    filtered = reverse("staff:feedback:inbox") + f"?status=&theme={theme.pk}&channel=email"

    def more(n):
        for item in FeedbackFactory.create_batch(n, organisation=org, channel="email",
                                                 assigned_to=officer):
            item.themes.add(theme)
            item.service_areas.add(area)

    more(3)
    client.get(filtered)
    client.get(reverse("staff:home"))
    # user, roles, the theme chosen, capped count, staff counts, rows, themes,
    # service areas, filter choices (themes, service areas, organisations); the
    # session is read from its cached copy, here and on the home page
    with django_assert_num_queries(11):
        client.get(filtered)
    # user, roles, staff counts, quotes waiting, failed report PDFs, your roles
    with django_assert_num_queries(6):
        client.get(reverse("staff:home"))
    more(40)
    with django_assert_num_queries(11):
        response = client.get(filtered)
    assert len(response.context["page"].object_list) == 25
    with django_assert_num_queries(6):
        response = client.get(reverse("staff:home"))
    assert "43 open pieces assigned to you" in response.content.decode()


def test_detail_query_count_is_pinned_and_constant(client, org, feedback, django_assert_num_queries):
    officer = staff_user(Role.OFFICER, org)
    client.force_login(officer)
    url = reverse("staff:feedback:detail", args=[feedback.pk])
    client.get(url)
    # 17 (the session is read from its cached copy), and 1 for the reply form's templates of the answering organisation (issue 24), 2 for theme suggestions (whether earlier feedback changed, the themes)
    with django_assert_num_queries(20):
        client.get(url)
    # A waiting reply and quote add a fixed few (is anyone else able to
    # approve them, and if not who can fix that); more rows add none.
    services.quote_propose(acting_user=officer, feedback=feedback, redacted_text="Q")
    services.reply_create(acting_user=officer, feedback=feedback, outcome="done", text="Done.")
    client.get(url)  # the reply changed the feedback: suggestions read it again, once
    with django_assert_num_queries(23) as first:
        client.get(url)
    for n in range(5):
        services.note_add(acting_user=officer, feedback=feedback, text=f"Note {n}")
        services.quote_propose(acting_user=officer, feedback=feedback, redacted_text=f"Q{n}")
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


def test_inbox_filters(client, org):
    officer = staff_user(Role.OFFICER, org)
    client.force_login(officer)
    theme = ThemeFactory(name="Waiting times")
    mine = FeedbackFactory(organisation=org, assigned_to=officer)
    tagged = FeedbackFactory(organisation=org)
    tagged.themes.add(theme)
    overdue = FeedbackFactory(organisation=org, response_due_on="2020-01-01")
    closed_late = FeedbackFactory(organisation=org, response_due_on="2020-01-01", status="closed")

    def refs(query):
        html = client.get(reverse("staff:feedback:inbox") + query).content.decode()
        return {f.reference for f in (mine, tagged, overdue, closed_late) if f.reference in html}

    assert refs("?assigned=me") == {mine.reference}
    assert refs(f"?theme={theme.pk}") == {tagged.reference}
    assert refs("?overdue=on") == {overdue.reference}
    assert refs("?status=closed") == {closed_late.reference}
    assert refs(f"?q={mine.reference[-5:]}") == {mine.reference}


def test_triage_assigns_tags_and_shares(client, org, feedback):
    approver = staff_user(Role.APPROVER, org)
    officer = staff_user(Role.OFFICER, org)
    partner = OrganisationFactory(name="Testshire NHS")
    theme = ThemeFactory()
    client.force_login(approver)
    response = client.post(reverse("staff:feedback:detail", args=[feedback.pk]), {
        "action": "triage", "assigned_to": officer.pk, "themes": [theme.pk],
        "shared_with": [partner.pk]})
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.assigned_to == officer and feedback.status == "in_review"
    assert list(feedback.themes.all()) == [theme]
    assert list(feedback.shared_with.all()) == [partner]


def test_reply_form_errors_keep_the_text(client, org, feedback):
    client.force_login(staff_user(Role.OFFICER, org))
    response = client.post(reverse("staff:feedback:detail", args=[feedback.pk]), {
        "action": "reply", "outcome": "not_possible", "text": "We cannot do this.",
        "lock_version": Feedback.objects.get(pk=feedback.pk).lock_version})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Explain why it is not possible" in html and "We cannot do this." in html
    assert "<title>Error:" in html


def test_logging_feedback_from_a_phone_call(client, org):
    from tests.core.factories import ServiceAreaFactory

    area = ServiceAreaFactory()
    officer = staff_user(Role.OFFICER, org)
    client.force_login(officer)
    response = client.post(reverse("staff:feedback:log"), {
        "channel": "phone", "received_on_0": "3", "received_on_1": "11", "received_on_2": "2026",
        "organisation": org.pk, "service_areas": [area.pk], "even_better_if": "Ring back sooner.",
        "respondent": "parent_carer"})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.channel, str(feedback.received_on), feedback.logged_by) == (
        "phone", "2026-11-03", officer)


def test_logging_with_a_future_date_is_refused_and_kept(client, org):
    client.force_login(staff_user(Role.OFFICER, org))
    response = client.post(reverse("staff:feedback:log"), {
        "channel": "phone", "received_on_0": "3", "received_on_1": "11", "received_on_2": "2099",
        "organisation": org.pk, "even_better_if": "Kept text."})
    assert response.status_code == 400
    html = response.content.decode()
    assert "must be today or in the past" in html and "Kept text." in html


def test_erasing_contact_details_asks_first_and_says_what_is_lost(client, org, feedback):
    client.force_login(staff_user(Role.OFFICER, org))
    url = reverse("staff:feedback:contact-erase", args=[feedback.pk])
    detail = client.get(reverse("staff:feedback:detail", args=[feedback.pk])).content.decode()
    assert f'href="{url}"' in detail  # the detail page links to the question, erases nothing
    # The old one-press erase from the detail page is gone.
    response = client.post(reverse("staff:feedback:detail", args=[feedback.pk]),
                           {"action": "erase_contact"})
    assert response.status_code == 400
    page = client.get(url).content.decode()
    feedback.refresh_from_db()
    assert feedback.contact_email and not feedback.contact_details_erased_at
    assert "Are you sure you want to delete their contact details?" in page
    assert "will not be able to contact them" in page and "You cannot undo this." in page
    assert client.post(url).status_code == 302
    feedback.refresh_from_db()
    assert feedback.contact_email == "" and feedback.contact_details_erased_at


def test_only_who_handles_it_and_sees_contacts_may_erase_them(client, org, feedback):
    url = reverse("staff:feedback:contact-erase", args=[feedback.pk])
    assert client.get(url).status_code == 302  # anonymous: sign in first
    client.force_login(staff_user(Role.BOARD_MEMBER, org))
    assert client.post(url).status_code in {403, 404}
    client.force_login(staff_user(Role.OFFICER, OrganisationFactory(name="Elsewhere NHS")))
    assert client.post(url).status_code in {403, 404}
    feedback.refresh_from_db()
    assert feedback.contact_email and not feedback.contact_details_erased_at


def test_staff_home_says_what_is_waiting(client, org):
    officer = staff_user(Role.OFFICER, org)
    FeedbackFactory(organisation=org, assigned_to=officer)
    FeedbackFactory(organisation=org, response_due_on="2020-01-01")
    client.force_login(officer)
    html = client.get(reverse("staff:home")).content.decode()
    assert "1 open piece assigned to you" in html
    assert "1 overdue" in html and "of 2 open" in html
    client.force_login(staff_user(Role.BOARD_MEMBER, org))
    assert "assigned to you" not in client.get(reverse("staff:home")).content.decode()


def test_erase_confirmation_query_count_is_pinned(client, org, feedback,
                                                   django_assert_num_queries):
    client.force_login(staff_user(Role.OFFICER, org))
    url = reverse("staff:feedback:contact-erase", args=[feedback.pk])
    client.get(url)
    with django_assert_num_queries(12):
        client.get(url)


def test_the_open_feedback_index_covers_exactly_the_open_statuses():
    """The inbox's partial index must match what the inbox calls open, or
    Postgres silently stops using it."""
    from feedback.models import Feedback
    from feedback.services import OPEN_STATUSES

    index = next(i for i in Feedback._meta.indexes if i.name == "feedback_open_newest")
    (lookup, values), = index.condition.children
    assert lookup == "status__in" and set(values) == set(OPEN_STATUSES)


@pytest.mark.django_db
def test_the_filtered_inbox_indexes_exist():
    """The inbox filtered by theme, service area or channel counts its
    matches from these indexes alone (migration 0013): (theme, feedback) and
    (service area, feedback) on the link tables, and the organisation carried
    in the channel index, which decides who may see a row."""
    from django.db import connection

    from feedback.models import Feedback

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
                       "('feedback_themes_theme_feedback', 'feedback_areas_area_feedback', "
                       "'feedback_channel_newest')")
        found = dict(cursor.fetchall())
    assert "(theme_id, feedback_id)" in found["feedback_themes_theme_feedback"]
    assert "(servicearea_id, feedback_id)" in found["feedback_areas_area_feedback"]
    assert "INCLUDE (organisation_id)" in found["feedback_channel_newest"]
    index = next(i for i in Feedback._meta.indexes if i.name == "feedback_channel_newest")
    assert list(index.include) == ["organisation"]
