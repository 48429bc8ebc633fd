"""Demo who's who and jargon buster, safe to run twice.

The glossary covers every abbreviation the demo's public pages use
(tests/a11y/test_plain_words.py fails when one is missing or
never written out). The profiles are invented Gloucestershire people whose
roles come from the seed documents (000: the participation strategy's
officers and forum; 001: the joint strategy's designated clinical officer,
SENDIASS and the Joint Additional Needs Management Board)."""

import io
from datetime import date

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from core.models import Organisation

from . import services
from .models import GlossaryTerm, Profile

GLOSSARY = [
    ("SEND", "special educational needs and disabilities",
     "When a child or young person finds it much harder to learn than most children of the "
     "same age, or has a disability that makes it harder to use the things schools and "
     "colleges offer.",
     "When a child needs extra help to learn, or has a disability."),
    ("SEN", "special educational needs",
     "Learning difficulties or disabilities that mean a child needs more help at school than "
     "most children of their age.",
     "When a child needs extra help at school."),
    ("EHCP", "education, health and care plan",
     "A legal document for a child or young person aged up to 25 who needs more support than "
     "their school or college can usually give. It says what they need and the help they "
     "must get from education, health and social care.",
     "A plan that says what help a child must get, at school, from doctors and from care."),
    ("EHC", "education, health and care",
     "The three kinds of help an education, health and care plan covers, or the assessment "
     "that decides whether a child needs one.",
     ""),
    ("SENDIASS", "special educational needs and disabilities information, advice and support "
                 "service",
     "A free, confidential and impartial service, separate from the council, that gives "
     "families and young people information and advice about special educational needs and "
     "disabilities, and can help at meetings.",
     "People who give free advice about help for children with extra needs."),
    ("SENCO", "special educational needs co-ordinator",
     "The teacher in a school or nursery who makes sure children with special educational "
     "needs get the right help.",
     "The teacher at school who helps children who need extra help."),
    ("PCF", "Parent Carer Forum",
     "A group of parents and carers of children with special educational needs and "
     "disabilities who work with the council and the NHS so services meet families' needs.",
     "A group of parents who help make services better."),
    ("ICB", "Integrated Care Board",
     "The NHS body that plans and pays for health services in the area, including the "
     "health part of education, health and care plans.",
     "The NHS group that pays for health services."),
    ("LA", "local authority",
     "The council. It is responsible for education, health and care assessments and plans "
     "and for the Local Offer.",
     "The council."),
    ("CAMHS", "Child and Adolescent Mental Health Services",
     "NHS services that help children and young people with their mental health and "
     "emotional wellbeing.",
     "Doctors and nurses who help children with their feelings and worries."),
    ("NHS", "National Health Service",
     "The country's public health service: GPs, hospitals, community nurses and therapists.",
     "Doctors, nurses and hospitals."),
    ("GP", "general practitioner",
     "A family doctor at a local surgery.", "Your family doctor."),
    ("DCO", "designated clinical officer",
     "The person in the NHS who makes sure health services play their part for children with "
     "special educational needs and disabilities, including in education, health and care "
     "plans.", ""),
    ("PALS", "Patient Advice and Liaison Service",
     "The NHS service that helps with questions, worries and complaints about health care.",
     ""),
    ("BSL", "British Sign Language",
     "The language of deaf people in the UK, using hand shapes, facial expressions and body "
     "movements.", "Talking with your hands."),
    ("PDF", "Portable Document Format",
     "A kind of file that keeps a document looking the same on any computer or phone.",
     "A file you can open and print."),
    ("CSV", "comma-separated values",
     "A simple kind of spreadsheet file that most programs can open.", ""),
    ("UK", "United Kingdom", "England, Scotland, Wales and Northern Ireland.", ""),
    ("GDPR", "General Data Protection Regulation",
     "The law about how organisations keep and use people's personal information.", ""),
    ("WCAG", "Web Content Accessibility Guidelines",
     "The international standard for making websites usable by disabled people.", ""),
    ("ICO", "Information Commissioner's Office",
     "The independent body that makes sure organisations look after people's personal "
     "information properly. You can complain to it.", ""),
    ("EASS", "Equality Advisory and Support Service",
     "A free helpline that advises people who think they have been discriminated against.",
     ""),
    ("EHRC", "Equality and Human Rights Commission",
     "The body that makes sure public bodies follow equality law, including on "
     "accessible websites.", ""),
    ("API", "application programming interface",
     "A way for other computer programs to read the portal's published information.", ""),
    ("RAG", "red, amber and green",
     "A way of showing at a glance whether an action is on track (green), at risk (amber) or "
     "behind (red).", "Colours that show if things are going well."),
    ("YSWD", "You said, we did",
     "Reports of what families told services and what the services did as a result.", ""),
    (None, "Local Offer",
     "Information the council must publish about the services and support available for "
     "children and young people with special educational needs and disabilities, and their "
     "families, in the area.",
     "Information about help for children and families in your area."),
    (None, "co-production",
     "Families, young people and professionals working together as equal partners to plan, "
     "design and review services.", "Working together to make things better."),
]

PROFILES = [
    ("Gloucestershire County Council", "Priya Shah", "SEND Participation Officer",
     Profile.Part.EDUCATION,
     "Priya runs the workshops and surveys where families tell the council what works and "
     "what does not, and makes sure every comment gets an answer. You may meet her at Parent "
     "Carer Forum coffee mornings and at the annual conference.",
     "participation@demo.example", "01452 000 101", "Drawing of a person with dark hair, "
     "standing in for Priya Shah’s photo"),
    ("Gloucestershire County Council", "Daniel Marsh", "SEND Casework Team Manager",
     Profile.Part.EDUCATION,
     "Daniel's team looks after education, health and care needs assessments and plans. "
     "He can explain where an assessment has got to and what happens next.",
     "send.casework@demo.example", "01452 000 102", ""),
    ("NHS Gloucestershire Integrated Care Board", "Sam Hughes", "Designated Clinical Officer",
     Profile.Part.HEALTH,
     "Sam makes sure health services (therapists, community nurses, CAMHS) play their part "
     "for children with SEND, and checks the health advice in EHCPs.",
     "dco@demo.example", "", "Drawing of a person with short hair and glasses, standing in "
     "for Sam Hughes’s photo"),
    ("Gloucestershire Health and Care NHS Foundation Trust", "Grace Adeyemi",
     "Children's Community Nursing Team Lead", Profile.Part.HEALTH,
     "Grace leads the nurses who care for children with complex health needs at home and at "
     "school, and helps families plan for appointments and transitions.",
     "ccnt@demo.example", "", ""),
    ("SENDIASS Gloucestershire", "Lucy Fairweather", "Information, Advice and Support Officer",
     Profile.Part.ADVICE,
     "Lucy gives free, impartial advice to parents, carers and young people, and can come "
     "with you to meetings about your child's support.",
     "sendiass@demo.example", "01452 000 201", ""),
    ("Gloucestershire Parent Carer Forum", "Jo Ellis", "Participation Lead",
     Profile.Part.FAMILIES,
     "Jo is a parent carer who brings families' views to the partnership's boards and "
     "working groups, and organises the forum's listening events across the county.",
     "forum@demo.example", "", "Drawing of a person with long hair, standing in for Jo "
     "Ellis’s photo"),
    ("Gloucestershire Parent Carer Forum", "Helen Brooks", "Chair",
     Profile.Part.FAMILIES,
     "Helen chairs the forum and sits on the Joint Additional Needs Management Board with "
     "two other parent carers.", "forum@demo.example", "", ""),
    ("Gloucestershire Young People’s SEND Forum", "Kai Thompson", "Young people's forum "
     "co-ordinator", Profile.Part.YOUNG_PEOPLE,
     "Kai supports the young people's forum, where young people aged 11 to 25 with SEND "
     "meet monthly and tell services what needs to change.",
     "youngpeople@demo.example", "", ""),
]

COLOURS = [(29, 93, 144), (0, 112, 60), (77, 41, 117)]


def _drawing(index: int) -> ContentFile:
    """A plain drawing standing in for a photo (the people are invented)."""
    image = Image.new("RGB", (240, 240), (243, 242, 241))
    draw = ImageDraw.Draw(image)
    colour = COLOURS[index % len(COLOURS)]
    draw.ellipse((75, 30, 165, 120), fill=colour)
    draw.ellipse((35, 130, 205, 300), fill=colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return ContentFile(out.getvalue(), name="photo.png")


def load(stdout=None) -> None:
    for abbreviation, term, meaning, easy in GLOSSARY:
        GlossaryTerm.objects.update_or_create(
            term=term, defaults={"abbreviation": abbreviation or "", "meaning": meaning,
                                 "easy_read_meaning": easy})
    organisations = {o.name: o for o in Organisation.objects.all()}
    drawn = 0
    for org, name, role, part, about, email, phone, alt in PROFILES:
        if org not in organisations or Profile.objects.filter(name=name).exists():
            continue
        photo = None
        if alt:
            photo, drawn = _drawing(drawn), drawn + 1
        services.profile_save(
            acting_user=None, organisation=organisations[org], name=name, role=role, part=part,
            about=about, work_email=email, work_phone=phone, photo=photo, photo_alt=alt,
            consent_given_on=date(2026, 9, 14), consent_how="Signed consent form, kept by the "
                                                           "participation team")
    if stdout:
        stdout.write(f"  {GlossaryTerm.objects.count()} jargon buster entries, "
                     f"{Profile.objects.count()} who's who profiles")
