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
  meeting reviews) and generate board packs, and add actions, naming any
  partner as the lead (the plan is multi-agency: a council officer writes up
  the action the ICB leads); from then on the lead's people change it.
"""

import rules

from core.models import Role
from core.roles import WORKING_ROLES, has_role
from core.rules import (
    is_administrator,
    is_board_member,
    is_partnership_administrator,
    is_staff_member,
    is_working_officer,
)

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


# --- Changing plans, priorities, boards, meetings and actions ----------------------------
#
# - An action is changed (every field, partners, themes, unlinking feedback)
#   by officers, approvers and administrators of its lead organisation: the
#   people who may add actions for it. Its owner records progress but does
#   not move their own due date; that change is kept as history for the board.
# - A board, its meetings, and a plan it owns (details, review date,
#   publishing, priorities and their order) are changed by officers,
#   approvers and administrators of an organisation that sits on the board.
#   A plan with no board, or a board with no partners recorded, is changed
#   by the partnership's administrators (the lead organisation's), who set
#   the partnership up and may add a plan to, and fix, any board or plan. A
#   plan is otherwise added by someone who sits on a board (it is given to
#   one of their boards). An administrator of an organisation that does not
#   sit on a board changes none of its board, plans or meetings (issue 19:
#   "administrator of any organisation" is no right over another's things);
#   any administrator may add a new board.
# - Board members read and challenge; they change none of these.


def _board_organisation_ids(board) -> set[int]:
    return {o.pk for o in board.organisations.all()} if board is not None else set()


@rules.predicate
def sits_on_board(user, board) -> bool:
    ids = _board_organisation_ids(board)
    return any(has_role(user, WORKING_ROLES, org_id) for org_id in ids)


@rules.predicate
def sits_on_plans_board(user, plan) -> bool:
    return plan is not None and sits_on_board(user, plan.board)


@rules.predicate
def sits_on_meetings_board(user, meeting) -> bool:
    return meeting is not None and sits_on_board(user, meeting.board)


@rules.predicate
def sits_on_any_board(user) -> bool:
    from core.roles import organisation_ids_with_role

    from .models import Board

    ids = organisation_ids_with_role(user, WORKING_ROLES)
    return bool(ids) and Board.objects.filter(organisations__in=ids).exists()


@rules.predicate
def works_on_action_for_lead(user, action) -> bool:
    return action is not None and has_role(user, ACTION_CREATORS, action.lead_organisation_id)


rules.add_perm("actionplan.change_action", works_on_action_for_lead)
rules.add_perm("actionplan.view_plans", is_staff_member)
rules.add_perm("actionplan.add_plan", is_partnership_administrator | sits_on_any_board)
rules.add_perm("actionplan.change_plan", sits_on_plans_board | is_partnership_administrator)
rules.add_perm("actionplan.add_board", is_administrator)
rules.add_perm("actionplan.change_board", sits_on_board | is_partnership_administrator)
rules.add_perm("actionplan.change_meeting", sits_on_meetings_board | is_partnership_administrator)


# --- Measures ----------------------------------------------------------------------------
#
# - A measure of an action is added and changed by those who change the
#   action; a measure of a priority by those who change the plan.
# - Its values are added by the person named to update it, and by those who
#   record progress on its action (or change its priority's plan).
# - Anyone who works on the plan (officers, approvers, administrators) may
#   upload a CSV of values; each row is checked against add_measure_value.
# - Board members read and challenge; they add no values.


@rules.predicate
def may_change_measure_parent(user, measure) -> bool:
    if measure is None:
        return False
    if measure.action_id:
        return works_on_action_for_lead(user, measure.action)
    return sits_on_plans_board(user, measure.priority.plan) or is_partnership_administrator(user)


@rules.predicate
def updates_measure(user, measure) -> bool:
    return (measure is not None and measure.owner_id is not None
            and measure.owner_id == getattr(user, "pk", None) and is_staff_member(user))


@rules.predicate
def updates_measures_action(user, measure) -> bool:
    return (measure is not None and measure.action_id is not None
            and (is_owner(user, measure.action) or works_for_lead_organisation(user, measure.action)))


rules.add_perm("actionplan.change_measure", may_change_measure_parent)
rules.add_perm("actionplan.add_measure_value",
               updates_measure | updates_measures_action | may_change_measure_parent)
rules.add_perm("actionplan.upload_measure_values", is_working_officer)
