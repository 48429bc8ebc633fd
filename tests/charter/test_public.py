"""The public charter page, its evidence (public only, never a family's
words) and the pulse form."""

import re
from datetime import date

import pytest
from django.urls import reverse

from actionplan import services as actionplan_services
from charter import services
from charter.models import EvidenceLink, PulseAnswer, PulseResponse
from feedback import services as feedback_services
from tests.actionplan.factories import ActionFactory
from tests.feedback.factories import FeedbackFactory

from .factories import CommitmentFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_charter_page_shows_the_adopted_version(client, world):
    page = client.get(reverse("charter:index")).content.decode()
    assert "Testshire Co-production Charter" in page
    assert "All voices are heard and valued" in page
    assert "we widen participation by effective chairing" in page
    assert "As settings we need to" in page and "talk to our SENCos" in page
    assert "Answer 2 short questions" in page  # the open public round
    assert client.get(reverse("charter:charter", args=["testshire-charter"])).status_code == 200
    # Drafts are never public, at any address.
    assert client.get(reverse("charter:version", args=["testshire-charter", 2])).status_code == 404
    assert client.get(reverse("charter:charter", args=["no-such-charter"])).status_code == 404


def test_charter_page_without_any_charter(client, db):
    response = client.get(reverse("charter:index"))
    assert response.status_code == 200
    assert "No charter has been adopted yet" in response.content.decode()


def test_signatories_are_listed(client, world):
    services.signatory_add(acting_user=None, charter=world["charter"],
                           organisation=world["partner"], role_title="Chair",
                           person_name="Pat Example", signed_on=date(2025, 4, 2))
    page = client.get(reverse("charter:index")).content.decode()
    assert "Testshire Parent Carer Forum" in page and "Pat Example, Chair" in page
    assert "2 April 2025" in page


def test_adopting_a_new_version_keeps_the_old_one_readable(client, world):
    draft = world["draft"]
    services.charter_item_update(acting_user=None, item=draft.sections.get().commitments.get(),
                                 fields={"text": "Every voice is heard and valued"})
    services.charter_adopt(acting_user=None, charter=draft, adopted_on=date(2026, 1, 5),
                           review_date=date(2028, 1, 5))
    current = client.get(reverse("charter:index")).content.decode()
    assert "Every voice is heard and valued" in current
    old = client.get(reverse("charter:version", args=["testshire-charter", 1])).content.decode()
    assert "All voices are heard and valued" in old and "earlier version" in old
    assert reverse("charter:charter", args=["testshire-charter"]) in old  # link to current
    # The current version's numbered address redirects to the stable one.
    response = client.get(reverse("charter:version", args=["testshire-charter", 2]))
    assert response.status_code == 302
    assert response["Location"] == reverse("charter:charter", args=["testshire-charter"])


# --- Evidence ----------------------------------------------------------------------------


@pytest.fixture
def evidence(world):
    commitment = world["commitment"]
    officer = world["people"]["lead_officer"]
    answered = FeedbackFactory(organisation=world["lead"], wants_contact=True,
                               contact_name="Wendy Parentname",
                               contact_email="wendy@example.com",
                               even_better_if="My son Jacob waited SECRET-WORDS for a reply.")
    feedback_services.reply_create(acting_user=officer, feedback=answered, outcome="done",
                                   text="Dear Wendy, REPLY-PRIVATE-TEXT")
    unanswered = FeedbackFactory(organisation=world["lead"],
                                 even_better_if="UNANSWERED-WORDS")
    public_action = ActionFactory(title="Publish a co-produced Local Offer", is_public=True,
                                  lead_organisation=world["lead"], reference="5.2")
    actionplan_services.action_update_progress(
        acting_user=officer, action=public_action, status="on_track", percent=40,
        date=date(2026, 2, 1), narrative="INTERNAL-NARRATIVE")
    internal_action = ActionFactory(title="INTERNAL-ACTION", is_public=False,
                                    lead_organisation=world["lead"])
    links = [
        services.evidence_link_add(acting_user=officer, commitment=commitment, effect="keeps",
                                   feedback=answered, summary="We now give a named contact."),
        services.evidence_link_add(acting_user=officer, commitment=commitment, effect="breaks",
                                   feedback=unanswered, summary="UNANSWERED-SUMMARY"),
        services.evidence_link_add(acting_user=officer, commitment=commitment, effect="keeps",
                                   action=public_action, summary=""),
        services.evidence_link_add(acting_user=officer, commitment=commitment, effect="keeps",
                                   action=internal_action, summary="INTERNAL-SUMMARY"),
        services.evidence_link_add(acting_user=None, commitment=commitment, effect="breaks",
                                   title="Local Offer report 2026: what you told us",
                                   url="/reports/local-offer-2026/#item-3",
                                   summary="Families could not find the short breaks pages."),
    ]
    return {"links": links, "answered": answered}


def test_public_evidence_shows_only_public_things_and_never_a_familys_words(client, evidence):
    page = client.get(reverse("charter:index")).content.decode()
    assert "Feedback answered on" in page and "Outcome: done." in page
    assert "We now give a named contact." in page
    assert "Publish a co-produced Local Offer" in page and "on track (green), 40% done" in page
    assert 'href="/reports/local-offer-2026/#item-3"' in page
    assert "Families could not find the short breaks pages." in page
    assert "Not kept" in page and "Kept" in page
    for secret in ("SECRET-WORDS", "Wendy", "wendy@example.com", "Jacob", "REPLY-PRIVATE-TEXT",
                   "UNANSWERED", "INTERNAL", evidence["answered"].reference):
        assert secret not in page, secret


def test_evidence_recorded_on_an_earlier_version_follows_the_commitment(client, world, evidence):
    services.charter_adopt(acting_user=None, charter=world["draft"], adopted_on=date(2026, 1, 5),
                           review_date=date(2028, 1, 5))
    page = client.get(reverse("charter:index")).content.decode()
    assert "We now give a named contact." in page


def test_only_the_three_most_recent_pieces_show_for_each_commitment(client, world, evidence):
    for n in range(3):
        services.evidence_link_add(acting_user=None, commitment=world["commitment"],
                                   effect="keeps", title=f"Extra item {n}",
                                   url=f"/reports/extra/#item-{n}")
    page = client.get(reverse("charter:index")).content.decode()
    assert "Extra item 2" in page and "Extra item 0" in page
    assert "Families could not find the short breaks pages." not in page
    assert "The 3 most recent of 6 pieces of evidence." in page


def test_evidence_link_add_is_safe_to_repeat_and_needs_exactly_one_source(world, evidence):
    link = evidence["links"][4]
    again = services.evidence_link_add(acting_user=None, commitment=world["commitment"],
                                       effect="breaks", title=link.title, url=link.url)
    assert again.pk == link.pk
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError):
        services.evidence_link_add(acting_user=None, commitment=world["commitment"],
                                   effect="keeps")
    with pytest.raises(ValidationError):
        services.evidence_link_add(acting_user=None, commitment=world["commitment"],
                                   effect="keeps", title="Bad", url="javascript:alert(1)")
    assert EvidenceLink.objects.count() == 5


def _grow(charter, count, tag):
    section = SectionFactory(charter=charter, title=f"Extra section {tag}")
    for n in range(count):
        commitment = CommitmentFactory(section=section, text=f"Commitment {tag} {n}")
        services.evidence_link_add(acting_user=None, commitment=commitment, effect="keeps",
                                   title=f"Report item {tag} {n}", url=f"/reports/{tag}/#{n}")


def test_public_page_query_count_does_not_grow(client, world, evidence,
                                               django_assert_num_queries):
    _grow(world["charter"], 2, "a")
    with django_assert_num_queries(11):
        client.get(reverse("charter:index"))
    _grow(world["charter"], 20, "b")
    with django_assert_num_queries(11):
        response = client.get(reverse("charter:index"))
    assert "Report item b 19" in response.content.decode()


# --- The pulse form ------------------------------------------------------------------------


def _answers(world, rating="4"):
    return {f"statement_{s.pk}": rating for s in world["charter"].statements.all()}


def test_pulse_form_stores_answers_and_thanks(client, world):
    url = reverse("charter:pulse", args=["testshire-charter"])
    assert client.get(url).status_code == 200
    response = client.post(url, _answers(world))
    assert response.status_code == 302
    assert response["Location"] == reverse("charter:pulse_thanks", args=["testshire-charter"])
    assert PulseResponse.objects.filter(round=world["round"]).count() == 1
    assert PulseAnswer.objects.filter(rating=4).count() == 2
    assert client.get(response["Location"]).status_code == 200


def test_pulse_form_errors_are_govuk_style_and_keep_choices(client, world):
    url = reverse("charter:pulse", args=["testshire-charter"])
    first = world["charter"].statements.first()
    response = client.post(url, {f"statement_{first.pk}": "2"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in page and "There is a problem" in page
    assert "Select how much you agree that “My views and experiences are represented”" in page
    checked = re.findall(r'<input[^>]*name="(statement_\d+)"[^>]*value="(\d)"\s*checked', page)
    assert checked == [(f"statement_{first.pk}", "2")]  # nothing lost
    assert not PulseResponse.objects.exists()


def test_invitation_rounds_are_answered_only_through_their_link(client, world):
    services.pulse_round_set_state(acting_user=None, pulse_round=world["round"], state="closed")
    invite = services.pulse_round_create(acting_user=None, charter=world["charter"],
                                         title="Forum", held_on=date(2026, 4, 1),
                                         access="invitation")
    public = client.get(reverse("charter:pulse", args=["testshire-charter"]))
    assert "No questions are open at the moment" in public.content.decode()
    assert client.post(reverse("charter:pulse", args=["testshire-charter"]),
                       _answers(world)).status_code == 200
    assert not PulseResponse.objects.exists()
    response = client.post(invite.get_invitation_url(), _answers(world))
    assert response.status_code == 302
    assert PulseResponse.objects.filter(round=invite).count() == 1
    assert client.get(reverse("charter:pulse_invitation", args=["wrong-token"])).status_code == 404


def test_closed_rounds_refuse_answers(client, world):
    services.pulse_round_set_state(acting_user=None, pulse_round=world["round"], state="closed")
    url = world["round"].get_invitation_url()
    assert client.get(url).status_code == 410
    response = client.post(url, _answers(world))
    assert response.status_code == 410
    assert "These questions have closed" in response.content.decode()
    assert not PulseResponse.objects.exists()


def test_honeypot_stores_nothing(client, world):
    response = client.post(reverse("charter:pulse", args=["testshire-charter"]),
                           {**_answers(world), "website": "http://spam.example"})
    assert response.status_code == 302
    assert not PulseResponse.objects.exists()


def test_pulse_answers_are_rate_limited(client, world, monkeypatch):
    monkeypatch.setattr("charter.views.PULSE_RATE_LIMIT_PER_HOUR", 2)
    url = reverse("charter:pulse", args=["testshire-charter"])
    assert [client.post(url, _answers(world)).status_code for _ in range(3)] == [302, 302, 429]
    assert PulseResponse.objects.count() == 2


def test_an_answer_outside_the_scale_is_refused(client, world):
    response = client.post(reverse("charter:pulse", args=["testshire-charter"]),
                           _answers(world, rating="9"))
    assert response.status_code == 400
    assert not PulseResponse.objects.exists()
