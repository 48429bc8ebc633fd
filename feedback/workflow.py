"""The reply and quote workflows as tables, as reports.workflow is for
reports: an approver's decisions (the buttons on "Replies to approve" and
"Quotes to approve", and what each says afterwards), and the tag each state
and outcome shows. Templates read these; none compares a bare status string.
"""

from dataclasses import dataclass

from .models import Quote, Reply


@dataclass(frozen=True)
class Decision:
    value: str  # what the button posts as "decision"
    label: str  # the button's words
    approve: bool  # what the service is asked to do
    said: str  # the message after it
    secondary: bool = False


REPLY_DECISIONS: tuple[Decision, ...] = (
    Decision("approve", "Approve and send", True, "Reply approved and sent"),
    Decision("return", "Return for changes", False, "Reply returned to its author",
             secondary=True),
)
QUOTE_DECISIONS: tuple[Decision, ...] = (
    Decision("approve", "Approve", True, "Quote approved"),
    Decision("reject", "Reject", False, "Quote rejected", secondary=True),
)


def decision(decisions: tuple[Decision, ...], value: str | None) -> Decision | None:
    """The decision a button posted; None for anything the page does not offer."""
    return next((d for d in decisions if d.value == value), None)


OC, QS = Reply.Outcome, Quote.Status

# The tag beside each reply outcome, on staff pages and the family's own page.
REPLY_OUTCOME_TAGS: dict[str, str] = {
    OC.DONE: "govuk-tag--green",
    OC.IN_PROGRESS: "govuk-tag--blue",
    OC.NOT_POSSIBLE: "govuk-tag--orange",
    OC.THANK_YOU: "govuk-tag--green",
}
QUOTE_STATUS_TAGS: dict[str, str] = {
    QS.PROPOSED: "govuk-tag--yellow",
    QS.APPROVED: "govuk-tag--green",
    QS.REJECTED: "govuk-tag--red",
}
