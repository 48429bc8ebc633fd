"""Paper feedback cards (issue 24): a batch of cards with their own
references, the online form's questions and a QR code; each card logged
once, on one page, as "Feedback card" feedback."""

import re

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from core import jobs
from core.models import AuditEvent, Job, Role
from feedback.cards import (
    ALPHABET,
    card_batch_pdf,
    card_batch_pdf_build,
    card_batch_print,
    card_questions,
    card_reference_from_typed,
    card_reference_new,
)
from feedback.forms import EasyReadForm, FeedbackForm
from feedback.models import CardBatch, Feedback, FeedbackCard
from feedback.routing import route_save
from tests.conftest import pdf_text
from tests.core.factories import OrganisationFactory, ServiceAreaFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    forum = OrganisationFactory(name="Testshire Parent Carer Forum")
    other = OrganisationFactory(name="Testshire NHS Trust")
    officer = staff_user(Role.OFFICER, forum)
    area = ServiceAreaFactory(name="Short breaks", easy_read_name="Fun things to do away from home")
    batch = card_batch_print(acting_user=officer, organisation=forum, paper="A5",
                             easy_read=False, size=3)
    return {"forum": forum, "other": other, "officer": officer, "area": area, "batch": batch}


def test_references_read_as_typed_and_a_mistyped_one_is_caught():
    for _ in range(200):
        reference = card_reference_new()
        assert re.fullmatch(r"FC-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
        assert card_reference_from_typed(reference) == reference
        assert card_reference_from_typed(" " + reference.lower().replace("-", " ")) == reference
        plain = reference[3:].replace("-", "")  # a body may hold "FC-" itself (MRFC-8DK9)
        assert card_reference_from_typed(plain) == reference
        # Any one character changed is refused, not taken as another card.
        body = list(plain)
        at = ALPHABET.index(body[3])
        body[3] = ALPHABET[at + 1 if at < 30 else at - 1]
        assert card_reference_from_typed("".join(body)) is None
        swapped = plain[:1] + plain[2] + plain[1] + plain[3:]
        if abs(ALPHABET.index(plain[1]) - ALPHABET.index(plain[2])) not in (0, 31):
            assert card_reference_from_typed(swapped) is None
    assert card_reference_from_typed("FC-7K3M") is None
    assert card_reference_from_typed("FB-2026-00001") is None


def test_a_batch_has_its_number_of_unique_references(setup):
    refs = list(setup["batch"].cards.values_list("reference", flat=True))
    assert len(refs) == len(set(refs)) == 3
    assert AuditEvent.objects.filter(verb="cards.printed").count() == 1


@pytest.mark.parametrize("form_class, easy_read, paper", [
    (FeedbackForm, False, "A5"), (FeedbackForm, False, "A4"), (EasyReadForm, True, "A5")])
def test_the_card_pdf_asks_the_online_forms_own_questions(setup, form_class, easy_read, paper):
    batch = card_batch_print(acting_user=setup["officer"], organisation=setup["forum"],
                             paper=paper, easy_read=easy_read, size=2)
    text = " ".join(pdf_text(card_batch_pdf(batch)).split())
    # Compared without spaces or hyphens: pdftotext joins a word broken at a
    # line's end hyphen ("e-" + "mail" reads back as "email").
    def squash(words) -> str:
        return "".join(strip_tags(str(words)).split()).replace("-", "")

    bare = squash(text)
    form = form_class()
    # Read from the form here, not from card_questions: every label, hint
    # and choice the online form has is on the card.
    for name, field in form.fields.items():
        assert squash(field.label) in bare, name
        if field.help_text:
            assert squash(field.help_text) in bare, name
        for value, choice in getattr(field, "choices", ()):
            if value not in ("", None):
                assert squash(choice) in bare, (name, choice)
    for reference in batch.cards.values_list("reference", flat=True):
        assert f"Card {reference}" in text
    assert "/feedback/give/" in text.replace(" ", "")  # beside the QR code (may wrap)
    assert len(card_questions(form_class)) == len(form.fields)


def test_a_question_added_to_the_form_is_on_the_card(setup, monkeypatch):
    from django import forms

    monkeypatch.setitem(FeedbackForm.base_fields, "school", forms.CharField(
        label="Which school or setting?", required=False))
    text = " ".join(pdf_text(card_batch_pdf(setup["batch"])).split())
    assert "Which school or setting?" in text


def _log(client, reference, **answers):
    data = {"reference": reference, "service_areas": [], "even_better_if": "", **answers}
    return client.post(reverse("staff:feedback:card-log"), data)


def test_a_card_logs_one_feedback_and_a_second_time_is_refused(client, setup):
    client.force_login(setup["officer"])
    reference = setup["batch"].cards.first().reference
    response = _log(client, reference.lower().replace("-", " "),
                    service_areas=[setup["area"].pk], even_better_if="More Saturday clubs.",
                    rating="4", respondent="parent_carer")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:feedback:card-log") + "?next=1"
    feedback = Feedback.objects.get()
    assert (feedback.channel, feedback.rating, feedback.organisation, feedback.even_better_if) == (
        "feedback_card", 4, setup["forum"], "More Saturday clubs.")
    assert FeedbackCard.objects.get(reference=reference).feedback == feedback
    page = client.get(response["Location"]).content.decode()
    assert f"Card {reference} logged as {feedback.reference}" in page
    again = _log(client, reference, even_better_if="Typed twice.")
    html = again.content.decode()
    assert again.status_code == 400
    assert f"Card {reference} was logged already, as {feedback.reference}" in html
    assert 'href="#id_reference"' in html and "Typed twice." in html
    assert Feedback.objects.count() == 1


def test_cards_are_routed_like_any_feedback(client, setup):
    route_save(acting_user=setup["officer"], service_area=setup["area"], theme=None,
               organisation=setup["other"])
    client.force_login(setup["officer"])
    _log(client, setup["batch"].cards.first().reference, service_areas=[setup["area"].pk],
         even_better_if="x")
    assert Feedback.objects.get().organisation == setup["other"]


def test_wrong_references_are_explained(client, setup):
    client.force_login(setup["officer"])
    bad = _log(client, "FC-7K3M-9QX", even_better_if="Kept.")
    assert bad.status_code == 400 and "Enter the reference as printed" in bad.content.decode()
    other_batch = card_batch_print(acting_user=staff_user(Role.OFFICER, setup["other"]),
                                   organisation=setup["other"], paper="A5", easy_read=False,
                                   size=1)
    theirs = _log(client, other_batch.cards.get().reference, even_better_if="x")
    assert "We cannot find a card with that reference" in theirs.content.decode()
    easy = card_batch_print(acting_user=setup["officer"], organisation=setup["forum"],
                            paper="A5", easy_read=True, size=1)
    wrong_page = _log(client, easy.cards.get().reference, even_better_if="x")
    assert "This is one of the easy-read cards" in wrong_page.content.decode()
    empty = _log(client, setup["batch"].cards.first().reference)
    assert "Tell us what went well or what could be even better" in empty.content.decode()
    assert not Feedback.objects.exists()


def test_easy_read_cards_are_logged_on_their_page(client, setup):
    easy = card_batch_print(acting_user=setup["officer"], organisation=setup["forum"],
                            paper="A4", easy_read=True, size=1)
    client.force_login(setup["officer"])
    response = client.post(reverse("staff:feedback:card-log-easy-read"), {
        "reference": easy.cards.get().reference, "feeling": "1", "better": "Quiet room",
        "service_area": setup["area"].pk})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.channel, feedback.rating, feedback.even_better_if) == (
        "feedback_card", 1, "Quiet room")


def test_card_pages_permissions(client, setup):
    pages = [reverse("staff:feedback:cards"), reverse("staff:feedback:card-log"),
             reverse("staff:feedback:card-log-easy-read"),
             reverse("staff:feedback:cards-pdf", args=[setup["batch"].pk])]
    for url in pages:
        assert client.get(url).status_code == 302
    for role in (Role.BOARD_MEMBER, Role.ADMINISTRATOR):
        client.force_login(staff_user(role, setup["forum"]))
        for url in pages:
            assert client.get(url).status_code == 403, (role, url)
    client.force_login(staff_user(Role.OFFICER, setup["other"]))
    assert client.get(pages[-1]).status_code == 404  # another organisation's cards
    assert "Short breaks" not in client.get(pages[0]).content.decode()
    client.force_login(staff_user(Role.APPROVER, setup["forum"]))
    # Not made yet (the job runs after commit): the batch's page says where it is.
    response = client.get(pages[-1])
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:feedback:card-batch", args=[setup["batch"].pk])
    card_batch_pdf_build(setup["batch"].pk)
    response = client.get(pages[-1])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert pdf_text(b"".join(response.streaming_content)).count("FC-") >= 3


def test_make_cards_form_errors_and_query_count(client, setup, django_assert_num_queries):
    client.force_login(setup["officer"])
    url = reverse("staff:feedback:cards")
    bad = client.post(url, {"organisation": setup["forum"].pk, "easy_read": "no",
                            "paper": "A5", "size": "201"})
    html = bad.content.decode()
    assert bad.status_code == 400 and 'href="#id_size"' in html
    assert "Make 200 cards or fewer at a time" in html and 'value="201"' in html
    client.get(url)
    with django_assert_num_queries(CARDS_PAGE_QUERIES):
        client.get(url)
    for _ in range(4):
        card_batch_print(acting_user=setup["officer"], organisation=setup["forum"], paper="A4",
                         easy_read=True, size=2)
    with django_assert_num_queries(CARDS_PAGE_QUERIES):
        client.get(url)


CARDS_PAGE_QUERIES = 5


def test_card_log_page_query_count_is_pinned(client, setup, django_assert_num_queries):
    client.force_login(setup["officer"])
    url = reverse("staff:feedback:card-log")
    client.get(url)
    # The page's own reads (who the person is, the staff panel, the form's choices)
    # are the same however many cards have been logged.
    with django_assert_num_queries(CARD_LOG_QUERIES):
        client.get(url)
    for card in setup["batch"].cards.all():
        _log(client, card.reference, even_better_if="x")
    with django_assert_num_queries(CARD_LOG_QUERIES):
        client.get(url)


CARD_LOG_QUERIES = 5


def test_logged_cards_count_in_the_channel_figures(client, setup):
    from django.utils import timezone

    from feedback.selectors import theme_counts_by_channel
    from feedback.services import feedback_set_themes
    from tests.core.factories import ThemeFactory

    client.force_login(setup["officer"])
    for card in setup["batch"].cards.all()[:2]:
        _log(client, card.reference, even_better_if="More Saturday sessions.")
    theme = ThemeFactory(name="Short breaks and respite")
    for feedback in Feedback.objects.all():
        feedback_set_themes(acting_user=setup["officer"], feedback=feedback, themes=[theme])
    today = timezone.localdate()
    counts = theme_counts_by_channel(organisation_id=setup["forum"].pk, since=today,
                                     until=today, theme_ids=[theme.pk])
    assert counts == {theme.pk: {"feedback_card": 2}}


# --- The PDF, made in the background ------------------------------------------------------


def test_making_cards_queues_their_pdf_and_the_batch_page_follows_it(
        client, setup, django_capture_on_commit_callbacks, django_assert_num_queries):
    client.force_login(setup["officer"])
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("staff:feedback:cards"), {
            "organisation": setup["forum"].pk, "easy_read": "no", "paper": "A4", "size": "40"})
    batch = CardBatch.objects.get(size=40)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:feedback:card-batch", args=[batch.pk])
    assert batch.pdf_state == CardBatch.PdfState.PENDING and not batch.pdf_file
    job = Job.objects.get(kind="card_batch_pdf", subject_id=batch.pk)
    assert job.state == Job.State.PENDING and len(callbacks) == 1  # sent once committed
    url = reverse("staff:feedback:card-batch", args=[batch.pk])
    page = client.get(url).content.decode()
    assert "Being prepared" in page and "Download the cards" not in page
    # The page's reads are the same for a small and a large batch.
    with django_assert_num_queries(CARD_BATCH_QUERIES):
        client.get(reverse("staff:feedback:card-batch", args=[setup["batch"].pk]))
    with django_assert_num_queries(CARD_BATCH_QUERIES):
        client.get(url)
    assert jobs.run_due("card_batch_pdf") == 2  # this batch's and the fixture's
    batch.refresh_from_db()
    assert batch.pdf_state == CardBatch.PdfState.READY and batch.pdf_file.name.endswith(
        f"feedback-cards-a4-{batch.pk}.pdf")
    page = client.get(url).content.decode()
    assert "Download the cards to print (PDF" in page
    cards = client.get(reverse("staff:feedback:cards")).content.decode()
    assert reverse("staff:feedback:cards-pdf", args=[batch.pk]) in cards
    pdf = b"".join(client.get(reverse("staff:feedback:cards-pdf",
                                      args=[batch.pk])).streaming_content)
    assert pdf_text(pdf).count("FC-") >= 40
    # Run again (a duplicate delivery): one file, unchanged.
    name = batch.pdf_file.name
    assert card_batch_pdf_build(batch.pk) is None
    batch.refresh_from_db()
    assert batch.pdf_file.name == name


CARD_BATCH_QUERIES = 3


def test_a_pdf_that_failed_can_be_tried_again_from_the_batch_page(client, setup, monkeypatch):
    batch = setup["batch"]

    def broken(batch):
        raise OSError("fonts missing")

    monkeypatch.setattr("feedback.cards.card_batch_pdf", broken)
    for _ in range(3):
        Job.objects.filter(kind="card_batch_pdf").update(run_after="2000-01-01T00:00Z")
        jobs.run_due("card_batch_pdf")
    batch.refresh_from_db()
    assert batch.pdf_state == CardBatch.PdfState.FAILED
    client.force_login(setup["officer"])
    url = reverse("staff:feedback:card-batch", args=[batch.pk])
    page = client.get(url).content.decode()
    assert "could not be prepared" in page and "Try again" in page
    assert "fonts missing" not in page
    monkeypatch.undo()
    response = client.post(url)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.pdf_state == CardBatch.PdfState.PENDING
    jobs.run_due("card_batch_pdf")
    batch.refresh_from_db()
    assert batch.pdf_ready


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_a_batch_bigger_than_the_old_cap(client, celery_worker):
    from tests.conftest import wait_for

    forum = OrganisationFactory(name="Testshire Parent Carer Forum")
    officer = staff_user(Role.OFFICER, forum)
    client.force_login(officer)
    response = client.post(reverse("staff:feedback:cards"), {
        "organisation": forum.pk, "easy_read": "yes", "paper": "A5", "size": "60"})
    assert response.status_code == 302
    batch = CardBatch.objects.get()
    # The officer is answered at once; the worker draws the 60 cards.
    batch = wait_for(lambda: CardBatch.objects.filter(
        pk=batch.pk, pdf_state=CardBatch.PdfState.READY).first(), timeout=240, interval=0.5)
    assert Job.objects.get(kind="card_batch_pdf").state == Job.State.DONE
    pdf = b"".join(client.get(reverse("staff:feedback:cards-pdf",
                                      args=[batch.pk])).streaming_content)
    text = pdf_text(pdf)
    assert all(ref in text for ref in batch.cards.values_list("reference", flat=True))
