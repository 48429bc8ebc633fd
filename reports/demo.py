""""You said, we did" reports modelled on Worcestershire's "We are listening"
page (seed 003): an annual parent carer survey, the statutory Local Offer
feedback report as a series of three academic years in the table layout
councils publish, an EHCP quality-assurance report, and a survey summary
published by the Parent Carer Forum itself. Built through the real workflow
(drafted, approved by someone else, published), so their PDFs are made like
any other. Safe to run twice."""

from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from actionplan.models import Action
from charter import selectors as charter_selectors
from core.models import Cornerstone, Organisation, ServiceArea, Theme, User
from feedback import services as feedback_services
from feedback.models import Feedback, Quote, SurveyImport, SurveyStatistic, tracking_digest

from . import demo_local_offer, services
from .models import Report, ReportItem

# An item: (theme, heading, you said, we did, outcome, rationale, what next,
#           words of public actions to link, evidence, evidence links)
SURVEY_TOPICS = [
    ("Communication", [
        ("Communication", "Knowing who to contact",
         "You told us that you often do not know who to contact, and that e-mails and calls "
         "are not always answered.",
         "Every family with an EHC needs assessment now has a named caseworker, and we "
         "write to you at 6, 12 and 16 weeks even when there is no news.",
         "done", "", "We will ask again in next year's survey whether this has helped.",
         ["communication", "named"], "", ""),
    ]),
    ("Waiting times", [
        ("Waiting times", "Waiting for therapy",
         "Waiting for assessments and therapy appointments was the most common worry. "
         "Families said the wait itself was hard, and being left without support while "
         "waiting was harder.",
         "We are recruiting two more speech and language therapists and have started drop-in "
         "advice sessions for families on the waiting list.",
         "in_progress", "", "We will publish waiting times every quarter on the Local Offer.",
         ["wait", "therap"], "", ""),
    ]),
    ("Education, Health and Care plans", [
        ("EHCP quality", "Plans that sound like your child",
         "Some of you said plans did not sound like your child, and that your views were "
         "not in section A.",
         "Case officers now check section A with you before the draft plan is issued.",
         "done", "", "", ["plan"], "", ""),
    ]),
]

QA_TOPICS = [
    ("Being heard", [
        ("Being heard", "Being heard during the assessment",
         "You said you were not always asked for your views, and that you wanted to be "
         "involved from the start.",
         "We involve parent carers in planning meetings from the start, and we listen to "
         "and value a variety of opinions throughout the assessment.",
         "done", "", "", ["views", "heard"], "", ""),
    ]),
    ("Outcomes in plans", [
        ("EHCP quality", "Outcomes that mean something",
         "Outcomes in some plans were vague, so families could not tell whether support "
         "was working.",
         "We have trained case officers and SENCos in writing outcomes with the child.",
         "in_progress", "", "We will audit outcomes again next quarter.", [], "", ""),
    ]),
]


def _local_offer_topics(year: int) -> list:
    """The Local Offer report's topics for the academic year starting in `year`."""
    site = "https://www.gloucestershire.gov.uk/glosfamiliesdirectory"
    if year == 2023:
        return [
            ("Finding information", [
                ("Information and the Local Offer", "",
                 "The Local Offer was hard to find your way around; you read pages meant for "
                 "adults when your child was nine.",
                 "We rearranged the information into age groups and renamed pages so it is "
                 "clear what they are about.", "done", "", "", [],
                 "Age-group pages went live in March 2024.",
                 f"Local Offer: information by age {site}/send-local-offer/by-age"),
            ]),
            ("Preparing for adulthood", [
                ("Preparing for adulthood", "",
                 "Young people told us nobody explained what changes at 18.",
                 "We started redesigning the Preparing for Adulthood section with young people.",
                 "in_progress", "", "Young people are making short videos for it.", [], "", ""),
            ]),
        ]
    if year == 2024:
        return [
            ("Finding information", [
                ("Information and the Local Offer", "",
                 "Pages were long and full of jargon.",
                 "We rewrote the most-read 40 pages to be shorter, clearer and friendlier, "
                 "tested with parent carers.", "done", "", "", [],
                 "Reading age of the top 40 pages fell from 16 to 11.",
                 f"What we changed on the Local Offer {site}/send-local-offer/changes"),
            ]),
            ("Preparing for adulthood", [
                ("Preparing for adulthood", "",
                 "You wanted the new Preparing for Adulthood section finished.",
                 "The section was relaunched with videos made by young people.",
                 "done", "", "", ["adult"], "Launched at the Post-16 fair in June 2025.",
                 f"Preparing for adulthood pages {site}/send-local-offer/preparing-for-adulthood"),
            ]),
            ("A printed Local Offer", [
                (None, "",
                 "Some parent carers asked for the whole Local Offer as a printed booklet.",
                 "We have not printed the whole Local Offer. Any page can be printed, and the "
                 "Family Information Service will post printed pages to anyone who asks.",
                 "not_possible",
                 "The Local Offer changes every week and runs to several hundred pages; a "
                 "printed booklet would be out of date before it arrived.", "", [], "", ""),
            ]),
        ]
    return [
        ("Finding information", [
            ("Information and the Local Offer", "A “What next?” section",
             "You said that after reading a page you did not know what to do next.",
             "Each age group now ends with a “What next?” section.", "done", "", "", [],
             "Added to all five age groups in February 2026.",
             f"Local Offer: what next? {site}/send-local-offer/what-next"),
            ("Information and the Local Offer", "Search",
             "The search did not find pages when you used everyday words.",
             "We are adding everyday words (“statement”, “speech therapy”) to the search.",
             "in_progress", "", "Testing with the parent stakeholder group in the autumn.", [],
             "", ""),
        ]),
        ("Short breaks", [
            ("Short breaks and respite", "",
             "Families could not see which short breaks had places left.",
             "Short breaks providers now show their places left each month.", "done", "", "",
             [], "Live since April 2026.",
             f"Short breaks with places {site}/send-local-offer/short-breaks"),
        ]),
        ("Preparing for adulthood", [
            ("Preparing for adulthood", "",
             "Young people asked for the videos to have captions and easy-read summaries.",
             "All twelve videos have captions; easy-read summaries are being written.",
             "in_progress", "", "", ["adult"], "", ""),
        ]),
    ]


# Charter commitments (words in their text) that items on these themes keep.
COMMITMENT_WORDS = {"Being heard": "heard", "Information and the Local Offer": "communicated",
                    "Communication": "communicated"}

LOCAL_OFFER_SUMMARY = (
    "Every local authority must publish the comments it receives about its Local Offer from "
    "children and young people with SEND and their parents, and its response, including any "
    "action it will take (SEND Regulations 2014, regulation 56). This is that report for the "
    "{label}.")


def _publish(*, author, approver, organisation, title, kind, start, end, summary, audience,
             topics, period_kind="custom", layout="sections", series=None, new_series="",
             service_area=None, statistics=None, published_on=None) -> Report:
    statistics = statistics or {}
    themes = {t.name: t for t in Theme.objects.all()}
    report = services.report_create(
        acting_user=author, organisation=organisation, title=title, kind=kind,
        period_start=start, period_end=end, summary=summary, audience=audience,
        service_area=service_area, period_kind=period_kind, layout=layout, series=series,
        new_series=new_series)
    for topic_title, items in topics:
        for (theme_name, heading, said, did, outcome, rationale, next_, words, evidence,
             links) in items:
            theme = themes.get(theme_name) if theme_name else None
            quotes = list(Quote.objects.filter(status=Quote.Status.APPROVED, theme=theme,
                                               feedback__organisation=organisation)[:1]) \
                if theme else []
            actions = []
            for word in words:
                actions += list(Action.objects.filter(is_public=True, title__icontains=word)[:1])
            keeps = COMMITMENT_WORDS.get(theme_name)
            commitments = list(charter_selectors.commitments_current()
                               .filter(text__icontains=keeps)[:1]) if keeps else []
            services.item_save(
                acting_user=author, report=report, new_topic=topic_title, heading=heading,
                theme=theme, you_said=said, we_did=did, outcome=outcome, rationale=rationale,
                what_next=next_, quotes=quotes,
                statistics=list(statistics.get(topic_title, [])),
                actions=list(dict.fromkeys(actions)), commitments=commitments,
                evidence=evidence, evidence_links=links)
    services.report_submit(acting_user=author, report=report)
    services.report_approve(acting_user=approver, report=report)
    report = services.report_publish(acting_user=author, report=report)
    if published_on:
        # Older years were published long ago: dates as a reader would have seen them.
        Report.objects.filter(pk=report.pk).update(published_at=published_on)
    return report


def _forum_survey(forum, uploader, today) -> list[SurveyStatistic]:
    """The forum's own members' survey: its statistics, with their n."""
    survey = SurveyImport.objects.create(
        title=f"Parent Carer Forum members' survey {today.year}", organisation=forum,
        received_on=today - timedelta(days=60), file=ContentFile(b"summary only\n",
                                                                 name="forum-survey.csv"),
        file_sha256="0" * 64, uploaded_by=uploader, state=SurveyImport.State.IMPORTED,
        total_rows=86, processed_rows=86, created_rows=86)
    return [SurveyStatistic.objects.create(survey_import=survey, question=q, responses=n,
                                           positive=p, distribution={})
            for q, n, p in [("I feel listened to by SEND services", 86, 31),
                            ("I know who my child's caseworker is", 84, 52),
                            ("Annual reviews happen on time", 79, 28)]]


def _pdf_links_here(report: Report) -> bool:
    """Whether the report's PDF sends its reader to this portal's address
    (its "Read it online" link is SITE_URL + the report's address)."""
    import pikepdf

    online = settings.SITE_URL + report.get_absolute_url()
    with report.pdf_file.open("rb") as f, pikepdf.open(f) as pdf:
        return any(str(link.get("/A", {}).get("/URI", "")) == online
                   for page in pdf.pages for link in page.obj.get("/Annots", []))


def _pdfs_remade_for_this_address(stdout=None) -> None:
    """Remake the demo's PDFs made for another address: `make run` on
    another port (or SITE_URL) after an earlier one would otherwise serve
    PDFs whose links lead to the old address. Nothing is remade when the
    address is unchanged, so loading twice still changes nothing."""
    stale = [report for report in Report.objects.filter(status=Report.Status.PUBLISHED,
                                                        pdf_state=Report.PdfState.READY)
             if report.pdf_file and not _pdf_links_here(report)]
    for report in stale:
        services.report_pdf_retry(acting_user=None, report=report)
    if stale and stdout is not None:
        stdout.write(f"  {len(stale)} PDFs remade for {settings.SITE_URL}")


def load(stdout=None) -> None:
    if Report.objects.exists():
        if stdout is not None:
            stdout.write("  reports already loaded")
        _pdfs_remade_for_this_address(stdout)
        _evidence_pack(stdout)
        return
    council = Organisation.objects.get(slug="gloucestershire-county-council")
    forum = Organisation.objects.get(slug="gloucestershire-parent-carer-forum")
    officer = User.objects.get(email="officer@demo.example")
    approver = User.objects.get(email="approver@demo.example")
    forum_officer = User.objects.get(email="forum.officer@demo.example")
    forum_chair = User.objects.get(email="forum.chair@demo.example")
    areas = {a.name: a for a in ServiceArea.objects.all()}
    themes = {t.name: t for t in Theme.objects.all()}
    today = timezone.localdate()
    start = date(today.year - 1 if today.month < 4 else today.year, 4, 1)
    tz = timezone.get_current_timezone()
    count = 0

    # The statutory Local Offer report, one per academic year, as a series.
    series = None
    # 2025–26 and this year's are drafted from coded comments (demo_local_offer).
    for year in (2023, 2024):
        label = f"{year}–{(year + 1) % 100:02d}"
        report = _publish(
            author=officer, approver=approver, organisation=council,
            title=f"Local Offer annual feedback report {label}", kind=Report.Kind.LOCAL_OFFER,
            start=date(year, 9, 1), end=date(year + 1, 8, 31), period_kind="academic_year",
            layout="table", series=series,
            new_series="" if series else "Local Offer annual feedback report",
            summary=LOCAL_OFFER_SUMMARY.format(label=f"{label} academic year"),
            audience="Children and young people with SEND, parent carers and professionals",
            service_area=areas.get("Local Offer"), topics=_local_offer_topics(year),
            published_on=published if (published := timezone.datetime(
                year + 1, 10, 15, 10, tzinfo=tz)).date() < today else None)
        series = report.series
        count += 1
    count += demo_local_offer.load(council=council, officer=officer, approver=approver,
                                   areas=areas, themes=themes, series=series)

    _publish(author=officer, approver=approver, organisation=council,
             title="Annual parent carer survey: what you told us and what we did",
             kind=Report.Kind.ANNUAL_SURVEY, start=start - timedelta(days=180), end=today,
             summary="The council and the Parent Carer Forum asked parent carers about SEND "
                     "services. Thank you to everyone who answered: we read every comment. "
                     "These are the main things you told us, and what has happened as a result.",
             audience="Parent carers of children and young people with SEND",
             topics=SURVEY_TOPICS,
             statistics={"Communication": SurveyStatistic.objects.filter(
                 survey_import__organisation=council)})
    _publish(author=officer, approver=approver, organisation=council,
             title="EHCP quality assurance: what parent carers told us",
             kind=Report.Kind.QUALITY_ASSURANCE, start=start - timedelta(days=180), end=today,
             summary="Each quarter we audit a sample of Education, Health and Care plans "
                     "together with parent carers, health and social care. This report sets out "
                     "what families told us about the plans and the process, and what we changed.",
             audience="Parent carers of children and young people with EHC plans",
             service_area=areas.get("EHC needs assessment and plans"), topics=QA_TOPICS)
    count += 2

    # The forum publishes its own survey summary: its own feedback, its own survey's n.
    for days_ago, channel, theme in [(20, "web_form", "Being heard"), (35, "phone", "Being heard"),
                                     (50, "web_form", "Being heard"),
                                     (40, "web_form", "Communication")]:
        feedback = feedback_services.feedback_submit(
            channel=channel, received_on=today - timedelta(days=days_ago),
            even_better_if="Nobody asked what we thought before the decision was made.",
            about_organisation=forum,
            acting_user=forum_officer if channel != "web_form" else None)
        feedback_services.feedback_set_themes(acting_user=forum_officer, feedback=feedback,
                                              themes=[themes[theme]])
    forum_stats = _forum_survey(forum, forum_officer, today)
    _publish(author=forum_officer, approver=forum_chair, organisation=forum,
             title=f"Our members' survey {today.year}: what you told the forum",
             kind=Report.Kind.ANNUAL_SURVEY, start=date(today.year, 1, 1),
             end=date(today.year, 12, 31), period_kind="calendar_year", layout="table",
             summary="Gloucestershire Parent Carer Forum asked its members how SEND services "
                     "listen to them. This is what 86 members told us, and what the forum has "
                     "done with the council and the NHS as a result.",
             audience="Members of the Parent Carer Forum",
             statistics={"Annual reviews": forum_stats[2:]},
             topics=[
                 ("Being listened to", [
                     ("Being heard", "",
                      "Only a third of members feel listened to by SEND services.",
                      "The forum now sits on every SEND commissioning panel, and takes members' "
                      "questions to each one.", "in_progress", "", "",
                      [], "Forum seats agreed at the SEND Partnership Board, March 2026.", ""),
                 ]),
                 ("Annual reviews", [
                     (None, "",
                      "Many annual reviews happen late.",
                      "We raised late reviews with the council's SEND team, who now publish how "
                      "many reviews are on time each month.", "done", "", "", [],
                      "Monthly figures on the Local Offer since May 2026.",
                      "Annual reviews on time https://www.gloucestershire.gov.uk/send-reviews"),
                 ]),
             ])
    count += 1
    if stdout is not None:
        stdout.write(f"  {count} published reports, 1 series of 3 (PDFs made after loading)")
    _loop_family(officer)
    _evidence_pack(stdout)


# --- The four cornerstones and the evidence pack (issue #23) ---------------------------------

# Words in a charter section's title, and the cornerstone it is about (the
# Gloucestershire charter is written around them).
SECTION_CORNERSTONES = [("welcome", Cornerstone.WELCOME_AND_CARE),
                        ("value", Cornerstone.VALUE_AND_INCLUDE),
                        ("communicat", Cornerstone.COMMUNICATE),
                        ("partnership", Cornerstone.WORK_IN_PARTNERSHIP)]
# A completed audit's team, and the cornerstones its work covers.
AUDIT_CORNERSTONES = {
    "SEND casework team": [Cornerstone.COMMUNICATE, Cornerstone.WORK_IN_PARTNERSHIP],
    "Children’s therapies": [Cornerstone.WELCOME_AND_CARE, Cornerstone.VALUE_AND_INCLUDE],
    "Local Offer team": [Cornerstone.COMMUNICATE, Cornerstone.VALUE_AND_INCLUDE],
}


def _evidence_pack(stdout=None) -> None:
    """Charter sections, completed audits and the actions they led to tagged
    with the cornerstones, and the partnership's evidence pack for the last
    academic year (its PDF made in the background, as for any pack)."""
    from actionplan.models import Action
    from charter.models import ParticipationAudit, Section
    from core.models import Membership, Role

    from .forms import last_academic_year_start
    from .models import EvidencePack
    from .services import evidence_pack_request

    if EvidencePack.objects.exists():
        return
    for section in Section.objects.filter(cornerstones=[]):
        title = section.title.lower()
        tags = [c.value for word, c in SECTION_CORNERSTONES if word in title]
        if tags:
            Section.objects.filter(pk=section.pk).update(cornerstones=tags)
    for audit in ParticipationAudit.objects.filter(status=ParticipationAudit.Status.COMPLETED):
        tags = [c.value for c in AUDIT_CORNERSTONES.get(audit.team, [])]
        if tags:
            ParticipationAudit.objects.filter(pk=audit.pk).update(cornerstones=tags)
            Action.objects.filter(participation_audit_link__audit=audit).update(
                cornerstones=tags)
    admin = (Membership.objects.filter(role=Role.ADMINISTRATOR,
                                       organisation__is_partnership_lead=True)
             .select_related("user").order_by("pk").first())
    first = last_academic_year_start()
    year = f"{first}–{(first + 1) % 100:02d}"
    council = Organisation.objects.filter(slug="gloucestershire-county-council").first()
    for organisation, title in [(None, f"Evidence pack {year}"),
                                (council, f"Gloucestershire County Council evidence {year}")]:
        evidence_pack_request(
            acting_user=admin.user if admin else None, organisation=organisation, title=title,
            period_start=date(first, 9, 1), period_end=date(first + 1, 8, 31),
            headings={a.value: a.label for a in EvidencePack.Area})
    if stdout is not None:
        stdout.write(f"  the partnership's and the county council's evidence packs for {year} "
                     "(PDFs made after loading)")



# --- A family who asked to hear about progress (issue #20) ----------------------------

# Invented: an example.com address, and a fixed private link so that every
# `make run` can print it (the database keeps only its digest, as for anyone).
LOOP_FAMILY_EMAIL = "amira.k@example.com"
LOOP_FAMILY_TOKEN = "demo-family-told-when-something-changed-0001"  # nosec B105 # demo only
LOOP_FAMILY_WORDS = ("My daughter has not managed school since Easter. School, CAMHS and the "
                     "council each sent us to someone else, and nobody would say who was "
                     "leading. We need one plan that everyone agrees to.")


def _loop_family(officer) -> Feedback | None:
    """A Gloucestershire family's feedback, given months before a public
    action that answers it was completed, and answered too by a published
    report item linked to that action. They asked to hear about progress;
    `after_load` tells them (once)."""
    from actionplan import services as action_services
    from actionplan.models import Status

    existing = Feedback.objects.filter(contact_email=LOOP_FAMILY_EMAIL).first()
    if existing is not None:
        return existing
    item = (ReportItem.objects.filter(report__status=Report.Status.PUBLISHED,
                                      actions__is_public=True,
                                      actions__current_status=Status.COMPLETE,
                                      actions__priority__plan__is_published=True)
            .order_by("-actions__last_update_on", "pk").first())
    if item is None:
        return None
    action = (item.actions.filter(is_public=True, current_status=Status.COMPLETE)
              .order_by("-last_update_on", "pk").first())
    completed = action.last_update_on or timezone.localdate()
    feedback = feedback_services.feedback_submit(
        even_better_if=LOOP_FAMILY_WORDS, respondent=Feedback.Respondent.PARENT_CARER,
        age_group=Feedback.AgeGroup.AGE_11_15, about_organisation=action.lead_organisation,
        wants_contact=True, contact_name="Amira", contact_email=LOOP_FAMILY_EMAIL,
        wants_progress=True, received_on=completed - timedelta(days=150),
        service_areas=list(ServiceArea.objects.filter(name="Education")))
    Feedback.objects.filter(pk=feedback.pk).update(
        tracking_digest=tracking_digest(LOOP_FAMILY_TOKEN))
    feedback_services.reply_create(
        acting_user=officer, feedback=Feedback.objects.get(pk=feedback.pk),
        outcome="in_progress",
        text="Thank you for telling us. You are not the only family to be passed between "
             "services. The partnership has agreed to write one pathway for children who "
             "cannot manage school, with one named lead. We have linked your feedback to that "
             "action, so you will see here how it goes.")
    action_services.action_link_feedback(acting_user=officer, action=action,
                                         feedback=Feedback.objects.get(pk=feedback.pk))
    return feedback


def after_load(stdout=None) -> None:
    """After the demo is loaded: the demo family is told that the action
    linked to their feedback was completed and that a report answering it
    was published (one message, in the console's e-mail output under
    `make run`), and their private link is printed."""
    from django.db import transaction

    from actionplan import loop as action_loop
    from actionplan.models import Status
    from feedback import progress
    from feedback.models import ProgressNews

    from . import loop as report_loop

    feedback = Feedback.objects.filter(contact_email=LOOP_FAMILY_EMAIL).first()
    if feedback is None:
        return
    if not feedback.progress_messages.exists():
        with transaction.atomic():
            action = feedback.actions.filter(current_status=Status.COMPLETE).first()
            action_loop.news_for_status_change(action, before=Status.ON_TRACK)
            for report in Report.objects.filter(status=Report.Status.PUBLISHED,
                                                items__actions=action).distinct():
                progress.progress_news_record(
                    feedback_ids=[feedback.pk], kind=ProgressNews.Kind.REPORT_PUBLISHED,
                    subject_id=report.pk, text=report_loop.publication_news(report))
    if stdout is not None:
        stdout.write(f"  A family told when something changed ({feedback.reference}): their "
                     f"private page is {settings.SITE_URL}/feedback/track/{LOOP_FAMILY_TOKEN}/")
