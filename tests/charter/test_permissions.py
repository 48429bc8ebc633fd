"""Role × action matrix: who may edit a draft, draft a new version, adopt,
sign, run pulse rounds, complete an audit, see audit results, link evidence.
Anonymous visitors are sent to sign in; others without permission get 403.

"administrator" is an administrator of the charter's (and the audit's)
organisation. An administrator of another organisation (the forum that
signs, or the partnership's lead while it does not act for partners) is
refused every charter and audit address of the county (issue 19)."""

from datetime import date

import pytest
from django.urls import reverse

from charter import services
from charter.models import Charter, Section, Signatory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "lead_officer", "lead_approver", "board_member",
         "administrator", "partner_administrator", "partnership_administrator",
         "partner_approver", "other_officer", "other_approver"]
OTHER_ADMINISTRATORS = {"partner_administrator", "partnership_administrator"}
STAFF = set(ROLES) - {"anonymous", "no_role"}
DRAFTERS = {"lead_officer", "lead_approver", "administrator"}
ADOPTERS = {"lead_approver", "administrator"}
# The sign page opens for whoever signs for some organisation (for their own).
SIGNERS = {"lead_approver", "partner_approver", "other_approver", "administrator",
           *OTHER_ADMINISTRATORS}
AUDITORS = {"lead_officer", "lead_approver"}  # of the audited team's organisation
AUDIT_READERS = AUDITORS | {"administrator"}
# Anyone who drafts, audits or administers somewhere starts one for their own.
WORKERS = {"lead_officer", "lead_approver", "administrator", "partner_approver",
           "other_officer", "other_approver", *OTHER_ADMINISTRATORS}
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
    """Approvers and administrators sign for their own organisation only: the
    county's administrator cannot sign for the forum (issue 19)."""
    data = {"organisation": world["partner"].pk, "role_title": "Chair",
            "signed_on_0": "1", "signed_on_1": "2", "signed_on_2": "2026"}
    response = _client(client, world, role).post(
        reverse("staff:charter:sign", args=[world["charter"].pk]), data)
    signed = Signatory.objects.filter(organisation=world["partner"]).exists()
    may_sign_for_partner = {"partner_approver", "partner_administrator"}
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


# --- Administrators of another organisation (issue 19) ---------------------------------------


def _everything_the_charter_app_keeps():
    """Every row of the charter app, the action plan's actions (an improvement
    action becomes one) and the audit trail: what a refused POST must not change."""
    from django.apps import apps

    from actionplan.models import Action
    from core.models import AuditEvent

    models = [*apps.get_app_config("charter").get_models(), Action, AuditEvent]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def _county_objects(world):
    """A completed audit, the county's own signature and an evidence link of
    the county's charter, beside the world's draft and audit."""
    from tests.actionplan.factories import PriorityFactory

    completed = services.audit_start(acting_user=None, organisation=world["lead"],
                                     team="Short breaks team", year=2025)
    services.audit_save(acting_user=None, audit=completed,
                        answers={a.pk: (2, "") for a in completed.answers.all()}, complete=True)
    signatory = services.signatory_add(acting_user=None, charter=world["charter"],
                                       organisation=world["lead"], role_title="Director",
                                       signed_on=date(2025, 4, 2))
    link = services.evidence_link_add(acting_user=world["people"]["lead_officer"],
                                      commitment=world["commitment"], effect="keeps",
                                      title="Forum minutes", url="/reports/minutes/")
    draft_section = world["draft"].sections.get()
    return {"completed": completed, "signatory": signatory, "link": link,
            "draft_section": draft_section,
            "draft_commitment": draft_section.commitments.get(),
            "priority": PriorityFactory()}


def _draft_details(world, title):
    return {"title": title, "area": "Testshire", "position": "1",
            "lock_version": world["draft"].lock_version}


# Every charter and audit address of the county's objects, with a POST that
# would change something for someone allowed (the partnership-lead case
# below proves it does).
COUNTY_ADDRESSES = {
    "charter_edit": (lambda w, o: reverse("staff:charter:charter_edit", args=[w["draft"].pk]),
                     lambda w, o: _draft_details(w, "Changed by another organisation")),
    "new_version": (lambda w, o: reverse("staff:charter:new_version", args=[w["charter"].pk]),
                    None),
    "adopt": (lambda w, o: reverse("staff:charter:adopt", args=[w["draft"].pk]),
              lambda w, o: {"adopted_on_0": "1", "adopted_on_1": "2", "adopted_on_2": "2026",
                            "review_date_0": "1", "review_date_1": "2", "review_date_2": "2028"}),
    "pulse_rounds": (lambda w, o: reverse("staff:charter:pulse_rounds", args=[w["charter"].pk]),
                     None),
    "pulse_round_create": (lambda w, o: reverse("staff:charter:pulse_round_create",
                                                args=[w["charter"].pk]),
                           lambda w, o: {"title": "Forum evening", "held_on_0": "1",
                                         "held_on_1": "3", "held_on_2": "2026",
                                         "access": "public"}),
    "pulse_round_state": (lambda w, o: reverse("staff:charter:pulse_round_state",
                                               args=[w["round"].pk]),
                          lambda w, o: {"state": "closed"}),
    "item_add": (lambda w, o: reverse("staff:charter:item_add", args=["section", w["draft"].pk]),
                 lambda w, o: {"title": "Communication"}),
    "item_edit": (lambda w, o: reverse("staff:charter:item_edit",
                                       args=["section", o["draft_section"].pk]),
                  lambda w, o: {"title": "Changed", "lock_version": o["draft_section"].lock_version}),
    "item_delete": (lambda w, o: reverse("staff:charter:item_delete",
                                         args=["commitment", o["draft_commitment"].pk]), None),
    "item_move": (lambda w, o: reverse("staff:charter:item_move",
                                       args=["commitment", o["draft_commitment"].pk]),
                  lambda w, o: {"direction": "up"}),
    "signatory_remove": (lambda w, o: reverse("staff:charter:signatory_remove",
                                              args=[o["signatory"].pk]),
                         lambda w, o: {"reason": "Signed by mistake"}),
    "evidence_remove": (lambda w, o: reverse("staff:charter:evidence_remove",
                                             args=[o["link"].pk]), None),
    "audit_detail": (lambda w, o: reverse("staff:charter:audit_detail", args=[w["audit"].pk]),
                     None),
    "audit_edit": (lambda w, o: reverse("staff:charter:audit_edit", args=[w["audit"].pk]),
                   lambda w, o: {"complete": "", **{f"score_{a.pk}": "1"
                                                    for a in w["audit"].answers.all()}}),
    "audit_reopen": (lambda w, o: reverse("staff:charter:audit_reopen",
                                          args=[o["completed"].pk]),
                     lambda w, o: {"reason": "A score was entered wrongly"}),
    "improvement_action": (lambda w, o: reverse("staff:charter:improvement_action",
                                                args=[w["audit"].pk]),
                           lambda w, o: {"priority": o["priority"].pk, "title": "Meet families",
                                         "due_date_0": "31", "due_date_1": "3",
                                         "due_date_2": "2027"}),
}


@pytest.mark.parametrize("role", sorted(OTHER_ADMINISTRATORS))
@pytest.mark.parametrize("address", COUNTY_ADDRESSES)
def test_an_administrator_of_another_organisation_is_refused_and_changes_nothing(
        client, world, role, address):
    """GET and POST (where the view takes it) of every charter and audit
    address of the county's objects: 403 or 404 for the forum's
    administrator and for the partnership's while it does not act for
    partners, and the POST leaves every row as it was."""
    objects = _county_objects(world)
    url, data = COUNTY_ADDRESSES[address]
    path = url(world, objects)
    client.force_login(world["people"][role])
    for method in ("get", "post"):
        before = _everything_the_charter_app_keeps()
        response = getattr(client, method)(path, data(world, objects) if data else {})
        if response.status_code == 405:
            continue
        assert response.status_code in (403, 404), (method, address, role, response.status_code)
        assert _everything_the_charter_app_keeps() == before, (method, address, role)


def test_the_forum_administrator_cannot_change_the_county_draft_title(client, world):
    client.force_login(world["people"]["partner_administrator"])
    response = client.post(reverse("staff:charter:charter_edit", args=[world["draft"].pk]),
                           _draft_details(world, "The forum's title"))
    assert response.status_code == 403
    world["draft"].refresh_from_db()
    assert world["draft"].title == "Testshire Co-production Charter"


def test_the_county_administrator_changes_the_county_draft_title(client, world):
    client.force_login(world["people"]["administrator"])
    response = client.post(reverse("staff:charter:charter_edit", args=[world["draft"].pk]),
                           _draft_details(world, "Testshire Working Agreement"))
    assert response.status_code == 302
    world["draft"].refresh_from_db()
    assert world["draft"].title == "Testshire Working Agreement"


def _lead_acts_for_partners(world, on: bool):
    world["partnership"].lead_acts_for_partners = on
    world["partnership"].save(update_fields=["lead_acts_for_partners"])


@pytest.mark.parametrize("address", COUNTY_ADDRESSES)
def test_the_partnership_administrator_acts_for_partners_when_the_partnership_says_so(
        client, world, address):
    """The lead organisation's setting on: its administrators are allowed
    where the county's own administrator is (audit_edit: completing an
    audit is its team's work, never an administrator's)."""
    _lead_acts_for_partners(world, True)
    objects = _county_objects(world)
    url, data = COUNTY_ADDRESSES[address]
    path = url(world, objects)
    client.force_login(world["people"]["partnership_administrator"])
    refused = (403, 404)
    for method in ("get", "post"):
        response = getattr(client, method)(path, data(world, objects) if data else {})
        if response.status_code == 405:
            continue
        if address == "audit_edit":
            assert response.status_code in refused
        else:
            assert response.status_code not in (*refused, 500), (method, address,
                                                                 response.status_code)


@pytest.mark.parametrize("on", [False, True])
def test_the_partnership_administrator_changes_a_partner_draft_only_when_on(client, world, on):
    _lead_acts_for_partners(world, on)
    client.force_login(world["people"]["partnership_administrator"])
    response = client.post(reverse("staff:charter:charter_edit", args=[world["draft"].pk]),
                           _draft_details(world, "Changed by the partnership"))
    world["draft"].refresh_from_db()
    assert response.status_code == (302 if on else 403)
    assert (world["draft"].title == "Changed by the partnership") == on


@pytest.mark.parametrize("on", [False, True])
def test_the_partnership_administrator_signs_for_a_partner_only_when_on(client, world, on):
    _lead_acts_for_partners(world, on)
    client.force_login(world["people"]["partnership_administrator"])
    sign = reverse("staff:charter:sign", args=[world["charter"].pk])
    offered = client.get(sign).content.decode()
    assert ("Testshire Parent Carer Forum" in offered) == on
    response = client.post(sign, {"organisation": world["partner"].pk, "role_title": "Chair",
                                  "signed_on_0": "1", "signed_on_1": "2", "signed_on_2": "2026"})
    assert response.status_code == (302 if on else 400)
    assert Signatory.objects.filter(organisation=world["partner"]).exists() == on


@pytest.mark.parametrize("role", ["administrator", "partner_administrator"])
def test_an_administrator_is_offered_only_their_own_organisation(client, world, role):
    """The organisation choices of a new charter, a signature and an audit:
    one organisation, already chosen, after a "Choose an organisation" prompt."""
    own = world["lead"] if role == "administrator" else world["partner"]
    client.force_login(world["people"][role])
    for name, args in (("charter_create", []), ("sign", [world["charter"].pk]),
                       ("audit_start", [])):
        html = client.get(reverse(f"staff:charter:{name}", args=args)).content.decode()
        select = html[html.index('<select name="organisation"'):]
        select = select[:select.index("</select>")]
        assert "---------" not in select, name
        assert '<option value="">Choose an organisation</option>' in select, name
        assert select.count("<option") == 2, name
        assert f'<option value="{own.pk}" selected>{own.name}</option>' in select, name
