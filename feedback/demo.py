"""Demo feedback in every state, an approved quote or two, and an annual
survey with statistics. The words are written in the style of the seed
documents (feedback cards: "what went well / even better if"); the people
are invented and no contact detail is real. Safe to run twice."""

import csv
import hashlib
import io
import random
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify

from core.models import Organisation, ServiceArea, Theme, User

from . import demo_volume, services
from .imports import survey_import_execute
from .models import Feedback, Reply, SurveyImport

# (days ago, channel, service areas, themes, respondent, age, went well, even better, rating,
#  wants contact, consent to quote, what happens: None | "assigned" | reply outcome)
ITEMS = [
    (3, "web_form", ["EHC needs assessment and plans"], ["Communication", "Waiting times"],
     "parent_carer", "4-7", "", "We waited 19 weeks for the draft plan and nobody told us why. "
     "A short update every few weeks would have stopped us worrying.", 2, True, True, None),
    (5, "easy_read", ["Education"], ["Being heard", "Support in school"], "young_person", "11-16",
     "My teacher lets me use the quiet room when it gets too loud.", "I want the other teachers "
     "to know about the quiet room too.", 3, False, True, None),
    (9, "web_form", ["Local Offer"], ["Information and the Local Offer"], "parent_carer", "8-11",
     "The new short breaks page is much easier to read.", "It would help to have the pages in "
     "age groups, so I don't read things about adults when my child is 9.", 4, True, True,
     "assigned"),
    (14, "feedback_card", ["Health"], ["Waiting times"], "parent_carer", "0-3",
     "The speech and language therapist was brilliant with our little one.",
     "Even better if the wait for the first appointment was shorter than 30 weeks.", 4, False,
     True, "in_progress"),
    (21, "workshop", ["Preparing for adulthood"], ["Preparing for adulthood"], "young_person",
     "16-18", "Meeting the college before I started.", "Tell us earlier what happens when we "
     "turn 18. Nobody explained adult social care.", None, False, True, "done"),
    (26, "web_form", ["Home to school transport"], ["Communication"], "parent_carer", "11-16",
     "", "Transport was changed the night before term started with no phone call. My son could "
     "not cope with a new driver without warning.", 1, True, False, "not_possible"),
    (33, "phone", ["Social care"], ["Being heard"], "parent_carer", "8-11",
     "Our social worker listened and came back when she said she would.", "", 5, True, True,
     "thank_you"),
    (36, "web_form", ["Home to school transport"], ["Communication"], "parent_carer", "8-11", "",
     "Nobody has answered my e-mails about the new bus route for three weeks.", 2, True, False,
     "assigned"),
    (40, "web_form", ["Mental health"], ["Mental health and wellbeing", "Waiting times"],
     "parent_carer", "11-16", "Once we were seen, CAMHS were kind.", "Some support while we "
     "wait would make a huge difference. We were on our own for months.", 2, False, True, "done"),
    (45, "focus_group", ["Short breaks"], ["Short breaks and respite"], "parent_carer", "4-7",
     "The holiday scheme gave us a real break.", "More places in the summer holidays, and "
     "staff trained in autism.", 4, False, True, "in_progress"),
    (52, "email", ["EHC needs assessment and plans"], ["EHCP quality", "Being heard"],
     "parent_carer", "4-7", "", "The plan did not sound like our daughter. Our views were not "
     "in section A even though we wrote four pages.", 2, True, True, "done"),
    (60, "self_advocacy_app", ["Education"], ["Personal safety"], "young_person", "11-16",
     "I like my form tutor.", "I do not feel safe in the corridors at lunch.", 2, False, True,
     "done"),
    (70, "compliment", ["Information, advice and support (SENDIASS)"], ["Being heard"],
     "parent_carer", "8-11", "SENDIASS helped us understand the tribunal process step by step.",
     "", 5, False, True, "thank_you"),
]

CONTACTS = ["Sam Taylor", "Alex Jones", "Jordan Smith", "Casey Brown"]

REPLIES = {
    "done": ("We have changed this. From September every family gets a named contact and a "
             "written update at 6, 12 and 16 weeks.", ""),
    "in_progress": ("You are right. We are recruiting two more therapists and expect the wait "
                    "to come down over the next six months. We will report progress.", ""),
    "not_possible": ("We are sorry this happened. We cannot guarantee the same driver every "
                     "term, because contracts are awarded each year.",
                     "Transport contracts are re-tendered each summer by law, so drivers can "
                     "change. We now phone every family at least 5 working days before a change."),
    "thank_you": ("Thank you for taking the time to tell us. We have passed your words on to "
                  "the team.", ""),
}


def load(stdout=None) -> None:
    if Feedback.objects.filter(even_better_if=ITEMS[0][7]).exists():
        if stdout is not None:
            stdout.write("  feedback already loaded")
        _load_routing_templates_cards(stdout)
        demo_volume.load(stdout)
        return
    council = Organisation.objects.get(slug="gloucestershire-county-council")
    officer = User.objects.get(email="officer@demo.example")
    approver = User.objects.get(email="approver@demo.example")
    areas = {a.name: a for a in ServiceArea.objects.all()}
    themes = {t.name: t for t in Theme.objects.all()}
    today = timezone.localdate()

    for n, (days_ago, channel, area_names, theme_names, respondent, age, good, better, rating,
            wants, consent, outcome) in enumerate(ITEMS):
        contact = CONTACTS[n % len(CONTACTS)]
        feedback = services.feedback_submit(
            channel=channel, received_on=today - timedelta(days=days_ago),
            service_areas=[areas[a] for a in area_names], respondent=respondent, age_group=age,
            what_went_well=good, even_better_if=better, rating=rating, consent_to_quote=consent,
            wants_contact=wants, contact_name=contact if wants else "",
            contact_email=f"{slugify(contact)}@example.com" if wants else "",
            acting_user=officer if channel not in ("web_form", "easy_read") else None,
            about_organisation=council,
        )
        services.feedback_set_themes(acting_user=officer, feedback=feedback,
                                     themes=[themes[t] for t in theme_names])
        if outcome is None:
            continue
        services.feedback_assign(acting_user=approver, feedback=feedback, assignee=officer)
        if outcome == "assigned":
            continue
        text, reason = REPLIES[outcome]
        services.reply_create(acting_user=officer, feedback=feedback, outcome=outcome, text=text,
                              reason=reason)
        if consent and (better or good):
            words = (better or good).split(". ")[0].rstrip(".") + "."
            quote = services.quote_propose(acting_user=officer, feedback=feedback,
                                           redacted_text=words,
                                           theme=themes[theme_names[0]])
            services.quote_decide(acting_user=approver, quote=quote, approve=True)
        if days_ago > 50:
            services.feedback_change_status(acting_user=officer, feedback=feedback,
                                            status=Feedback.Status.CLOSED)

    _load_survey(council, officer, today)
    if stdout is not None:
        stdout.write(f"  {Feedback.objects.exclude(channel='survey').count()} pieces of feedback, "
                     f"{Reply.objects.count()} replies, "
                     f"{SurveyImport.objects.count()} survey import")
    # After the feedback above, which stays with the council as before:
    # routing sends only new feedback.
    _load_routing_templates_cards(stdout)
    demo_volume.load(stdout)


# --- Routing, reply templates and paper cards (issue 24) ---------------------------------

# (service area, theme or None, organisation, team, officer's e-mail or None)
ROUTES = [
    ("EHC needs assessment and plans", None, "Gloucestershire County Council",
     "SEND Casework Team", None),
    ("Local Offer", None, "Gloucestershire County Council", "Local Offer team",
     "officer@demo.example"),
    ("Education", None, "Gloucestershire County Council", "SEND Inclusion and Support", None),
    ("Health", None, "NHS Gloucestershire Integrated Care Board", "Designated Clinical Officer",
     "nhs.officer@demo.example"),
    ("Mental health", None, "Gloucestershire Health and Care NHS Foundation Trust",
     "Children and Young People's Service (CYPS)", None),
    ("Social care", None, "Gloucestershire County Council", "Children with Disabilities Team",
     None),
    ("Short breaks", None, "Gloucestershire County Council", "Short Breaks team", None),
    # Feedback about short breaks that says families were not heard goes to the forum,
    # which runs the short breaks reference group.
    ("Short breaks", "Being heard", "Gloucestershire Parent Carer Forum",
     "Short breaks reference group", "forum.officer@demo.example"),
    ("Home to school transport", None, "Gloucestershire County Council",
     "Travel Assistance team", None),
    ("Preparing for adulthood", None, "Gloucestershire County Council",
     "Preparing for Adulthood team", None),
    ("Information, advice and support (SENDIASS)", None, "SENDIASS Gloucestershire", "", None),
]

# (organisation, outcome, title, text, reason)
TEMPLATES = [
    ("Gloucestershire County Council", "done", "Done: what we changed",
     "Thank you for telling us. You said this was not working, and we have changed it. "
     "From now on …\n\nYou can see this change in our next “You said, we did” report.", ""),
    ("Gloucestershire County Council", "in_progress", "In progress: what happens next",
     "Thank you for telling us. We agree this needs to change and we are working on it. "
     "What we are doing: …\nWhen we expect it to be done: …\n\nWe will tell you when it has "
     "happened.", ""),
    ("Gloucestershire County Council", "not_possible", "Not possible: the reason and what we can do",
     "Thank you for telling us. We have looked at this carefully and we cannot make this change. "
     "What we can do instead: …",
     "This is not possible because … (say the rule, the law or the money behind it, in plain "
     "words)."),
    ("NHS Gloucestershire Integrated Care Board", "in_progress", "Waiting times: in progress",
     "Thank you for telling us about the wait. We know waits for therapies are too long. "
     "What we are doing about it: …\n\nWhile you wait, the Local Offer lists support you can "
     "use now.", ""),
    ("NHS Gloucestershire Integrated Care Board", "not_possible", "Not an NHS service",
     "Thank you for your feedback. This is not something the NHS in Gloucestershire provides. "
     "We have passed it to the team that does.",
     "This is not possible for us because …"),
    ("Gloucestershire Parent Carer Forum", "done", "Done: raised with partners",
     "Thank you for telling us. We took what you said to the SEND partnership meeting and this "
     "is what changed: …", ""),
]

# Routed feedback arriving after the routing table was set up:
# (days ago, channel, service area, theme or None, went well, even better if)
ROUTED_ITEMS = [
    (2, "web_form", "Health", None, "The occupational therapist came to school to see him.",
     "Even better if the report had come before his annual review, not after."),
    (4, "easy_read", "Health", None, "", "I want to see the same speech therapist every time."),
    (6, "web_form", "Mental health", None, "",
     "We were told to wait for CYPS but nobody told us how long the wait would be."),
    (8, "feedback_card", "Short breaks", "Being heard", "The Saturday club staff know my daughter.",
     "Even better if parents were asked before the club times were changed."),
]


def _load_routing_templates_cards(stdout=None) -> None:
    from .cards import card_batch_print, card_log
    from .models import CardBatch, ReplyTemplate, Route
    from .reply_templates import reply_template_save
    from .routing import route_save

    if Route.objects.exists():
        return
    admin = User.objects.get(email="admin@demo.example")
    orgs = {o.name: o for o in Organisation.objects.all()}
    areas = {a.name: a for a in ServiceArea.objects.all()}
    themes = {t.name: t for t in Theme.objects.all()}
    users = {u.email: u for u in User.objects.all()}
    for area, theme, org, team, email in ROUTES:
        route_save(acting_user=admin, service_area=areas[area],
                   theme=themes[theme] if theme else None, organisation=orgs[org], team=team,
                   assignee=users.get(email))
    for org, outcome, title, text, reason in TEMPLATES:
        if not ReplyTemplate.objects.filter(organisation=orgs[org], title=title).exists():
            reply_template_save(acting_user=admin, organisation=orgs[org], outcome=outcome,
                                title=title, text=text, reason=reason)
    today = timezone.localdate()
    officer = users["officer@demo.example"]
    for days_ago, channel, area, theme, good, better in ROUTED_ITEMS:
        if channel == "feedback_card":
            continue  # logged from a card below
        services.feedback_submit(channel=channel, received_on=today - timedelta(days=days_ago),
                                 service_areas=[areas[area]], what_went_well=good,
                                 themes=[themes[theme]] if theme else [],
                                 even_better_if=better, respondent="parent_carer")
    # Feedback the routing table sent to the council that the ICB answers: moved by hand.
    misrouted = services.feedback_submit(
        received_on=today - timedelta(days=3), service_areas=[areas["Local Offer"]],
        respondent="parent_carer",
        even_better_if="The Local Offer page about speech and language therapy says the wait "
                       "is 18 weeks but we have waited 40.")
    services.feedback_reroute(acting_user=officer, feedback=misrouted,
                              organisation=orgs["NHS Gloucestershire Integrated Care Board"],
                              reason="About NHS therapy waiting times; the ICB keeps the "
                                     "figures on that page up to date.")
    # The forum's paper cards for its coffee mornings: 30 printed, one logged.
    forum_officer = users["forum.officer@demo.example"]
    if not CardBatch.objects.exists():
        batch = card_batch_print(acting_user=forum_officer,
                                 organisation=orgs["Gloucestershire Parent Carer Forum"],
                                 paper="A5", easy_read=False, size=30, prepare_pdf=False)
        # Their PDFs are made when someone asks on the batch's page (a minute a
        # hundred cards): loading the demo does not wait for them.
        card_batch_print(acting_user=forum_officer,
                         organisation=orgs["Gloucestershire Parent Carer Forum"], paper="A4",
                         easy_read=True, size=10, prepare_pdf=False)
        days_ago, _, area, theme, good, better = ROUTED_ITEMS[-1]
        card_log(acting_user=forum_officer, reference=batch.cards.first().reference,
                 easy_read=False, organisation_ids=[batch.organisation_id],
                 answers={"service_areas": [areas[area]], "themes": [themes[theme]],
                          "what_went_well": good, "even_better_if": better, "rating": 4,
                          "respondent": "parent_carer", "consent_to_quote": True,
                          "received_on": today - timedelta(days=days_ago)})
    if stdout is not None:
        stdout.write(f"  {Route.objects.count()} routes, {ReplyTemplate.objects.count()} reply "
                     f"templates, {CardBatch.objects.count()} batches of paper cards")


def _load_survey(council, officer, today) -> None:
    """An annual parent carer survey of 240 answers, made reproducibly."""
    rng = random.Random(2026)  # nosec B311 # made-up demo answers, reproducible on purpose
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Respondent", "Child's age", "Service", "Overall, how would you rate SEND "
                     "services?", "I know where to find information (Local Offer)",
                     "My child's EHCP reflects their needs", "What is working well?",
                     "What could be better?"])
    good = ["Our SENCo is fantastic.", "School really understand my son now.",
            "The Local Offer has got better.", "", "", "Short breaks are a lifeline."]
    better = ["Communication from the SEND team.", "Waiting times for assessments.",
              "Annual reviews happen late.", "", "More support while waiting for CAMHS.",
              "Information about preparing for adulthood."]
    for _ in range(240):
        writer.writerow([
            "Parent carer", rng.choice(["0-3", "4-7", "8-11", "11-16", "16-18"]),
            rng.choice(["EHC needs assessment and plans", "Education", "Health", "Local Offer"]),
            rng.choices(["Very good", "Good", "OK", "Poor", "Very poor"], [22, 40, 18, 12, 8])[0],
            rng.choices(["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree",
                         "Strongly disagree"], [15, 40, 20, 15, 10])[0],
            rng.choices(["5", "4", "3", "2", "1"], [12, 30, 23, 20, 15])[0],
            rng.choice(good), rng.choice(better),
        ])
    raw = buffer.getvalue().encode()
    survey = SurveyImport.objects.create(
        title=f"Annual parent carer survey {today.year}", organisation=council,
        received_on=today - timedelta(days=80), file=ContentFile(raw, name="annual-survey.csv"),
        file_sha256=hashlib.sha256(raw).hexdigest(), uploaded_by=officer,
        mapping={"columns": {"respondent": "Respondent", "age_group": "Child's age",
                             "service_area": "Service",
                             "rating": "Overall, how would you rate SEND services?",
                             "what_went_well": "What is working well?",
                             "even_better_if": "What could be better?"},
                 "statistics": ["Overall, how would you rate SEND services?",
                                "I know where to find information (Local Offer)",
                                "My child's EHCP reflects their needs"],
                 "positive_from": 4},
        state=SurveyImport.State.IMPORTING, total_rows=240,
    )
    survey_import_execute(survey_import_id=survey.pk)
