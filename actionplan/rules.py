"""Who may do what with the action plan.

- Anyone (no account) sees the public page: public actions of published
  plans, their status and public narrative, never staff names or internal
  narrative.
- Every member of staff of a partner organisation (officer, approver, board
  member, administrator) may read the staff action list, action pages, the
  dashboard, boards and meetings, and download board packs: the plan is a
  multi-agency plan, so partners see each other's internal actions.
- Progress is recorded only by the action's owner, or by an officer or
  approver of its lead organisation. Board members read and challenge; they
  do not update.
- The CSV export (owner names, no families' data) is for staff who work on
  the plan and for board members.
- Officers, approvers and administrators arrange meetings (which actions a
  meeting reviews) and generate board packs; approvers and administrators of
  the lead organisation may add actions for it.
"""

import rules

from core.models import Role
from core.roles import has_role
from core.rules import is_board_member, is_staff_member, is_working_officer

UPDATERS = {Role.OFFICER, Role.APPROVER}
ACTION_CREATORS = {Role.OFFICER, Role.APPROVER, Role.ADMINISTRATOR}


@rules.predicate
def is_owner(user, action) -> bool:
    return (action is not None and action.owner_id is not None
            and action.owner_id == getattr(user, "pk", None) and is_staff_member(user))


@rules.predicate
def works_for_lead_organisation(user, action) -> bool:
    return action is not None and has_role(user, UPDATERS, action.lead_organisation_id)


@rules.predicate
def may_create_actions(user) -> bool:
    return has_role(user, ACTION_CREATORS)


rules.add_perm("actionplan.view_actions", is_staff_member)
rules.add_perm("actionplan.view_action", is_staff_member)
rules.add_perm("actionplan.view_dashboard", is_staff_member)
rules.add_perm("actionplan.update_action", is_owner | works_for_lead_organisation)
rules.add_perm("actionplan.export_actions", is_working_officer | is_board_member)
rules.add_perm("actionplan.view_meetings", is_staff_member)
rules.add_perm("actionplan.manage_meetings", is_working_officer)
rules.add_perm("actionplan.add_action", may_create_actions)
