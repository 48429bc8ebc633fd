from datetime import date

from core.models import Role
from feedback import services as feedback_services
from reports import services
from reports.models import Report
from tests.core.factories import OrganisationFactory, ThemeFactory, staff_user
from tests.feedback.factories import FeedbackFactory


def make_people(org=None):
    org = org or OrganisationFactory(name="Testshire County Council")
    return org, staff_user(Role.OFFICER, org), staff_user(Role.APPROVER, org)


def draft_report(*, org, author, items=2, theme=None, title="Local Offer feedback 2026",
                 kind=Report.Kind.LOCAL_OFFER) -> Report:
    report = services.report_create(
        acting_user=author, organisation=org, title=title, kind=kind,
        period_start=date(2026, 4, 1), period_end=date(2026, 9, 30),
        summary="What families told us about the Local Offer, and what we did.")
    theme = theme or ThemeFactory(name="Information and the Local Offer")
    for n in range(items):
        services.item_save(acting_user=author, report=report, new_topic="General", heading=f"Finding information {n}",
                           theme=theme, you_said=f"Pages were hard to find ({n}).",
                           we_did=f"We grouped pages by age ({n}).", outcome="done")
    return report


def published_report(*, org, author, approver, **kwargs) -> Report:
    report = draft_report(org=org, author=author, **kwargs)
    services.report_submit(acting_user=author, report=report)
    services.report_approve(acting_user=approver, report=report)
    return services.report_publish(acting_user=author, report=report)


def approved_quote(*, org, proposer, approver, theme, text, **feedback_fields):
    feedback = FeedbackFactory(organisation=org, received_on=date(2026, 5, 1), **feedback_fields)
    feedback.themes.add(theme)
    quote = feedback_services.quote_propose(acting_user=proposer, feedback=feedback,
                                            redacted_text=text, theme=theme)
    return feedback_services.quote_decide(acting_user=approver, quote=quote, approve=True)
