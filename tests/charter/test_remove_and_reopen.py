"""Taking a signature off a charter and reopening a completed audit: who
may (role × page), the reason is required and audited, the public charter
stops listing the signature, pinned query counts."""

from datetime import date

import pytest
from django.urls import reverse

from charter import services
from charter.models import ParticipationAudit, Signatory
from core.audit import Verb
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "lead_officer", "lead_approver", "board_member",
         "administrator", "partner_administrator", "partnership_administrator",
         "partner_approver", "other_officer", "other_approver"]


@pytest.fixture
def signed(world):
    signatory = services.signatory_add(acting_user=None, charter=world["charter"],
                                       organisation=world["partner"], role_title="Chair",
                                       person_name="Pat Chair", signed_on=date(2025, 4, 2))
    audit = world["audit"]
    answers = {a.pk: (2, "") for a in audit.answers.all()}
    services.audit_save(acting_user=None, audit=audit, answers=answers, complete=True)
    return {**world, "signatory": signatory, "audit": ParticipationAudit.objects.get(pk=audit.pk)}


def _client(client, world, role):
    if role != "anonymous":
        client.force_login(world["people"][role])
    return client


PAGES = {
    # name: (url, who may, verb). The forum's signature is the forum's: the
    # county's administrator does not take it off (issue 19).
    "remove signature": (lambda w: reverse("staff:charter:signatory_remove",
                                           args=[w["signatory"].pk]),
                         {"partner_approver", "partner_administrator"},
                         Verb.CHARTER_SIGNATORY_REMOVED),
    "reopen audit": (lambda w: reverse("staff:charter:audit_reopen", args=[w["audit"].pk]),
                     {"lead_officer", "lead_approver", "administrator"}, Verb.PARTICIPATION_AUDIT_REOPENED),
}

# The administrator of the organisation each page's object belongs to.
ADMINISTRATOR_OF = {"remove signature": "partner_administrator", "reopen audit": "administrator"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_and_use_each_page(client, signed, role, page):
    url, allowed, verb = PAGES[page]
    c = _client(client, signed, role)
    expected = 302 if role == "anonymous" else (200 if role in allowed else 403)
    assert c.get(url(signed)).status_code == expected, (page, role)
    response = c.post(url(signed), {"reason": "Recorded against the wrong version"})
    if role in allowed:
        assert response.status_code == 302
        event = AuditEvent.objects.filter(verb=verb).get()
        assert event.summary == "Recorded against the wrong version"
        assert event.actor == signed["people"][role]
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert not AuditEvent.objects.filter(verb=verb).exists()


def test_a_removed_signature_leaves_the_public_charter(client, signed):
    public = reverse("charter:charter", args=[signed["charter"].slug])
    assert "Pat Chair" in client.get(public).content.decode()
    client.force_login(signed["people"]["partner_approver"])
    client.post(PAGES["remove signature"][0](signed), {"reason": "Signed by mistake"})
    assert not Signatory.objects.filter(pk=signed["signatory"].pk).exists()
    client.logout()
    assert "Pat Chair" not in client.get(public).content.decode()
    event = AuditEvent.objects.get(verb=Verb.CHARTER_SIGNATORY_REMOVED)
    assert event.data["role_title"] == "Chair" and event.data["signed_on"] == "2025-04-02"


def test_a_reopened_audit_is_in_progress_and_can_be_changed_again(client, signed):
    client.force_login(signed["people"]["lead_officer"])
    url = PAGES["reopen audit"][0](signed)
    response = client.post(url, {"reason": "A score was entered wrongly"})
    assert response["Location"] == reverse("staff:charter:audit_edit", args=[signed["audit"].pk])
    audit = ParticipationAudit.objects.get(pk=signed["audit"].pk)
    assert audit.status == "in_progress" and audit.completed_at is None
    assert client.get(response["Location"]).status_code == 200
    # Once in progress, it cannot be reopened again.
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_a_reason_is_required_and_its_error_links_to_the_field(client, signed, page):
    client.force_login(signed["people"][ADMINISTRATOR_OF[page]])
    response = client.post(PAGES[page][0](signed), {"reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_reason"' in html and 'id="id_reason"' in html
    assert not AuditEvent.objects.filter(verb=PAGES[page][2]).exists()


@pytest.mark.parametrize("page,get_n,post_n", [("remove signature", 3, 8),
                                               ("reopen audit", 5, 10)])
def test_query_counts_are_pinned(client, signed, django_assert_num_queries, page, get_n,
                                 post_n):
    client.force_login(signed["people"][ADMINISTRATOR_OF[page]])
    client.get(reverse("staff:home"))
    url = PAGES[page][0](signed)
    with django_assert_num_queries(get_n):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(post_n):
        assert client.post(url, {"reason": "Wrong"}).status_code == 302
