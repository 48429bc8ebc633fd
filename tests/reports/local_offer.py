"""A year of comments on the Local Offer for the annual report's tests:
coded, two left out (each with words that must never be published), some
answered and some not."""

from dataclasses import dataclass, field
from datetime import date

from feedback import services as feedback_services
from feedback.models import Feedback
from tests.core.factories import ServiceAreaFactory, ThemeFactory
from tests.feedback.factories import FeedbackFactory

# Words that must never reach a public page, feed or PDF.
CANARIES = ["LEFTOUT-VEXATIOUS-CANARY", "LEFTOUT-ONEPERSON-CANARY", "LEFTOUT-QUOTE-CANARY",
            "Canary Contactname", "canary-contact@example.com", "07700 900123"]
PUBLISHED_QUOTE = "The pages do not work well with my screen reader."


@dataclass
class Year:
    comments: dict = field(default_factory=dict)
    themes: dict = field(default_factory=dict)
    area: object = None


def comments_year(*, org, officer, approver, code=True) -> Year:
    """Seven comments in the 2025–26 academic year (and one outside it).
    With `code`, the five that are not left out are coded by the officer;
    the two to leave out (`vexatious`, `one_person`) are left for the test."""
    year = Year()
    year.area = ServiceAreaFactory(name="Local Offer", slug="local-offer")
    short_breaks = ServiceAreaFactory(name="Short breaks", slug="short-breaks")
    info = ThemeFactory(name="Finding information")
    access = ThemeFactory(name="Accessible pages")
    year.themes = {"info": info, "access": access}

    def comment(key, *, channel, received_on, text, area=year.area, themes=(), **kwargs):
        feedback = FeedbackFactory(organisation=org, channel=channel, received_on=received_on,
                                   even_better_if=text, **kwargs)
        feedback.service_areas.add(area)
        feedback.themes.add(*themes)
        year.comments[key] = feedback
        return feedback

    comment("search", channel=Feedback.Channel.WEB_FORM, received_on=date(2025, 10, 6),
            text="The search does not find the autism support groups.", themes=[info],
            wants_contact=True, contact_name="Canary Contactname",
            contact_email="canary-contact@example.com", contact_phone="07700 900123")
    comment("reader", channel=Feedback.Channel.EMAIL, received_on=date(2026, 1, 12),
            text="Some pages do not read out with a screen reader.", themes=[access])
    comment("dyslexia", channel=Feedback.Channel.WORKSHOP, received_on=date(2026, 2, 3),
            text="Pages with long paragraphs are hard for me to read.", themes=[access])
    comment("gaps", channel=Feedback.Channel.PHONE, received_on=date(2026, 3, 9),
            text="There is nothing listed for holiday clubs for older teenagers.")
    comment("review", channel=Feedback.Channel.FOCUS_GROUP, received_on=date(2026, 4, 20),
            text="Parents should test new pages before they go live.", themes=[info])
    comment("vexatious", channel=Feedback.Channel.WEB_FORM, received_on=date(2026, 5, 2),
            text="LEFTOUT-VEXATIOUS-CANARY the same complaint for the fortieth time.",
            themes=[info])
    comment("one_person", channel=Feedback.Channel.EMAIL, received_on=date(2026, 6, 15),
            text="LEFTOUT-ONEPERSON-CANARY my son's review at Hilltop School was late.",
            area=short_breaks, themes=[info])
    comment("last_year", channel=Feedback.Channel.WEB_FORM, received_on=date(2025, 8, 20),
            text="Out of the period.", themes=[info])

    quote = feedback_services.quote_propose(acting_user=officer,
                                            feedback=year.comments["reader"],
                                            redacted_text=PUBLISHED_QUOTE, theme=access)
    feedback_services.quote_decide(acting_user=approver, quote=quote, approve=True)
    # Approved before it was left out: it must still never be published.
    quote = feedback_services.quote_propose(acting_user=officer,
                                            feedback=year.comments["vexatious"],
                                            redacted_text="LEFTOUT-QUOTE-CANARY", theme=info)
    feedback_services.quote_decide(acting_user=approver, quote=quote, approve=True)

    if code:
        for key, value in (("search", "content"), ("reader", "accessibility"),
                           ("dyslexia", "accessibility"), ("gaps", "gaps"),
                           ("review", "development")):
            feedback_services.local_offer_code(acting_user=officer,
                                               feedback=year.comments[key],
                                               about_local_offer=False, code=value,
                                               left_out_reason="")
    for key in ("search", "gaps", "review"):
        feedback_services.reply_create(acting_user=officer, feedback=year.comments[key],
                                       outcome="in_progress",
                                       text="Thank you. We are changing this page.")
    return year


def leave_out(year: Year, officer) -> None:
    feedback_services.local_offer_code(acting_user=officer, feedback=year.comments["vexatious"],
                                       about_local_offer=False, code="content",
                                       left_out_reason="vexatious")
    feedback_services.local_offer_code(acting_user=officer, feedback=year.comments["one_person"],
                                       about_local_offer=True, code="content",
                                       left_out_reason="one_person")


def answer_the_rest(year: Year, officer) -> None:
    for key in ("reader", "dyslexia", "vexatious", "one_person"):
        feedback_services.reply_create(acting_user=officer, feedback=year.comments[key],
                                       outcome="thank_you", text="Thank you for telling us.")
