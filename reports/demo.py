"""Three published "You said, we did" reports modelled on Worcestershire's
"We are listening" page (seed 003): an annual parent carer survey, the
statutory Local Offer feedback report, and an EHCP quality-assurance report.
Built through the real workflow (drafted, approved by someone else,
published), so their PDFs are made like any other. Safe to run twice."""

from datetime import date, timedelta

from django.utils import timezone

from actionplan.models import Action
from charter import selectors as charter_selectors
from core.models import Organisation, ServiceArea, Theme, User
from feedback.models import Quote, SurveyStatistic

from . import services
from .models import Report

REPORTS = [
    {
        "title": "Annual parent carer survey: what you told us and what we did",
        "kind": Report.Kind.ANNUAL_SURVEY,
        "audience": "Parent carers of children and young people with SEND",
        "service_area": None,
        "summary": "The council and the Parent Carer Forum asked parent carers about SEND "
                   "services. Thank you to everyone who answered: we read every comment. These "
                   "are the main things you told us, and what has happened as a result.",
        "items": [
            ("Communication", "Communication",
             "You told us that you often do not know who to contact, and that e-mails and calls "
             "are not always answered.",
             "Every family with an EHC needs assessment now has a named caseworker, and we "
             "write to you at 6, 12 and 16 weeks even when there is no news.",
             "done", "", "We will ask again in next year's survey whether this has helped.",
             ["communication", "named"]),
            ("Waiting times", "Waiting times",
             "Waiting for assessments and therapy appointments was the most common worry. "
             "Families said the wait itself was hard, and being left without support while "
             "waiting was harder.",
             "We are recruiting two more speech and language therapists and have started drop-in "
             "advice sessions for families on the waiting list.",
             "in_progress", "", "We will publish waiting times every quarter on the Local Offer.",
             ["wait", "therap"]),
            ("EHCP quality", "The quality of EHC plans",
             "Some of you said plans did not sound like your child, and that your views were "
             "not in section A.",
             "Case officers now check section A with you before the draft plan is issued.",
             "done", "", "", ["plan"]),
        ],
    },
    {
        "title": "SEND Local Offer feedback report",
        "kind": Report.Kind.LOCAL_OFFER,
        "audience": "Children and young people with SEND, parent carers and professionals",
        "service_area": "Local Offer",
        "summary": "Every local authority must publish the comments it receives about its Local "
                   "Offer from children and young people with SEND and their parents, and its "
                   "response, including any action it will take (SEND Regulations 2014, "
                   "regulation 56). This is that report.",
        "items": [
            ("Information and the Local Offer", "Finding information",
             "You said the Local Offer was hard to find your way around, and that you read "
             "pages meant for adults when your child was nine.",
             "We rearranged the information into age groups, renamed pages so it is clear what "
             "they are about, and rewrote them to be shorter, clearer and friendlier.",
             "done", "", "We are adding a “What next?” section to each age group.",
             ["local offer", "information"]),
            ("Preparing for adulthood", "Preparing for adulthood",
             "Young people told us nobody explained what changes at 18, or what adult social "
             "care is.",
             "We redesigned the Preparing for Adulthood section with young people, with short "
             "videos made by them.",
             "done", "", "", ["adult"]),
            (None, "A printed copy of the whole Local Offer",
             "Some parent carers asked for the whole Local Offer as a printed booklet.",
             "We have not printed the whole Local Offer. Any page can be printed, and the "
             "Family Information Service will post printed pages to anyone who asks.",
             "not_possible",
             "The Local Offer changes every week and runs to several hundred pages; a printed "
             "booklet would be out of date before it arrived and would cost more than a year of "
             "the Family Information Service's outreach budget.",
             "", []),
        ],
    },
    {
        "title": "EHCP quality assurance: what parent carers told us",
        "kind": Report.Kind.QUALITY_ASSURANCE,
        "audience": "Parent carers of children and young people with EHC plans",
        "service_area": "EHC needs assessment and plans",
        "summary": "Each quarter we audit a sample of Education, Health and Care plans together "
                   "with parent carers, health and social care. This report sets out what "
                   "families told us about the plans and the process, and what we changed.",
        "items": [
            ("Being heard", "Being heard during the assessment",
             "You said you were not always asked for your views, and that you wanted to be "
             "involved from the start.",
             "We involve parent carers in planning meetings from the start, and we listen to "
             "and value a variety of opinions throughout the assessment.",
             "done", "", "", ["views", "heard"]),
            ("EHCP quality", "Outcomes that mean something",
             "Outcomes in some plans were vague, so families could not tell whether support "
             "was working.",
             "We have trained case officers and SENCos in writing outcomes with the child.",
             "in_progress", "", "We will audit outcomes again next quarter.", []),
        ],
    },
]


# Charter commitments (words in their text) that items on these themes keep.
COMMITMENT_WORDS = {"Being heard": "heard", "Information and the Local Offer": "communicated",
                    "Communication": "communicated"}


def load(stdout=None) -> None:
    if Report.objects.exists():
        if stdout is not None:
            stdout.write("  reports already loaded")
        return
    council = Organisation.objects.get(slug="gloucestershire-county-council")
    officer = User.objects.get(email="officer@demo.example")
    approver = User.objects.get(email="approver@demo.example")
    themes = {t.name: t for t in Theme.objects.all()}
    areas = {a.name: a for a in ServiceArea.objects.all()}
    statistics = list(SurveyStatistic.objects.all())
    today = timezone.localdate()
    start = date(today.year - 1 if today.month < 4 else today.year, 4, 1)

    for spec in REPORTS:
        report = services.report_create(
            acting_user=officer, organisation=council, title=spec["title"], kind=spec["kind"],
            period_start=start - timedelta(days=180), period_end=today, summary=spec["summary"],
            audience=spec["audience"],
            service_area=areas.get(spec["service_area"]) if spec["service_area"] else None)
        for theme_name, heading, said, did, outcome, rationale, next_, words in spec["items"]:
            theme = themes.get(theme_name) if theme_name else None
            quotes = list(Quote.objects.filter(status=Quote.Status.APPROVED, theme=theme)[:2]) \
                if theme else []
            stats = statistics if spec["kind"] == Report.Kind.ANNUAL_SURVEY and \
                heading == "Communication" else []
            actions = []
            for word in words:
                actions += list(Action.objects.filter(is_public=True, title__icontains=word)[:1])
            keeps = COMMITMENT_WORDS.get(theme_name)
            commitments = list(charter_selectors.commitments_current()
                               .filter(text__icontains=keeps)[:1]) if keeps else []
            services.item_save(acting_user=officer, report=report, heading=heading, theme=theme,
                               you_said=said, we_did=did, outcome=outcome, rationale=rationale,
                               what_next=next_, quotes=quotes, statistics=stats,
                               actions=list(dict.fromkeys(actions)), commitments=commitments)
        services.report_submit(acting_user=officer, report=report)
        services.report_approve(acting_user=approver, report=report)
        services.report_publish(acting_user=officer, report=report)
    if stdout is not None:
        stdout.write(f"  {len(REPORTS)} published reports (PDFs made after loading)")
