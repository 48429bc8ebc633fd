"""The staff editor, pulse rounds, audits and evidence pages: errors in
GOV.UK style (400, nothing lost) and query counts that do not grow."""


import re

import pytest
from django.urls import reverse

from charter import services
from charter.models import Commitment, ParticipationAudit, Section

from .factories import CommitmentFactory, PracticeFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_editing_a_draft_end_to_end(client, world):
    client.force_login(world["people"]["lead_officer"])
    draft = world["draft"]
    response = client.post(reverse("staff:charter:item_add", args=["section", draft.pk]),
                           {"title": "Communication"})
    section = Section.objects.get(charter=draft, title="Communication")
    assert response.status_code == 302 and response["Location"].endswith(
        f"#section-{section.pk}")
    client.post(reverse("staff:charter:item_add", args=["commitment", section.pk]),
                {"text": "Listening is calm and respectful"})
    commitment = section.commitments.get()
    client.post(reverse("staff:charter:item_add", args=["practice", commitment.pk]),
                {"text": "we introduce each other"})
    client.post(reverse("staff:charter:item_move", args=["section", section.pk]),
                {"direction": "up"})
    assert list(draft.sections.values_list("title", flat=True)) == [
        "Communication", "Welcome and Care"]
    page = client.get(reverse("staff:charter:charter_detail", args=[draft.pk])).content.decode()
    assert "we introduce each other" in page and "Move down" in page
    response = client.post(reverse("staff:charter:item_delete", args=["section", section.pk]))
    assert response.status_code == 302
    assert not Section.objects.filter(pk=section.pk).exists()
    assert not Commitment.objects.filter(pk=commitment.pk).exists()


def test_item_form_errors_are_govuk_style(client, world):
    client.force_login(world["people"]["lead_officer"])
    url = reverse("staff:charter:item_add", args=["responsibility", world["draft"].pk])
    response = client.post(url, {"party": "", "we_need_to": "",
                                 "others_can_help": "talk to our SENCos\nget involved"})
    page = response.content.decode()
    assert response.status_code == 400 and "<title>Error: " in page
    assert "Enter who this is about" in page and "Enter what they need to do" in page
    assert "talk to our SENCos\nget involved" in page
    assert client.get(reverse("staff:charter:item_add", args=["nonsense", 1])).status_code == 404


def test_adopt_form_errors(client, world):
    client.force_login(world["people"]["lead_approver"])
    response = client.post(reverse("staff:charter:adopt", args=[world["draft"].pk]), {
        "adopted_on_0": "31", "adopted_on_1": "2", "adopted_on_2": "2026",
        "review_date_0": "", "review_date_1": "", "review_date_2": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "The date it was adopted must be a real date" in page
    assert "Enter the review date" in page
    assert 'value="31"' in page


def test_approvers_may_only_sign_for_their_own_organisation(client, world):
    client.force_login(world["people"]["lead_approver"])
    url = reverse("staff:charter:sign", args=[world["charter"].pk])
    page = client.get(url).content.decode()
    assert "Testshire County Council" in page and "Testshire Parent Carer Forum" not in page
    response = client.post(url, {"organisation": world["lead"].pk, "role_title": "",
                                 "person_name": "Sam Director", "signed_on_0": "1",
                                 "signed_on_1": "1", "signed_on_2": "2099"})
    text = response.content.decode()
    assert response.status_code == 400
    assert "Enter the role of the person signing" in text
    assert "The date it was signed must be today or in the past" in text
    assert 'value="Sam Director"' in text


def test_audit_form_errors_keep_what_was_typed(client, world):
    client.force_login(world["people"]["lead_officer"])
    audit = world["audit"]
    answers = list(audit.answers.all())
    data = {"complete": "", f"score_{answers[0].pk}": "3", f"evidence_{answers[0].pk}": "",
            f"score_{answers[1].pk}": "1", f"evidence_{answers[1].pk}": "Typed evidence"}
    response = client.post(reverse("staff:charter:audit_edit", args=[audit.pk]), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Describe the evidence for 1.1, as you scored it 3" in page
    assert "Select a score for 1.3" in page and "Select a score for 4.3" in page
    assert "Typed evidence" in page
    audit.refresh_from_db()
    assert not audit.is_completed
    # "Save and come back later" keeps the gaps.
    data.pop("complete")
    data["save"] = ""
    response = client.post(reverse("staff:charter:audit_edit", args=[audit.pk]), data)
    assert response.status_code == 302
    assert audit.answers.get(pk=answers[1].pk).evidence == "Typed evidence"


def test_audit_results_summary(client, world):
    audit = world["audit"]
    answers = list(audit.answers.select_related("question__section"))
    # Section 1 (4 questions): 3+3+3+3 = 12 of 12; others 1 each: 9 of 27. Total 21 of 39 = 54%.
    scores = {a.pk: (3 if a.question.section.key == "involve" else 1, "Seen") for a in answers}
    services.audit_save(acting_user=None, audit=audit, answers=scores, complete=True)
    client.force_login(world["people"]["lead_approver"])
    page = client.get(reverse("staff:charter:audit_detail", args=[audit.pk])).content.decode()
    assert "100%" in page and "21" in page and "54%" in page
    listing = client.get(reverse("staff:charter:audit_list")).content.decode()
    assert "54%" in listing and "21 of 39" in listing and "33%" in listing


def test_starting_an_audit_twice_is_an_error_on_the_form(client, world):
    client.force_login(world["people"]["lead_officer"])
    response = client.post(reverse("staff:charter:audit_start"), {
        "organisation": world["lead"].pk, "team": "SEND casework team", "year": "2026"})
    assert response.status_code == 400
    assert "SEND casework team already has a participation audit for 2026" in (
        response.content.decode())
    response = client.post(reverse("staff:charter:audit_start"), {
        "organisation": world["other"].pk, "team": "Therapies", "year": "2026"})
    assert response.status_code == 400  # not their organisation
    assert ParticipationAudit.objects.count() == 1


def test_improvement_action_from_the_audit_page(client, world):
    from tests.actionplan.factories import PriorityFactory

    priority = PriorityFactory(number=3)
    client.force_login(world["people"]["lead_officer"])
    url = reverse("staff:charter:improvement_action", args=[world["audit"].pk])
    response = client.post(url, {"priority": priority.pk, "title": "",
                                 "due_date_0": "1", "due_date_1": "1", "due_date_2": "2020"})
    assert response.status_code == 400
    assert "Enter what the team will do" in response.content.decode()
    assert "The due date must be today or in the future" in response.content.decode()
    response = client.post(url, {"priority": priority.pk, "title": "Evening meetings",
                                 "due_date_0": "1", "due_date_1": "1", "due_date_2": "2030"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "3.1 Evening meetings" in page


def test_pulse_round_create_and_close(client, world):
    client.force_login(world["people"]["lead_officer"])
    url = reverse("staff:charter:pulse_round_create", args=[world["charter"].pk])
    response = client.post(url, {"title": "Second public", "held_on_0": "1", "held_on_1": "4",
                                 "held_on_2": "2026", "access": "public"})
    assert response.status_code == 400
    assert "There is already an open public round" in response.content.decode()
    response = client.post(url, {"title": "Forum", "held_on_0": "1", "held_on_1": "4",
                                 "held_on_2": "2026", "access": "invitation"})
    assert response.status_code == 302


def test_evidence_form_errors(client, world):
    client.force_login(world["people"]["lead_officer"])
    response = client.post(reverse("staff:charter:evidence_add"), {
        "commitment": world["commitment"].pk, "effect": "keeps", "kind": "report",
        "title": "", "url": "ftp://x", "summary": "Families said so"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the title of the report item" in page
    assert "Enter an address starting with https:// or /" in page
    assert "Families said so" in page


# --- Query counts --------------------------------------------------------------------------


def _grow_draft(draft, n):
    section = SectionFactory(charter=draft)
    for i in range(n):
        commitment = CommitmentFactory(section=section, text=f"Extra commitment {i}")
        PracticeFactory(commitment=commitment)


def test_editor_query_count_does_not_grow(client, world, django_assert_num_queries):
    client.force_login(world["people"]["lead_officer"])
    url = reverse("staff:charter:charter_detail", args=[world["draft"].pk])
    _grow_draft(world["draft"], 2)
    client.get(url)  # warm the session
    with django_assert_num_queries(10):
        client.get(url)
    _grow_draft(world["draft"], 25)
    with django_assert_num_queries(10):
        assert "Extra commitment 24" in client.get(url).content.decode()


@pytest.mark.parametrize("name", ["staff:charter:charter_list", "staff:charter:evidence_list",
                                  "staff:charter:audit_list"])
def test_staff_list_query_counts_do_not_grow(client, world, name, django_assert_num_queries):
    client.force_login(world["people"]["administrator"])
    url = reverse(name)

    def grow(n, tag):
        for i in range(n):
            charter = services.charter_create(acting_user=None, title=f"Charter {tag} {i}",
                                              area="Testshire", organisation=world["lead"])
            commitment = CommitmentFactory(section=SectionFactory(charter=charter))
            services.evidence_link_add(acting_user=None, commitment=commitment, effect="keeps",
                                       title=f"Item {tag} {i}", url=f"/reports/{tag}/{i}")
            services.audit_start(acting_user=None, organisation=world["lead"],
                                 team=f"Team {tag} {i}", year=2026)

    grow(2, "a")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(15, "b")
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200


def test_cornerstones_are_ticked_on_a_draft_section_and_an_audit_and_kept(client, world):
    """Issue 23: the four cornerstones tag charter sections and audits (the
    evidence pack shows how each is covered), and a new version keeps them."""
    client.force_login(world["people"]["lead_officer"])
    section = world["draft"].sections.first()
    url = reverse("staff:charter:item_edit", args=["section", section.pk])
    assert "Which cornerstones of co-production does this section cover?" in client.get(
        url).content.decode()
    response = client.post(url, {"title": section.title, "introduction": "",
                                 "cornerstones": ["welcome_and_care", "communicate"],
                                 "lock_version": section.lock_version})
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.cornerstones == ["welcome_and_care", "communicate"]
    assert re.search(r'value="communicate"\s+checked', client.get(url).content.decode())
    refused = client.post(url, {"title": section.title, "cornerstones": ["friendship"],
                                "lock_version": section.lock_version})
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()

    audit = world["audit"]
    answer = audit.answers.first()
    response = client.post(reverse("staff:charter:audit_edit", args=[audit.pk]), {
        "save": "", f"score_{answer.pk}": "2", f"evidence_{answer.pk}": "Minutes",
        "cornerstones": ["work_in_partnership"]})
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.cornerstones == ["work_in_partnership"]
