"""Demo organisations, people, themes and service areas.

One local area, Gloucestershire (as the settings say), and its partners:
the county council, the NHS trust and ICB, the parent carer forum (with its
own officer, approver and administrator), SENDIASS, a young people's group, a
voluntary-sector partner and a special school. Seed documents from other
areas are re-homed as this partnership's own or kept as borrowed examples
(see charter/demo.py and actionplan/demo.py). The people are invented. Safe
to run twice.
"""

from django.utils.text import slugify

from .models import Membership, Organisation, Role, ServiceArea, Theme, User

DEMO_PASSWORD = "demo-password-2026"  # nosec B105 # the published demo password; load_demo refuses with DEBUG off

ORGANISATIONS = [
    # (name, kind, area)
    ("Gloucestershire County Council", Organisation.Kind.LOCAL_AUTHORITY, "Gloucestershire"),
    ("NHS Gloucestershire Integrated Care Board", Organisation.Kind.NHS_COMMISSIONER,
     "Gloucestershire"),
    ("Gloucestershire Health and Care NHS Foundation Trust", Organisation.Kind.NHS_PROVIDER,
     "Gloucestershire"),
    ("Gloucestershire Parent Carer Forum", Organisation.Kind.PARENT_CARER_FORUM, "Gloucestershire"),
    ("SENDIASS Gloucestershire", Organisation.Kind.SENDIASS, "Gloucestershire"),
    ("Young Gloucestershire", Organisation.Kind.VOLUNTARY, "Gloucestershire"),
    ("Cotswold Edge Special School", Organisation.Kind.SCHOOL, "Gloucestershire"),
    ("Gloucestershire Young People’s SEND Forum", Organisation.Kind.YOUNG_PEOPLE,
     "Gloucestershire"),
]

# (e-mail, first name, last name, job title, organisation, role)
PEOPLE = [
    ("officer@demo.example", "Priya", "Shah", "SEND Participation Officer",
     "Gloucestershire County Council", Role.OFFICER),
    ("approver@demo.example", "Tom", "Whitfield", "Head of SEND Commissioning",
     "Gloucestershire County Council", Role.APPROVER),
    ("board@demo.example", "Margaret", "Okafor", "Chair, Joint Additional Needs Management Board",
     "Gloucestershire County Council", Role.BOARD_MEMBER),
    ("admin@demo.example", "Alex", "Morgan", "Portal administrator",
     "Gloucestershire County Council", Role.ADMINISTRATOR),
    ("nhs.officer@demo.example", "Sam", "Hughes", "Designated Clinical Officer",
     "NHS Gloucestershire Integrated Care Board", Role.OFFICER),
    ("forum.officer@demo.example", "Jo", "Ellis", "Participation Lead",
     "Gloucestershire Parent Carer Forum", Role.OFFICER),
    ("forum.chair@demo.example", "Helen", "Brooks", "Chair",
     "Gloucestershire Parent Carer Forum", Role.APPROVER),
    ("forum.admin@demo.example", "Ravi", "Patel", "Forum administrator",
     "Gloucestershire Parent Carer Forum", Role.ADMINISTRATOR),
]

THEMES = [
    ("Communication", "Being kept informed, getting replies, knowing who to contact."),
    ("Waiting times", "Time to assessments, appointments, plans and replies."),
    ("Information and the Local Offer", "Finding clear, up-to-date information about services."),
    ("EHCP quality", "Whether plans describe the child and the support they need."),
    ("Being heard", "Families and young people feeling listened to and taken seriously."),
    ("Support in school", "SEN support, reasonable adjustments, SENCo contact, exclusions."),
    ("Preparing for adulthood", "Moving to adult services, college, work and independence."),
    ("Mental health and wellbeing", "Emotional wellbeing, anxiety, CAMHS."),
    ("Short breaks and respite", "Activities, holiday schemes, overnight breaks."),
    ("Personal safety", "Feeling safe at school, online and in the community."),
]

SERVICE_AREAS = [
    ("EHC needs assessment and plans", "EHCNA, EHCP writing, annual reviews."),
    ("Local Offer", "The council's published guide to SEND services."),
    ("Education", "Early years, schools and colleges, SEN support."),
    ("Health", "NHS therapies, paediatrics, nursing."),
    ("Social care", "Children with disabilities teams, assessments."),
    ("Short breaks", "Short breaks and respite."),
    ("Home to school transport", "Travel assistance and transport."),
    ("Mental health", "CAMHS and emotional wellbeing services."),
    ("Preparing for adulthood", "Transition to adult services, post-16 and post-19."),
    ("Information, advice and support (SENDIASS)", "Impartial advice for families."),
]
# Easy read: plain words and a picture for each service area.
SERVICE_AREAS_EASY_READ = {
    "EHC needs assessment and plans": ("A plan for your help at school and college", "plan"),
    "Local Offer": ("The website that lists help near you", "information"),
    "Education": ("Nursery, school or college", "school"),
    "Health": ("Doctors, nurses and therapists", "health"),
    "Social care": ("Help at home from social workers", "social-care"),
    "Short breaks": ("Fun days out and time away", "short-breaks"),
    "Home to school transport": ("Getting to school, like a bus or taxi", "transport"),
    "Mental health": ("Help with your feelings and worries", "feelings"),
    "Preparing for adulthood": ("Getting ready to be a grown-up", "growing-up"),
    "Information, advice and support (SENDIASS)": (
        "People who explain things and help you speak up", "advice"),
}


def load(stdout=None) -> dict:
    orgs = {}
    for name, kind, area in ORGANISATIONS:
        org, _ = Organisation.objects.update_or_create(
            slug=slugify(name), defaults={"name": name, "kind": kind, "area": area}
        )
        orgs[name] = org
    # The county council leads the partnership: its administrators add partners.
    if not Organisation.objects.filter(is_partnership_lead=True).exists():
        Organisation.objects.filter(pk=orgs["Gloucestershire County Council"].pk).update(
            is_partnership_lead=True)

    for email, first, last, title, org_name, role in PEOPLE:
        user, created = User.objects.get_or_create(
            email=email,
            defaults={"first_name": first, "last_name": last, "job_title": title},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, organisation=orgs[org_name], role=role)

    for model, rows in ((Theme, THEMES), (ServiceArea, SERVICE_AREAS)):
        for name, description in rows:
            defaults = {"name": name, "description": description}
            if model is ServiceArea and name in SERVICE_AREAS_EASY_READ:
                defaults["easy_read_name"], defaults["picture"] = SERVICE_AREAS_EASY_READ[name]
            model.objects.update_or_create(slug=slugify(name)[:120], defaults=defaults)

    if stdout is not None:
        stdout.write(f"  {len(ORGANISATIONS)} organisations, {len(PEOPLE)} staff accounts, "
                     f"{len(THEMES)} themes, {len(SERVICE_AREAS)} service areas")
    return {"organisations": orgs}
