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
