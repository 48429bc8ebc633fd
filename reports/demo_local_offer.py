"""Demo: the annual Local Offer report drafted from coded comments
(regulation 56 of the SEND Regulations 2014). Gloucestershire's 2025–26
report is published in the Local Offer series; this year's (2026–27) is a
draft, with comments still waiting for a response. Wording from the seed
documents (how areas redesigned their Local Offer with families)."""

from datetime import date

from django.utils import timezone

from feedback import services as feedback_services
from feedback.models import Feedback

from . import services
from .models import Report

# (received, channel, theme, code, left out, what they said, redacted quote or "")
COMMENTS_2025 = [
    (date(2025, 9, 18), "web_form", "Information and the Local Offer", "content", "",
     "The information is arranged by service, but I think about my son's age. I could not "
     "find what happens after Year 11.", "I could not find what happens after Year 11."),
    (date(2025, 10, 2), "email", "Information and the Local Offer", "content", "",
     "Some of the pages are very long and written for professionals.",
     "Some of the pages are very long and written for professionals."),
    (date(2025, 11, 12), "workshop", "Preparing for adulthood", "gaps", "",
     "Young people at the workshop said there was nothing about supported internships or "
     "living on your own.", "There is nothing about supported internships or living on your "
     "own."),
    (date(2025, 12, 1), "phone", "Short breaks and respite", "gaps", "",
     "There are no holiday clubs listed for teenagers over 14 in the Forest of Dean.", ""),
    (date(2026, 1, 20), "web_form", "Information and the Local Offer", "accessibility", "",
     "The directory does not work well on my phone and the search finds old entries.",
     "The directory does not work well on my phone."),
    (date(2026, 2, 9), "focus_group", "Communication", "accessibility", "",
     "Parents asked for more pictures and short videos instead of long PDFs.", ""),
    (date(2026, 3, 4), "feedback_card", "Information and the Local Offer", "accessibility", "",
     "I would like to be able to listen to the pages.", ""),
    (date(2026, 4, 15), "workshop", "Being heard", "development", "",
     "Young people want to test new pages before they go live, not be asked afterwards.",
     "Let us test the pages before they go live."),
    (date(2026, 5, 6), "email", "Being heard", "development", "",
     "It is not clear how the Local Offer is reviewed or who decides what goes on it.", ""),
    (date(2026, 6, 10), "web_form", "Information and the Local Offer", "content", "vexatious",
     "The same message again, sent eleven times this month, with abuse aimed at staff.", ""),
    (date(2026, 7, 1), "email", "Waiting times", "content", "one_person",
     "About one child's own EHC plan review and the letters the family received.", ""),
]
COMMENTS_2026 = [
    (date(2026, 9, 22), "web_form", "Information and the Local Offer", "content", "",
     "The new age-group pages are much easier. Could you add one for under-fives?", ""),
    (date(2026, 10, 14), "workshop", "Preparing for adulthood", "gaps", "",
     "Nothing yet on what happens with transport after 19.", ""),
    (date(2026, 11, 3), "email", "Information and the Local Offer", "accessibility",
     "identifies", "A comment naming a child and their school.", ""),
    (date(2026, 11, 20), "phone", "Short breaks and respite", "gaps", "",
     "Short breaks pages still list a scheme that closed in the summer.", ""),
]

RESPONSES = {
    "Information and the Local Offer": (
        "We rearranged the Local Offer into age groups (0 to 5, 5 to 11, 11 to 16, 16 to 25) "
        "and rewrote the longest pages with parent carers to make them shorter, clearer and "
        "friendlier. A “What next?” section now starts each age group."),
    "Preparing for adulthood": (
        "We are redesigning the Preparing for Adulthood section with young people from the "
        "self-advocacy group, starting with supported internships and housing."),
    "Short breaks and respite": (
        "We asked every short breaks provider to update their entry and to tell us about "
        "holiday clubs for older teenagers. Gaps are reported to the short breaks commissioner."),
    "Communication": (
        "We added pictures and three short videos made with parent carers, and each page now "
        "has a “Listen” button."),
    "Being heard": (
        "A group of parent carers and young people now tests every new section before it goes "
        "live, and we publish who reviews the Local Offer and when."),
}
INVOLVEMENT = (
    "Gloucestershire Parent Carer Forum and the young people's self-advocacy group reviewed "
    "the Local Offer with us through the year. Twenty-three parent carers and eleven young "
    "people took part in four user-testing workshops; we showed them Local Offer sites from "
    "other areas and asked what they liked and what they didn't. Their comments decided the "
    "new age-group structure and the first pages to be rewritten.")


def _comments(rows, *, council, officer, area, themes) -> list[Feedback]:
    made = []
    for received_on, channel, theme, code, left_out, words, quote in rows:
        feedback = feedback_services.feedback_submit(
            channel=channel, received_on=received_on, service_areas=[area],
            respondent="young_person" if channel == "workshop" else "parent_carer",
            even_better_if=words, consent_to_quote=bool(quote), about_organisation=council,
            acting_user=officer if channel not in ("web_form", "easy_read") else None)
        feedback_services.feedback_set_themes(acting_user=officer, feedback=feedback,
                                              themes=[themes[theme]])
        feedback_services.local_offer_code(acting_user=officer, feedback=feedback,
                                           about_local_offer=False, code=code,
                                           left_out_reason=left_out)
        made.append((feedback, quote, themes[theme]))
    return made


def _answer_all(period, officer) -> None:
    """Every comment in the period answered, as the report requires."""
    from feedback import selectors as feedback_selectors

    for feedback in list(feedback_selectors.local_offer_unanswered(**period)):
        feedback_services.reply_create(
            acting_user=officer, feedback=feedback, outcome="in_progress",
            text="Thank you for your comment on the Local Offer. We will publish what we "
                 "changed in the annual Local Offer report.")


def load(*, council, officer, approver, areas, themes, series, stdout=None) -> int:
    area = areas["Local Offer"]
    last_year = _comments(COMMENTS_2025, council=council, officer=officer, area=area,
                          themes=themes)
    for feedback, quote, theme in last_year:
        if quote:
            proposed = feedback_services.quote_propose(acting_user=officer, feedback=feedback,
                                                       redacted_text=quote, theme=theme)
            feedback_services.quote_decide(acting_user=approver, quote=proposed, approve=True)
    period = {"organisation_id": council.pk, "since": date(2025, 9, 1),
              "until": date(2026, 8, 31)}
    _answer_all(period, officer)
    # Other demo feedback on the Local Offer in the period is coded too.
    from feedback import selectors as feedback_selectors

    for feedback in feedback_selectors.local_offer_comments(**period).filter(
            local_offer__isnull=True):
        feedback_services.local_offer_code(acting_user=officer, feedback=feedback,
                                           about_local_offer=False, code="content",
                                           left_out_reason="")

    report = services.local_offer_report_draft(
        acting_user=officer, organisation=council, title="Local Offer annual report 2025–26",
        period_start=date(2025, 9, 1), period_end=date(2026, 8, 31),
        families_involvement=INVOLVEMENT, series=series)
    for item in report.items.select_related("theme").prefetch_related("quotes", "actions"):
        services.item_save(
            acting_user=officer, report=report, item=item, quotes=list(item.quotes.all()),
            actions=list(item.actions.all()), you_said=item.you_said,
            we_did=RESPONSES.get(item.theme.name if item.theme else "",
                                 "We passed these comments to the service concerned and "
                                 "changed the Local Offer's entries."),
            outcome="done" if item.theme and item.theme.name.startswith("Information")
            else "in_progress")
    services.report_submit(acting_user=officer, report=report)
    services.report_approve(acting_user=approver, report=report)
    report = services.report_publish(acting_user=officer, report=report)
    published = timezone.datetime(2026, 10, 20, 10, tzinfo=timezone.get_current_timezone())
    if published.date() < timezone.localdate():
        Report.objects.filter(pk=report.pk).update(published_at=published)

    # This year's, drafted from the comments so far: some still wait for a response.
    this_year = _comments(COMMENTS_2026, council=council, officer=officer, area=area,
                          themes=themes)
    feedback_services.reply_create(acting_user=officer, feedback=this_year[0][0],
                                   outcome="in_progress",
                                   text="Thank you. An under-fives page is being written.")
    services.local_offer_report_draft(
        acting_user=officer, organisation=council, title="Local Offer annual report 2026–27",
        period_start=date(2026, 9, 1), period_end=date(2027, 8, 31), series=series)
    return 1  # published; the draft is not counted
