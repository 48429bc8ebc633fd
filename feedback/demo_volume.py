"""A year of tagged feedback for the demo (issue 24), so that theme
suggestions and "similar feedback" have something to go on in `make run`.

About 190 pieces across the demo's themes (communication, waiting times,
EHCP quality, transitions and the rest, as in the seed documents), put
together from the phrases below with a fixed seed: the same words, dates
and themes on every machine, every time. Each goes through the services,
as a family's or an officer's would (routed, tagged by an officer of the
organisation that answers it); the most recent are left untagged, for the
officer to triage with the suggestions. Invented words; no real person or
contact detail. Safe to run twice."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.models import Membership, Role, ServiceArea, Theme, User

from . import services
from .models import Feedback

# The first piece's words, found only here: it says the pieces are loaded.
FIRST = ("Please tell us what is happening, even when there is nothing new. The silence is "
         "the worst part.")

# Theme: (service areas it is usually about, what could be better, what went well).
# "{n}", "{weeks}", "{who}" and "{year}" are filled in from the lists below.
PHRASES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "Communication": (
        ["EHC needs assessment and plans", "Home to school transport", "Education",
         "Social care"],
        ["Nobody replied to my e-mails for {weeks} weeks. A short answer saying you had them "
         "would have helped.",
         "We were not told the {who} had left. We found out when nobody came to the review.",
         "I rang the SEND team {n} times and was told someone would call back. Nobody did.",
         "Letters arrive after the meeting they are about. Please send them by e-mail as well.",
         "Give every family one named person to contact, and tell us when they change.",
         "The transport team changed the pick-up time without telling us. My son was waiting "
         "in the cold for forty minutes.",
         "We only heard about the decision from school, not from the council."],
        ["The {who} phoned us back the same day and explained everything.",
         "We had a clear letter saying what happens next and when.",
         "The new caseworker introduced herself by e-mail in the first week."],
    ),
    "Waiting times": (
        ["Health", "Mental health", "EHC needs assessment and plans"],
        ["We have waited {weeks} weeks for a speech and language therapy assessment.",
         "The wait for an autism assessment is over {n} months. We have had no support while "
         "we wait.",
         "The EHC needs assessment took {weeks} weeks, well past the 20 weeks it should take.",
         "We waited {weeks} weeks for an occupational therapy appointment and then it was "
         "cancelled.",
         "CAMHS told us the wait is {n} months. Something to help in the meantime would make "
         "a huge difference.",
         "Please tell families how long the wait really is, and where they are on the list.",
         "Our annual review was {weeks} weeks late, so the plan still says Year {year}."],
        ["Once we were seen, the physiotherapist was brilliant.",
         "The clinic phoned to offer a cancellation slot, which cut our wait by months.",
         "The drop-in while we waited for CAMHS really helped."],
    ),
    "Information and the Local Offer": (
        ["Local Offer", "Information, advice and support (SENDIASS)"],
        ["I could not find anything on the Local Offer about support for children under 5.",
         "The Local Offer page about short breaks was {n} years out of date.",
         "The Local Offer search brings up services for adults when I search for my child.",
         "Please put the eligibility rules for transport in plain words on the Local Offer.",
         "Information about what happens at an annual review is hard to find.",
         "The phone number on the Local Offer for the {who} does not work.",
         "Put the Local Offer pages in age groups, so I only read what is for my child."],
        ["The new Local Offer pages are much easier to read on my phone.",
         "SENDIASS sent us a clear guide to the EHC needs assessment process.",
         "The Local Offer directory found us a holiday club we had never heard of."],
    ),
    "EHCP quality": (
        ["EHC needs assessment and plans", "Education"],
        ["The draft plan did not sound like our son. Section A had none of what we wrote.",
         "The outcomes in the plan are vague. 'Make progress in English' tells school nothing.",
         "The plan still describes our daughter as she was {n} years ago.",
         "The provision in section F says 'access to' support, not how many hours.",
         "Health advice was missing from the final plan even though the therapist wrote it.",
         "The plan was copied from another child's. It had the wrong name in one paragraph.",
         "Please let families see the draft before it is finalised, with time to comment."],
        ["Our plan finally describes what our son needs, in words school can use.",
         "The caseworker met us to go through the draft line by line.",
         "The plan's outcomes were written with our daughter, in her own words."],
    ),
    "Being heard": (
        ["Short breaks", "Social care", "Education", "EHC needs assessment and plans"],
        ["Nobody asked my son what he wanted. He is {n} and can tell you.",
         "At the meeting everyone talked about my daughter but nobody talked to her.",
         "We raised this at {n} reviews and nothing changed. It feels like nobody listens.",
         "Parents were not asked before the short breaks club times were changed.",
         "I felt judged, not listened to, when I said things were getting worse at home.",
         "Please ask young people before changing things that affect them."],
        ["The social worker listened and came back when she said she would.",
         "The {who} asked my son's views first, and he felt taken seriously.",
         "We were asked what we thought of the new short breaks offer before it started."],
    ),
    "Support in school": (
        ["Education"],
        ["My son has been on a part-time timetable for {n} months with no plan to end it.",
         "The school says it cannot meet his needs but nobody says what happens next.",
         "Supply teachers do not know about her sensory needs, so she has meltdowns after "
         "school.",
         "We asked for a meeting with the SENCo {n} times this term.",
         "My daughter was excluded {n} times this year. Each time was about her needs.",
         "Reasonable adjustments for exams were not in place on the day."],
        ["The SENCo is fantastic and always makes time for us.",
         "School set up a quiet room and it has made a real difference.",
         "His teaching assistant understands him and he now wants to go to school."],
    ),
    "Preparing for adulthood": (
        ["Preparing for adulthood", "Social care", "Education"],
        ["Nobody explained what happens to his support when he turns 18.",
         "The move from children's to adult social care left us with no worker for {n} months.",
         "We were told about college options in the summer of Year {year}, far too late.",
         "Please start transition planning at Year 9 as the Code of Practice says.",
         "Adult health services did not have any of the notes from the children's team.",
         "There is almost nothing on supported internships for young people in the Forest of "
         "Dean."],
        ["Meeting the college before he started made the move much easier.",
         "The transition worker helped her open a bank account and travel on the bus alone.",
         "The preparing for adulthood review was about what she wants to do, not just forms."],
    ),
    "Mental health and wellbeing": (
        ["Mental health", "Health", "Education"],
        ["My daughter's anxiety is so bad she has not been to school for {n} weeks.",
         "CAMHS said he was not unwell enough. We are at crisis point.",
         "There is no support for siblings, who are struggling too.",
         "Please train school staff to spot anxiety in autistic girls.",
         "After the first appointment we heard nothing for {n} months.",
         "The eating disorder service does not understand autism."],
        ["The school counsellor has helped him manage his worries.",
         "The wellbeing workshop for parents was really useful.",
         "CAMHS were kind and patient once we were seen."],
    ),
    "Short breaks and respite": (
        ["Short breaks", "Social care"],
        ["There were no holiday scheme places left by the time the booking opened.",
         "The overnight respite service has been closed for {n} months.",
         "Staff at the club did not know how to support a child who does not speak.",
         "More places in the summer holidays, and staff trained in autism.",
         "The short breaks budget does not stretch to a personal assistant for the holidays.",
         "The Saturday club moved to the other side of the county. We cannot get there."],
        ["The holiday scheme gave us a real break.",
         "The Saturday club staff know my daughter and she loves going.",
         "Overnight respite has given the whole family our evenings back."],
    ),
    "Personal safety": (
        ["Education", "Home to school transport", "Social care"],
        ["I do not feel safe in the corridors at lunchtime.",
         "Other children on the bus pick on my son and the driver does nothing.",
         "My daughter was sent messages online by someone she did not know.",
         "Please teach young people with learning disabilities how to stay safe online.",
         "The school gate is left open and my son runs out of it."],
        ["Her school taught the whole class about staying safe online.",
         "The bus escort keeps a close eye on the children and I trust her.",
         "The travel training course helped him feel safe on the bus."],
    ),
}

WHO = ["caseworker", "SENCo", "social worker", "speech therapist", "keyworker",
       "transport officer"]
CHANNELS = ["web_form"] * 6 + ["easy_read", "email", "phone", "workshop", "feedback_card",
                                "focus_group"]
AGES = ["0-3", "4-7", "8-10", "11-15", "16-17", "18-25"]
PER_THEME = 18  # 10 themes: 180 tagged pieces, the newest few left untagged
UNTAGGED_DAYS = 12  # what arrived in the last days waits for triage
DAYS = 330


def _fill(text: str, rng: random.Random) -> str:
    return text.format(n=rng.randint(2, 6), weeks=rng.choice([12, 18, 24, 30, 40, 52]),
                       who=rng.choice(WHO), year=rng.choice([9, 10, 11]))


def items(seed: int = 2024) -> list[dict]:
    """The pieces, as keyword arguments for feedback_submit plus their
    themes (names) and how many days ago they came: the same on every run."""
    rng = random.Random(seed)  # nosec B311 # made-up demo text, reproducible on purpose
    out = []
    names = list(PHRASES)
    for n in range(PER_THEME * len(names)):
        theme = names[n % len(names)]
        areas, better, good = PHRASES[theme]
        # A second theme now and then, as officers tag (waits are often about communication).
        themes = [theme]
        if rng.random() < 0.25:
            themes.append(rng.choice([t for t in names if t != theme]))
        negative = rng.random() < 0.8
        young = rng.random() < 0.2
        out.append({
            "days_ago": rng.randint(0, DAYS),
            "themes": themes,
            "service_areas": [rng.choice(areas)],
            "channel": "easy_read" if young and rng.random() < 0.5 else rng.choice(CHANNELS),
            "respondent": "young_person" if young else "parent_carer",
            "age_group": rng.choice(AGES[3:] if young else AGES),
            "even_better_if": _fill(rng.choice(better), rng) if negative else "",
            "what_went_well": _fill(rng.choice(good), rng) if (not negative or rng.random() < 0.3)
            else "",
            "rating": rng.randint(1, 3) if negative else rng.randint(4, 5),
            "consent_to_quote": rng.random() < 0.6,
        })
    out[0].update(days_ago=DAYS + 1, themes=["Communication"], even_better_if=FIRST)
    return out


@transaction.atomic  # one commit for them all: a SQLite commit waits for the disk
def load(stdout=None) -> int:
    """Store the pieces (once); returns how many were stored now."""
    if Feedback.objects.filter(even_better_if=FIRST).exists():
        return 0
    areas = {a.name: a for a in ServiceArea.objects.all()}
    themes = {t.name: t for t in Theme.objects.all()}
    # Tagged by an officer of the organisation that answers it, when it has one.
    officers = {}
    for organisation_id, user in (Membership.objects.filter(role=Role.OFFICER).order_by("pk")
                                  .values_list("organisation_id", "user")):
        officers.setdefault(organisation_id, user)
    people = User.objects.in_bulk(set(officers.values()))
    today = timezone.localdate()
    stored = 0
    for item in sorted(items(), key=lambda i: -i["days_ago"]):
        item = dict(item)
        days_ago, theme_names = item.pop("days_ago"), item.pop("themes")
        feedback = services.feedback_submit(
            **{**item, "service_areas": [areas[a] for a in item["service_areas"]]},
            received_on=today - timedelta(days=days_ago))
        stored += 1
        if days_ago < UNTAGGED_DAYS:
            continue
        officer = people.get(officers.get(feedback.organisation_id))
        services.feedback_set_themes(acting_user=officer, feedback=feedback,
                                     themes=[themes[t] for t in theme_names])
    if stdout is not None:
        stdout.write(f"  {stored} more pieces of feedback tagged by theme, for suggestions")
    return stored
