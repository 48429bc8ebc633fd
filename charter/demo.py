"""Demo charters from the seed documents, safe to run twice.

- The Gloucestershire SEND co-production working agreement, the charter the
  public page opens on: the working agreement in seed 004 (written by a
  neighbouring area) re-homed as this partnership's own, with its four
  sections, commitments and "what this means for us", signed by the
  Gloucestershire partners, and its "how we will know it is working"
  statements. Version 1 (2021) was replaced by version 2 (2023), which added
  a statement. Three pulse rounds of invented answers; the newest has only 4
  answers so far, so its results are hidden.
- Gloucestershire's charter "No decision about me, without me" (seed 000).
- A responsibility framework borrowed from Worcestershire (seed 003): a
  staff-only draft held by the county council, with "we need to / what
  others can do to help us" for each party, clearly labelled as borrowed and
  never adopted, so it never appears on the public site.
- Participation audits for four teams, the default question bank, improvement
  actions in the action plans, and evidence linked to commitments.

Everything is created through the services, once: a charter, round or audit
that already exists is left as it is.
"""

import random
from datetime import date, timedelta

from django.utils import timezone
from django.utils.text import slugify

from actionplan.demo import PRIORITIES_SLUG
from actionplan.models import Action, Plan
from core.models import Organisation
from feedback.models import Feedback, Reply

from . import services
from .models import Charter, Commitment, EvidenceLink, ParticipationAudit, PulseRound

AGREEMENT_SLUG = "gloucestershire-send-co-production-working-agreement"
BORROWED_SLUG = "responsibility-framework-borrowed-from-worcestershire"

AGREEMENT_INTRO = (
    "Our partnership vision is that all children, young people and their parents and carers "
    "have equal opportunity to meaningfully participate in the decisions that affect them at "
    "individual, operational and strategic levels, developing the skills and knowledge "
    "required to be decision-makers in their own lives.\n\n"
    "We, the partners listed, agree to foster a culture of co-production for Gloucestershire "
    "in the following ways. Good participation does not just mean listening to children and young "
    "people and their parent carers, but also acting on their input and giving them good "
    "feedback about the decisions we make.")

# (section, [(commitment, [what this means for us, ...]), ...])
AGREEMENT_SECTIONS = [
    ("Welcome and Care", [
        ("All voices are heard and valued",
         ["we widen participation by effective chairing and facilitation"]),
        ("Expectations are communicated early and with clarity",
         ["information is available in good time", "all parties know what is expected",
          "we share plans and provide jargon busters"]),
        ("Supportive communities are built in partnership",
         ["respectful use of the voluntary sector knowledge base"]),
        ("Environments feel comfortable for everyone",
         ["we actively listen to each other and check that we feel heard",
          "we introduce each other", "we respect confidentiality", "responses are always kind",
          "confidence, well-being and self-esteem are nurtured"]),
        ("Strengths and achievements are emphasised",
         ["we respectfully exchange feedback",
          "we ensure that criticism is provided safely and constructively"]),
    ]),
    ("Value and Include", [
        ("A ‘can do’ approach is the norm, responses to individual needs and changing "
         "circumstances are creative and flexible",
         ["we think creatively",
          "when obstacles arise, we stop the process, regroup and move forward positively"]),
        ("Decision making processes involve the people they are about, or affect",
         ["we connect stakeholders in the room",
          "parent carer reps represent the whole membership not just individuals"]),
        ("Needs are identified early, and involvement of all partners is welcomed at every stage",
         ["each partner identifies areas of potential joint work"]),
        ("Information about strengths and needs is shared, with permission, with all who need "
         "to know",
         ["we provide pen profiles about ourselves for each other"]),
        ("Everyone tries to have the right knowledge, understanding and skills",
         ["we respond constructively to different strengths and needs"]),
        ("Everyone is involved in the development of policies, systems and values",
         ["we agree a programme of joint work using a co-production work plan for the Joint "
          "Additional Needs Development Group"]),
    ]),
    ("Communication", [
        ("Views and involvement are always sought", []),
        ("Listening is calm and respectful", []),
        ("Follow up responses are timely and constructive", []),
        ("Time and space is made available to ensure everyone’s voice is heard in a way that "
         "suits them", []),
        ("Information is given in good time and in an accessible format taking into account "
         "individual needs", []),
        ("Language is positive and constructive", []),
        ("Agreed actions are regularly reviewed and evaluated with all partners", []),
    ]),
    ("Partnership", [
        ("There are opportunities for all partners to feed back in order to improve everyone’s "
         "experience",
         ["we strive to make our engagement as effective as possible and, where this isn’t "
          "working, we investigate and escalate"]),
        ("Everyone’s contribution is valued",
         ["we try to be as honest and open as possible in each situation",
          "we use ground-rules in meetings and hold each other to account"]),
        ("Co-production and participation in individual and strategic decision making is "
         "actively encouraged",
         ["partners work well together to develop plans, set targets and create and deliver "
          "specific programmes"]),
    ]),
]

AGREEMENT_STATEMENTS = [
    "I am an equal partner and am listened to and valued.",
    "I can be a part of the process and am able to participate in all stages.",
    "My views and experiences are represented.",
    "I receive clear, timely information in a format that is accessible to me.",
    "I know that policies, processes and services have been co-produced.",
]
# Added in version 2, from the agreement's EVIDENCE promise.
NEW_STATEMENT = "I can see my contribution in what was produced."

# (organisation, role, name): the Gloucestershire partners who signed it.
AGREEMENT_SIGNATORIES = [
    ("Gloucestershire Parent Carer Forum", "Chair", ""),
    ("Gloucestershire County Council", "Director of Children’s Services", ""),
    ("Gloucestershire Health and Care NHS Foundation Trust", "Director of Children’s Services",
     ""),
    ("NHS Gloucestershire Integrated Care Board", "Designated Clinical Officer for SEND", ""),
    ("SENDIASS Gloucestershire", "Team Manager", ""),
    ("Gloucestershire Young People’s SEND Forum", "Youth Chair", ""),
]

GLOUCESTERSHIRE_COMMITMENTS = [
    ("Introduce ourselves, explain our role and provide you with our contact details",
     ["we say who we are and what we do at the start of every meeting",
      "you always know who to contact and how"]),
    ("Listen to you so we can understand better what you need", []),
    ("Seek your views and, if they are not the same as your child’s or parent’s, work with you "
     "to find appropriate support", []),
    ("Work with you to build on what is working well", []),
    ("Be ambitious for you and your child", []),
    ("Do what we say we will do",
     ["we tell you what happened because of what you said"]),
    ("Provide you with helpful information, advice and guidance", []),
    ("Provide clear and easy to understand information so you can take part fully in "
     "decisions that affect your life", []),
    ("Work together with other professionals that are working with you", []),
    ("Work with you to get the right help, in the right place and at the right time", []),
]

BORROWED_RESPONSIBILITIES = [
    ("settings",
     ["make sure we know our children with SEND well and know what progress they are making",
      "speak to parent carers if we have concerns about children’s progress and let them know "
      "what we are doing about it",
      "tell parent carers about children’s strengths and what is going well",
      "ask parent carers what help they think their children need and act on this where we can",
      "make sure all our staff have the skills and understanding they need to help our children",
      "listen to what children say about the help they need and act on this where we can",
      "involve other professionals when we need help to understand how to support children"],
     ["talk to our teachers or to our Special Educational Needs Coordinators (SENCos)",
      "raise concerns with our Head Teachers or Governing Boards if things don’t get better",
      "get involved in improving our work with children with SEND"]),
    ("parent carers",
     ["read and engage with information that is shared with us",
      "build a relationship with people working with our children through regular open "
      "communication",
      "come to meetings, tell others about our child (including their strengths), share our "
      "point of view and listen to others",
      "let people know how to communicate with us effectively"],
     ["talk to us about what is happening", "ask if we need support",
      "offer us support and strategies which will help our child",
      "keep us informed about the information that needs to be shared with other "
      "professionals"]),
    ("the SEND casework team",
     ["complete an assessment within 20 weeks, where one has been agreed",
      "answer any questions parent carers and settings have quickly using plain English",
      "talk to parent carers about our decisions and help them understand what they can do "
      "if they disagree",
      "review children’s Education Health and Care Plans every year and update their plans "
      "with agreed changes"],
     ["talk to us: start with the SEN Caseworker and, if you don’t see the changes you want, "
      "talk to a manager",
      "raise concerns and tell us when things have gone well using our complaints and "
      "compliments policy",
      "take part in our annual parent carer or setting SEND survey"]),
]

# (round title, held on, access, state, version, responses, {statement index: share agreeing})
PULSE_ROUNDS = [
    ("Parent Carer Forum annual conference", date(2022, 11, 10), "invitation", "closed", 1, 18,
     [0.50, 0.44, 0.61, 0.39, 0.33]),
    ("Development Group co-production workshop", date(2025, 6, 18), "invitation", "closed", 2,
     26, [0.73, 0.65, 0.77, 0.58, 0.54, 0.62]),
    ("Online: tell us how it is going", date(2026, 10, 1), "public", "open", 2, 4,
     [0.75, 0.5, 0.75, 0.5, 0.5, 0.5]),
]

# (organisation, team, year, complete?, seed for the scores)
AUDITS = [
    ("Gloucestershire County Council", "SEND casework team", 2025, True, 4),
    ("Gloucestershire Health and Care NHS Foundation Trust", "Children’s therapies", 2025, True,
     7),
    ("Gloucestershire County Council", "Local Offer team", 2025, True, 11),
    ("Gloucestershire County Council", "SEND casework team", 2026, False, 13),
]

EVIDENCE_TEXT = [
    "Project plan lists parent carer, young people and school representatives from the start.",
    "Two sessions with the youth forum; notes kept on the team site.",
    "Meetings moved to 10am and 7pm with an online option after feedback.",
    "Papers sent a week ahead, with an easy-read summary.",
    "The service specification has a section on who shaped it.",
    "Agenda items proposed by the Parent Carer Forum at each meeting.",
    "Participation log kept for the year.",
    "Short survey after each event.",
    "“You said, we did” update at each forum meeting.",
    "Changed the transition checklist after families’ comments.",
    "Families helped write the needs assessment questions.",
    "Co-production training for all team members.",
    "Forum representative sits on the steering group.",
]


def _org(name: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slugify(name)).first()


def _add_content(charter: Charter, sections, statements=(), responsibilities=()) -> None:
    for title, commitments in sections:
        section = services.charter_item_add(acting_user=None, kind="section", parent=charter,
                                            fields={"title": title})
        for text, practices in commitments:
            commitment = services.charter_item_add(acting_user=None, kind="commitment",
                                                   parent=section, fields={"text": text})
            for practice in practices:
                services.charter_item_add(acting_user=None, kind="practice", parent=commitment,
                                          fields={"text": practice})
    for text in statements:
        services.charter_item_add(acting_user=None, kind="statement", parent=charter,
                                  fields={"text": text})
    for party, need, help_ in responsibilities:
        services.charter_item_add(acting_user=None, kind="responsibility", parent=charter,
                                  fields={"party": party, "we_need_to": "\n".join(need),
                                          "others_can_help": "\n".join(help_)})


def _sign(charter: Charter, rows, signed_on: date) -> None:
    for org_name, role, name in rows:
        org = _org(org_name)
        if org is not None:
            services.signatory_add(acting_user=None, charter=charter, organisation=org,
                                   role_title=role, person_name=name, signed_on=signed_on)


def _agreement(today: date) -> tuple[Charter | None, int]:
    """Version 1 (2021) with a pulse round, then version 2 (2023) with two."""
    council = _org("Gloucestershire County Council")
    if council is None:
        return None, 0
    current = Charter.objects.filter(slug=AGREEMENT_SLUG, status="adopted").first()
    if current is not None:
        return current, 0
    v1 = services.charter_create(
        acting_user=None, title="Gloucestershire SEND Co-production Working Agreement",
        slug=AGREEMENT_SLUG, area="Gloucestershire", organisation=council,
        introduction=AGREEMENT_INTRO, position=1)
    _add_content(v1, AGREEMENT_SECTIONS, AGREEMENT_STATEMENTS)
    _sign(v1, AGREEMENT_SIGNATORIES, date(2021, 3, 1))
    v1 = services.charter_adopt(acting_user=None, charter=v1, adopted_on=date(2021, 3, 1),
                                review_date=date(2023, 7, 1))
    answers = _pulse(v1, version=1)
    v2 = services.charter_new_version(acting_user=None, charter=v1)
    services.charter_item_add(acting_user=None, kind="statement", parent=v2,
                              fields={"text": NEW_STATEMENT})
    _sign(v2, AGREEMENT_SIGNATORIES, date(2023, 7, 10))
    v2 = services.charter_adopt(acting_user=None, charter=v2, adopted_on=date(2023, 7, 10),
                                review_date=date(today.year + 1, 7, 1))
    answers += _pulse(v2, version=2)
    return v2, answers


def _pulse(charter: Charter, *, version: int) -> int:
    """Invented answers, reproducible: for each statement, a share agreeing
    and the rest spread over neutral and disagreeing."""
    added = 0
    for n, (title, held_on, access, state, round_version, people, shares) in enumerate(
            PULSE_ROUNDS):
        if round_version != version:
            continue
        pulse_round = services.pulse_round_create(acting_user=None, charter=charter, title=title,
                                                  held_on=held_on, access=access)
        statements = list(charter.statements.all())
        rng = random.Random(1000 + n)  # nosec B311 # made-up demo answers
        for person in range(people):
            ratings = {}
            for statement, share in zip(statements, shares, strict=False):
                agrees = (person + 0.5) / people < share
                ratings[statement.pk] = (rng.choice([4, 4, 5]) if agrees
                                         else rng.choice([3, 3, 2, 1]))
            services.pulse_submit(pulse_round=pulse_round, ratings=ratings)
            added += 1
        if state == "closed":
            services.pulse_round_set_state(acting_user=None, pulse_round=pulse_round,
                                           state="closed")
    return added


def _gloucestershire() -> Charter | None:
    council = _org("Gloucestershire County Council")
    if council is None:
        return None
    existing = Charter.objects.filter(slug="no-decision-about-me-without-me",
                                      status="adopted").first()
    if existing is not None:
        return existing
    charter = services.charter_create(
        acting_user=None, title="No decision about me, without me", area="Gloucestershire",
        slug="no-decision-about-me-without-me", organisation=council, position=2,
        introduction="Our charter to children, young people, parents and carers. Its title is "
                     "what a young person said at a co-production meeting in December 2018.")
    _add_content(charter, [("As professionals working with families we will",
                            GLOUCESTERSHIRE_COMMITMENTS)],
                 statements=["I know who is working with me and how to contact them.",
                             "People did what they said they would do.",
                             "I was able to take part fully in decisions about my life."])
    _sign(charter, [("Gloucestershire County Council", "Director of Children’s Services", ""),
                    ("NHS Gloucestershire Integrated Care Board", "Chief Nursing Officer", ""),
                    ("Gloucestershire Parent Carer Forum", "Chair", ""),
                    ("Young Gloucestershire", "Chief Executive", "")], date(2019, 4, 1))
    return services.charter_adopt(acting_user=None, charter=charter, adopted_on=date(2019, 4, 1),
                                  review_date=date(2027, 4, 1))


def _borrowed() -> Charter | None:
    """Worcestershire's framework, kept as a borrowed example: a draft the
    council is adapting, never adopted, so never on the public site."""
    council = _org("Gloucestershire County Council")
    if council is None:
        return None
    existing = Charter.objects.filter(slug=BORROWED_SLUG).first()
    if existing is not None:
        return existing
    charter = services.charter_create(
        acting_user=None,
        title="Responsibility framework (borrowed from Worcestershire, 2022: draft to adapt)",
        slug=BORROWED_SLUG, area="Gloucestershire", organisation=council, position=3,
        introduction="A borrowed example, not yet ours: the SEND Responsibility Framework "
                     "that Worcestershire Children First agreed with schools and parent carers "
                     "in 2022. The Joint Additional Needs Development Group is adapting it "
                     "with the Parent Carer Forum to describe how settings, parent carers and "
                     "the SEND casework team can each contribute to better outcomes.")
    _add_content(charter, [("Our shared aim", [
        ("We work together to achieve better outcomes for children and young people with SEND",
         ["we use this framework to guide our conversations and work together",
          "we welcome improvement suggestions from parent carers and educational settings"])])],
        responsibilities=BORROWED_RESPONSIBILITIES)
    return charter


def _audits(today: date) -> list[ParticipationAudit]:
    services.question_bank_install()
    done = []
    for org_name, team, year, complete, seed in AUDITS:
        org = _org(org_name)
        if org is None:
            continue
        audit = ParticipationAudit.objects.filter(organisation=org, team=team, year=year).first()
        if audit is None:
            audit = services.audit_start(acting_user=None, organisation=org, team=team, year=year)
            rng = random.Random(seed)  # nosec B311 # made-up demo answers
            answers = {}
            for i, answer in enumerate(audit.answers.all()):
                if not complete and i >= 5:
                    break  # half way through
                score = rng.choice([1, 2, 2, 3, 3, 0] if seed % 2 else [2, 2, 3, 1, 3])
                answers[answer.pk] = (score, EVIDENCE_TEXT[i % len(EVIDENCE_TEXT)]
                                      if score else "")
            audit = services.audit_save(acting_user=None, audit=audit, answers=answers,
                                        complete=complete)
        done.append(audit)
    return done


def _improvements(audits: list[ParticipationAudit], today: date) -> list[Action]:
    """One improvement action per completed audit, in the partnership's
    current priorities."""
    plan = Plan.objects.filter(slug=PRIORITIES_SLUG).first()
    wanted = {
        "SEND casework team": ("Invite young people to help review the casework team’s letters "
                               "and plans", 1),
        "Children’s therapies": ("Offer evening and online options for therapy reviews so "
                                 "working parents can take part", 6),
        "Local Offer team": ("Publish a “You said, we did” update on the Local Offer every "
                             "quarter", 1),
    }
    actions = []
    for audit in audits:
        if not audit.is_completed or audit.improvements.exists() or audit.team not in wanted:
            actions += [link.action for link in audit.improvements.all()]
            continue
        if plan is None:
            continue
        title, number = wanted[audit.team]
        priority = plan.priorities.filter(number=number).first() or plan.priorities.first()
        if priority is None:
            continue
        link = services.improvement_action_add(
            acting_user=None, audit=audit, priority=priority, title=title,
            description="An improvement found by the team’s annual participation audit.",
            due_date=today + timedelta(days=180), is_public=True)
        actions.append(link.action)
    return actions


def _evidence(agreement: Charter | None, glos: Charter | None, actions: list[Action]) -> int:
    added = 0

    def commitment(charter, starts):
        return Commitment.objects.filter(section__charter=charter, text__startswith=starts).first()

    def link(target, **kwargs):
        nonlocal added
        if target is None:
            return
        before = EvidenceLink.objects.count()
        services.evidence_link_add(acting_user=None, commitment=target, **kwargs)
        added += EvidenceLink.objects.count() - before

    if agreement is not None:
        for action in actions:
            if action.source.endswith("SEND casework team"):
                link(commitment(agreement, "Decision making processes"), effect="keeps",
                     action=action, summary="Young people will review how the casework team "
                                            "writes to families.")
            if "therapy reviews" in action.title:
                link(commitment(agreement, "Time and space"), effect="keeps", action=action,
                     summary="Found by the therapies team’s participation audit.")
        if PulseRound.objects.filter(charter__slug=agreement.slug).exists():
            link(commitment(agreement, "Follow up responses"), effect="breaks",
                 title="Pulse round at the Development Group workshop, June 2025",
                 url=agreement.get_absolute_url() + "#how-we-will-know",
                 summary="Fewer than 6 in 10 said they received clear, timely information.")
    if glos is not None:
        answered = (Feedback.objects.filter(replies__state=Reply.State.PUBLISHED)
                    .order_by("received_on", "id").distinct()[:3])
        effects = ["keeps", "keeps", "breaks"]
        summaries = [
            "A family asked for a named contact; the team now gives one in every first letter.",
            "We said we would reply within 20 working days, and did.",
            "A family waited too long for an answer about transport; we apologised and changed "
            "how requests are passed on.",
        ]
        starts = ["Introduce ourselves", "Do what we say", "Do what we say"]
        for feedback, effect, summary, start in zip(answered, effects, summaries, starts,
                                                    strict=False):
            link(commitment(glos, start), effect=effect, feedback=feedback, summary=summary)
        for action in Action.objects.filter(priority__plan__slug="gloucestershire-joint-strategy-"
                                                                 "2018-2021",
                                            reference__in=["5.1", "5.2"]):
            link(commitment(glos, "Listen to you"), effect="keeps", action=action,
                 summary="Part of the joint strategy’s participation priority.")
    return added


def _family_measure(agreement: Charter | None) -> None:
    """A measure of the partnership's first priority ("The Voice of the Child
    and Young Person is Heard") that families themselves report: the share
    who agree they are an equal partner, listened to and valued, from each
    pulse round. The newest round, with only 4 answers, gives no value."""
    from actionplan import services as actionplan_services
    from actionplan.demo import PRIORITIES_SLUG
    from actionplan.models import Measure, Priority

    priority = Priority.objects.filter(plan__slug=PRIORITIES_SLUG, number=1).first()
    statement = (agreement.statements.filter(text=AGREEMENT_STATEMENTS[0]).first()
                 if agreement else None)
    if priority is None or statement is None or Measure.objects.filter(code="PCF-LISTENED").exists():
        return
    actionplan_services.measure_create(
        acting_user=None, priority=priority, code="PCF-LISTENED",
        name="Parent carers who feel they are an equal partner, listened to and valued",
        description="Share who agree or strongly agree with the working agreement’s statement "
                    "“I am an equal partner and am listened to and valued”, at each pulse "
                    "round. Rounds with fewer than 5 answers are not shown.",
        unit=Measure.Unit.PERCENT, direction=Measure.Direction.UP, is_public=True,
        frequency=Measure.Frequency.YEARLY, source=Measure.Source.CHARTER,
        statement_lineage=statement.lineage, targets=[(75, priority.plan.period_end)])


def load(stdout=None) -> None:
    today = timezone.localdate()
    agreement, answers = _agreement(today)
    _family_measure(agreement)
    glos = _gloucestershire()
    borrowed = _borrowed()
    audits = _audits(today)
    actions = _improvements(audits, today)
    evidence = _evidence(agreement, glos, actions)
    if stdout is not None:
        charters = sum(1 for c in (agreement, glos, borrowed) if c is not None)
        stdout.write(f"  {charters} charters, {answers} new pulse answers, {len(audits)} "
                     f"participation audits, {len(actions)} improvement actions, "
                     f"{evidence} new evidence links")

