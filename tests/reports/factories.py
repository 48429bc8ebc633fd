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


def publish(report, *, author, approver, render=False, capture=None) -> Report:
    """Submit, approve and publish a draft. With `capture` (pytest-django's
    django_capture_on_commit_callbacks) the PDF is made in-process."""
    services.report_submit(acting_user=author, report=report)
    services.report_approve(acting_user=approver, report=report)
    if capture is not None:
        with capture(execute=True):
            services.report_publish(acting_user=author, report=report)
    else:
        services.report_publish(acting_user=author, report=report)
    report.refresh_from_db()
    return report


# Three topics as councils publish them, one item still in progress.
TOPICS = [
    ("Finding information", [
        ("Pages were hard to find.", "We grouped pages by age.", "done",
         "Age-group pages went live in March.",
         "Local Offer by age https://example.gov.uk/local-offer/by-age"),
    ]),
    ("Preparing for adulthood", [
        ("Nobody explained what changes at 18.", "We are making videos with young people.",
         "in_progress", "", ""),
    ]),
    ("Short breaks", [
        ("We could not see which short breaks had places.",
         "Providers now show their places left each month.", "done", "Live since April.",
         "Short breaks with places /reports/"),
    ]),
]


def table_report(*, org, author, title="Local Offer feedback 2025-26", topics=TOPICS,
                 layout=Report.Layout.TABLE, series=None, new_series="",
                 start=date(2025, 9, 1), end=date(2026, 8, 31),
                 period_kind=Report.PeriodKind.ACADEMIC_YEAR, **details) -> Report:
    report = services.report_create(
        acting_user=author, organisation=org, title=title, kind=Report.Kind.LOCAL_OFFER,
        period_start=start, period_end=end, period_kind=period_kind, layout=layout,
        series=series, new_series=new_series, **details,
        summary="What families told us about the Local Offer, and what we did.")
    for topic, items in topics:
        for said, did, outcome, evidence, links in items:
            services.item_save(acting_user=author, report=report, new_topic=topic,
                               you_said=said, we_did=did, outcome=outcome, evidence=evidence,
                               evidence_links=links)
    return report
