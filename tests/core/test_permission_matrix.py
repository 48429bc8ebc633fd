"""Who may open every staff address, generated from the URL configuration.

Every URL pattern the resolver knows must have an entry in MATRIX (or in
NOT_STAFF with the reason it is no staff page): a new staff page without one
fails test_every_address_has_an_entry, so its permissions are decided and
tried from the day it is added.

For each staff address, with real arguments from the demo content of one
organisation (Gloucestershire County Council), each person is tried:
anonymous, an officer, an approver, a board member and an administrator of
that organisation, and someone who is officer, approver AND administrator of
another organisation (so anything kept to one organisation must still refuse
them). GET and, where the view accepts it, POST (an empty form: a refused
person must be refused before anything is read from it):

- anonymous: sent to sign in, for every method the view accepts;
- "Y": allowed (GET 200 or a redirect that is not to sign-in; POST anything
  but 403, 404, 405 and 500, e.g. a 400 for the empty form);
- "N": refused with 403 or 404, and nothing changed;
- "-": the view does not accept the method (405) for anyone.

Each request runs in a transaction rolled back afterwards, so one person's
POST (a delete, a decision) does not change what the next person is tried on.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse

from tests.a11y.conftest import build_world, url_names

PASSWORD = "a-test-password-123"
GCC = "Gloucestershire County Council"
# officer, approver, board member, administrator, another organisation
PEOPLE = ["officer@demo.example", "approver@demo.example", "board@demo.example",
          "admin@demo.example", "outsider@elsewhere.example"]
ROLE_NAMES = ["officer", "approver", "board member", "administrator", "another organisation"]


@dataclass(frozen=True)
class Entry:
    kwargs: object  # world -> URL kwargs
    get: str  # one letter per person in PEOPLE: Y allowed, N refused, - not accepted
    post: str
    data: dict | None = None  # what is posted (an empty form unless said)


def _item(kind):
    return lambda w: {"kind": kind, "pk": getattr(w, kind).pk}


def no_args(w):
    return {}


def _gcc_org(w):
    from core.models import Organisation
    return {"pk": Organisation.objects.get(name=GCC).pk}


def _failed_job(w):
    from core.models import Job
    return Job.objects.filter(state=Job.State.FAILED, organisation__name=GCC).first()


def _gcc_board(w):
    from actionplan.models import Board
    return Board.objects.filter(organisations__name=GCC).order_by("pk").first()


def _gcc_plan(w):
    from actionplan.models import Plan
    return Plan.objects.filter(board__organisations__name=GCC).order_by("pk").first()


def _measure(code):
    from actionplan.models import Measure
    return Measure.objects.get(code=code)


def _gcc_series(w):
    from reports.models import ReportSeries
    return ReportSeries.objects.filter(organisation__name=GCC).order_by("pk").first()


def _gcc_local_offer_draft(w):
    from reports.models import Report

    return Report.objects.get(organisation__name=GCC, local_offer__isnull=False,
                              status=Report.Status.DRAFT)


def _gcc_signatory(w):
    return w.charter.signatories.filter(organisation__name=GCC).first()


# Addresses that are not staff pages: public pages, or ones with their own
# sign-in (the token in the address, Django's admin).
NOT_STAFF = {
    "home": "public",
    "core:accessibility": "public",
    "core:privacy": "public",
    "core:privacy-easy-read": "public",
    "core:cookies": "public",
    "feedback:give": "public",
    "feedback:give-easy-read": "public",
    "feedback:track": "public",
    "feedback:track-token": "public, the secret is the token in the address",
    "feedback:progress-way-back": "public, the secret is the signed way back in the address",
    "feedback:progress-stop": "public, the secret is the signed stop link in the address",
    "feedback:progress-difference": "public, the secret is the signed question in the address",
    "feedback:sent": "public, shown once to the browser that sent the feedback",
    "charter:index": "public",
    "charter:charter": "public",
    "charter:version": "public",
    "charter:pulse": "public",
    "charter:pulse_invitation": "public, the secret is the token in the address",
    "charter:pulse_thanks": "public",
    "actionplan:index": "public",
    "actionplan:plan": "public",
    "reports:index": "public",
    "reports:feed": "public",
    "reports:detail": "public",
    "reports:version": "public",
    "reports:pdf": "public",
    "reports:pdf-status": "public",
    "reports:useful": "public",
    "reports:series": "public",
    "login": "signing in",
    "logout": "signing out",
    "password_reset": "signing in",
    "password_reset_done": "signing in",
    "password_reset_confirm": "signing in, the secret is the token in the address",
    "password_reset_complete": "signing in",
    "two-factor": "signing in: the second step after the password",
    "signed-out": "signing in: says a session timed out, links to sign in again",
    "participation:index": "public",
    "participation:opportunity": "public",
    "participation:easy-read": "public",
    "participation:take-part": "public",
    "participation:take-part-sent": "public",
    "participation:register": "public",
    "participation:register-joined": "public, shown once to the browser that joined",
    "participation:register-manage": "public, the secret is the token in the address",
    "participation:register-leave": "public, the secret is the token in the address",
    "participation:renew": "public, the secret is the signed renewal link in the address",
    "participation:answer": "public, the secret is the signed invitation link in the address",
    "healthz": "monitoring",
    **{name: "public: open data, the same for everyone (tests/opendata)" for name in (
        "opendata:index", "opendata:docs", "opendata:api-home", "opendata:csv",
        "opendata:csv-metadata", "opendata:csv-metadata-all", "api:api-root",
        "api:openapi-json", "api:reports", "api:report", "api:actions", "api:charters",
        "api:charter", "api:figures", "api:organisations", "api:themes", "api:service-areas")},
    "directory:who-we-are": "public",
    "directory:photo": "public, while the profile is published",
    "directory:glossary": "public",
    "admin": "Django's admin: superusers only, by Django's own checks "
             "(tests/core/test_permissions.py)",
}

MATRIX: dict[str, Entry] = {}  # filled in below, by part of the portal
# What the rules (each app's rules.py) decide, as found and reviewed:
# - an administrator manages people, lists and charters, but does not handle
#   feedback, write reports or update actions (the officers' and approvers' work);
# - an administrator acts for their own organisation only: a charter, an audit
#   or a signature of the county refuses the person from another organisation,
#   though they are an administrator there (issue 19; before, the charter's
#   rules asked "administrator of any organisation"). A partnership
#   administrator acts for partners only where the partnership says so
#   (tests/charter/test_permissions.py). Likewise a board, its plans and
#   meetings refuse an administrator of an organisation not on the board
#   (only the partnership's administrators fix any board or plan:
#   tests/actionplan/test_other_administrator.py). Everything kept to one organisation
#   (feedback, reports, actions' updates, survey imports, people) refuses them.

# --- core ------------------------------------------------------------------------------
MATRIX.update({
    "staff:home": Entry(no_args, "YYYYY", "-----"),
    # The whole partnership's trail, for any organisation's administrator (docs/audit.md).
    "staff:audit": Entry(no_args, "NNNYY", "-----"),
    # Each administrator sees their own organisations' failed work (and work of none).
    "staff:jobs": Entry(no_args, "NNNYY", "-----"),
    "staff:job-retry": Entry(lambda w: {"pk": _failed_job(w).pk}, "-----", "NNNYN"),
    "staff:lists": Entry(no_args, "YYNYY", "-----"),
    "staff:list-add": Entry(no_args, "NNNYY", "NNNYY"),
    "staff:people": Entry(no_args, "NNNYY", "-----"),
    "staff:person-add": Entry(no_args, "NNNYY", "NNNYY"),
    # Partner organisations: the partnership's administrators (the county
    # council's) add and edit them; each organisation's administrators keep
    # its settings. The other organisation's administrator is neither here.
    "staff:organisations": Entry(no_args, "NNNYN", "-----"),
    "staff:organisation-add": Entry(no_args, "NNNYN", "NNNYN"),
    "staff:organisation-edit": Entry(_gcc_org, "NNNYN", "NNNYN"),
    "staff:organisation-administrator": Entry(_gcc_org, "NNNYN", "NNNYN"),
    "staff:organisation-settings": Entry(_gcc_org, "NNNYN", "NNNYN"),
    "staff:role-remove": Entry(lambda w: {"pk": w.membership.pk}, "NNNYN", "NNNYN"),
    "account": Entry(no_args, "YYYYY", "YYYYY"),
    "two-factor-setup": Entry(no_args, "YYYYY", "YYYYY"),
    "two-factor-turn-off": Entry(no_args, "-----", "YYYYY"),
    "session-status": Entry(no_args, "YYYYY", "-----"),
    "session-stay-signed-in": Entry(no_args, "-----", "YYYYY"),
})

# --- feedback --------------------------------------------------------------------------
MATRIX.update({
    "staff:feedback:inbox": Entry(no_args, "YYNYY", "-----"),
    "staff:feedback:export": Entry(no_args, "YYNYY", "-----"),
    "staff:feedback:reopen": Entry(lambda w: {"pk": w.closed.pk}, "YYNNN", "YYNNN"),
    "staff:feedback:detail": Entry(lambda w: {"pk": w.feedback.pk}, "YYNYN", "YYNYN"),
    "staff:feedback:contact-erase": Entry(lambda w: {"pk": w.feedback.pk}, "YYNNN", "YYNNN"),
    "staff:feedback:log": Entry(no_args, "YYNNY", "YYNNY"),
    # Bulk tagging lists only feedback of the person's own organisations.
    "staff:feedback:bulk-themes": Entry(no_args, "YYNNY", "YYNNY"),
    "staff:feedback:replies": Entry(no_args, "YYNYY", "-----"),
    "staff:feedback:reply-decide": Entry(lambda w: {"pk": w.reply.pk}, "-----", "NYNNN"),
    "staff:feedback:quotes": Entry(no_args, "YYNYY", "-----"),
    "staff:feedback:quote-decide": Entry(lambda w: {"pk": w.quote.pk}, "-----", "YYNNN"),
    "staff:feedback:imports": Entry(no_args, "YYNNY", "-----"),
    "staff:feedback:import-new": Entry(no_args, "YYNNY", "YYNNY"),
    "staff:feedback:import-detail": Entry(lambda w: {"pk": w.survey.pk}, "YYNNN", "YYNNN"),
    "staff:feedback:import-progress": Entry(lambda w: {"pk": w.survey.pk}, "YYNNN", "-----"),
    # A failed import: removed by the people who may work on the import itself.
    "staff:feedback:import-remove": Entry(lambda w: {"pk": w.failed_survey.pk}, "YYNNN",
                                          "YYNNN"),
    # A checked import not started: a corrected file, a new name, by the same people.
    "staff:feedback:import-replace": Entry(lambda w: {"pk": w.unused_survey.pk}, "YYNNN",
                                           "YYNNN"),
    "staff:feedback:import-rename": Entry(lambda w: {"pk": w.survey.pk}, "YYNNN", "YYNNN"),
    "staff:feedback:subject-requests": Entry(no_args, "NNNYY", "NNNYY"),
    # Routing (issue 24): the table is the partnership administrators' (the
    # council leads); sending one feedback on is for whoever handles it.
    "staff:feedback:routing": Entry(no_args, "NNNYN", "NNNYN"),
    "staff:feedback:reroute": Entry(lambda w: {"pk": w.feedback.pk}, "YYNNN", "YYNNN"),
    # Reply templates: each organisation's approvers and administrators keep
    # their own (another organisation's people see only theirs).
    "staff:feedback:reply-templates": Entry(no_args, "NYNYY", "NYNYY"),
    "staff:feedback:reply-template-edit": Entry(lambda w: {"pk": w.reply_template.pk},
                                                "NYNYN", "NYNYN"),
    # Paper cards: who logs feedback; a batch's PDF for its organisation's handlers.
    "staff:feedback:cards": Entry(no_args, "YYNNY", "YYNNY"),
    "staff:feedback:card-batch": Entry(lambda w: {"pk": w.card_batch.pk}, "YYNNN", "YYNNN"),
    "staff:feedback:cards-pdf": Entry(lambda w: {"pk": w.card_batch.pk}, "YYNNN", "-----"),
    "staff:feedback:card-log": Entry(no_args, "YYNNY", "YYNNY"),
    "staff:feedback:card-log-easy-read": Entry(no_args, "YYNNY", "YYNNY"),
})

# --- action plan -----------------------------------------------------------------------
MATRIX.update({
    "staff:actionplan:action_list": Entry(no_args, "YYYYY", "-----"),
    "staff:actionplan:dashboard": Entry(no_args, "YYYYY", "-----"),
    "staff:actionplan:export": Entry(no_args, "YYYYY", "-----"),
    "staff:actionplan:action_create": Entry(no_args, "YYNYY", "YYNYY"),
    "staff:actionplan:action_detail": Entry(lambda w: {"pk": w.action.pk}, "YYYYY", "YYNNN"),
    "staff:actionplan:action_edit": Entry(lambda w: {"pk": w.action.pk}, "YYNYN", "YYNYN"),
    "staff:actionplan:plan_list": Entry(no_args, "YYYYY", "-----"),
    "staff:actionplan:plan_create": Entry(no_args, "YYNYN", "YYNYN"),
    "staff:actionplan:plan_detail": Entry(lambda w: {"slug": w.plan.slug}, "YYYYY", "-----"),
    "staff:actionplan:plan_edit": Entry(lambda w: {"slug": _gcc_plan(w).slug}, "YYNYN", "YYNYN"),
    "staff:actionplan:plan_publish": Entry(lambda w: {"slug": _gcc_plan(w).slug}, "-----", "YYNYN"),
    "staff:actionplan:priority_create": Entry(lambda w: {"slug": _gcc_plan(w).slug}, "YYNYN", "YYNYN"),
    "staff:actionplan:priority_edit": Entry(lambda w: {"pk": _gcc_plan(w).priorities.first().pk},
                                            "YYNYN", "YYNYN"),
    "staff:actionplan:priority_move": Entry(lambda w: {"pk": _gcc_plan(w).priorities.first().pk},
                                            "-----", "YYNYN"),
    "staff:actionplan:board_create": Entry(no_args, "NNNYY", "NNNYY"),
    "staff:actionplan:board_edit": Entry(lambda w: {"slug": _gcc_board(w).slug}, "YYNYN", "YYNYN"),
    "staff:actionplan:meeting_edit": Entry(lambda w: {"pk": w.meeting.pk}, "YYNYN", "YYNYN"),
    "staff:actionplan:action_update": Entry(lambda w: {"pk": w.action.pk}, "YYNNN", "YYNNN"),
    "staff:actionplan:evidence_file": Entry(lambda w: {"pk": w.evidence.pk}, "YYYYY", "-----"),
    "staff:actionplan:board_list": Entry(no_args, "YYYYY", "-----"),
    "staff:actionplan:board_detail": Entry(lambda w: {"slug": w.board.slug}, "YYYYY", "-----"),
    "staff:actionplan:meeting_create": Entry(lambda w: {"slug": w.board.slug}, "YYNYY", "YYNYY"),
    "staff:actionplan:meeting_detail": Entry(lambda w: {"pk": w.meeting.pk}, "YYYYY", "-----"),
    "staff:actionplan:meeting_actions": Entry(lambda w: {"pk": w.meeting.pk}, "YYNYY", "YYNYY"),
    "staff:actionplan:meeting_decision": Entry(
        lambda w: {"pk": w.meeting.pk, "action_pk": w.meeting.reviewed_actions.first().pk},
        "YYNYN", "YYNYN"),
    "staff:actionplan:board_pack_generate": Entry(lambda w: {"pk": w.meeting.pk}, "-----",
                                                  "YYNYY"),
    "staff:actionplan:board_pack_download": Entry(lambda w: {"pk": w.meeting.pk}, "YYYYY",
                                                  "-----"),
    # Measures: EHCP20 is on action 2.2, led by the county council; PCF-LISTENED on
    # priority 1 of a plan whose board the council sits on.
    "staff:actionplan:action_measure_create": Entry(
        lambda w: {"pk": _measure("EHCP20").action_id}, "YYNYN", "YYNYN"),
    "staff:actionplan:measure_edit": Entry(lambda w: {"pk": _measure("EHCP20").pk},
                                           "YYNYN", "YYNYN"),
    "staff:actionplan:measure_value_add": Entry(lambda w: {"pk": _measure("EHCP20").pk},
                                                "YYNYN", "YYNYN"),
    "staff:actionplan:measure_upload": Entry(no_args, "YYNYY", "YYNYY"),
    "staff:actionplan:priority_detail": Entry(
        lambda w: {"pk": _measure("PCF-LISTENED").priority_id}, "YYYYY", "-----"),
    "staff:actionplan:priority_measure_create": Entry(
        lambda w: {"pk": _measure("PCF-LISTENED").priority_id}, "YYNYN", "YYNYN"),
})

# --- charter ---------------------------------------------------------------------------
MATRIX.update({
    "staff:charter:audit_reopen": Entry(lambda w: {"pk": w.completed_audit.pk},
                                        "YYNYN", "YYNYN"),
    "staff:charter:signatory_remove": Entry(lambda w: {"pk": _gcc_signatory(w).pk}, "NYNYN", "NYNYN"),
    "staff:charter:charter_list": Entry(no_args, "YYYYY", "-----"),
    "staff:charter:charter_create": Entry(no_args, "YYNYY", "YYNYY"),
    "staff:charter:charter_detail": Entry(lambda w: {"pk": w.draft.pk}, "YYYYY", "-----"),
    "staff:charter:charter_edit": Entry(lambda w: {"pk": w.draft.pk}, "YYNYN", "YYNYN"),
    "staff:charter:new_version": Entry(lambda w: {"pk": w.charter.pk}, "-----", "YYNYN"),
    "staff:charter:adopt": Entry(lambda w: {"pk": w.draft.pk}, "NYNYN", "NYNYN"),
    "staff:charter:sign": Entry(lambda w: {"pk": w.draft.pk}, "NYNYY", "NYNYY"),
    "staff:charter:pulse_rounds": Entry(lambda w: {"pk": w.charter.pk}, "YYNYN", "-----"),
    "staff:charter:pulse_round_create": Entry(lambda w: {"pk": w.charter.pk}, "YYNYN",
                                              "YYNYN"),
    "staff:charter:pulse_round_state": Entry(lambda w: {"pk": w.pulse_round.pk}, "-----",
                                             "YYNYN"),
    "staff:charter:item_add": Entry(lambda w: {"kind": "commitment", "parent": w.section.pk},
                                    "YYNYN", "YYNYN"),
    "staff:charter:item_edit": Entry(_item("section"), "YYNYN", "YYNYN"),
    "staff:charter:item_delete": Entry(_item("commitment"), "YYNYN", "YYNYN"),
    "staff:charter:item_move": Entry(_item("commitment"), "-----", "YYNYN"),
    "staff:charter:audit_list": Entry(no_args, "YYYYY", "-----"),
    "staff:charter:audit_start": Entry(no_args, "YYNYY", "YYNYY"),
    "staff:charter:audit_detail": Entry(lambda w: {"pk": w.audit.pk}, "YYNYN", "-----"),
    "staff:charter:audit_edit": Entry(lambda w: {"pk": w.audit.pk}, "YYNNN", "YYNNN"),
    "staff:charter:improvement_action": Entry(lambda w: {"pk": w.audit.pk}, "YYNYN", "YYNYN"),
    "staff:charter:evidence_list": Entry(no_args, "YYYYY", "-----"),
    "staff:charter:evidence_add": Entry(no_args, "YYNYY", "YYNYY"),
    "staff:charter:evidence_remove": Entry(lambda w: {"pk": w.evidence_link.pk}, "-----",
                                           "YYNYN"),
})

# --- reports ---------------------------------------------------------------------------
MATRIX.update({
    "staff:reports:list": Entry(no_args, "YYNYY", "-----"),
    "staff:reports:create": Entry(no_args, "YYNNY", "YYNNY"),
    "staff:reports:edit": Entry(lambda w: {"pk": w.report.pk}, "YYNYN", "YYNNN"),
    "staff:reports:workflow": Entry(lambda w: {"pk": w.report.pk}, "YYNYN", "YYNNN",
                                    {"action": "submit"}),
    "staff:reports:topics": Entry(lambda w: {"pk": w.report.pk}, "YYNNN", "YYNNN"),
    "staff:reports:topic": Entry(lambda w: {"pk": w.report.pk,
                                            "topic_pk": w.report.topics.first().pk},
                                 "YYNNN", "YYNNN"),
    "staff:reports:item-create": Entry(lambda w: {"pk": w.report.pk}, "YYNNN", "YYNNN"),
    "staff:reports:item-edit": Entry(lambda w: {"pk": w.report.pk,
                                                "item_pk": w.report.items.first().pk},
                                     "YYNNN", "YYNNN"),
    "staff:reports:item-action": Entry(lambda w: {"pk": w.report.pk,
                                                  "item_pk": w.report.items.first().pk},
                                       "YYNNN", "YYNNN"),
    # Renaming a series: whoever drafts its organisation's reports (issue 19).
    "staff:reports:series-edit": Entry(lambda w: {"pk": _gcc_series(w).pk}, "YYNNN", "YYNNN"),
    # The annual Local Offer report (issue 23): drafted like any report; its
    # comments and figures read by whoever reads its drafts, changed by editors.
    "staff:reports:local-offer-new": Entry(no_args, "YYNNY", "YYNNY"),
    "staff:reports:local-offer": Entry(lambda w: {"pk": _gcc_local_offer_draft(w).pk},
                                       "YYNYN", "YYNNN"),
    # The evidence pack (issue 23): every member of staff reads the list and
    # the partnership's packs; one organisation's pack only its own people
    # (and the partnership's administrators); administrators make them.
    "staff:evidence-pack:list": Entry(no_args, "YYYYY", "NNNYY"),
    "staff:evidence-pack:detail": Entry(lambda w: {"pk": _gcc_evidence_pack(w).pk},
                                        "YYYYN", "-----"),
    "staff:evidence-pack:pdf": Entry(lambda w: {"pk": _gcc_evidence_pack(w).pk},
                                     "YYYYN", "-----"),
})


def _gcc_evidence_pack(w):
    from reports.models import EvidencePack
    return EvidencePack.objects.filter(organisation__name=GCC).first()


# --- getting involved (participation/) -------------------------------------------------------
# Opportunities: every officer, approver and administrator keeps their own
# organisation's (another organisation's person sees their own list, empty
# here, and cannot open the county's). The register and the representation
# view are never for board members (issue 25). The area's published figures
# are entered by administrators.
MATRIX.update({
    "staff:participation:list": Entry(no_args, "YYNYY", "-----"),
    "staff:participation:create": Entry(no_args, "YYNYY", "YYNYY"),
    "staff:participation:detail": Entry(lambda w: {"pk": _gcc_opportunity(w).pk}, "YYNYN", "YYNYN"),
    "staff:participation:edit": Entry(lambda w: {"pk": _gcc_opportunity(w).pk}, "YYNYN", "YYNYN"),
    "staff:participation:register": Entry(no_args, "YYNYY", "-----"),
    "staff:participation:representation": Entry(no_args, "YYNYY", "-----"),
    "staff:participation:figures": Entry(lambda w: {"dimension": "need"}, "NNNYY", "NNNYY"),
})


def _gcc_opportunity(w):
    from participation.models import Opportunity
    return Opportunity.objects.filter(organisation__name=GCC).order_by("pk").first()


# --- who's who and jargon buster (issue 25) ----------------------------------------------
MATRIX.update({
    # A profile is its organisation's: its officers, approvers and administrators
    # keep it (and remove it when consent is withdrawn); board members none.
    "staff:directory:profiles": Entry(no_args, "YYNYY", "-----"),
    "staff:directory:profile-add": Entry(no_args, "YYNYY", "YYNYY"),
    "staff:directory:profile-edit": Entry(lambda w: {"pk": w.profile.pk}, "YYNYN", "YYNYN"),
    "staff:directory:profile-withdraw": Entry(lambda w: {"pk": w.profile.pk}, "YYNYN", "YYNYN"),
    # The glossary is the partnership's one list, kept by any partner's working staff.
    "staff:directory:glossary": Entry(no_args, "YYNYY", "-----"),
    "staff:directory:glossary-add": Entry(no_args, "YYNYY", "YYNYY"),
    "staff:directory:glossary-edit": Entry(lambda w: {"pk": w.glossary_term.pk}, "YYNYY",
                                           "YYNYY"),
    "staff:directory:glossary-remove": Entry(lambda w: {"pk": w.glossary_term.pk}, "YYNYY",
                                             "YYNYY"),
})

# The published version of a report: "withdraw" and "new version" are posts to
# its workflow address. Approvers of its organisation withdraw; anyone who may
# draft (its officers and approvers) starts a new version, so a lone approver
# is never the author of the only draft they could approve (issue #12).
WORKFLOW_ON_PUBLISHED = {
    "withdraw": "NYNNN",
    "new_version": "YYNNN",
}


# --- The world -------------------------------------------------------------------------


def _gcc_world():
    """The demo content, with every object the addresses need taken from (or
    added to) Gloucestershire County Council, where the four people work."""
    from actionplan import services as actionplan_services
    from actionplan.models import Action, Meeting
    from charter import services as charter_services
    from charter.models import Charter, EvidenceLink, ParticipationAudit, PulseRound
    from core.models import Membership, Organisation, Role
    from feedback.models import Feedback, Quote, Reply
    from reports.models import Report

    w = build_world()
    gcc = Organisation.objects.get(name=GCC)
    admin = w.admin
    officer = get_user_model().objects.get(email=PEOPLE[0])

    elsewhere = Organisation.objects.create(name="Elsewhere Borough Council",
                                            slug="elsewhere", kind="local_authority")
    outsider = get_user_model().objects.create_user(email=PEOPLE[4], password=PASSWORD)
    for role in (Role.OFFICER, Role.APPROVER, Role.ADMINISTRATOR):
        Membership.objects.create(user=outsider, organisation=elsewhere, role=role)

    adopted = (Charter.objects.filter(organisation=gcc, status=Charter.Status.ADOPTED)
               .order_by("pk").first())
    draft = (Charter.objects.filter(organisation=gcc, status=Charter.Status.DRAFT).first()
             or charter_services.charter_new_version(acting_user=admin, charter=adopted))
    section = draft.sections.first()
    w.objects.update(charter=adopted, draft=draft, section=section,
                     commitment=section.commitments.first())
    w.objects["pulse_round"] = (PulseRound.objects.filter(charter=adopted).first()
                                or charter_services.pulse_round_create(
                                    acting_user=admin, charter=adopted, title="Matrix round",
                                    held_on=adopted.adopted_on or draft.created_at.date(),
                                    access="invitation"))
    w.objects["audit"] = (ParticipationAudit.objects.filter(organisation=gcc, status="in_progress")
                          .order_by("pk").first())
    w.objects["evidence_link"] = (EvidenceLink.objects.filter(
        commitment__section__charter=adopted).first())

    feedback = Feedback.objects.filter(organisation=gcc, wants_contact=True,
                                       needs_reply=True).first()
    from feedback.cards import card_batch_print

    w.objects["card_batch"] = card_batch_print(acting_user=officer, organisation=gcc,
                                               paper="A5", easy_read=False, size=1)
    w.objects["feedback"] = feedback
    w.objects["reply"] = Reply.objects.create(
        feedback=feedback, author=officer, outcome="done", text="We have fixed it.",
        state=Reply.State.AWAITING_APPROVAL)
    w.objects["quote"] = Quote.objects.create(
        feedback=feedback, redacted_text="It was hard to find.", proposed_by=admin)

    action = Action.objects.filter(lead_organisation=gcc).first()
    w.objects["action"] = action
    update = actionplan_services.action_update_progress(
        acting_user=admin, action=action, status="on_track", percent=10,
        narrative="Started.",
        evidence_files=[SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n%%EOF\n",
                                           content_type="application/pdf")])
    w.objects["evidence"] = update.evidence.exclude(file="").get()
    meeting = w.meeting
    meeting.pack_file.save("matrix-pack.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    meeting.pack_state = Meeting.PackState.READY
    meeting.save()
    # The county council's evidence pack, with its PDF (made after commit elsewhere).
    from reports.models import EvidencePack

    pack = EvidencePack.objects.get(organisation=gcc)
    if not pack.pdf_ready:
        pack.pdf_file.save("matrix-evidence.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        pack.pdf_state = EvidencePack.PdfState.READY
        pack.save()

    w.objects["published"] = Report.objects.filter(organisation=gcc,
                                                   status=Report.Status.PUBLISHED).first()
    w.objects["membership"] = Membership.objects.filter(organisation=gcc).exclude(
        user=admin).first()
    for name in ("report", "survey", "membership", "published"):
        assert getattr(w, name) is not None, f"the demo has no {name} for {GCC}"
    return w


# --- Requests --------------------------------------------------------------------------


def _request(client: Client, method: str, path: str, data=None):
    """One request whose writes are rolled back; an exception is a 500."""
    sid = transaction.savepoint()
    try:
        response = getattr(client, method)(path, data or {})
    except Exception as exc:  # reported with the address, not lost
        response = exc
    finally:
        transaction.savepoint_rollback(sid)
    return response


def _status(response) -> str:
    if isinstance(response, Exception):
        return f"500 ({type(response).__name__}: {response})"[:200]
    if response.status_code in (301, 302, 303):
        return f"{response.status_code} → {response['Location']}"
    return str(response.status_code)


def _signed_in_redirect(response) -> bool:
    return (not isinstance(response, Exception) and response.status_code == 302
            and response["Location"].startswith(reverse("login")))


def _meets(expected: str, method: str, response) -> bool:
    if isinstance(response, Exception):
        return False
    code = response.status_code
    if expected == "-":
        return code == 405
    if expected == "N":
        return code in (403, 404)
    if _signed_in_redirect(response) or code in (403, 404, 405) or code >= 500:
        return False
    return code in (200, 302) if method == "get" else True


def _accepts(path: str, method: str) -> bool:
    view = resolve(path).func
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return True
    return hasattr(view_class, method) and method in view_class.http_method_names


def test_every_address_has_an_entry():
    """A new URL pattern must be put in MATRIX (staff) or NOT_STAFF (with why)."""
    names = set(url_names())
    missing = sorted(names - set(MATRIX) - set(NOT_STAFF))
    assert not missing, (
        f"Say who may open these addresses in {__name__}.MATRIX (or why they are no staff "
        f"page in NOT_STAFF): {missing}")
    stale = sorted((set(MATRIX) | set(NOT_STAFF)) - names)
    assert not stale, f"Entries for addresses that no longer exist: {stale}"
    assert not set(MATRIX) & set(NOT_STAFF)
    for name, entry in MATRIX.items():
        assert len(entry.get) == len(entry.post) == len(PEOPLE), name


def test_everything_under_staff_is_in_the_matrix():
    """A page under /staff/ cannot be waved through as public."""
    staff_prefix = reverse("staff:home")
    public_under_staff = {"login", "logout", "password_reset", "password_reset_done",
                          "password_reset_complete", "two-factor", "signed-out"}
    for name in NOT_STAFF:
        if name in ("admin", "password_reset_confirm"):
            continue
        path = reverse(name, kwargs=_dummy_kwargs(name))
        if path.startswith(staff_prefix):
            assert name in public_under_staff, f"{name} is under /staff/ but not in MATRIX"


def _dummy_kwargs(name):
    pattern = resolve_pattern(name)
    return {key: ("x" if conv == "str" else "x-y" if conv == "slug" else 1)
            for key, conv in pattern.items()}


def resolve_pattern(name) -> dict:
    """The converters of a named pattern: {kwarg: converter name}."""
    from django.urls import get_resolver

    possibilities = get_resolver().reverse_dict.getlist(name) or []
    if not possibilities:
        ns, _, short = name.rpartition(":")
        resolver = get_resolver()
        for part in ns.split(":") if ns else []:
            resolver = resolver.namespace_dict[part][1]
        possibilities = resolver.reverse_dict.getlist(short)
    _, _, _, converters = possibilities[0]
    return {key: type(conv).__name__.replace("Converter", "").lower()
            for key, conv in converters.items()}


@pytest.mark.django_db
def test_every_staff_address_answers_each_person_as_the_matrix_says():
    world = _gcc_world()
    clients = {}
    for email in PEOPLE:
        client = Client()
        client.force_login(get_user_model().objects.get(email=email))
        clients[email] = client
    anonymous = Client()
    wrong = []
    for name in sorted(MATRIX):
        entry = MATRIX[name]
        path = reverse(name, kwargs=entry.kwargs(world))
        for method, expected_row in (("get", entry.get), ("post", entry.post)):
            accepted = _accepts(path, method)
            if accepted != (set(expected_row) != {"-"}):
                wrong.append(f"{method.upper()} {name}: the view "
                             f"{'accepts' if accepted else 'does not accept'} it, "
                             f"the matrix says {expected_row}")
                continue
            if not accepted:
                continue
            data = entry.data if method == "post" else None
            response = _request(anonymous, method, path, data)
            if not _signed_in_redirect(response):
                wrong.append(f"{method.upper()} {name} anonymous: {_status(response)}, "
                             "expected a redirect to sign in")
            for email, role, expected in zip(PEOPLE, ROLE_NAMES, expected_row, strict=True):
                response = _request(clients[email], method, path, data)
                if not _meets(expected, method, response):
                    wrong.append(f"{method.upper()} {name} {role}: {_status(response)}, "
                                 f"expected {'allowed' if expected == 'Y' else 'refused'}")
    # Withdraw and new version, on the published version of a report.
    path = reverse("staff:reports:workflow", kwargs={"pk": world.published.pk})
    for action, expected_row in WORKFLOW_ON_PUBLISHED.items():
        data = {"action": action, "withdrawn_reason": "It named a school."}
        response = _request(anonymous, "post", path, data)
        if not _signed_in_redirect(response):
            wrong.append(f"POST workflow {action} anonymous: {_status(response)}")
        for email, role, expected in zip(PEOPLE, ROLE_NAMES, expected_row, strict=True):
            response = _request(clients[email], "post", path, data)
            ok = _meets(expected, "post", response) and (
                expected == "N" or response.status_code in (200, 302))
            if not ok:
                wrong.append(f"POST workflow {action} {role}: {_status(response)}, "
                             f"expected {'allowed' if expected == 'Y' else 'refused'}")
    assert not wrong, "\n".join(wrong)


# --- An administrator of another organisation, on every charter and audit address -----
#
# Only an administrator (no officer or approver role) of Elsewhere Borough
# Council, so nothing they are allowed comes from drafting or auditing there
# (issue 19). "Y": allowed for their own organisation (a list, starting a
# charter or an audit, signing, linking evidence); "N": refused, and every
# row of the charter app, the actions and the audit trail is as it was.
OTHER_ADMINISTRATOR = "administrator@elsewhere.example"
CHARTER_OTHER_ADMINISTRATOR = {
    "staff:charter:charter_list": "Y-",
    "staff:charter:charter_create": "YY",
    "staff:charter:charter_detail": "Y-",
    "staff:charter:charter_edit": "NN",
    "staff:charter:new_version": "-N",
    "staff:charter:adopt": "NN",
    "staff:charter:sign": "YY",
    "staff:charter:pulse_rounds": "N-",
    "staff:charter:pulse_round_create": "NN",
    "staff:charter:pulse_round_state": "-N",
    "staff:charter:item_add": "NN",
    "staff:charter:item_edit": "NN",
    "staff:charter:item_delete": "NN",
    "staff:charter:item_move": "-N",
    "staff:charter:signatory_remove": "NN",
    "staff:charter:audit_list": "Y-",
    "staff:charter:audit_start": "YY",
    "staff:charter:audit_detail": "N-",
    "staff:charter:audit_edit": "NN",
    "staff:charter:audit_reopen": "NN",
    "staff:charter:improvement_action": "NN",
    "staff:charter:evidence_list": "Y-",
    "staff:charter:evidence_add": "YY",
    "staff:charter:evidence_remove": "-N",
}


def _charter_rows():
    from django.apps import apps

    from actionplan.models import Action
    from core.models import AuditEvent

    models = [*apps.get_app_config("charter").get_models(), Action, AuditEvent]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


@pytest.mark.django_db
def test_an_administrator_of_another_organisation_on_every_charter_address():
    assert set(CHARTER_OTHER_ADMINISTRATOR) == {
        name for name in MATRIX if name.startswith("staff:charter:")}
    world = _gcc_world()
    from core.models import Membership, Organisation, Role

    person = get_user_model().objects.create_user(email=OTHER_ADMINISTRATOR, password=PASSWORD)
    Membership.objects.create(user=person, role=Role.ADMINISTRATOR,
                              organisation=Organisation.objects.get(slug="elsewhere"))
    client = Client()
    client.force_login(person)
    wrong = []
    for name, expected_row in sorted(CHARTER_OTHER_ADMINISTRATOR.items()):
        entry = MATRIX[name]
        path = reverse(name, kwargs=entry.kwargs(world))
        for method, expected in zip(("get", "post"), expected_row, strict=True):
            if _accepts(path, method) != (expected != "-"):
                wrong.append(f"{method.upper()} {name}: the table says {expected}")
                continue
            if expected == "-":
                continue
            sid = transaction.savepoint()
            before = _charter_rows()
            try:
                response = getattr(client, method)(path, entry.data or {})
            except Exception as exc:
                response = exc
            changed = expected == "N" and _charter_rows() != before
            transaction.savepoint_rollback(sid)
            if not _meets(expected, method, response):
                wrong.append(f"{method.upper()} {name}: {_status(response)}, "
                             f"expected {'allowed' if expected == 'Y' else 'refused'}")
            if changed:
                wrong.append(f"{method.upper()} {name}: refused, but the database changed")
    assert not wrong, "\n".join(wrong)
