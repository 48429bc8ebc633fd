"""The report workflow as one table: which moves exist between states, the
permission each needs (named in rules.py), the audited verb and the button.

Services refuse a move the table does not hold (`require`), the staff page
shows the buttons this person may press now (`allowed_for`), and the view
checks the same permission names; nobody compares bare status strings.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from core.audit import Verb

from .models import Report

S = Report.Status


@dataclass(frozen=True)
class Transition:
    action: str  # the value the staff page posts, e.g. "submit"
    sources: frozenset[str]
    target: str
    verb: Verb
    permission: str  # a rules.py permission, checked against the report
    label: str  # the button's words; "" when the page offers no button
    refusal: str  # what a service says when the report is not in a source state
    secondary: bool = False
    hint: str = ""  # shown above the button
    waiting: str = ""  # shown instead of the button to someone who may not press it


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", frozenset({S.DRAFT}), S.IN_REVIEW, Verb.REPORT_SUBMITTED,
               "reports.edit_report", "Send for review",
               "Only a draft can be sent for review.",
               hint="When it is ready, an approver who did not write it checks it."),
    Transition("approve", frozenset({S.IN_REVIEW}), S.APPROVED, Verb.REPORT_APPROVED,
               "reports.approve_report", "Approve",
               "Only a report in review can be approved.",
               waiting="Waiting for an approver who did not write it."),
    Transition("publish", frozenset({S.APPROVED}), S.PUBLISHED, Verb.REPORT_PUBLISHED,
               "reports.publish_report", "Publish",
               "Only an approved report can be published."),
    Transition("return", frozenset({S.IN_REVIEW, S.APPROVED}), S.DRAFT, Verb.REPORT_RETURNED,
               "reports.edit_report", "Return to draft",
               "Only a report in review or approved can go back to draft.", secondary=True),
    # Withdrawing has its own form (a reason is required), not a button here.
    Transition("withdraw", frozenset({S.PUBLISHED}), S.WITHDRAWN, Verb.REPORT_WITHDRAWN,
               "reports.withdraw_report", "",
               "Only the published version can be withdrawn."),
    # Earlier versions follow the published one when it is withdrawn.
    Transition("withdraw_earlier", frozenset({S.SUPERSEDED}), S.WITHDRAWN, Verb.REPORT_WITHDRAWN,
               "reports.withdraw_report", "",
               "Only an earlier version of a withdrawn report follows it."),
)

BY_ACTION = {t.action: t for t in TRANSITIONS}


@dataclass(frozen=True)
class State:
    """What each state means to the pages: templates read these, never the
    status's own string (`report.workflow_state`)."""

    tag: str  # the GOV.UK tag's colour class beside the status's label
    editable: bool = False  # its title, topics and items may be changed (services too)
    published: bool = False  # the version the public reads now
    replaced: bool = False  # an earlier version: a newer one is the one to read


STATES: dict[str, State] = {
    S.DRAFT: State("govuk-tag--grey", editable=True),
    S.IN_REVIEW: State("govuk-tag--blue"),
    S.APPROVED: State("govuk-tag--turquoise"),
    S.PUBLISHED: State("govuk-tag--green", published=True),
    S.SUPERSEDED: State("govuk-tag--grey", replaced=True),
    S.WITHDRAWN: State("govuk-tag--red"),
}


def state_of(report: Report) -> State:
    return STATES[report.status]


def require(report: Report, action: str) -> Transition:
    """The move `action`, if the report's state allows it; else ValidationError."""
    transition = BY_ACTION[action]
    if report.status not in transition.sources:
        raise ValidationError(transition.refusal)
    return transition


def between(source: str, target: str) -> Transition:
    """The move from `source` to `target`; ValidationError if there is none."""
    for transition in TRANSITIONS:
        if source in transition.sources and transition.target == target:
            return transition
    raise ValidationError(f"A report cannot go from {S(source).label.lower()} "
                          f"to {S(target).label.lower()}.")


@dataclass(frozen=True)
class Moves:
    """What the staff page offers one person for one report."""

    buttons: list[Transition]  # allowed, in table order
    waiting: list[str]  # why someone is waiting for another person
    allowed: frozenset[str]  # every allowed action, buttons or not


def allowed_for(user, report: Report) -> Moves:
    """The moves this person may make on this report now (state and permission)."""
    here = [t for t in TRANSITIONS if report.status in t.sources]
    allowed = [t for t in here if user.has_perm(t.permission, report)]
    return Moves(buttons=[t for t in allowed if t.label],
                 waiting=[t.waiting for t in here if t.waiting and t not in allowed],
                 allowed=frozenset(t.action for t in allowed))
