"""What each state of a charter version means to the pages, as one table
(as reports.workflow is for reports): its tag, and whether it may be
changed, is on the public site, or is the version in force. Templates read
`charter.workflow_state`; none compares a bare status string."""

from dataclasses import dataclass

from .models import Charter

S = Charter.Status


@dataclass(frozen=True)
class State:
    label: str  # the tag's words
    tag: str  # the GOV.UK tag's colour class
    editable: bool = False  # sections and commitments may be changed
    public: bool = False  # readable on the public site
    current: bool = False  # the adopted version in force: pulse rounds, signatures


STATES: dict[str, State] = {
    S.DRAFT: State("Draft", "govuk-tag--yellow", editable=True),
    S.ADOPTED: State("Adopted", "govuk-tag--green", public=True, current=True),
    S.SUPERSEDED: State("Replaced", "govuk-tag--grey", public=True),
}


def state_of(charter: Charter) -> State:
    return STATES[charter.status]
