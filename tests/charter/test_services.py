"""Versions, ordering, signing, pulse rounds, audits and improvement actions."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from actionplan.models import Action
from charter import services
from charter.models import Charter, Commitment, ImprovementAction, PulseRound
from core.audit import Verb
from core.models import AuditEvent
from tests.actionplan.factories import PriorityFactory

pytestmark = pytest.mark.django_db


def test_new_version_copies_everything_but_signatures(world):
    v1, v2 = world["charter"], world["draft"]
    services.signatory_add(acting_user=None, charter=v1, organisation=world["partner"],
                           role_title="Chair", signed_on=date(2025, 4, 2))
    assert (v2.version, v2.status, v2.based_on_id) == (2, "draft", v1.pk)
    assert [s.title for s in v2.sections.all()] == ["Welcome and Care"]
    copied = v2.sections.get().commitments.get()
    assert copied.pk != world["commitment"].pk
    assert copied.lineage == world["commitment"].lineage
    assert [p.text for p in copied.practices.all()] == [
        "we widen participation by effective chairing"]
    assert ([s.lineage for s in v2.statements.all()]
            == [s.lineage for s in v1.statements.all()])
    assert v2.responsibilities.get().others_can_help == "talk to our SENCos"
    assert not v2.signatories.exists()
    with pytest.raises(ValidationError):  # one draft at a time
        services.charter_new_version(acting_user=None, charter=v1)


def test_adopting_supersedes_the_old_version_and_closes_its_rounds(world):
    v2 = services.charter_adopt(acting_user=None, charter=world["draft"],
                                adopted_on=date(2026, 1, 5), review_date=date(2028, 1, 5))
    v1 = Charter.objects.get(pk=world["charter"].pk)
    assert (v1.status, v1.superseded_on) == ("superseded", date(2026, 1, 5))
    assert v2.status == "adopted"
    assert PulseRound.objects.get(pk=world["round"].pk).state == "closed"
    assert AuditEvent.objects.filter(verb=Verb.CHARTER_ADOPTED, target_id=str(v2.pk)).exists()
    with pytest.raises(ValidationError):
        services.charter_item_add(acting_user=None, kind="section", parent=v2,
                                  fields={"title": "Too late"})
    with pytest.raises(ValidationError):
        services.signatory_add(acting_user=None, charter=v1, organisation=world["partner"],
                               role_title="Chair", signed_on=date(2026, 1, 6))


def test_adopting_needs_a_commitment_and_a_review_after_adoption(world):
    empty = services.charter_create(acting_user=None, title="Empty charter", area="Testshire",
                                    organisation=world["lead"])
    with pytest.raises(ValidationError, match="at least one commitment"):
        services.charter_adopt(acting_user=None, charter=empty, adopted_on=date(2026, 1, 1),
                               review_date=None)
    with pytest.raises(ValidationError):
        services.charter_adopt(acting_user=None, charter=world["draft"],
                               adopted_on=date(2026, 1, 5), review_date=date(2026, 1, 5))


def test_moving_items_up_and_down(world):
    section = world["draft"].sections.get()
    for text in ("Second", "Third"):
        services.charter_item_add(acting_user=None, kind="commitment", parent=section,
                                  fields={"text": text})

    def order():
        return [c.text for c in Commitment.objects.filter(section=section).order_by("order", "id")]

    third = section.commitments.get(text="Third")
    services.charter_item_move(acting_user=None, item=third, direction="up")
    assert order() == ["All voices are heard and valued", "Third", "Second"]
    services.charter_item_move(acting_user=None, item=third, direction="up")
    services.charter_item_move(acting_user=None, item=third, direction="up")  # already first
    assert order() == ["Third", "All voices are heard and valued", "Second"]
    services.charter_item_move(acting_user=None, item=section.commitments.get(text="Second"),
                               direction="down")  # already last
    assert order() == ["Third", "All voices are heard and valued", "Second"]


def test_only_one_open_public_round_per_version(world):
    with pytest.raises(ValidationError):
        services.pulse_round_create(acting_user=None, charter=world["charter"], title="Again",
                                    held_on=date(2026, 4, 1), access="public")
    invite = services.pulse_round_create(acting_user=None, charter=world["charter"],
                                         title="Forum", held_on=date(2026, 4, 1),
                                         access="invitation")
    assert len(invite.token) >= 30 and invite.token != world["round"].token
    with pytest.raises(ValidationError):
        services.pulse_round_create(acting_user=None, charter=world["draft"], title="Draft",
                                    held_on=date(2026, 4, 1), access="invitation")


def test_closed_rounds_refuse_answers_in_the_service_too(world):
    statement = world["charter"].statements.first()
    services.pulse_round_set_state(acting_user=None, pulse_round=world["round"], state="closed")
    with pytest.raises(ValidationError):
        services.pulse_submit(pulse_round=world["round"], ratings={statement.pk: 5})
    with pytest.raises(ValidationError):  # a statement of another charter version
        services.pulse_round_set_state(acting_user=None, pulse_round=world["round"], state="open")
        services.pulse_submit(pulse_round=world["round"],
                              ratings={world["draft"].statements.first().pk: 5})


def test_an_audit_is_completed_only_with_every_score(world):
    audit = world["audit"]
    answers = list(audit.answers.all())
    assert len(answers) == 13
    services.audit_save(acting_user=None, audit=audit,
                        answers={answers[0].pk: (3, "Youth forum notes")}, complete=False)
    with pytest.raises(ValidationError):
        services.audit_save(acting_user=None, audit=audit, answers={}, complete=True)
    audit = services.audit_save(acting_user=None, audit=audit,
                                answers={a.pk: (2, "Seen") for a in answers}, complete=True)
    assert audit.is_completed and audit.completed_at
    with pytest.raises(ValidationError):
        services.audit_save(acting_user=None, audit=audit, answers={}, complete=False)
    with pytest.raises(ValidationError):  # one audit per team and year
        services.audit_start(acting_user=None, organisation=world["lead"],
                             team="send casework  team", year=2026)


def test_improvement_actions_become_action_plan_actions(world):
    priority = PriorityFactory(number=4)
    officer = world["people"]["lead_officer"]
    link = services.improvement_action_add(
        acting_user=officer, audit=world["audit"], priority=priority,
        title="Invite young people to review our letters", due_date=date(2027, 3, 31),
        is_public=True)
    action = Action.objects.get(pk=link.action_id)
    assert action.lead_organisation == world["lead"]
    assert action.source == "Participation audit 2026: SEND casework team"
    assert action.reference == "4.1" and action.is_public
    assert ImprovementAction.objects.get().audit == world["audit"]
