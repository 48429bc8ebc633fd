"""Who may do what with the charter.

"Administrator" below always means an administrator of the organisation the
thing belongs to (core.rules.administers_owner): never an administrator of
some other organisation. A partnership administrator (an administrator of
the partnership's lead organisation) counts as every partner's
administrator only while the partnership has decided so: the lead
organisation's setting "The partnership's administrators may act for
partner organisations" (off by default).

- Anyone (no account) reads adopted and replaced versions, the signatories,
  the pulse results (small groups hidden) and public evidence, and answers
  open pulse rounds (public ones at the charter's address, any round through
  its invitation link).
- Every member of staff reads the staff charter pages.
- A charter is looked after by one organisation. Its officers and approvers
  draft (change a draft, draft a new version, run pulse rounds); only its
  approvers adopt. Its administrators may do all of these. Anyone who
  drafts for, or administers, an organisation starts a charter for it.
- A signature is that organisation's own act: its approvers and its
  administrators sign for it, and only for it.
- A participation audit belongs to a team of an organisation: that
  organisation's officers and approvers start, complete and see it in full
  and add improvement actions; its administrators see it in full, add
  improvement actions and reopen it. Board members and administrators see
  the summaries (totals per section) of every team, not the evidence text.
- A signature is taken off (with a reason) by an approver or an
  administrator of the organisation that signed; a replaced version's
  signatories are history and stay.
- A completed audit is reopened (with a reason) by the officers, approvers
  and administrators of its organisation.
- Officers, approvers and administrators link evidence to commitments;
  feedback can only be linked by someone who may read it. A link is removed
  by the person who added it, the charter's drafters or its administrators.
"""

import rules

from core.models import Role
from core.roles import has_role
from core.rules import administers_owner, is_administrator, is_staff_member, is_working_officer

DRAFTERS = {Role.OFFICER, Role.APPROVER}
AUDITORS = {Role.OFFICER, Role.APPROVER}


def _charter_org(obj) -> int | None:
    return getattr(obj, "organisation_id", None)


@rules.predicate
def drafts_for(user, charter) -> bool:
    return charter is not None and has_role(user, DRAFTERS, _charter_org(charter))


@rules.predicate
def approves_for(user, charter) -> bool:
    return charter is not None and has_role(user, {Role.APPROVER}, _charter_org(charter))


@rules.predicate
def is_draft(user, charter) -> bool:
    return charter is not None and charter.status == "draft"


@rules.predicate
def is_adopted(user, charter) -> bool:
    return charter is not None and charter.status == "adopted"


@rules.predicate
def is_not_superseded(user, charter) -> bool:
    return charter is not None and charter.status != "superseded"


@rules.predicate
def is_approver_anywhere(user) -> bool:
    return has_role(user, {Role.APPROVER})


@rules.predicate
def may_draft_somewhere(user) -> bool:
    return has_role(user, DRAFTERS)


@rules.predicate
def audits_for(user, audit) -> bool:
    return audit is not None and has_role(user, AUDITORS, audit.organisation_id)


@rules.predicate
def audit_in_progress(user, audit) -> bool:
    return audit is not None and audit.status == "in_progress"


@rules.predicate
def may_audit_somewhere(user) -> bool:
    return has_role(user, AUDITORS)


rules.add_perm("charter.view_charters", is_staff_member)
rules.add_perm("charter.add_charter", may_draft_somewhere | is_administrator)
rules.add_perm("charter.edit_charter", is_draft & (drafts_for | administers_owner))
rules.add_perm("charter.draft_version", is_adopted & (drafts_for | administers_owner))
rules.add_perm("charter.adopt_charter", is_draft & (approves_for | administers_owner))
# The page opens for anyone who may sign for some organisation; its choice
# offers only the organisations they sign for (charter.views).
rules.add_perm("charter.sign_charter", is_not_superseded & (is_approver_anywhere | is_administrator))
rules.add_perm("charter.manage_pulse", drafts_for | administers_owner)

rules.add_perm("charter.view_audits", is_staff_member)
rules.add_perm("charter.start_audit", may_audit_somewhere | is_administrator)
rules.add_perm("charter.complete_audit", audit_in_progress & audits_for)
rules.add_perm("charter.view_audit", audits_for | administers_owner)
rules.add_perm("charter.add_improvement_action", audits_for | administers_owner)


@rules.predicate
def approves_for_signatory(user, signatory) -> bool:
    return signatory is not None and has_role(user, {Role.APPROVER}, signatory.organisation_id)


@rules.predicate
def signatory_on_current_version(user, signatory) -> bool:
    return signatory is not None and signatory.charter.status != "superseded"


@rules.predicate
def audit_completed(user, audit) -> bool:
    return audit is not None and audit.status == "completed"


rules.add_perm("charter.remove_signatory",
               signatory_on_current_version & (approves_for_signatory | administers_owner))
rules.add_perm("charter.reopen_audit", audit_completed & (audits_for | administers_owner))

@rules.predicate
def added_the_link(user, link) -> bool:
    return link is not None and link.added_by_id is not None and link.added_by_id == user.pk


@rules.predicate
def drafts_for_linked_charter(user, link) -> bool:
    return link is not None and drafts_for(user, link.commitment.section.charter)


@rules.predicate
def administers_linked_charter(user, link) -> bool:
    return link is not None and administers_owner(user, link.commitment.section.charter)


rules.add_perm("charter.add_evidence", is_working_officer)
rules.add_perm("charter.remove_evidence",
               is_working_officer & (added_the_link | drafts_for_linked_charter
                                     | administers_linked_charter))
