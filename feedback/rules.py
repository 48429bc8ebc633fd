"""Who may do what with feedback.

- Officers and approvers of the organisation that answers a piece of
  feedback, or of an organisation it is shared with, may read it.
  Administrators may read their organisation's feedback (not contact details).
- Only officers and approvers of the answering organisation see contact
  details, reply, and propose quotes.
- An approver of the answering organisation, not the author, approves replies.
- Anyone who may reply, except the person who proposed it, approves a quote.
- Board members never see individual feedback: they see dashboards.
"""

import rules

from core.models import Role
from core.roles import has_role, organisation_ids_with_role
from core.rules import is_administrator, is_partnership_administrator, is_working_officer

HANDLERS = {Role.OFFICER, Role.APPROVER}
READERS = {Role.OFFICER, Role.APPROVER, Role.ADMINISTRATOR}


@rules.predicate
def handles(user, feedback) -> bool:
    return feedback is not None and has_role(user, HANDLERS, feedback.organisation_id)


@rules.predicate
def can_read(user, feedback) -> bool:
    if feedback is None:
        return False
    orgs = organisation_ids_with_role(user, READERS)
    if feedback.organisation_id in orgs:
        return True
    shared = getattr(feedback, "_shared_ids", None)
    if shared is None:
        shared = set(feedback.shared_with.values_list("pk", flat=True))
    handler_orgs = organisation_ids_with_role(user, HANDLERS)
    return bool(handler_orgs & shared)


@rules.predicate
def approves_for(user, feedback) -> bool:
    return feedback is not None and has_role(user, {Role.APPROVER}, feedback.organisation_id)


@rules.predicate
def is_handler_anywhere(user) -> bool:
    return has_role(user, HANDLERS)


rules.add_perm("feedback.view_inbox", is_working_officer)
rules.add_perm("feedback.view_feedback", can_read)
rules.add_perm("feedback.view_contact_details", handles)
rules.add_perm("feedback.handle_feedback", handles)  # assign, status, themes, reply
rules.add_perm("feedback.add_note", can_read & is_working_officer)
rules.add_perm("feedback.approve_reply", approves_for)
rules.add_perm("feedback.propose_quote", handles)
rules.add_perm("feedback.decide_quote", handles)
rules.add_perm("feedback.log_feedback", is_handler_anywhere)
rules.add_perm("feedback.import_survey", is_handler_anywhere)
rules.add_perm("feedback.tag_in_bulk", is_handler_anywhere)  # lists only what they handle
# Subject access and erasure requests: administrators, for their organisations.
rules.add_perm("feedback.handle_subject_requests", is_administrator)
# The routing table sends feedback across organisations: the partnership's administrators.
rules.add_perm("feedback.manage_routing", is_partnership_administrator)


@rules.predicate
def keeps_reply_templates(user) -> bool:
    """Approvers and administrators keep their organisation's reply templates."""
    return has_role(user, {Role.APPROVER, Role.ADMINISTRATOR})


rules.add_perm("feedback.manage_reply_templates", keeps_reply_templates)
