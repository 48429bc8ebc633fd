"""Who may do what with getting involved.

- Anyone (no account) reads published opportunities, says they would like
  to take part, joins the register, and changes or leaves it with its
  private link.
- Officers, approvers and administrators publish their own organisation's
  opportunities and see who would like to take part; they see the register
  of their organisations and invite its members; they see the
  representation view (anonymous counts).
- Administrators enter the area's published figures.
- Board members and the public never see the register, who would like to
  take part, or the representation view.
"""

import rules

from core.roles import WORKING_ROLES, has_role
from core.rules import is_administrator, is_working_officer


@rules.predicate
def works_for_owner(user, obj) -> bool:
    return obj is not None and has_role(user, WORKING_ROLES, getattr(obj, "organisation_id", None))


rules.add_perm("participation.view_opportunities", is_working_officer)
rules.add_perm("participation.change_opportunity", works_for_owner)
rules.add_perm("participation.view_register", is_working_officer)
rules.add_perm("participation.view_representation", is_working_officer)
rules.add_perm("participation.enter_area_figures", is_administrator)
