"""Getting involved: public pages, the register's private link, invitations
through the job framework, retention, subject access and erasure, and who
may see what."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.logging import redact
from core.models import Job
from feedback import subject as subjects
from feedback.models import tracking_digest
from feedback.services import retention_apply
from participation import services
from participation.models import AboutYou, Interest, Invitation, RegisterEntry

from .conftest import join, make_opportunity

pytestmark = pytest.mark.django_db


def test_get_involved_lists_open_and_closed_with_what_came_of_them(world, client):
    make_opportunity(world["county"], title="Short breaks focus group", days=-30,
                     outcome="Short breaks can now be booked online.", outcome_url="/reports/")
    make_opportunity(world["county"], title="Draft not published", published=False)
    page = client.get("/get-involved/").content.decode()
    assert "Parent carer workshop" in page
    assert "Short breaks can now be booked online." in page
    assert 'href="/reports/"' in page
    assert "Draft not published" not in page
    assert client.get("/get-involved/draft-not-published/").status_code == 404
    assert 'href="/get-involved/"' in client.get("/").content.decode()


def test_opportunity_page_and_its_easy_read_version(world, client):
    opportunity = world["opportunity"]
    page = client.get(opportunity.get_absolute_url()).content.decode()
    for words in ("What it is about", "Who it is for", "Operational", "Shire Hall",
                  "British Sign Language interpreter", "Quiet room", "How to take part",
                  "I’d like to take part"):
        assert words in page, words
    easy = client.get(reverse("participation:easy-read", args=[opportunity.slug]))
    assert "It is about growing up." in easy.content.decode()


def test_take_part_stores_the_person_and_keeps_the_answers_apart(world, client):
    url = reverse("participation:take-part", args=[world["opportunity"].slug])
    response = client.post(url, {"name": "", "email": "not-an-address", "needs": "A quiet room"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter your name" in body and 'href="#id_name"' in body
    assert "Enter an e-mail address in the correct format" in body
    assert "A quiet room" in body  # nothing typed is lost
    response = client.post(url, {"name": "Sam Jones", "email": "sam@example.com",
                                 "needs": "A quiet room", "child_age": "11-15", "area": "stroud"})
    assert response.status_code == 302
    interest = Interest.objects.get()
    assert (interest.name, interest.email) == ("Sam Jones", "sam@example.com")
    about = AboutYou.objects.get()
    assert (about.source, about.child_age, about.area) == ("interest", "11-15", "stroud")
    assert not {f.name for f in AboutYou._meta.get_fields()} & {"name", "email", "interest",
                                                                 "entry"}


def test_join_change_and_leave_through_the_private_link(world, client):
    response = client.post(reverse("participation:register"), {
        "name": "Aisha", "topics": ["adulthood"], "kinds": ["workshop"], "channels": ["text"]})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter your mobile phone number, as you chose text messages" in body
    assert "Select the box to say you agree" in body and 'href="#id_consent"' in body
    response = client.post(reverse("participation:register"), {
        "name": "Aisha", "topics": ["adulthood"], "kinds": ["workshop"], "channels": ["email"],
        "email": "aisha@example.com", "consent": "on", "need": "semh"})
    assert response.status_code == 302 and response["Location"] == "/get-involved/register/joined/"
    entry = RegisterEntry.objects.get()
    assert "may keep my name and contact details" in entry.consent_wording
    assert entry.consented_at and len(entry.token_digest) == 64
    joined = client.get(response["Location"]).content.decode()
    token = joined.split("/get-involved/register/manage/")[1].split("/")[0]
    assert tracking_digest(token) == entry.token_digest  # only the digest is stored
    assert token not in str(RegisterEntry.objects.values().get())
    manage = reverse("participation:register-manage", args=[token])
    assert redact(f"GET {manage} HTTP/1.1") == "GET /get-involved/register/manage/[redacted]/ HTTP/1.1"
    response = client.post(manage, {"name": "Aisha B", "topics": ["health"], "kinds": ["survey"],
                                    "channels": ["email"], "email": "aisha@example.com"})
    assert response.status_code == 200 and "Your choices are saved" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.name, entry.topics, entry.kinds) == ("Aisha B", ["health"], ["survey"])
    client.post(reverse("participation:register-leave", args=[token]))
    assert not RegisterEntry.objects.exists()
    assert client.get(manage).status_code == 404


def test_invitations_are_jobs_sent_after_commit_and_answers_are_shown(world, django_capture_on_commit_callbacks):
    opportunity = world["opportunity"]
    by_email = join()
    by_post = join(name="Jo Williams", email="", address="12 Church Street", channels=("post",))
    join(name="Not interested", email="no@example.com", topics=("health",), kinds=("board",))
    officer = Client()
    officer.force_login(world["officer"])
    url = reverse("staff:participation:detail", args=[opportunity.pk])
    page = officer.get(url).content.decode()
    assert "Aisha Begum" in page and "Jo Williams" in page and "Not interested" not in page
    assert officer.post(url, {}).status_code == 400
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = officer.post(url, {"entries": [str(by_email.pk), str(by_post.pk)]})
    assert response.status_code == 302
    # One message to send (the letter is for staff to post), handed to a worker after commit.
    assert any(getattr(c, "__name__", "") == "<lambda>" for c in callbacks)
    job = Job.objects.get(kind="participation_invitation")
    assert mail.outbox == []
    from core import jobs

    jobs.execute(job.pk, retry=False)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["aisha@example.com"]
    answer_url = mail.outbox[0].body.split("one click, no account needed): ")[1].split()[0]
    invitation = Invitation.objects.get(entry=by_email)
    assert invitation.state == Invitation.State.SENT
    assert Invitation.objects.get(entry=by_post).state == Invitation.State.BY_POST
    path = answer_url.split("testserver")[-1] if "testserver" in answer_url else answer_url[
        answer_url.index("/get-involved/"):]
    assert redact(path) == "/get-involved/answer/[redacted]/"
    Client().post(path, {"answer": "yes"})
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.YES
    page = officer.get(url).content.decode()
    assert "Yes, would like to take part" in page and "12 Church Street" in page


def test_renewal_asked_after_12_months_and_lapsed_entries_erased_by_the_retention_run(world):
    now = timezone.now()
    old = join(name="Old", email="old@example.com")
    RegisterEntry.objects.filter(pk=old.pk).update(renewed_at=now - timedelta(days=366))
    fresh = join(name="Fresh", email="fresh@example.com")
    run = retention_apply(now=now)
    assert run.register_asked_count == 1 and run.register_erased_count == 0
    assert Job.objects.filter(kind="register_renewal", subject_id=old.pk).exists()
    # Renewing through the e-mail's signed link keeps the entry.
    old.refresh_from_db()
    token = services.renew_token(old)
    Client().post(reverse("participation:renew", args=[token]))
    old.refresh_from_db()
    assert old.renewal_asked_at is None
    # Asked and not renewed: erased REGISTER_LAPSE_DAYS later.
    RegisterEntry.objects.filter(pk=fresh.pk).update(renewal_asked_at=now - timedelta(days=31))
    run = retention_apply(now=now)
    assert run.register_erased_count == 1
    assert list(RegisterEntry.objects.values_list("name", flat=True)) == ["Old"]


def test_subject_access_and_erasure_cover_the_register_and_interests(world):
    join(email="Aisha@Example.com")
    services.interest_submit(opportunity=world["opportunity"], name="Aisha Begum",
                             email="aisha@example.com", needs="A quiet room")
    subject = subjects.subject_parse("aisha@example.com")
    export = subjects.subject_access_export(acting_user=world["administrator"], subject=subject)
    assert export["participation_register"][0]["name"] == "Aisha Begum"
    assert "consent_wording" in export["participation_register"][0]
    assert export["would_like_to_take_part"][0]["what_would_help"] == "A quiet room"
    erased = subjects.subject_erase(acting_user=world["administrator"], subject=subject)
    assert erased == ["2 participation records"]
    assert not RegisterEntry.objects.exists()
    interest = Interest.objects.get()
    assert (interest.email, interest.name) == ("", subjects.ERASED)


@pytest.mark.parametrize("who, expected", [
    ("officer", 200), ("approver", 200), ("administrator", 200),
    ("board_member", 403), ("other_officer", 200),
])
def test_register_and_representation_are_never_for_board_members(world, who, expected):
    join()
    client = Client()
    client.force_login(world[who])
    for name in ("register", "representation", "list"):
        response = client.get(reverse(f"staff:participation:{name}"))
        assert response.status_code == expected, name
    if expected == 200:
        page = client.get(reverse("staff:participation:register")).content.decode()
        # The other organisation's officer sees no one from the county's register.
        assert ("Aisha Begum" in page) == (who != "other_officer")
    anonymous = Client().get(reverse("staff:participation:register"))
    assert anonymous.status_code == 302


def test_another_organisation_cannot_open_or_invite_to_an_opportunity(world):
    client = Client()
    client.force_login(world["other_officer"])
    url = reverse("staff:participation:detail", args=[world["opportunity"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


def test_robots_that_fill_the_hidden_field_store_nothing(world, client):
    client.post(reverse("participation:register"), {
        "name": "Bot", "topics": ["health"], "kinds": ["survey"], "channels": ["email"],
        "email": "bot@example.com", "consent": "on", "website": "http://spam.example"})
    client.post(reverse("participation:take-part", args=[world["opportunity"].slug]),
                {"name": "Bot", "email": "bot@example.com", "website": "http://spam.example"})
    assert not RegisterEntry.objects.exists() and not Interest.objects.exists()


def test_a_closed_opportunity_takes_no_more_names(world, client):
    closed = make_opportunity(world["county"], title="Closed workshop", days=-1)
    assert client.get(reverse("participation:take-part", args=[closed.slug])).status_code == 404
    assert "What came of it" in client.get(closed.get_absolute_url()).content.decode()


def test_the_subject_request_page_finds_and_erases_someone_only_on_the_register(world):
    join(email="only@example.com")
    client = Client()
    client.force_login(world["administrator"])
    url = reverse("staff:feedback:subject-requests")
    page = client.post(url, {"identifier": "only@example.com"}).content.decode()
    assert "1 participation record:" in page
    page = client.post(url, {"identifier": "only@example.com", "confirm_erase": "1"}).content.decode()
    assert "delete their place on the participation register" in page
    client.post(url, {"identifier": "only@example.com", "erase": "1"})
    assert not RegisterEntry.objects.exists()


def test_take_part_details_are_erased_by_the_retention_run_after_the_opportunity_closed(world):
    closed_long_ago = make_opportunity(world["county"], title="Old workshop", days=-91)
    closed_lately = make_opportunity(world["county"], title="Recent workshop", days=-10)
    services.interest_submit(opportunity=closed_long_ago, name="Sam", email="sam@example.com",
                             needs="A quiet room")
    services.interest_submit(opportunity=closed_lately, name="Jo", phone="07700 900123")
    retention_apply()
    old, recent = Interest.objects.order_by("pk")
    assert (old.name, old.email, old.needs) == (subjects.ERASED, "", "")
    assert (recent.name, recent.phone) == ("Jo", "07700 900123")


def test_the_subject_access_pdf_includes_the_register(world):
    from tests.conftest import pdf_text

    join(email="pdf@example.com", address="1 High Street", channels=("email", "post"))
    client = Client()
    client.force_login(world["administrator"])
    response = client.post(reverse("staff:feedback:subject-requests"),
                           {"identifier": "pdf@example.com", "download_pdf": "1"})
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "participation register" in text and "1 High Street" in text
