"""The evidence pack (issue #23): its figures against a hand-worked portal,
section by section; groups under 5 suppressed; every link resolves; no
other organisation's unpublished work and nothing personal; who may see and
make it; its queries do not grow with volume."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from actionplan.models import Measure, MeasureValue, Status
from charter import services as charter_services
from charter.models import Charter, PulseAnswer, PulseResponse
from core.models import AuditEvent, Cornerstone, Job, Role
from feedback.models import Feedback
from reports.evidence import evidence_figures
from reports.models import EvidencePack
from tests.actionplan.factories import ActionFactory, PlanFactory, PriorityFactory
from tests.charter.factories import (
    CharterFactory,
    PulseRoundFactory,
    SectionFactory,
    SignatoryFactory,
    StatementFactory,
)
from tests.core.factories import OrganisationFactory, staff_user
from tests.feedback.factories import FeedbackFactory
from tests.reports.factories import draft_report, published_report

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)
YEAR = (date(2025, 9, 1), date(2026, 8, 31))
SECRET_WORDS = "Replies to e-mails within a week"  # what every FeedbackFactory family wrote


@dataclass
class Portal:
    council: object
    forum: object
    other: object
    officer: object
    admin: object
    lead_admin: object
    outsider: object
    overdue_action: object


def _audit(org, team, *, score, complete, cornerstones=()):
    audit = charter_services.audit_start(acting_user=None, organisation=org, team=team, year=2026)
    answers = {a.pk: (score, "Young people chaired the review.") for a in audit.answers.all()}
    audit = charter_services.audit_save(acting_user=None, audit=audit, answers=answers,
                                        complete=complete)
    audit.cornerstones = list(cornerstones)
    audit.save(update_fields=["cornerstones"])
    return audit


def _pulse(charter, statement, *, agree: int, disagree: int, held_on):
    pulse_round = PulseRoundFactory(charter=charter, held_on=held_on)
    for rating in [4] * agree + [2] * disagree:
        response = PulseResponse.objects.create(round=pulse_round)
        PulseAnswer.objects.create(response=response, statement=statement, rating=rating)


def _feedback(org, n, *, channel, respondent, age_group="", received_on=date(2026, 2, 2),
              **fields):
    return [FeedbackFactory(organisation=org, channel=channel, respondent=respondent,
                            age_group=age_group, received_on=received_on, **fields)
            for _ in range(n)]


def build_portal(volume: int = 1) -> Portal:
    """The hand-worked portal. With `volume` > 1, more of everything that is
    counted or listed (for the query-count test); the figures below hold
    for volume 1."""
    charter_services.question_bank_install()
    council = OrganisationFactory(name="Testshire County Council", is_partnership_lead=True)
    forum = OrganisationFactory(name="Testshire Parent Carer Forum")
    other = OrganisationFactory(name="Elsewhere NHS Trust")
    officer = staff_user(Role.OFFICER, council)
    approver = staff_user(Role.APPROVER, council)
    admin = staff_user(Role.ADMINISTRATOR, forum)
    lead_admin = staff_user(Role.ADMINISTRATOR, council)
    outsider = staff_user(Role.OFFICER, other)
    P = Feedback.Respondent
    when = datetime(2026, 3, 1, 12, tzinfo=UTC)

    # Feedback given to the council in the year: 14 pieces.
    web = _feedback(council, 6 * volume, channel="web_form", respondent=P.PARENT_CARER)
    _feedback(council, 3, channel="email", respondent=P.YOUNG_PERSON, age_group="11-15")
    phone = _feedback(council, 5 * volume, channel="phone", respondent=P.PROFESSIONAL)
    for fb in web[:4] + phone[:3]:  # 7 answered
        Feedback.objects.filter(pk=fb.pk).update(responded_at=when)
    for fb in web[:5]:  # 5 linked to an action
        Feedback.objects.filter(pk=fb.pk).update(linked_at=when)
    # Before the year: not counted.
    _feedback(council, 2, channel="web_form", respondent=P.PARENT_CARER,
              received_on=date(2025, 8, 20))
    # Another partner's feedback: in the partnership's pack only.
    _feedback(other, 7, channel="web_form", respondent=P.PARENT_CARER)

    # Participation audits of 2026.
    _audit(council, "SEND casework team", score=2, complete=True,
           cornerstones=[Cornerstone.COMMUNICATE])
    _audit(council, "Local Offer team", score=1, complete=False,
           cornerstones=[Cornerstone.WELCOME_AND_CARE])  # in progress: never shown
    _audit(other, "Children’s therapies", score=3, complete=True)
    for n in range(volume - 1):
        _audit(council, f"Extra team {n}", score=2, complete=True)

    # Reports: the council's published one; another partner's draft never.
    published_report(org=council, author=officer, approver=approver,
                     title="Local Offer feedback 2026")
    draft_report(org=other, author=outsider, title="Secret therapy draft")
    for n in range(volume - 1):
        published_report(org=council, author=officer, approver=approver,
                         title=f"Extra report {n}")

    # The charter: adopted, two sections tagged, signed by the council;
    # another partner's draft charter never shown.
    charter = CharterFactory(organisation=council, title="Testshire Co-production Charter",
                             status=Charter.Status.ADOPTED, adopted_on=date(2025, 6, 1))
    SectionFactory(charter=charter, title="Welcome and care",
                   cornerstones=[Cornerstone.WELCOME_AND_CARE])
    SectionFactory(charter=charter, title="Communication",
                   cornerstones=[Cornerstone.COMMUNICATE])
    SignatoryFactory(charter=charter, organisation=council, role_title="Director of Children’s "
                     "Services", person_name="Pat Example")
    CharterFactory(organisation=other, title="Elsewhere draft charter")
    statement = StatementFactory(charter=charter, text="I am listened to and valued")
    _pulse(charter, statement, agree=4, disagree=2, held_on=date(2026, 3, 14))  # 67%
    _pulse(charter, statement, agree=2, disagree=1, held_on=date(2026, 6, 20))  # fewer than 5

    # The published plan: the council leads three actions, one overdue and
    # not updated since January; another partner's unpublished plan never.
    plan = PlanFactory(title="Testshire SEND Strategy", period_start=date(2025, 1, 1),
                       period_end=date(2027, 12, 31))
    priority = PriorityFactory(plan=plan)
    overdue = ActionFactory(priority=priority, lead_organisation=council, is_public=True,
                            title="Publish waiting times", due_date=date(2026, 3, 1),
                            current_status=Status.ON_TRACK, last_update_on=date(2026, 1, 10),
                            cornerstones=[Cornerstone.WORK_IN_PARTNERSHIP])
    ActionFactory(priority=priority, lead_organisation=council, is_public=True,
                  title="Easy-read letters", current_status=Status.COMPLETE,
                  last_update_on=date(2026, 6, 1), due_date=date(2026, 7, 1))
    ActionFactory(priority=priority, lead_organisation=other, is_public=True,
                  title="Therapy drop-ins", current_status=Status.AT_RISK,
                  last_update_on=date(2026, 7, 1), due_date=date(2027, 7, 1))
    for n in range(volume - 1):
        ActionFactory(priority=priority, lead_organisation=council, is_public=True,
                      title=f"Extra action {n}", due_date=date(2026, 2, 1),
                      current_status=Status.OFF_TRACK, last_update_on=date(2026, 1, 2))
    hidden = PlanFactory(title="Elsewhere plan in draft", is_published=False)
    ActionFactory(priority=PriorityFactory(plan=hidden), lead_organisation=other,
                  title="Hidden plan action", is_public=True)
    measure = Measure.objects.create(action=overdue, code="EP-1", name="Replies on time",
                                     unit=Measure.Unit.PERCENT, is_public=True)
    MeasureValue.objects.create(measure=measure, date=date(2026, 6, 30), value=72)
    for n in range(volume - 1):
        Measure.objects.create(action=overdue, code=f"EP-X{n}", name=f"Extra measure {n}",
                               is_public=True)
    return Portal(council, forum, other, officer, admin, lead_admin, outsider, overdue)


def _pack(portal, organisation=None, **headings):
    return EvidencePack.objects.create(
        title="Evidence pack 2025–26", organisation=organisation, period_start=YEAR[0],
        period_end=YEAR[1], headings=headings)


def _groups(groups):
    return [(g.label, g.n) for g in groups]


# --- Figures, section by section ---------------------------------------------------------


def test_figures_for_one_organisation_section_by_section():
    portal = build_portal()
    f = evidence_figures(_pack(portal, portal.council), today=TODAY)

    # How families take part: feedback by channel, by who gave it, by age
    # (the 3 e-mails from young people aged 11 to 15 are one group under 5).
    assert f.received == 14
    assert _groups(f.by_channel) == [("Online form", 6), ("E-mail", None), ("Phone call", 5)]
    assert _groups(f.by_respondent) == [("Parent or carer", 6), ("Child or young person", None),
                                        ("Professional", 5)]
    assert _groups(f.by_age_group) == [("11 to 15", None)]
    # The completed audit only (in progress and another partner's are not the council's).
    assert [(a.team, s.percent) for a, s in f.audits] == [("SEND casework team", 67)]

    # Heard and acted on: 7 of 14 answered, 5 linked; no "we did" yet.
    assert (f.loop.received, f.loop.answered_percent, f.loop.linked_percent) == (14, 50, 36)
    assert f.loop.median_shown is None
    assert [r.title for r in f.reports] == ["Local Offer feedback 2026"]

    # The difference made: judged on the year's last day.
    assert f.judged_on == YEAR[1]
    (standing,) = f.plans
    assert standing.plan.title == "Testshire SEND Strategy"
    assert (standing.total, standing.overdue, standing.stale) == (2, 1, 1)
    assert {label: n for label, n, _ in standing.by_status}["On track (green)"] == 1
    assert {label: n for label, n, _ in standing.by_status}["Complete"] == 1
    assert [a.title for a in standing.overdue_listed] == ["Publish waiting times"]
    assert [(m.name, m.summary.latest_value) for m in f.measures] == [("Replies on time", 72)]
    ((charter, pulse),) = f.statement_results
    assert [(c.percent, c.suppressed) for c in pulse.rows[0].cells] == [(67, False), (None, True)]

    # The charter and the four cornerstones.
    assert [c.title for c in f.charters] == ["Testshire Co-production Charter"]
    assert [s.organisation.name for s in f.signatories] == ["Testshire County Council"]
    coverage = {c.cornerstone: (c.sections, c.audits, c.activities) for c in f.cornerstones}
    assert coverage == {
        "welcome_and_care": (["Welcome and care"], 0, 0),
        "value_and_include": ([], 0, 0),
        "communicate": (["Communication"], 1, 0),
        "work_in_partnership": ([], 0, 1),
    }


def test_figures_for_the_partnership_count_every_partner_but_only_published_work():
    portal = build_portal()
    f = evidence_figures(_pack(portal), today=TODAY)

    assert f.received == 21
    assert _groups(f.by_channel) == [("Online form", 13), ("E-mail", None), ("Phone call", 5)]
    assert (f.loop.received, f.loop.answered_percent) == (21, 33)
    assert sorted(a.team for a, _ in f.audits) == ["Children’s therapies", "SEND casework team"]
    assert [r.title for r in f.reports] == ["Local Offer feedback 2026"]  # not the draft
    (standing,) = f.plans  # not the unpublished plan
    assert (standing.total, standing.overdue) == (3, 1)


# --- The page: suppression, nothing personal, nothing unpublished, every link ---------------


def test_page_shows_groups_under_5_as_such_and_nothing_personal_or_unpublished(client):
    portal = build_portal()
    pack = _pack(portal, take_part="How families shape our decisions")
    client.force_login(portal.outsider)  # another partner's officer reads the partnership's
    page = client.get(pack.get_absolute_url()).content.decode()

    assert "How families shape our decisions" in page  # the administrator's heading
    assert "How their views are heard and acted on" in page  # a default one
    assert page.count("Fewer than 5") >= 3
    assert "Fewer than 5 answers" in page  # the second pulse round
    for absent in ("Secret therapy draft", "Elsewhere draft charter", "Hidden plan action",
                   "Elsewhere plan in draft", "Local Offer team", SECRET_WORDS, "FB-2026-",
                   "Pat Example"):
        assert absent not in page, absent
    for present in ("Local Offer feedback 2026", "Publish waiting times", "Replies on time",
                    "Testshire Co-production Charter", "Work in partnership"):
        assert present in page, present


def _links(html: str) -> list[str]:
    body = html.split('id="take-part"', 1)[1].split("Every evidence pack", 1)[0]
    return sorted(set(re.findall(r'href="([^"#]+)"', body)))


@pytest.mark.parametrize("for_council", [True, False])
def test_every_link_in_the_pack_resolves_for_the_officer(client, for_council):
    portal = build_portal()
    pack = _pack(portal, portal.council if for_council else None)
    client.force_login(portal.officer)
    links = _links(client.get(pack.get_absolute_url()).content.decode())
    assert len(links) >= 15
    for link in links:
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link
    # The overdue figure's link lists exactly the overdue action.
    overdue = next(link for link in links if "overdue=true" in link)
    listed = client.get(overdue.replace("&amp;", "&")).content.decode()
    assert "Publish waiting times" in listed and "Easy-read letters" not in listed


# --- Who may see and make it -------------------------------------------------------------


@pytest.mark.parametrize(("who", "own", "partnership"), [
    ("officer", 200, 200), ("admin", 404, 200), ("lead_admin", 200, 200),
    ("outsider", 404, 200)])
def test_who_may_read_a_pack(client, who, own, partnership):
    portal = build_portal()
    council_pack, shared = _pack(portal, portal.council), _pack(portal)
    client.force_login(getattr(portal, who))
    assert client.get(council_pack.get_absolute_url()).status_code == own
    assert client.get(shared.get_absolute_url()).status_code == partnership
    assert client.get(reverse("staff:evidence-pack:list")).status_code == 200


def test_anonymous_is_sent_to_sign_in(client):
    portal = build_portal()
    for url in (reverse("staff:evidence-pack:list"), _pack(portal).get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and "sign-in" in response["Location"]


def _form(**changes):
    data = {"title": "Evidence pack 2025–26", "year": "2025", "scope": "partnership",
            **{f"heading_{a.value}": a.label for a in EvidencePack.Area}}
    data.update(changes)
    return data


def test_administrators_make_packs_for_their_own_organisation_and_the_lead_for_everyone(
        client, django_capture_on_commit_callbacks):
    portal = build_portal()
    client.force_login(portal.officer)
    assert client.post(reverse("staff:evidence-pack:list"), _form()).status_code == 403
    assert "Make an evidence pack" not in client.get(
        reverse("staff:evidence-pack:list")).content.decode()

    client.force_login(portal.admin)  # the forum's administrator
    refused = client.post(reverse("staff:evidence-pack:list"), _form())
    assert refused.status_code == 400  # not theirs to make for the partnership
    with django_capture_on_commit_callbacks():
        made = client.post(reverse("staff:evidence-pack:list"),
                           _form(scope=str(portal.forum.pk), heading_heard="Listening"))
    pack = EvidencePack.objects.get()
    assert made["Location"] == pack.get_absolute_url()
    assert (pack.organisation, pack.period_start, pack.period_end) == (portal.forum, *YEAR)
    assert pack.heading("heard") == "Listening"
    assert AuditEvent.objects.filter(verb="evidence_pack.requested", target_id=str(pack.pk),
                                     actor=portal.admin).exists()
    assert Job.objects.filter(kind="evidence_pack_pdf", subject_id=pack.pk).exists()

    client.force_login(portal.lead_admin)
    # The next form starts from the headings last written.
    assert 'value="Listening"' in client.get(reverse("staff:evidence-pack:list")).content.decode()
    with django_capture_on_commit_callbacks():
        client.post(reverse("staff:evidence-pack:list"), _form())
    assert EvidencePack.objects.filter(organisation=None).count() == 1


def test_form_errors_say_what_to_do_and_keep_what_was_typed(client):
    portal = build_portal()
    client.force_login(portal.lead_admin)
    response = client.post(reverse("staff:evidence-pack:list"), _form(
        year="other", period_start_0="31", period_start_1="8", period_start_2="2026",
        title="My own title", heading_charter=""))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the date the period ends" in page
    assert "Enter the heading for" in page
    assert 'value="My own title"' in page
    assert 'href="#id_period_end_0"' in page or 'href="#id_period_end"' in page
    assert not EvidencePack.objects.exists()


# --- Queries do not grow with volume ---------------------------------------------------------

# The page: the person and their roles, the pack, then reports.evidence's
# fixed set (charters, signatories, sections, pulse, audits and their
# scores, feedback counts, the loop's three, reports, plans, actions,
# measures with values and targets), whatever the volume. The session is read
# from its cached copy.
PINNED_QUERIES = 25


@pytest.mark.parametrize("volume", [1, 4])
def test_page_queries_do_not_grow_with_volume(client, django_assert_num_queries, volume):
    portal = build_portal(volume)
    pack = _pack(portal)
    client.force_login(portal.lead_admin)
    client.get(pack.get_absolute_url())  # the session and per-process caches warmed
    with django_assert_num_queries(PINNED_QUERIES):
        assert client.get(pack.get_absolute_url()).status_code == 200


# The list with its form, for an administrator: the person and their roles,
# the last pack's headings, the organisations they make packs for, the packs
# (the session is read from its cached copy).
PINNED_LIST_QUERIES = 5


@pytest.mark.parametrize("packs", [2, 12])
def test_list_queries_do_not_grow_with_the_packs(client, django_assert_num_queries, packs):
    portal = build_portal()
    for n in range(packs):
        _pack(portal, portal.council if n % 2 else None)
    client.force_login(portal.lead_admin)
    client.get(reverse("staff:evidence-pack:list"))
    with django_assert_num_queries(PINNED_LIST_QUERIES):
        page = client.get(reverse("staff:evidence-pack:list")).content.decode()
    assert page.count("Evidence pack 2025–26</a>") == packs
