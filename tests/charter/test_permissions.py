"""Role × action matrix: who may edit a draft, draft a new version, adopt,
sign, run pulse rounds, complete an audit, see audit results, link evidence.
Anonymous visitors are sent to sign in; others without permission get 403."""

import pytest
from django.urls import reverse

from charter import services
from charter.models import Charter, Section, Signatory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "lead_officer", "lead_approver", "board_member",
         "administrator", "partner_approver", "other_officer", "other_approver"]
STAFF = set(ROLES) - {"anonymous", "no_role"}
DRAFTERS = {"lead_officer", "lead_approver", "administrator"}
ADOPTERS = {"lead_approver", "administrator"}
SIGNERS = {"lead_approver", "partner_approver", "other_approver", "administrator"}
AUDITORS = {"lead_officer", "lead_approver"}  # of the audited team's organisation
AUDIT_READERS = AUDITORS | {"administrator"}
WORKERS = {"lead_officer", "lead_approver", "administrator", "partner_approver",
           "other_officer", "other_approver"}
START_AUDIT = WORKERS


def _client(client, world, role):
    if role != "anonymous":
        client.force_login(world["people"][role])
    return client


def _expect(role, allowed, ok=200):
    if role == "anonymous":
        return 302
    return ok if role in allowed else 403


PAGES = {
    "charter list": (lambda w: reverse("staff:charter:charter_list"), STAFF),
    "adopted version": (lambda w: reverse("staff:charter:charter_detail",
                                          args=[w["charter"].pk]), STAFF),
    "draft": (lambda w: reverse("staff:charter:charter_detail", args=[w["draft"].pk]), STAFF),
    # Anyone who drafts for some organisation may start a charter for it.
    "new charter": (lambda w: reverse("staff:charter:charter_create"), WORKERS),
    "edit draft details": (lambda w: reverse("staff:charter:charter_edit", args=[w["draft"].pk]),
                           DRAFTERS),
    "add a section": (lambda w: reverse("staff:charter:item_add", args=["section", w["draft"].pk]),
                      DRAFTERS),
    "edit a commitment": (lambda w: reverse("staff:charter:item_edit", args=[
        "commitment", w["draft"].sections.get().commitments.get().pk]), DRAFTERS),
    "adopt": (lambda w: reverse("staff:charter:adopt", args=[w["draft"].pk]), ADOPTERS),
    "sign": (lambda w: reverse("staff:charter:sign", args=[w["charter"].pk]), SIGNERS),
    "pulse rounds": (lambda w: reverse("staff:charter:pulse_rounds", args=[w["charter"].pk]),
                     DRAFTERS),
    "new pulse round": (lambda w: reverse("staff:charter:pulse_round_create",
                                          args=[w["charter"].pk]), DRAFTERS),
    "audit list": (lambda w: reverse("staff:charter:audit_list"), STAFF),
    "start an audit": (lambda w: reverse("staff:charter:audit_start"), START_AUDIT),
    "audit results": (lambda w: reverse("staff:charter:audit_detail", args=[w["audit"].pk]),
                      AUDIT_READERS),
    "complete the audit": (lambda w: reverse("staff:charter:audit_edit", args=[w["audit"].pk]),
                           AUDITORS),
    "improvement action": (lambda w: reverse("staff:charter:improvement_action",
                                             args=[w["audit"].pk]), AUDIT_READERS),
    "evidence list": (lambda w: reverse("staff:charter:evidence_list"), STAFF),
    "link evidence": (lambda w: reverse("staff:charter:evidence_add"), WORKERS),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_staff_page(client, world, role, page):
    url, allowed = PAGES[page]
    response = _client(client, world, role).get(url(world))
    assert response.status_code == _expect(role, allowed), (page, role)
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_an_adopted_version_cannot_be_edited_even_by_an_administrator(client, world):
    client.force_login(world["people"]["administrator"])
    adopted_item = world["commitment"]
    assert client.get(reverse("staff:charter:charter_edit",
                              args=[world["charter"].pk])).status_code == 403
    assert client.post(reverse("staff:charter:item_edit", args=["commitment", adopted_item.pk]),
                       {"text": "Changed"}).status_code == 403
    adopted_item.refresh_from_db()
    assert adopted_item.text == "All voices are heard and valued"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_change_a_draft(client, world, role):
    response = _client(client, world, role).post(
        reverse("staff:charter:item_add", args=["section", world["draft"].pk]),
        {"title": "Communication"})
    added = Section.objects.filter(charter=world["draft"], title="Communication").exists()
    assert response.status_code == (302 if role in DRAFTERS or role == "anonymous" else 403)
    assert added == (role in DRAFTERS)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_adopt(client, world, role):
    response = _client(client, world, role).post(
        reverse("staff:charter:adopt", args=[world["draft"].pk]),
        {"adopted_on_0": "1", "adopted_on_1": "2", "adopted_on_2": "2026",
         "review_date_0": "1", "review_date_1": "2", "review_date_2": "2028"})
    world["draft"].refresh_from_db()
    assert response.status_code == _expect(role, ADOPTERS, ok=302)
    assert (world["draft"].status == Charter.Status.ADOPTED) == (role in ADOPTERS)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_draft_a_new_version(client, world, role):
    world["draft"].delete()  # arrange: no draft yet
    response = _client(client, world, role).post(
        reverse("staff:charter:new_version", args=[world["charter"].pk]))
    drafted = Charter.objects.filter(slug="testshire-charter", status="draft").exists()
    assert response.status_code == _expect(role, DRAFTERS, ok=302)
    assert drafted == (role in DRAFTERS)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_sign_and_for_whom(client, world, role):
    """An approver signs for their own organisation only; an administrator for any."""
    data = {"organisation": world["partner"].pk, "role_title": "Chair",
            "signed_on_0": "1", "signed_on_1": "2", "signed_on_2": "2026"}
    response = _client(client, world, role).post(
        reverse("staff:charter:sign", args=[world["charter"].pk]), data)
    signed = Signatory.objects.filter(organisation=world["partner"]).exists()
    may_sign_for_partner = {"partner_approver", "administrator"}
    if role in may_sign_for_partner:
        assert response.status_code == 302 and signed
    else:
        assert not signed
        assert response.status_code == (302 if role == "anonymous"
                                        else 400 if role in SIGNERS else 403)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_complete_an_audit(client, world, role):
    audit = world["audit"]
    data = {"complete": ""}
    for answer in audit.answers.all():
        data[f"score_{answer.pk}"] = "1"
    response = _client(client, world, role).post(
        reverse("staff:charter:audit_edit", args=[audit.pk]), data)
    audit.refresh_from_db()
    assert response.status_code == _expect(role, AUDITORS, ok=302)
    assert audit.is_completed == (role in AUDITORS)


def test_board_members_see_summaries_but_not_the_evidence(client, world):
    audit = world["audit"]
    first = audit.answers.first()
    services.audit_save(acting_user=None, audit=audit,
                        answers={first.pk: (3, "PRIVATE-EVIDENCE-TEXT")}, complete=False)
    client.force_login(world["people"]["board_member"])
    listing = client.get(reverse("staff:charter:audit_list")).content.decode()
    assert "SEND casework team" in listing and "3 of 39" in listing
    assert "PRIVATE-EVIDENCE-TEXT" not in listing
    assert reverse("staff:charter:audit_detail", args=[audit.pk]) not in listing
    client.force_login(world["people"]["lead_officer"])
    assert "PRIVATE-EVIDENCE-TEXT" in client.get(
        reverse("staff:charter:audit_detail", args=[audit.pk])).content.decode()


def test_officers_of_another_organisation_do_not_see_the_audit_in_the_list(client, world):
    client.force_login(world["people"]["other_officer"])
    listing = client.get(reverse("staff:charter:audit_list")).content.decode()
    assert "SEND casework team" not in listing


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_and_close_pulse_rounds(client, world, role):
    pulse_round = world["round"]
    response = _client(client, world, role).post(
        reverse("staff:charter:pulse_round_state", args=[pulse_round.pk]), {"state": "closed"})
    pulse_round.refresh_from_db()
    assert response.status_code == _expect(role, DRAFTERS, ok=302)
    assert (pulse_round.state == "closed") == (role in DRAFTERS)


def test_feedback_can_be_linked_only_by_someone_who_may_read_it(client, world):
    from tests.feedback.factories import FeedbackFactory

    feedback = FeedbackFactory(organisation=world["lead"])
    adopted_commitment = world["commitment"]
    data = {"commitment": adopted_commitment.pk, "effect": "keeps", "kind": "feedback",
            "feedback_reference": feedback.reference, "summary": "A named contact now."}
    client.force_login(world["people"]["other_officer"])
    response = client.post(reverse("staff:charter:evidence_add"), data)
    assert response.status_code == 400
    assert "We cannot find feedback with that reference that you may read" in (
        response.content.decode())
    client.force_login(world["people"]["lead_officer"])
    assert client.post(reverse("staff:charter:evidence_add"), data).status_code == 302
    assert adopted_commitment.evidence.filter(feedback=feedback).exists()


def test_public_pages_are_open_to_everyone(client, world):
    assert client.get(reverse("charter:index")).status_code == 200
    assert client.get(reverse("charter:pulse", args=["testshire-charter"])).status_code == 200
