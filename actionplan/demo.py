"""Demo action plans, from the seed documents.

- Gloucestershire's Joint Strategy for Children and Young People with
  Additional Needs 2018-2021 (seed 001): its ten delivery priorities, the
  multi-agency actions with their due dates and the countywide commitments
  "by 2021", "*" marking the areas for improvement found by the June 2016
  local area SEND inspection. Overseen by the Joint Additional Needs (JAN)
  Management Board.
- The partnership's current priorities, the plan the public page and the
  board's dashboard open on: adapted from a neighbouring area's SEND
  Strategy Group priorities (seed 004), re-homed here as Gloucestershire's
  own, overseen by the same board. It runs for three years from the
  September more than a year ago, so its actions have a year of history:
  some went red, then amber, then green, some are complete, one was
  cancelled and one has not started.

The progress histories are invented but realistic: most actions finished
between 2018 and 2021, some were cancelled when superseded, and some were
carried forward with a revised due date the board agreed, so the dashboard
has recent movement. Recent dates are relative to today so the demo stays
current. Safe to run twice: rows are found by natural keys, and an action's
history is written only when it has none.
"""

from datetime import date, timedelta

from django.utils import timezone
from django.utils.text import slugify

from core.models import Organisation, Theme, User

from . import services
from .models import (
    MONITORING_AFTER_MONTHS,
    Action,
    Board,
    Meeting,
    Plan,
    Priority,
    Status,
    months_after,
)

GCC = "Gloucestershire County Council"
ICB = "NHS Gloucestershire Integrated Care Board"
GHC = "Gloucestershire Health and Care NHS Foundation Trust"
PCF = "Gloucestershire Parent Carer Forum"
IASS = "SENDIASS Gloucestershire"
YG = "Young Gloucestershire"
YP = "Gloucestershire Young People’s SEND Forum"
SCHOOL = "Cotswold Edge Special School"

# Owner for each lead organisation, from core.demo's staff accounts.
OWNERS = {GCC: "officer@demo.example", ICB: "nhs.officer@demo.example",
          PCF: "forum.officer@demo.example"}

GLOS_PRIORITIES = [
    "A child or young person with additional needs will have their needs identified and met "
    "in a timely way",
    "Outcomes for children or young people with additional needs will be most effectively "
    "achieved by recognising their needs as a whole and as part of their families, and "
    "integrating assessment and personalised care planning across education, health and "
    "social care",
    "Good outcomes for most children or young people with additional needs will be achieved "
    "in more universal settings where their needs can be met appropriately",
    "Children, young people and parents will be encouraged to be equal partners in developing "
    "plans, agreeing outcomes to be achieved and every effort made to seek their views",
    "Children, young people and parents will play a key role in co-producing and developing "
    "services across health, education and social care",
    "Children or young people with additional needs should be offered full access to a broad, "
    "balanced and relevant education",
    "Transition arrangements between phases of education or agencies are in place so "
    "assessments, plans and reviews are co-produced and families know who is coordinating "
    "their child’s support",
    "Resources to support all children or young people with additional needs will be "
    "proportionate, fair, equitable and deliver best value",
    "Effective and efficient use of resources will guide decision making based on analysis of "
    "need, the allocation of those resources, and evaluation against agreed outcomes",
    "All agencies will focus on helping children, young people and young adults with "
    "additional needs to prepare for adulthood",
]

BY_2021 = date(2021, 7, 31)

# (reference, title, lead, partners, due date, inspection finding "*", public, story, themes)
GLOS_ACTIONS = [
    ("1.1", "Through the cross-agency SEND Quality Lead role, improve the quality of information "
            "informing, and contained within, Education, Health and Care plans",
     GCC, [ICB, GHC], date(2018, 10, 31), False, True, "late", ["EHCP quality"]),
    ("1.2", "Review early notification processes across and between services to identify and "
            "address gaps, starting with the Health Visitor notification process",
     GHC, [GCC, ICB], BY_2021, False, False, "on_time", ["Waiting times"]),
    ("1.3", "Review and update information, advice and guidance for families and practitioners "
            "at least annually on the Gloucestershire Family Information Directory",
     GCC, [IASS, PCF], BY_2021, True, True, "carried_due_soon",
     ["Information and the Local Offer"]),
    ("2.1", "Further enhance multi-agency working, and a holistic response to needs, by "
            "developing a countywide SEND ethos within services",
     GCC, [ICB, GHC, PCF], date(2019, 4, 30), False, True, "on_time", ["Communication"]),
    ("2.2", "Roll out locality-based early help partnership working across the county, starting "
            "in key target areas informed by the Gloucester City locality pilot",
     GCC, [GHC, YG], BY_2021, True, True, "stalled", []),
    ("2.3", "Develop the Team Around the Child / Family approach so the child and family are at "
            "the centre of all we do and their voices are heard",
     GCC, [GHC, SCHOOL], BY_2021, True, True, "late", ["Being heard"]),
    ("2.4", "Facilitate learning events for practitioners on education, health and care "
            "contributions to EHCPs that are outcome-focused, evidenced and personalised",
     ICB, [GCC, GHC], BY_2021, False, False, "on_time", ["EHCP quality"]),
    ("3.1", "Through the high needs programme, review the education offer for children and "
            "young people with additional needs so the right support is available at the "
            "right time",
     GCC, [SCHOOL], date(2019, 10, 31), False, True, "carried_overdue", ["Support in school"]),
    ("3.2", "Develop a framework to ensure children with medical needs are appropriately "
            "supported within schools and other services",
     ICB, [GCC, SCHOOL], BY_2021, True, True, "recent_green", ["Support in school"]),
    ("3.3", "Use the high needs strategy to develop support for children, young people and "
            "their families in local communities",
     GCC, [SCHOOL], BY_2021, False, False, "cancelled", []),
    ("3.4", "Support children and young people to identify and access universal and targeted "
            "services in their area through professional advice and guidance",
     YG, [GCC], BY_2021, False, True, "on_time", ["Short breaks and respite"]),
    ("4.1", "Promote opportunities to seek the views of children, young people and families by "
            "embedding tools such as the ‘My Life, My Plan’ one-page profile and MOMO Express",
     GCC, [YG, PCF], BY_2021, False, True, "on_time", ["Being heard"]),
    ("4.2", "Work with schools on a plan to roll out Restorative Practice across the county, "
            "informed by pilot schools",
     GCC, [SCHOOL], BY_2021, False, False, "late", ["Support in school"]),
    ("5.1", "Co-produce a multi-agency participation strategy for parent carers, children and "
            "young people, with a new parent carer forum established by winter 2018",
     GCC, [PCF, ICB, YG], date(2019, 7, 31), True, True, "on_time", ["Being heard"]),
    ("5.2", "Seek feedback from children, young people and parents on the Local Offer and report "
            "annually through the Local Offer on what is being done about issues raised",
     GCC, [PCF, IASS], BY_2021, True, True, "recent_amber", ["Information and the Local Offer"]),
    ("5.3", "Work with the Parent Carer Forum to increase participation of under-represented "
            "families so their experiences inform service delivery",
     PCF, [GCC], BY_2021, False, True, "recent_green", ["Being heard"]),
    ("6.1", "Develop a continuum of support and services from universal to specialist that "
            "reflects the needs of children and young people in the county",
     GCC, [ICB, SCHOOL], BY_2021, True, False, "late", ["Support in school"]),
    ("7.1", "Improve timely communication and joint decision making by establishing a "
            "countywide children/adults transitions group",
     GCC, [ICB, GHC], date(2018, 12, 31), False, True, "on_time", ["Preparing for adulthood"]),
    ("7.2", "Fully embed the Ready Steady Go transition framework across NHS trusts for children "
            "with long-term health conditions",
     GHC, [ICB], BY_2021, True, True, "carried_overdue", ["Preparing for adulthood"]),
    ("7.3", "Co-ordinate transition information across services and make sure it reaches "
            "children, young people and families through professionals’ advice",
     GCC, [GHC, IASS], BY_2021, True, False, "on_time", ["Preparing for adulthood"]),
    ("8.1", "Develop a quality framework focused on outcomes for children and young people, "
            "embedded in services’ quality assurance",
     GCC, [ICB], date(2019, 4, 30), False, False, "late", ["EHCP quality"]),
    ("8.2", "Develop a health resource allocation tool, aligned to social care, so an indicative "
            "budget can be identified and needs met in a personalised way",
     ICB, [GCC], BY_2021, True, False, "cancelled", []),
    ("8.3", "Develop a plan to address equity of access and waiting times for the children’s "
            "NHS community learning disability team",
     ICB, [GHC], BY_2021, True, True, "stalled", ["Waiting times"]),
    ("8.4", "Take part in the national and local evaluation of the My Life My Plan pilot on "
            "personal health budgets for children in care",
     ICB, [GCC], BY_2021, True, False, "on_time", []),
    ("9.1", "Use the joint strategic needs analysis to develop sufficiency strategies for future "
            "provision (school places and children’s services planning)",
     GCC, [ICB], date(2019, 1, 31), False, False, "on_time", []),
    ("9.2", "Review and update service specifications in response to the 2018 needs analysis, "
            "including feedback and monitoring",
     ICB, [GCC], BY_2021, False, False, "late", []),
    ("9.3", "Consider shared health electronic records and care plans across agencies, making "
            "better use of data and local intelligence",
     ICB, [GHC, GCC], BY_2021, False, False, "not_started", []),
    ("10.1", "Produce a transition roadmap for young people covering milestones for all four "
             "preparing for adulthood outcomes, including health, education and social care",
     GCC, [ICB, YG], date(2019, 3, 31), False, True, "carried_due_soon",
     ["Preparing for adulthood"]),
    ("10.2", "Develop more interactive preparing for adulthood resources on the Local Offer, "
             "based on feedback from young people, to support planning from age 13",
     GCC, [YG, PCF], BY_2021, True, True, "recent_amber", ["Preparing for adulthood"]),
    ("10.3", "Provide training and guidance to professionals to embed transition processes "
             "across education, health, care, employment and housing",
     GCC, [GHC, ICB], BY_2021, True, False, "on_time", ["Preparing for adulthood"]),
]

# Adapted from seed 004: the partnership's priorities after the joint strategy.
PARTNERSHIP_PRIORITIES = [
    ("The Voice of the Child and Young Person is Heard",
     "A shared understanding of children and young people’s needs, so all voices have a "
     "platform and support to be heard, including young carers, parent carers and siblings."),
    ("EHCP Quality Assurance",
     "Legally compliant, good quality EHCPs with specified health, education and care provision, "
     "issued within timescales and reviewed annually."),
    ("School refusal and school avoidance (Education Otherwise)",
     "Raising awareness of difficulties with school attendance and making sure a child-centred "
     "plan is in place, including transport, off-rolling and fines."),
    ("Preparing for Adulthood",
     "Personalisation, choice and control at the centre of assessments and support from 14 to 25."),
    ("Carers", "Embedding the Carers Strategy into everyday practice within a multi-agency "
               "graduated approach."),
    ("Health", "Health services communicating well with children and young people with SEND, "
               "and equal access to timely assessments and therapy wherever they live."),
    ("Early Help and Interventions", "Waiting list timescales and multi-disciplinary pathways "
                                     "across agencies."),
    ("Short Breaks", "Review of short breaks (data, engagement) and clinical governance for "
                     "children’s continuing care."),
]

# What updates say at each status: (internal narrative, public narrative).
WORDS = {
    "start": ("Task and finish group set up with partners; scope and milestones agreed and "
              "reported to the JAN Development Group.",
              "Work has started with partners, including parent carers."),
    "on_track": ("Progressing to plan. Draft shared with the JAN Development Group and the "
                 "Parent Carer Forum for comment; milestones met this quarter.",
                 "Going to plan. Parent carers have commented on the draft."),
    "at_risk": ("Slipping: the lead officer post was vacant for three months and one partner "
                "has not yet confirmed capacity. Recovery plan to the Management Board.",
                "Some delay because of staff changes. A plan to catch up has been agreed."),
    "off_track": ("Off track: funding for the next phase is not agreed between partners. "
                  "Escalated to the JAN Management Board for a decision.",
                  "Delayed while partners agree funding for the next stage."),
    "recovering": ("Back on track after the Management Board agreed resources; revised "
                   "milestones are being met.",
                   "Back on track after partners agreed resources."),
    "complete": ("Completed. Evidence presented to the JAN Management Board; impact will be "
                 "tracked through the annual parent carer survey and case audits.",
                 "Done. We will check it is making a difference through the annual parent "
                 "carer survey."),
    "cancelled": ("Cancelled: superseded by the refreshed SEND strategy. Remaining work moved "
                  "to the new plan so nothing is lost.",
                  "Replaced by work in the new SEND strategy."),
    "carried": ("Carried forward beyond the strategy period. The Management Board agreed a "
                "revised due date and asked for monthly updates.",
                "Still in progress: partners agreed a new date to finish."),
}

START = date(2018, 10, 1)

# No years in the address: the plan's period moves with today (see _current_period).
PRIORITIES_SLUG = "gloucestershire-send-partnership-priorities"

# The current plan's actions: (reference, title, lead, partners, due in days from
# today, public, history as (days ago, status, percent, words key)).
_S = Status
CURRENT_ACTIONS = [
    ("1.1", "Young people co-chair a termly SEND participation forum with the council and "
            "the ICB", PCF, [YP, GCC], 60, True,
     [(330, _S.ON_TRACK, 10, "start"), (240, _S.ON_TRACK, 40, "on_track"),
      (120, _S.ON_TRACK, 70, "on_track"), (20, _S.COMPLETE, 100, "complete")]),
    ("1.2", "Publish a quarterly “You said, we did” update from the participation forum",
     GCC, [PCF, YP], 120, True,
     [(300, _S.ON_TRACK, 15, "start"), (200, _S.AT_RISK, 30, "at_risk"),
      (90, _S.ON_TRACK, 55, "recovering"), (15, _S.ON_TRACK, 70, "on_track")]),
    ("2.1", "Audit 40 EHCPs a term with parent carers on the audit panel", GCC, [PCF, ICB],
     -15, True,
     [(350, _S.ON_TRACK, 10, "start"), (270, _S.AT_RISK, 25, "at_risk"),
      (180, _S.OFF_TRACK, 30, "off_track"), (60, _S.AT_RISK, 45, "at_risk")]),
    ("2.2", "Issue six in ten new EHCPs within 20 weeks", GCC, [ICB, GHC], 200, True,
     [(320, _S.ON_TRACK, 20, "start"), (230, _S.OFF_TRACK, 25, "off_track"),
      (140, _S.OFF_TRACK, 30, "off_track"), (50, _S.AT_RISK, 40, "at_risk")]),
    ("3.1", "Agree a multi-agency pathway for emotionally based school avoidance", GCC,
     [GHC, SCHOOL, PCF], -60, True,
     [(280, _S.ON_TRACK, 15, "start"), (170, _S.ON_TRACK, 50, "on_track"),
      (75, _S.COMPLETE, 100, "complete")]),
    ("3.2", "Train attendance officers on SEND and reasonable adjustments", GCC, [SCHOOL],
     25, False,
     [(260, _S.ON_TRACK, 20, "start"), (150, _S.AT_RISK, 35, "at_risk"),
      (100, _S.AT_RISK, 40, "at_risk")]),
    ("4.1", "Start preparing for adulthood conversations from Year 9 at every EHCP annual "
            "review", GCC, [ICB, YG], 150, True,
     [(340, _S.ON_TRACK, 10, "start"), (250, _S.ON_TRACK, 35, "on_track"),
      (160, _S.ON_TRACK, 60, "on_track"), (70, _S.ON_TRACK, 80, "on_track")]),
    ("4.2", "Open supported internships with the NHS for young people with EHCPs", ICB,
     [YG, GCC], 90, True,
     [(200, _S.ON_TRACK, 20, "start"), (110, _S.AT_RISK, 30, "at_risk"),
      (30, _S.OFF_TRACK, 35, "off_track")]),
    ("5.1", "Build the Carers Strategy checklist into early help assessments", GCC, [PCF],
     -30, False,
     [(310, _S.ON_TRACK, 15, "start"), (190, _S.ON_TRACK, 60, "on_track"),
      (100, _S.COMPLETE, 100, "complete")]),
    ("6.1", "Bring the wait for a first speech and language therapy appointment down to 18 "
            "weeks", GHC, [ICB], 240, True,
     [(345, _S.ON_TRACK, 10, "start"), (260, _S.OFF_TRACK, 15, "off_track"),
      (170, _S.OFF_TRACK, 20, "off_track"), (80, _S.AT_RISK, 35, "at_risk"),
      (10, _S.ON_TRACK, 50, "recovering")]),
    ("6.2", "Hold neurodevelopmental assessment clinics in the Forest of Dean", ICB, [GHC],
     300, True,
     [(150, _S.ON_TRACK, 10, "start"), (45, _S.ON_TRACK, 30, "on_track")]),
    ("7.1", "Publish waiting times for early help and therapies on the Local Offer every "
            "month", GCC, [ICB, GHC], -150, True,
     [(290, _S.ON_TRACK, 20, "start"), (200, _S.COMPLETE, 100, "complete")]),
    ("7.2", "Pilot a single front door for early help in Gloucester", GCC, [GHC], 120, False,
     [(240, _S.ON_TRACK, 10, "start"), (130, _S.AT_RISK, 20, "at_risk"),
      (40, _S.CANCELLED, 20, "cancelled")]),
    ("8.1", "Review short breaks with families and publish what they said", GCC, [PCF, YG],
     200, True, []),
    ("8.2", "Agree clinical governance for children’s continuing care", ICB, [GCC], 180, False,
     [(100, _S.ON_TRACK, 10, "start")]),
]


def _current_period(today: date) -> tuple[date, date]:
    """Three school years from the September more than a year before today,
    so the dashboard's twelve months all fall inside the plan."""
    start = date(today.year - 1 if today.month >= 9 else today.year - 2, 9, 1)
    return start, date(start.year + 3, 8, 31)


def _months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, 28))


# What the JAN Management Board decided at its past meeting, by action reference.
DECISIONS = {
    "1.3": ("agreed", "Agreed the revised date. The Family Information Directory review to "
                      "include the Parent Carer Forum’s ‘mystery shopper’ findings; SENDIASS to "
                      "check the EHCP pages are in plain English."),
    "2.2": ("escalated", "Escalated to the Health and Wellbeing Board: the early help locality "
                         "model in the Forest of Dean has no lead since the restructure. The "
                         "Director of Children’s Services to write to partners about resourcing."),
    "3.1": ("agreed", "Agreed a recovery plan for the high needs review with a new date. The "
                      "board asked for the special school place figures by locality at the "
                      "next meeting."),
    "3.2": ("noted", "Noted good progress on the medical needs framework; the ICB to share the "
                     "draft with SENCos through the SENCo network before sign-off."),
    "5.2": ("agreed", "Agreed the Local Offer annual report will include a ‘You said, we did’ "
                      "section, co-produced with the Parent Carer Forum, published by the end "
                      "of the school term."),
    "5.3": ("noted", "Noted the Forum’s outreach with families in Gloucester and Tewkesbury; "
                     "the board thanked parent carer representatives for their work."),
    "default": ("noted", "Noted the update. To come back to the next meeting."),
}

PAST_MINUTES = (
    "Present: representatives of Gloucestershire County Council, NHS Gloucestershire ICB, "
    "Gloucestershire Health and Care NHS Foundation Trust, the Gloucestershire Parent Carer "
    "Forum and SENDIASS.\n\n"
    "The board reviewed the actions carried forward from the Joint Strategy 2018-2021. It "
    "agreed revised dates where a recovery plan was in place, and escalated the early help "
    "locality model, which has no lead. Parent carer representatives asked that every action "
    "coming back to the board says what families will notice, not only what services did.\n\n"
    "Next meeting: December board, Shire Hall, Gloucester.")


def _story(kind: str, due: date, today: date) -> tuple[list[tuple], date | None]:
    """A history as (date, status, percent, words key), and a revised due
    date when the board agreed one."""
    s = Status
    span = (due - START).days

    def part(share: float) -> date:
        return START + timedelta(days=int(span * share))

    if kind == "on_time":
        return [(part(0.15), s.ON_TRACK, 10, "start"),
                (part(0.5), s.ON_TRACK, 45, "on_track"),
                (part(0.85), s.ON_TRACK, 80, "on_track"),
                (due, s.COMPLETE, 100, "complete")], None
    if kind == "late":
        return [(part(0.2), s.ON_TRACK, 10, "start"),
                (part(0.6), s.AT_RISK, 30, "at_risk"),
                (due, s.OFF_TRACK, 45, "off_track"),
                (_months(due, 4), s.ON_TRACK, 75, "recovering"),
                (_months(due, 9), s.COMPLETE, 100, "complete")], None
    if kind == "cancelled":
        return [(_months(START, 2), s.ON_TRACK, 15, "start"),
                (_months(START, 9), s.AT_RISK, 30, "at_risk"),
                (date(2020, 9, 15), s.CANCELLED, 30, "cancelled")], None
    if kind == "not_started":
        return [], today + timedelta(days=200)
    carried = [(part(0.2), s.ON_TRACK, 15, "start"),
               (part(0.6), s.ON_TRACK, 35, "on_track"),
               (due, s.AT_RISK, 45, "at_risk"),
               (date(2021, 9, 20), s.AT_RISK, 50, "carried")]
    if kind == "stalled":
        # No update for well over 90 days, and past its revised date.
        return carried + [(today - timedelta(days=300), s.ON_TRACK, 55, "recovering"),
                          (today - timedelta(days=160), s.OFF_TRACK, 55, "off_track")], \
            today - timedelta(days=40)
    if kind == "carried_overdue":
        return carried + [(today - timedelta(days=240), s.ON_TRACK, 60, "recovering"),
                          (today - timedelta(days=120), s.AT_RISK, 65, "at_risk"),
                          (today - timedelta(days=25), s.OFF_TRACK, 70, "off_track")], \
            today - timedelta(days=20)
    if kind == "carried_due_soon":
        return carried + [(today - timedelta(days=200), s.ON_TRACK, 60, "recovering"),
                          (today - timedelta(days=95), s.ON_TRACK, 75, "on_track"),
                          (today - timedelta(days=12), s.AT_RISK, 85, "at_risk")], \
            today + timedelta(days=18)
    if kind == "recent_green":
        return carried + [(today - timedelta(days=260), s.AT_RISK, 50, "at_risk"),
                          (today - timedelta(days=150), s.ON_TRACK, 60, "recovering"),
                          (today - timedelta(days=30), s.ON_TRACK, 75, "on_track")], \
            today + timedelta(days=120)
    if kind == "recent_amber":
        return carried + [(today - timedelta(days=330), s.ON_TRACK, 55, "recovering"),
                          (today - timedelta(days=180), s.OFF_TRACK, 55, "off_track"),
                          (today - timedelta(days=60), s.AT_RISK, 65, "at_risk")], \
            today + timedelta(days=75)
    raise ValueError(kind)


def load(stdout=None) -> None:
    today = timezone.localdate()
    orgs = {o.name: o for o in Organisation.objects.filter(
        slug__in=[slugify(n) for n in (GCC, ICB, GHC, PCF, IASS, YG, YP, SCHOOL)])}
    owners = {org: User.objects.filter(email=email).first() for org, email in OWNERS.items()}
    themes = {t.name: t for t in Theme.objects.all()}

    board, _ = Board.objects.update_or_create(
        slug="joint-additional-needs-management-board",
        defaults={"name": "Joint Additional Needs Management Board", "area": "Gloucestershire",
                  "description": "Oversees the contribution of education, health and social "
                                 "care so outcomes improve for all children and young people "
                                 "with additional needs: progress against actions, removing "
                                 "barriers to multi-agency working, and making sure support "
                                 "changes when needs change. Chair: Head of Services for "
                                 "Children with Additional Needs."})
    board.organisations.set([orgs[n] for n in (GCC, ICB, GHC, PCF, YP) if n in orgs])
    Board.objects.update_or_create(
        slug="joint-additional-needs-development-group",
        defaults={"name": "Joint Additional Needs Development Group", "area": "Gloucestershire",
                  "description": "A forum for representatives of all agencies to share good "
                                 "practice, find better ways of working and identify gaps in "
                                 "information or services. Chair: Quality and Engagement "
                                 "Manager."})

    plan, _ = Plan.objects.update_or_create(
        slug="gloucestershire-joint-strategy-2018-2021",
        defaults={"title": "Joint Strategy for Children and Young People with Additional Needs "
                           "(including SEND) 2018-2021",
                  "area": "Gloucestershire", "period_start": date(2018, 9, 1),
                  "period_end": date(2021, 8, 31), "board": board,
                  "summary": "Ten priorities agreed by all partners, including parent carers, "
                             "so that young people with additional needs have the same "
                             "opportunities to grow and learn as any other young person in "
                             "the county. Actions marked as answering an inspection finding "
                             "respond to the areas for improvement found by the joint Ofsted "
                             "and CQC local area SEND inspection."})
    priorities = {}
    for number, title in enumerate(GLOS_PRIORITIES, start=1):
        priorities[number], _ = Priority.objects.update_or_create(
            plan=plan, number=number, defaults={"title": title})

    created = updates = 0
    reviewed: list[Action] = []
    for ref, title, lead, partners, due, inspection, public, kind, theme_names in GLOS_ACTIONS:
        history, revised_due = _story(kind, due, today)
        priority = priorities[int(ref.split(".")[0])]
        description = "" if revised_due is None else (
            f"Original due date in the strategy: {due:%B %Y}. "
            f"The Management Board agreed a revised date.")
        action = Action.objects.filter(priority=priority, reference=ref).first()
        if action is None:
            action = services.action_create(
                acting_user=None, priority=priority, reference=ref, title=title,
                description=description, lead_organisation=orgs[lead],
                owner=owners.get(lead), due_date=revised_due or due, start_date=START,
                is_public=public, inspection_finding=inspection,
                source="Joint Strategy 2018-2021 (seed document)",
                success_measures="Reported to the JAN Management Board with evidence of impact "
                                 "on children, young people and families.",
                partner_organisations=[orgs[p] for p in partners if p in orgs],
                themes=[themes[t] for t in theme_names if t in themes],
            )
            created += 1
        if not action.updates.exists():
            for day, status, percent, words in history:
                narrative, public_words = WORDS[words]
                services.action_update_progress(
                    acting_user=owners.get(lead), action=action, status=status, percent=percent,
                    narrative=narrative, public_narrative=public_words if public else "",
                    date=day)
                updates += 1
        if kind.startswith(("carried", "recent", "stalled")):
            reviewed.append(action)

    meetings = [
        (today - timedelta(days=70), "Quarterly review: carried-forward actions"),
        (today + timedelta(days=16), "December board: preparing for adulthood and the Local Offer"),
    ]
    for (day, title), chosen in zip(meetings, (reviewed[: len(reviewed) // 2 + 1], reviewed), strict=False):
        meeting = Meeting.objects.filter(board=board, title=title).first()
        if meeting is None:
            meeting = services.meeting_create(acting_user=None, board=board, date=day,
                                              title=title, location="Shire Hall, Gloucester",
                                              reviewed_actions=chosen)
        if day < today and not meeting.decisions.exists():
            # The past meeting decided; the next one's pack repeats it.
            for action in chosen:
                outcome, note = DECISIONS.get(action.reference, DECISIONS["default"])
                services.meeting_record_decision(acting_user=None, meeting=meeting,
                                                 action=action, outcome=outcome, note=note)
            services.meeting_edit(acting_user=None, meeting=meeting, title=meeting.title,
                                  date=meeting.date, location=meeting.location,
                                  minutes=PAST_MINUTES)

    start, end = _current_period(today)
    priorities_plan, _ = Plan.objects.update_or_create(
        slug=PRIORITIES_SLUG,
        defaults={"title": f"Gloucestershire SEND partnership priorities "
                           f"{start.year}–{end.year}",
                  "area": "Gloucestershire", "period_start": start, "period_end": end,
                  # Reviewed each July: the next one is still to come.
                  "review_date": date(today.year + (today.month >= 7), 7, 1), "board": board,
                  # The priorities answer the area SEND inspection's areas for
                  # improvement; the monitoring inspection is expected 18 months on.
                  "inspection_report_on": (inspected := months_after(
                      today.replace(day=1), -7) + timedelta(days=13)),
                  "inspection_outcome": (
                      "The local area partnership’s arrangements lead to inconsistent "
                      "experiences and outcomes for children and young people with SEND. The "
                      "partnership must work jointly to make improvements."),
                  "monitoring_due_on": months_after(inspected, MONITORING_AFTER_MONTHS),
                  "summary": "Joint priorities agreed by the Gloucestershire SEND partnership "
                             "with parent carers and young people, following the joint "
                             "strategy: co-produced, delivered and reviewed for impact by the "
                             "Joint Additional Needs Management Board."})
    current = {}
    for number, (title, description) in enumerate(PARTNERSHIP_PRIORITIES, start=1):
        current[number], _ = Priority.objects.update_or_create(
            plan=priorities_plan, number=number,
            defaults={"title": title, "description": description})
    for ref, title, lead, partners, due_in, public, history in CURRENT_ACTIONS:
        priority = current[int(ref.split(".")[0])]
        action = Action.objects.filter(priority=priority, reference=ref).first()
        if action is None:
            action = services.action_create(
                acting_user=None, priority=priority, reference=ref, title=title,
                lead_organisation=orgs[lead], owner=owners.get(lead),
                due_date=today + timedelta(days=due_in), start_date=start, is_public=public,
                source="SEND partnership priorities (seed document)",
                success_measures="Reported to the JAN Management Board each quarter, with what "
                                 "families and young people said about the difference it made.",
                partner_organisations=[orgs[p] for p in partners if p in orgs])
            created += 1
        if not action.updates.exists():
            for days_ago, status, percent, words in history:
                narrative, public_words = WORDS[words]
                services.action_update_progress(
                    acting_user=owners.get(lead), action=action, status=status, percent=percent,
                    narrative=narrative, public_narrative=public_words if public else "",
                    date=today - timedelta(days=days_ago))
                updates += 1

    measures = _measures(priorities_plan, owners, today)
    if stdout is not None:
        stdout.write(f"  {measures} measures of impact with their values")
        stdout.write(f"  2 plans, {len(GLOS_ACTIONS) + len(CURRENT_ACTIONS)} actions "
                     f"({created} new), {updates} progress updates written, 2 boards, "
                     f"{len(meetings)} meetings")


# Measures drawn from the joint strategy's countywide commitments ("the measurable
# evidence … for the Joint Additional Needs Development Group and Management Board
# to determine whether strategic countywide commitments have been achieved"), on the
# partnership's current plan: (where: "2.2" an action, "P7" a priority, code, name,
# what it counts, unit, direction, baseline, target, public, values oldest first —
# one a quarter, the newest provisional, owner's organisation).
MEASURES = [
    ("2.2", "EHCP20", "New EHC plans issued within 20 weeks",
     "Share of new education, health and care plans issued within the 20-week legal "
     "timescale, excluding exceptions. From the council’s SEN2 return, each quarter.",
     "percent", "up", "38", "60", True, ["41", "44.5", "43", "49", "52.5"], GCC),
    ("6.1", "SALT-WAIT", "Weeks to a first speech and language therapy appointment",
     "Median weeks from referral to first appointment with children’s speech and language "
     "therapy, countywide. From the trust’s waiting list report.",
     "weeks", "down", "31", "18", True, ["30", "28", "27.5", "24", "22"], GHC),
    ("P7", "EH-WAIT12", "Families waiting more than 12 weeks for early help",
     "Families on the early help waiting list for more than 12 weeks at the quarter end. "
     "From the early help case system; for the board only while the count is checked.",
     "people", "down", "212", "100", False, ["198", "205", "187", "176", "181"], GCC),
    ("1.2", "LO-FEEDBACK", "Local Offer feedback answered and published",
     "Share of comments on the Local Offer answered within 28 days and published in the "
     "annual “You said, we did” report, as the strategy’s first countywide commitment asks.",
     "percent", "up", "55", "90", True, ["58", "63", "70", "74", "81"], GCC),
]


def _quarter_ends(today: date, count: int) -> list[date]:
    """The last `count` quarter ends before today, oldest first."""
    ends, year, quarter = [], today.year, (today.month - 1) // 3
    for _ in range(count):
        if quarter == 0:
            year, quarter = year - 1, 4
        month = quarter * 3
        ends.append(date(year, month, 30 if month in (6, 9) else 31))
        quarter -= 1
    return list(reversed(ends))


def _measures(plan: Plan, owners: dict, today: date) -> int:
    """Safe to run twice: a measure whose code exists is left as it is."""
    from decimal import Decimal

    from .models import Measure

    days = _quarter_ends(today, 6)
    baseline_day, value_days = days[0], days[1:]
    target_day = plan.period_end
    added = 0
    for where, code, name, description, unit, direction, baseline, target, public, values, org \
            in MEASURES:
        if Measure.objects.filter(code=code).exists():
            continue
        parent = ({"priority": plan.priorities.get(number=int(where[1:]))} if where[0] == "P"
                  else {"action": Action.objects.get(priority__plan=plan, reference=where)})
        owner = owners.get(org)
        measure = services.measure_create(
            acting_user=None, code=code, name=name, description=description, unit=unit,
            direction=direction, baseline_value=Decimal(baseline), baseline_date=baseline_day,
            owner=owner, frequency=Measure.Frequency.QUARTERLY, is_public=public,
            targets=[(Decimal(target), target_day)], **parent)
        for i, (day, value) in enumerate(zip(value_days, values, strict=True)):
            last = i == len(values) - 1
            services.measure_value_add(
                acting_user=owner, measure=measure, date=day, value=Decimal(value),
                provisional=last, note="Provisional until the quarter’s return is checked"
                if last else "")
        added += 1
    return added
