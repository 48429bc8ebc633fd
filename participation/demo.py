"""Demo content for getting involved, from the seeds: Gloucestershire's
levels of participation (seed 000), a young people's forum, a parent carer
workshop, the Joint Additional Needs Management Board with family seats
(seed 001), a closed focus group with what came of it, a few register
members and the anonymous answers behind "Who takes part". Safe to run twice."""

from datetime import timedelta

from django.utils import timezone

from core.models import Organisation
from feedback.services import default_organisation, new_tracking_token

from .models import (
    AboutYou,
    AreaFigure,
    Channel,
    Invitation,
    Kind,
    Level,
    Opportunity,
    RegisterEntry,
    Topic,
)
from .services import CONSENT_WORDING

OPPORTUNITIES = [
    dict(slug="young-peoples-send-forum", org="Gloucestershire Young People’s SEND Forum",
         title="Young People’s SEND Forum", kind=Kind.YOUNG_PEOPLE, level=Level.STRATEGIC,
         topic=Topic.ADULTHOOD, days=60,
         about="A monthly group for young people aged 13 to 25 with special educational needs "
               "or disabilities. We tell the council and the NHS what matters to us — personal "
               "safety, being heard, education and mental health — and check what they did "
               "about it.",
         who_for="Young people aged 13 to 25 who live in Gloucestershire and have SEND. You do "
                 "not need an education, health and care plan.",
         when="First Wednesday of every month, 5pm to 6.30pm",
         where="Gloucester Youth Zone, Eastern Avenue, Gloucester", online=True,
         access=dict(bsl=True, quiet_room=True, travel_costs=True, payment=True),
         how="Come along, or tell us you would like to and a youth worker will call you first. "
             "A parent or carer can come to your first meeting.",
         easy_read="This is a group for young people.\nWe meet once a month.\nWe talk about "
                   "what matters to us.\nWe tell the council what to change.\nThere is a quiet "
                   "room.\nWe pay for your bus or taxi.\nYou get a voucher for your time."),
    dict(slug="parent-carer-workshop-preparing-for-adulthood",
         org="Gloucestershire Parent Carer Forum",
         title="Parent carer workshop: preparing for adulthood", kind=Kind.WORKSHOP,
         level=Level.OPERATIONAL, topic=Topic.ADULTHOOD, days=21,
         about="Help redesign how young people move from children’s to adult services at 14 "
               "to 25: transition reviews, annual health checks and what happens after school. "
               "Your experience shapes the new transition guide.",
         who_for="Parents and carers of young people aged 14 to 25 with SEND in Gloucestershire.",
         when="Thursday 4 February 2027, 10am to 12.30pm",
         where="Shire Hall, Westgate Street, Gloucester", online=True,
         access=dict(quiet_room=True, childcare=True, travel_costs=True),
         how="Tell us you would like to come. We will send the details and ask what would help "
             "you take part.",
         easy_read="This is a meeting for parents and carers.\nIt is about growing up and "
                   "leaving school.\nYou tell us what works and what does not.\nWe will use "
                   "what you say to change our guide.\nWe pay for childcare and travel."),
    dict(slug="joint-additional-needs-board-family-seats",
         org="Gloucestershire County Council",
         title="Joint Additional Needs Management Board: two family seats", kind=Kind.BOARD,
         level=Level.STRATEGIC, topic=Topic.EHCP, days=35,
         about="The board oversees the joint strategy for children and young people with "
               "additional needs. Two seats are for parent carers, who take part in every "
               "decision as equal members.",
         who_for="Parent carers of a child or young person with SEND in Gloucestershire, able "
                 "to come to most meetings for two years.",
         when="Every two months, on a Tuesday afternoon; the first meeting is in March 2027",
         where="Shire Hall, Gloucester", online=True,
         access=dict(bsl=True, childcare=True, travel_costs=True, payment=True),
         how="Tell us you would like to take part. The Parent Carer Forum will call you to talk "
             "about the role before anything is decided.",
         easy_read="The board makes big plans for children with extra needs.\nTwo places are "
                   "for parents and carers.\nYou help make the decisions.\nIt meets every two "
                   "months.\nWe pay you for your time."),
    dict(slug="short-breaks-focus-group", org="Gloucestershire County Council",
         title="Focus group: short breaks", kind=Kind.FOCUS_GROUP, level=Level.OPERATIONAL,
         topic=Topic.SOCIAL_CARE, days=-90,
         about="What families need from short breaks, and why some do not use them.",
         who_for="Parent carers and young people who use, or have tried to use, short breaks.",
         when="Saturday 12 September 2026, 10am to 12 noon", where="Stroud Sub Rooms, Stroud",
         online=False, access=dict(quiet_room=True, childcare=True, travel_costs=True),
         how="This has closed.",
         easy_read="We asked families about short breaks.\nThis has finished.",
         outcome="Fourteen families took part. Short breaks can now be booked online, and the "
                 "Local Offer lists every provider with its waiting time.",
         outcome_url="/reports/"),
]

MEMBERS = [
    ("Aisha Begum", "aisha.begum@example.com", "", "", [Channel.EMAIL],
     [Topic.ADULTHOOD, Topic.EDUCATION], [Kind.WORKSHOP, Kind.SURVEY]),
    ("Tom Hughes", "tom.hughes@example.com", "07700 900123", "", [Channel.TEXT, Channel.EMAIL],
     [Topic.EHCP, Topic.HEALTH], [Kind.BOARD, Kind.FOCUS_GROUP]),
    ("Jo Williams", "", "", "12 Church Street\nCinderford\nGL14 2AB", [Channel.POST],
     [Topic.SOCIAL_CARE, Topic.ADULTHOOD], [Kind.FOCUS_GROUP, Kind.WORKSHOP]),
    ("Priya Shah", "priya.shah@example.com", "", "", [Channel.EMAIL],
     [Topic.LOCAL_OFFER, Topic.EHCP], [Kind.SURVEY, Kind.BOARD]),
]

# Anonymous answers: (child_age, need, area, relationship), each how many times.
ANSWERS = [
    ("5-10", "communication", "gloucester", "parent_carer", 9),
    ("11-15", "communication", "cheltenham", "parent_carer", 8),
    ("11-15", "semh", "stroud", "parent_carer", 6),
    ("16-19", "learning", "gloucester", "young_person", 5),
    ("5-10", "learning", "cotswold", "parent_carer", 3),
    ("16-19", "sensory_physical", "tewkesbury", "young_person", 2),
    ("0-4", "sensory_physical", "forest-of-dean", "parent_carer", 1),
]

# Illustrative figures in the shape of the school census (not the real ones).
SOURCE = "Demo figures in the shape of the school census, January 2026 (SEN support and EHC plans)"
FIGURES = {
    "child_age": {"0-4": 1100, "5-10": 6900, "11-15": 6400, "16-19": 2300, "20-25": 600},
    "need": {"communication": 6100, "learning": 3900, "semh": 4200, "sensory_physical": 1600,
             "other": 1500},
    "area": {"cheltenham": 2700, "cotswold": 1700, "forest-of-dean": 2100, "gloucester": 3900,
             "stroud": 2900, "tewkesbury": 2000},
}


def load(stdout=None) -> None:
    today = timezone.localdate()
    made = []
    for spec in OPPORTUNITIES:
        organisation = Organisation.objects.filter(name=spec["org"]).first()
        if organisation is None:
            continue
        opportunity, _ = Opportunity.objects.update_or_create(slug=spec["slug"], defaults=dict(
            organisation=organisation, title=spec["title"], kind=spec["kind"],
            level=spec["level"], topic=spec["topic"], about=spec["about"],
            who_for=spec["who_for"], when=spec["when"], where=spec["where"],
            online=spec["online"], how_to_take_part=spec["how"], easy_read=spec["easy_read"],
            closes_on=today + timedelta(days=spec["days"]), published=True,
            outcome=spec.get("outcome", ""), outcome_url=spec.get("outcome_url", ""),
            **{f: spec["access"].get(f, False)
               for f in ("bsl", "quiet_room", "childcare", "travel_costs", "payment")}))
        made.append(opportunity)
    now = timezone.now()
    organisation = default_organisation()
    entries = []
    for name, email, phone, address, channels, topics, kinds in MEMBERS:
        entry = RegisterEntry.objects.filter(name=name, organisation=organisation).first()
        if entry is None:
            entry = RegisterEntry(organisation=organisation, name=name, email=email, phone=phone,
                                  postal_address=address, channels=channels, topics=topics,
                                  kinds=kinds, consent_wording=CONSENT_WORDING.format(
                                      organisation=organisation.display_name),
                                  consented_at=now - timedelta(days=120),
                                  renewed_at=now - timedelta(days=120))
            entry.token = new_tracking_token()  # nobody holds it: demo people
            entry.save()
        entries.append(entry)
    board = next((o for o in made if o.kind == Kind.BOARD), None)
    if board is not None:
        for entry, answer in ((entries[1], Invitation.Answer.YES), (entries[3], "")):
            Invitation.objects.get_or_create(opportunity=board, entry=entry, defaults=dict(
                channel=Channel.EMAIL, state=Invitation.State.SENT, sent_at=now, answer=answer,
                answered_at=now if answer else None))
    if not AboutYou.objects.exists():
        month = today.replace(day=1)
        AboutYou.objects.bulk_create([
            AboutYou(source=AboutYou.Source.REGISTER if i % 3 else AboutYou.Source.INTEREST,
                     month=month, child_age=age, need=need, area=area, relationship=rel)
            for age, need, area, rel, times in ANSWERS for i in range(times)])
    for dimension, counts in FIGURES.items():
        for value, count in counts.items():
            AreaFigure.objects.update_or_create(dimension=dimension, value=value,
                                                defaults={"count": count, "source": SOURCE})
    if stdout is not None:
        stdout.write(f"  {len(made)} opportunities to get involved, {len(entries)} register "
                     f"members, {AboutYou.objects.count()} anonymous answers")
