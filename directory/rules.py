"""Who may do what with who's who and the jargon buster.

- Anyone (no account) reads the published profiles and the glossary.
- A profile belongs to one organisation: its officers, approvers and
  administrators add, change and remove its profiles (a person withdrawing
  consent is answered by whoever of them hears first). Another
  organisation's staff cannot touch it; board members manage none.
- The glossary is the partnership's one list: officers, approvers and
  administrators of any partner keep it.
"""

import rules

from core.roles import WORKING_ROLES, has_role, roles_by_organisation


@rules.predicate
def is_working_officer(user) -> bool:
    return has_role(user, WORKING_ROLES)


@rules.predicate
def works_for_owner(user, obj) -> bool:
    if obj is None:
        return False
    return bool(roles_by_organisation(user).get(obj.organisation_id, frozenset()) & WORKING_ROLES)


rules.add_perm("directory.manage_profiles", is_working_officer)
rules.add_perm("directory.change_profile", is_working_officer & works_for_owner)
rules.add_perm("directory.manage_glossary", is_working_officer)
