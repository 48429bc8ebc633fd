"""A whole portal to crawl: the demo content plus the few things it lacks
(a draft charter, a report in draft), and every address the URL
configuration has, with the arguments each needs.

ADDRESSES must name every URL pattern: a new page without an entry fails
tests/a11y/test_crawl.py::test_every_address_is_crawled, so new pages are
crawled (and their forms' error states tried) from the day they are added.
"""

import os
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

ADMIN = "admin@demo.example"
OFFICER = "officer@demo.example"


@dataclass
class World:
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    from actionplan.models import Action, Board, Evidence, Meeting, Plan
    from charter import services as charter_services
    from charter.models import Charter, EvidenceLink, ParticipationAudit, PulseRound
    from core.models import Membership, User
    from feedback.models import Feedback, Quote, Reply, SurveyImport
    from reports.models import Report

    with open(os.devnull, "w") as devnull:
        call_command("load_demo", "--allow-without-debug", stdout=devnull)
    for user in User.objects.all():  # sign-in in tests uses the shared test password
        user.set_password("a-test-password-123")
        user.save(update_fields=["password"])
    admin = User.objects.get(email=ADMIN)
    adopted = Charter.objects.filter(status=Charter.Status.ADOPTED).first()
    draft = Charter.objects.filter(status=Charter.Status.DRAFT).first()
    if draft is None:
        draft = charter_services.charter_new_version(acting_user=admin, charter=adopted)
    section = draft.sections.first()
    commitment = section.commitments.first()
    published = Report.objects.filter(status=Report.Status.PUBLISHED).first()
    # Only a token's digest is stored: give the crawled feedback one we know.
    feedback = Feedback.objects.filter(organisation__memberships__user=admin,
                                       wants_contact=True).first()
    feedback.tracking_token = "a11y-crawl-" + "t" * 32
    feedback.save(update_fields=["tracking_digest"])
    survey = SurveyImport.objects.filter(organisation__memberships__user__email=OFFICER).first()
    # Background work that failed, so its page shows a row with "try again".
    from django.utils import timezone

    from core.models import Job

    Job.objects.create(kind="survey_import", subject_id=survey.pk,
                       organisation_id=admin.memberships.filter(role="administrator")
                       .values_list("organisation_id", flat=True).first(), state=Job.State.FAILED,
                       attempts=4, last_error="OSError: storage unavailable",
                       finished_at=timezone.now())
    # A failed import, which its officer may remove.
    failed_survey = SurveyImport.objects.create(
        title="Short breaks survey (failed)", organisation=survey.organisation,
        received_on=survey.received_on, file="survey-imports/failed-example.csv",
        file_sha256="f" * 64,
        uploaded_by=survey.uploaded_by, state=SurveyImport.State.FAILED,
        failure="The file is not a CSV")
    # An import checked but not started, which takes a corrected file.
    unused_survey = SurveyImport.objects.create(
        title="Short breaks survey (checked)", organisation=survey.organisation,
        received_on=survey.received_on, file="survey-imports/unused-example.csv",
        file_sha256="e" * 64, uploaded_by=survey.uploaded_by,
        state=SurveyImport.State.CHECKED, total_rows=150)
    from directory.models import GlossaryTerm, Profile
    from feedback.cards import card_batch_print
    from feedback.models import ReplyTemplate
    from participation import services as participation_services
    from participation.models import Invitation, Opportunity, RegisterEntry

    # The participation register stores only a token's digest: give one entry a known token.
    register_entry = RegisterEntry.objects.order_by("pk").first()
    register_entry.token = "a11y-crawl-register-" + "r" * 32
    register_entry.save(update_fields=["token_digest"])
    opportunity = (Opportunity.objects.filter(organisation__memberships__user__email=OFFICER,
                                              published=True, kind="board").first())

    officer = User.objects.get(email=OFFICER)
    # Paper cards just made: their page says the PDF is being prepared.
    card_batch = card_batch_print(acting_user=officer, organisation=officer.memberships.first()
                                  .organisation, paper="A5", easy_read=False, size=3)
    w = World({
        "register_entry": register_entry,
        "register_renew_token": participation_services.renew_token(register_entry),
        "opportunity": opportunity,
        "closed_opportunity": Opportunity.objects.filter(outcome__gt="").first(),
        "invitation_token": participation_services.answer_token(Invitation.objects.first()),
        "card_batch": card_batch,
        # A who's who profile of the officer's organisation (the county council).
        "profile": Profile.objects.filter(
            organisation__memberships__user__email=OFFICER).exclude(photo="").first(),
        "glossary_term": GlossaryTerm.objects.get(abbreviation="EHCP"),
        "admin": admin,
        "reply_template": ReplyTemplate.objects.filter(
            organisation__memberships__user=admin).first(),
        "failed_survey": failed_survey,
        "unused_survey": unused_survey,
        "feedback": feedback,
        "closed": Feedback.objects.filter(organisation__memberships__user__email=OFFICER,
                                          status=Feedback.Status.CLOSED).first(),
        "reply": Reply.objects.first(),
        "quote": Quote.objects.first(),
        "survey": survey,
        "action": Action.objects.filter(
            lead_organisation__memberships__user__email=OFFICER).first(),
        "evidence": Evidence.objects.first(),
        "board": Board.objects.first(),
        "meeting": Meeting.objects.first(),
        "plan": Plan.objects.first(),
        "charter": adopted,
        "draft": draft,
        "section": section,
        "commitment": commitment,
        "practice": commitment.practices.first(),
        "statement": draft.statements.first(),
        "responsibility": draft.responsibilities.first(),
        "pulse_round": PulseRound.objects.first(),
        "audit": ParticipationAudit.objects.first(),
        "completed_audit": ParticipationAudit.objects.filter(
            status=ParticipationAudit.Status.COMPLETED).first(),
        # The administrator's own organisation's signature: another partner's
        # is that partner's to take off (issue 19).
        "signatory": adopted.signatories.filter(organisation__memberships__user=admin).first(),
        "evidence_link": EvidenceLink.objects.first(),
        "published": published,
        # A draft of the officer's own organisation: another partner's drafts are not theirs.
        "report": (Report.objects.filter(organisation__memberships__user__email=OFFICER)
                   .exclude(status=Report.Status.PUBLISHED).first()
                   or Report.objects.filter(
                       organisation__memberships__user__email=OFFICER).first()),
        "membership": Membership.objects.exclude(user=admin).filter(
            organisation__memberships__user=admin).first(),
    })
    return w


def _measure(w, code):
    from actionplan.models import Measure

    return Measure.objects.get(code=code)


def _item(w, kind):
    return {"kind": kind, "pk": getattr(w, kind).pk}


# name → (who visits, kwargs from the world) or a reason it is not an HTML page.
# Who: "public" (signed out) or an e-mail address.
ADDRESSES = {
    "home": ("public", lambda w: {}),
    "core:accessibility": ("public", lambda w: {}),
    "core:privacy": ("public", lambda w: {}),
    "core:privacy-easy-read": ("public", lambda w: {}),
    "core:cookies": ("public", lambda w: {}),
    "feedback:give": ("public", lambda w: {}),
    "feedback:give-easy-read": ("public", lambda w: {}),
    "feedback:track": ("public", lambda w: {}),
    # Opened later (no cookie from a submission): says it has expired.
    "feedback:sent": ("public", lambda w: {}),
    "feedback:track-token": ("public", lambda w: {"token": w.feedback.tracking_token}),
    # The links in a progress message (feedback/progress.py), signed for the crawled feedback.
    "feedback:progress-way-back": ("public", lambda w: {"token": _progress("way_back_token",
                                                                           w.feedback)}),
    "feedback:progress-stop": ("public", lambda w: {"token": _progress("stop_token",
                                                                       w.feedback.pk)}),
    "feedback:progress-difference": ("public", lambda w: {
        "token": _progress("difference_token", w.feedback.pk)}),
    "charter:index": ("public", lambda w: {}),
    "charter:charter": ("public", lambda w: {"slug": w.charter.slug}),
    "charter:version": ("public", lambda w: {"slug": w.charter.slug,
                                             "version": w.charter.version}),
    "charter:pulse": ("public", lambda w: {"slug": w.pulse_round.charter.slug}),
    "charter:pulse_invitation": "a private invitation token, the same page as charter:pulse",
    "charter:pulse_thanks": ("public", lambda w: {"slug": w.pulse_round.charter.slug}),
    "actionplan:index": ("public", lambda w: {}),
    "actionplan:plan": ("public", lambda w: {"slug": w.plan.slug}),
    "reports:index": ("public", lambda w: {}),
    "reports:feed": "an Atom feed, not HTML",
    "reports:detail": ("public", lambda w: {"slug": w.published.slug}),
    "reports:version": ("public", lambda w: {"slug": w.published.slug,
                                             "version": w.published.version}),
    "reports:pdf": "a PDF (checked by tests/a11y/test_pdfs.py)",
    "reports:pdf-status": "JSON for the progress script",
    "reports:useful": ("public", lambda w: {"slug": w.published.slug,
                                            "version": w.published.version}),
    "login": ("public", lambda w: {}),
    "logout": "POST only",
    "password_reset": ("public", lambda w: {}),
    "password_reset_done": ("public", lambda w: {}),
    "password_reset_confirm": "needs a one-time token e-mailed to the person",
    "password_reset_complete": ("public", lambda w: {}),
    "healthz": "JSON for monitoring",
    "admin": "Django's admin, a developer tool",
    "staff:home": (ADMIN, lambda w: {}),
    "staff:lists": (ADMIN, lambda w: {}),
    "staff:list-add": (ADMIN, lambda w: {}),
    "staff:people": (ADMIN, lambda w: {}),
    "staff:audit": (ADMIN, lambda w: {}),
    "staff:person-add": (ADMIN, lambda w: {}),
    "staff:jobs": (ADMIN, lambda w: {}),
    "staff:job-retry": "POST only, from the background work page",
    "staff:role-remove": (ADMIN, lambda w: {"pk": w.membership.pk}),
    "staff:organisations": (ADMIN, lambda w: {}),
    "staff:organisation-add": (ADMIN, lambda w: {}),
    "staff:organisation-edit": (ADMIN, lambda w: {"pk": _organisation_pk("Gloucestershire Parent Carer Forum")}),
    "staff:organisation-administrator": (
        ADMIN, lambda w: {"pk": _organisation_pk("Gloucestershire Parent Carer Forum")}),
    "staff:organisation-settings": (ADMIN, lambda w: {"pk": w.admin.memberships.first()
                                                       .organisation_id}),
    "staff:feedback:inbox": (ADMIN, lambda w: {}),
    "staff:feedback:detail": (OFFICER, lambda w: {"pk": w.feedback.pk}),
    "staff:feedback:contact-erase": (OFFICER, lambda w: {"pk": w.feedback.pk}),
    "staff:feedback:reopen": (OFFICER, lambda w: {"pk": w.closed.pk}),
    "staff:feedback:reroute": (OFFICER, lambda w: {"pk": w.feedback.pk}),
    "staff:feedback:routing": (ADMIN, lambda w: {}),
    "staff:feedback:reply-templates": (ADMIN, lambda w: {}),
    "staff:feedback:reply-template-edit": (ADMIN, lambda w: {"pk": w.reply_template.pk}),
    "staff:feedback:cards": (OFFICER, lambda w: {}),
    "staff:feedback:card-batch": (OFFICER, lambda w: {"pk": w.card_batch.pk}),
    "staff:feedback:cards-pdf": "PDF download, from the cards page (tests/feedback/test_cards.py)",
    "staff:feedback:card-log": (OFFICER, lambda w: {}),
    "staff:feedback:card-log-easy-read": (OFFICER, lambda w: {}),
    "staff:feedback:export": "CSV download, from the inbox (tests/feedback/test_triage.py)",
    "staff:feedback:log": (OFFICER, lambda w: {}),
    "staff:feedback:bulk-themes": (OFFICER, lambda w: {}),
    "staff:feedback:replies": (ADMIN, lambda w: {}),
    "staff:feedback:reply-decide": "POST only, from the replies page",
    "staff:feedback:quotes": (ADMIN, lambda w: {}),
    "staff:feedback:quote-decide": "POST only, from the quotes page",
    "staff:feedback:imports": (OFFICER, lambda w: {}),
    "staff:feedback:import-new": (OFFICER, lambda w: {}),
    "staff:feedback:import-detail": (OFFICER, lambda w: {"pk": w.survey.pk}),
    "staff:feedback:import-remove": (OFFICER, lambda w: {"pk": w.failed_survey.pk}),
    "staff:feedback:import-replace": (OFFICER, lambda w: {"pk": w.unused_survey.pk}),
    "staff:feedback:import-rename": (OFFICER, lambda w: {"pk": w.survey.pk}),
    "staff:feedback:import-progress": "JSON for the progress script",
    "staff:actionplan:action_list": (ADMIN, lambda w: {}),
    "staff:actionplan:dashboard": (ADMIN, lambda w: {}),
    "staff:actionplan:export": "a CSV file",
    "staff:actionplan:action_create": (ADMIN, lambda w: {}),
    "staff:actionplan:action_detail": (ADMIN, lambda w: {"pk": w.action.pk}),
    "staff:actionplan:action_update": (OFFICER, lambda w: {"pk": w.action.pk}),
    "staff:actionplan:evidence_file": "a download",
    "staff:actionplan:action_edit": (ADMIN, lambda w: {"pk": w.action.pk}),
    "staff:actionplan:plan_list": (ADMIN, lambda w: {}),
    "staff:actionplan:plan_create": (ADMIN, lambda w: {}),
    "staff:actionplan:plan_detail": (ADMIN, lambda w: {"slug": w.plan.slug}),
    "staff:actionplan:plan_edit": (ADMIN, lambda w: {"slug": w.plan.slug}),
    "staff:actionplan:plan_publish": "POST only, from the plan page",
    "staff:actionplan:priority_create": (ADMIN, lambda w: {"slug": w.plan.slug}),
    "staff:actionplan:priority_edit": (ADMIN, lambda w: {"pk": w.plan.priorities.first().pk}),
    "staff:actionplan:priority_move": "POST only, from the plan page",
    "staff:actionplan:priority_detail": (ADMIN, lambda w: {"pk": _measure(w, "PCF-LISTENED").priority_id}),
    "staff:actionplan:priority_measure_create": (
        ADMIN, lambda w: {"pk": _measure(w, "PCF-LISTENED").priority_id}),
    "staff:actionplan:action_measure_create": (ADMIN, lambda w: {"pk": w.action.pk}),
    "staff:actionplan:measure_edit": (ADMIN, lambda w: {"pk": _measure(w, "EHCP20").pk}),
    "staff:actionplan:measure_value_add": (OFFICER, lambda w: {"pk": _measure(w, "EHCP20").pk}),
    "staff:actionplan:measure_upload": (OFFICER, lambda w: {}),
    "staff:actionplan:board_create": (ADMIN, lambda w: {}),
    "staff:actionplan:board_edit": (ADMIN, lambda w: {"slug": w.board.slug}),
    "staff:actionplan:meeting_edit": (ADMIN, lambda w: {"pk": w.meeting.pk}),
    "staff:actionplan:board_list": (ADMIN, lambda w: {}),
    "staff:actionplan:board_detail": (ADMIN, lambda w: {"slug": w.board.slug}),
    "staff:actionplan:meeting_create": (ADMIN, lambda w: {"slug": w.board.slug}),
    "staff:actionplan:meeting_detail": (ADMIN, lambda w: {"pk": w.meeting.pk}),
    "staff:actionplan:meeting_actions": (ADMIN, lambda w: {"pk": w.meeting.pk}),
    # The past meeting: the crawl submits w.meeting's "choose the actions"
    # form empty, which is valid and leaves it reviewing none.
    "staff:actionplan:meeting_decision": (ADMIN, lambda w: _past_meeting_decision()),
    "staff:actionplan:board_pack_generate": "POST only, from the meeting page",
    "staff:actionplan:board_pack_download": "a PDF (checked by tests/a11y/test_pdfs.py)",
    "staff:charter:charter_list": (ADMIN, lambda w: {}),
    "staff:charter:charter_create": (ADMIN, lambda w: {}),
    "staff:charter:charter_detail": (ADMIN, lambda w: {"pk": w.draft.pk}),
    "staff:charter:charter_edit": (ADMIN, lambda w: {"pk": w.draft.pk}),
    "staff:charter:new_version": "POST only, from the charter page",
    "staff:charter:adopt": (ADMIN, lambda w: {"pk": w.draft.pk}),
    "staff:charter:sign": (ADMIN, lambda w: {"pk": w.draft.pk}),
    "staff:charter:pulse_rounds": (ADMIN, lambda w: {"pk": w.charter.pk}),
    "staff:charter:pulse_round_create": (ADMIN, lambda w: {"pk": w.charter.pk}),
    "staff:charter:pulse_round_state": "POST only, from the pulse page",
    "staff:charter:item_add": (ADMIN, lambda w: {"kind": "commitment", "parent": w.section.pk}),
    "staff:charter:item_edit": (ADMIN, lambda w: _item(w, "section")),
    "staff:charter:item_delete": (ADMIN, lambda w: _item(w, "commitment")),
    "staff:charter:item_move": "POST only, from the charter page",
    "staff:charter:audit_list": (ADMIN, lambda w: {}),
    "staff:charter:audit_start": (ADMIN, lambda w: {}),
    "staff:charter:audit_detail": (ADMIN, lambda w: {"pk": w.audit.pk}),
    "staff:charter:audit_edit": (OFFICER, lambda w: {"pk": w.audit.pk}),
    "staff:charter:improvement_action": (ADMIN, lambda w: {"pk": w.audit.pk}),
    "staff:charter:audit_reopen": (ADMIN, lambda w: {"pk": w.completed_audit.pk}),
    "staff:charter:signatory_remove": (ADMIN, lambda w: {"pk": w.signatory.pk}),
    "staff:charter:evidence_list": (ADMIN, lambda w: {}),
    "staff:charter:evidence_add": (ADMIN, lambda w: {}),
    "staff:charter:evidence_remove": "POST only, from the evidence page",
    "staff:reports:list": (ADMIN, lambda w: {}),
    "staff:reports:create": (OFFICER, lambda w: {}),
    "staff:reports:local-offer-new": (OFFICER, lambda w: {}),
    # This year's annual Local Offer report, drafted from the comments so far.
    "staff:reports:local-offer": (OFFICER, lambda w: {"pk": _local_offer_draft_pk()}),
    "staff:reports:edit": (OFFICER, lambda w: {"pk": w.report.pk}),
    "staff:reports:workflow": "POST only, from the report page",
    "staff:reports:item-create": (OFFICER, lambda w: {"pk": w.report.pk}),
    "staff:reports:item-edit": (OFFICER, lambda w: {"pk": w.report.pk,
                                                  "item_pk": w.report.items.first().pk}),
    "staff:reports:item-action": "POST only, from the report page",
    "staff:reports:topics": (OFFICER, lambda w: {"pk": w.report.pk}),
    "staff:reports:topic": (OFFICER, lambda w: {"pk": w.report.pk,
                                               "topic_pk": w.report.topics.first().pk}),
    "reports:series": ("public", lambda w: {"slug": _published_series_slug()}),
    "staff:reports:series-edit": (OFFICER, lambda w: {"pk": _series_pk()}),
    "staff:evidence-pack:list": (ADMIN, lambda w: {}),
    "staff:evidence-pack:detail": (ADMIN, lambda w: {"pk": _evidence_pack_pk()}),
    "staff:evidence-pack:pdf": "a PDF (tests/reports/test_evidence_pack_worker.py)",
    "staff:feedback:subject-requests": (ADMIN, lambda w: {}),
    # Getting involved (participation/).
    "participation:index": ("public", lambda w: {}),
    "participation:opportunity": ("public", lambda w: {"slug": w.opportunity.slug}),
    "participation:easy-read": ("public", lambda w: {"slug": w.opportunity.slug}),
    "participation:take-part": ("public", lambda w: {"slug": w.opportunity.slug}),
    "participation:take-part-sent": ("public", lambda w: {"slug": w.opportunity.slug}),
    "participation:register": ("public", lambda w: {}),
    # Opened later (no cookie from joining): says it has expired.
    "participation:register-joined": ("public", lambda w: {}),
    "participation:register-manage": ("public", lambda w: {"token": w.register_entry.token}),
    "participation:register-leave": ("public", lambda w: {"token": w.register_entry.token}),
    "participation:renew": ("public", lambda w: {"token": w.register_renew_token}),
    "participation:answer": ("public", lambda w: {"token": w.invitation_token}),
    "staff:participation:list": (OFFICER, lambda w: {}),
    "staff:participation:create": (OFFICER, lambda w: {}),
    "staff:participation:detail": (OFFICER, lambda w: {"pk": w.opportunity.pk}),
    "staff:participation:edit": (OFFICER, lambda w: {"pk": w.opportunity.pk}),
    "staff:participation:register": (OFFICER, lambda w: {}),
    "staff:participation:representation": (ADMIN, lambda w: {}),
    "staff:participation:figures": (ADMIN, lambda w: {"dimension": "need"}),
    "account": (ADMIN, lambda w: {}),
    "two-factor": "asked after the password of a person with an app (tests/core/test_two_factor.py)",
    "two-factor-setup": (ADMIN, lambda w: {}),
    "two-factor-turn-off": "POST only, from the account page",
    "session-status": "JSON for the timeout warning",
    "session-stay-signed-in": "POST only, from the timeout warning",
    "signed-out": ("public", lambda w: {}),
    "opendata:index": ("public", lambda w: {}),
    "opendata:docs": ("public", lambda w: {}),
    "opendata:api-home": "a redirect to opendata:docs",
    "opendata:csv": "a CSV file (tests/opendata)",
    "opendata:csv-metadata": "CSVW metadata, JSON (tests/opendata)",
    "opendata:csv-metadata-all": "CSVW metadata, JSON (tests/opendata)",
    "api:api-root": "answered by opendata:api-home, a redirect to the docs",
    "directory:who-we-are": ("public", lambda w: {}),
    "directory:photo": "an image (tests/directory/test_profiles.py)",
    "directory:glossary": ("public", lambda w: {}),
    "staff:directory:profiles": (OFFICER, lambda w: {}),
    "staff:directory:profile-add": (OFFICER, lambda w: {}),
    "staff:directory:profile-edit": (OFFICER, lambda w: {"pk": w.profile.pk}),
    "staff:directory:profile-withdraw": (OFFICER, lambda w: {"pk": w.profile.pk}),
    "staff:directory:glossary": (OFFICER, lambda w: {}),
    "staff:directory:glossary-add": (OFFICER, lambda w: {}),
    "staff:directory:glossary-edit": (OFFICER, lambda w: {"pk": w.glossary_term.pk}),
    "staff:directory:glossary-remove": (OFFICER, lambda w: {"pk": w.glossary_term.pk}),
    **{f"api:{name}": "JSON (tests/opendata/test_api_schema.py)" for name in (
        "openapi-json", "reports", "report", "actions", "charters", "charter",
        "figures", "organisations", "themes", "service-areas")},
}


def _past_meeting_decision() -> dict:
    from actionplan.models import Meeting

    meeting = Meeting.objects.order_by("date", "pk").first()
    return {"pk": meeting.pk, "action_pk": meeting.reviewed_actions.order_by("pk").first().pk}


def _progress(name: str, arg) -> str:
    from feedback import progress

    return getattr(progress, name)(arg)


def _organisation_pk(name: str) -> int:
    from core.models import Organisation

    return Organisation.objects.get(name=name).pk


def _series_pk() -> int:
    from reports.models import ReportSeries

    return ReportSeries.objects.filter(
        organisation__memberships__user__email=OFFICER).order_by("pk").first().pk


def _published_series_slug() -> str:
    from reports.models import ReportSeries

    return ReportSeries.objects.filter(reports__status="published").first().slug

def _evidence_pack_pk() -> int:
    from reports.models import EvidencePack

    return EvidencePack.objects.filter(organisation__isnull=True).first().pk


# Several pages of one kind, so titles can be compared across objects.
def _local_offer_draft_pk() -> int:
    from reports.models import Report

    return Report.objects.filter(local_offer__isnull=False, status="draft").first().pk


EXTRA_PAGES = [
    # A closed opportunity, with what came of it, and its easy-read page.
    ("public", "participation:opportunity", lambda w: {"slug": w.closed_opportunity.slug}),
    ("public", "participation:easy-read", lambda w: {"slug": w.closed_opportunity.slug}),
    (ADMIN, "staff:actionplan:action_detail", lambda w: {"pk": _measure(w, "EHCP20").action_id}),
    # The annual Local Offer report drafted from coded comments, published.
    ("public", "reports:detail", lambda w: {"slug": "local-offer-annual-report-2025-26"}),
    (ADMIN, "staff:charter:item_edit", lambda w: _item(w, "commitment")),
    (ADMIN, "staff:charter:item_delete", lambda w: _item(w, "section")),
    (ADMIN, "staff:charter:item_add", lambda w: {"kind": "section", "parent": w.draft.pk}),
]


def url_names() -> list[str]:
    """Every named URL pattern, with its namespaces, from the URL configuration."""
    names = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
                if p.namespace == "admin":
                    names.append("admin")
                    continue
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                names.append(prefix + p.name)

    walk(get_resolver().url_patterns, "")
    return sorted(set(names))


def pages(world) -> list[tuple[str, str, str]]:
    """(who, name, path) for every HTML page to crawl."""
    from django.urls import reverse

    out = []
    for name in url_names():
        entry = ADDRESSES.get(name)
        if isinstance(entry, tuple):
            who, kwargs = entry
            out.append((who, name, reverse(name, kwargs=kwargs(world))))
    for who, name, kwargs in EXTRA_PAGES:
        out.append((who, name, reverse(name, kwargs=kwargs(world))))
    return out


class WorldSnapshot:
    """The built world, kept for the session: every table's rows (COPY, in
    Postgres's binary format), the files load_demo wrote under MEDIA_ROOT (the
    demo's PDFs) and the World itself. Loading the demo takes ~15 s; putting
    its rows back takes well under one, so each test that asks for `world`
    still starts from exactly the rows, files and objects a fresh build gives
    (with the same primary keys), after the flush of the test before."""

    def __init__(self, world: World, tables: dict[str, bytes], files: dict):
        self.world, self.tables, self.files = world, tables, files

    @staticmethod
    def table_names() -> list[str]:
        # The tables a transactional test's flush empties.
        from django.db import connection

        return connection.introspection.django_table_names(only_existing=True,
                                                           include_views=False)

    @classmethod
    def take(cls, world: World, built_since: float) -> "WorldSnapshot":
        import copy

        from django.conf import settings
        from django.db import connection

        tables = {}
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            for table in cls.table_names():
                with cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as out:
                    tables[table] = b"".join(bytes(block) for block in out)
        media = settings.MEDIA_ROOT
        files = {path: path.read_bytes() for path in media.rglob("*")
                 if path.is_file() and path.stat().st_mtime >= built_since}
        return cls(World(copy.deepcopy(world.objects)), tables, files)

    def restore(self) -> World:
        import copy

        from django.apps import apps
        from django.contrib.contenttypes.models import ContentType
        from django.core.management.color import no_style
        from django.db import connection, transaction

        from core import changes

        tables = list(self.tables)
        with transaction.atomic():
            with connection.cursor() as cursor:
                # After the flush only what post_migrate made is left
                # (content types, permissions): replaced by the world's own.
                cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
            # Foreign keys are DEFERRABLE INITIALLY DEFERRED: checked at commit,
            # so the tables may be filled in any order.
            with connection.connection.cursor() as cursor:
                for table, data in self.tables.items():
                    with cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as into:
                        into.write(data)
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                    cursor.execute(sql)
        ContentType.objects.clear_cache()  # their ids are the world's again
        changes.move_on()  # raw COPY is not seen by the connection's watch
        for path, data in self.files.items():
            if not path.exists() or path.read_bytes() != data:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        return World(copy.deepcopy(self.world.objects))


_snapshot: list[WorldSnapshot] = []


@pytest.fixture
def world(transactional_db):
    """The demo world, built by the session's first test that asks for it and
    put back from its snapshot for every later one (see WorldSnapshot)."""
    import time

    if _snapshot:
        return _snapshot[0].restore()
    started = time.time() - 1  # file times may be rounded down
    w = build_world()
    _snapshot.append(WorldSnapshot.take(w, started))
    return w
