"""Who may do what with reports.

- Officers and approvers of the report's organisation draft and edit it.
- An approver of that organisation who is not the author approves it.
- The author or an approver publishes an approved report; approvers
  withdraw. Anyone who may draft starts a new version (so a lone approver
  can have an officer start it, and then approve it).
- Officers and approvers of a series' organisation rename the series.
- In the staff area, officers, approvers and administrators see only their
  own organisation's reports (drafts of another partner are theirs until
  published; reports have no sharing). Board members read published
  reports like the public.
"""

import rules

from core.models import Role
from core.roles import has_role
from core.rules import is_administrator, is_staff_member

EDITORS = {Role.OFFICER, Role.APPROVER}
STAFF_READERS = EDITORS | {Role.ADMINISTRATOR}


@rules.predicate
def edits(user, report) -> bool:
    return report is not None and has_role(user, EDITORS, report.organisation_id)


@rules.predicate
def reads(user, report) -> bool:
    return report is not None and has_role(user, STAFF_READERS, report.organisation_id)


@rules.predicate
def edits_series(user, series) -> bool:
    return series is not None and has_role(user, EDITORS, series.organisation_id)


@rules.predicate
def approves(user, report) -> bool:
    return report is not None and has_role(user, {Role.APPROVER}, report.organisation_id)


@rules.predicate
def is_author(user, report) -> bool:
    return report is not None and report.author_id == user.pk


@rules.predicate
def drafts_anywhere(user) -> bool:
    return has_role(user, STAFF_READERS)


@rules.predicate
def edits_anywhere(user) -> bool:
    return has_role(user, EDITORS)


rules.add_perm("reports.view_staff_reports", drafts_anywhere)
rules.add_perm("reports.view_report", reads)
rules.add_perm("reports.create_report", edits_anywhere)
rules.add_perm("reports.edit_report", edits)
rules.add_perm("reports.approve_report", approves & ~is_author)
rules.add_perm("reports.publish_report", approves | (edits & is_author))
rules.add_perm("reports.withdraw_report", approves)
rules.add_perm("reports.start_new_version", edits)
# A series (its name) belongs to its organisation: whoever drafts its reports renames it.
rules.add_perm("reports.rename_series", edits_series)


# The evidence pack (reports.evidence): every member of staff reads the
# partnership's packs, and one organisation's packs are read by its own
# people and the partnership's administrators. Administrators make them:
# for their own organisation, and the partnership's administrators for the
# partnership.
@rules.predicate
def reads_evidence_pack(user, pack) -> bool:
    from core.roles import is_partnership_administrator

    if pack is None:
        return False
    if pack.organisation_id is None:
        return is_staff_member(user)
    return has_role(user, Role.values, pack.organisation_id) or is_partnership_administrator(user)


rules.add_perm("reports.view_evidence_packs", is_staff_member)
rules.add_perm("reports.view_evidence_pack", reads_evidence_pack)
rules.add_perm("reports.make_evidence_pack", is_administrator)
