"""Every kind of audited event, in one place.

Like Zulip's `AuditLogEventType`: a service records one of these verbs, never
free text, so the trail can be filtered by what happened and a new kind of
event is a reviewed change here (and `core.services.audit_record` refuses an
unknown one, so a test catches a typo at once).

Values are "<object>.<what happened>" in lower case with underscores; labels
are what staff read on the audit page. A stored value must never change
meaning: rename a label freely, but give a changed value a data migration
(see core/migrations/0003_audit_verbs.py for the mapping from the free-text
verbs used before this enum).
"""

from django.db import models


class Verb(models.TextChoices):
    # --- core: lists, people, organisations, accounts ---
    THEME_ADDED = "theme.added", "Theme added"
    SERVICE_AREA_ADDED = "service_area.added", "Service area added"
    ROLE_GIVEN = "role.given", "Role given"
    ROLE_REMOVED = "role.removed", "Role removed"
    ORGANISATION_ADDED = "organisation.added", "Partner organisation added"
    ORGANISATION_EDITED = "organisation.edited", "Partner organisation edited"
    ACCOUNT_EDITED = "account.edited", "Own account details changed"
    ORGANISATION_SETTINGS_CHANGED = ("organisation.settings_changed",
                                     "Organisation settings changed")
    TWO_FACTOR_TURNED_ON = "two_factor.turned_on", "Two-factor sign-in turned on"
    TWO_FACTOR_TURNED_OFF = "two_factor.turned_off", "Two-factor sign-in turned off"
    JOB_RETRIED = "job.retried", "Background work tried again"
    VOLUME_SEEDED = "volume.seeded", "Volume test data loaded"

    # --- directory: who's who and the jargon buster ---
    PROFILE_ADDED = "profile.added", "Who's who profile added, with consent"
    PROFILE_EDITED = "profile.edited", "Who's who profile edited"
    PROFILE_CONSENT_WITHDRAWN = ("profile.consent_withdrawn",
                                 "Consent withdrawn: who's who profile and photo removed")
    GLOSSARY_TERM_ADDED = "glossary.added", "Jargon buster entry added"
    GLOSSARY_TERM_EDITED = "glossary.edited", "Jargon buster entry edited"
    GLOSSARY_TERM_REMOVED = "glossary.removed", "Jargon buster entry removed"

    # --- feedback ---
    FEEDBACK_RECEIVED = "feedback.received", "Feedback received"
    FEEDBACK_STATUS_CHANGED = "feedback.status_changed", "Feedback status changed"
    FEEDBACK_ASSIGNED = "feedback.assigned", "Feedback assigned"
    FEEDBACK_TAGGED = "feedback.tagged", "Feedback tagged"
    FEEDBACK_SHARED = "feedback.shared", "Feedback shared with another organisation"
    FEEDBACK_UNSHARED = "feedback.unshared", "Feedback no longer shared with an organisation"
    FEEDBACK_REOPENED = "feedback.reopened", "Feedback reopened"
    FEEDBACK_EXPORTED = "feedback.exported", "Feedback exported as CSV"
    FEEDBACK_NOTE_ADDED = "feedback.note_added", "Internal note added"
    FEEDBACK_CONTACT_DETAILS_ERASED = ("feedback.contact_details_erased",
                                       "Contact details erased")
    LOCAL_OFFER_CODED = "local_offer.coded", "Local Offer comment coded"
    LOCAL_OFFER_LEFT_OUT = "local_offer.left_out", "Local Offer comment left out of publication"
    LOCAL_OFFER_PUT_BACK = "local_offer.put_back", "Local Offer comment put back for publication"
    FEEDBACK_PROGRESS_STOPPED = ("feedback.progress_stopped",
                                 "Family stopped progress messages")
    FEEDBACK_DIFFERENCE_ANSWERED = ("feedback.difference_answered",
                                    "Family said whether it made a difference")
    REPLY_WRITTEN = "reply.written", "Reply written"
    REPLY_APPROVED = "reply.approved", "Reply approved"
    REPLY_RETURNED = "reply.returned", "Reply returned"
    QUOTE_PROPOSED = "quote.proposed", "Quote proposed"
    QUOTE_APPROVED = "quote.approved", "Quote approved"
    QUOTE_REJECTED = "quote.rejected", "Quote rejected"
    SUBJECT_ACCESS_EXPORTED = "subject.access_exported", "Subject access export made"
    SUBJECT_ERASED = "subject.erased", "Subject’s data erased"
    SURVEY_UPLOADED = "survey.uploaded", "Survey uploaded"
    SURVEY_CHECKED = "survey.checked", "Survey file checked"
    SURVEY_IMPORT_STARTED = "survey.import_started", "Survey import started"
    SURVEY_IMPORTED = "survey.imported", "Survey imported"
    SURVEY_REMOVED = "survey.removed", "Survey import removed"
    SURVEY_FILE_REPLACED = "survey.file_replaced", "Survey file replaced by a corrected one"
    SURVEY_RENAMED = "survey.renamed", "Survey import renamed"
    # Routing, reply templates and paper cards (issue 24)
    ROUTE_SAVED = "route.saved", "Route saved"
    ROUTE_REMOVED = "route.removed", "Route removed"
    FEEDBACK_REROUTED = "feedback.rerouted", "Feedback sent to another organisation"
    FEEDBACK_ROUTE_SUGGESTED = ("feedback.route_suggested",
                                "Another organisation suggested by a tagged theme's route")
    FEEDBACK_ROUTE_KEPT = "feedback.route_kept", "Feedback kept after a suggested route"
    REPLY_TEMPLATE_SAVED = "reply_template.saved", "Reply template saved"
    REPLY_TEMPLATE_REMOVED = "reply_template.removed", "Reply template removed"
    CARDS_PRINTED = "cards.printed", "Feedback cards printed"
    CARD_LOGGED = "card.logged", "Feedback card logged"

    # --- action plan ---
    PLAN_CREATED = "plan.created", "Plan created"
    PLAN_EDITED = "plan.edited", "Plan edited"
    PLAN_PUBLISHED = "plan.published", "Plan published"
    PLAN_UNPUBLISHED = "plan.unpublished", "Plan unpublished"
    PRIORITY_CREATED = "priority.created", "Priority created"
    PRIORITY_EDITED = "priority.edited", "Priority edited"
    PRIORITY_MOVED = "priority.moved", "Priority moved"
    ACTION_CREATED = "action.created", "Action created"
    ACTION_EDITED = "action.edited", "Action edited"
    ACTION_PROGRESS_UPDATED = "action.progress_updated", "Action progress updated"
    ACTION_FEEDBACK_LINKED = "action.feedback_linked", "Feedback linked to an action"
    MEASURE_CREATED = "measure.created", "Measure created"
    MEASURE_EDITED = "measure.edited", "Measure edited"
    MEASURE_VALUE_ADDED = "measure.value_added", "Measure value added"
    MEASURE_VALUES_UPLOADED = "measure.values_uploaded", "Measure values uploaded"
    MEASURE_FAMILY_VALUES_SET = "measure.family_values_set", "Family-reported values refreshed"
    BOARD_CREATED = "board.created", "Board created"
    BOARD_EDITED = "board.edited", "Board edited"
    MEETING_CREATED = "meeting.created", "Meeting created"
    MEETING_EDITED = "meeting.edited", "Meeting edited"
    MEETING_ACTIONS_SELECTED = "meeting.actions_selected", "Meeting actions chosen"
    MEETING_DECISION_RECORDED = "meeting.decision_recorded", "Meeting decision recorded"
    BOARD_PACK_REQUESTED = "board_pack.requested", "Board pack requested"
    BOARD_PACK_GENERATED = "board_pack.generated", "Board pack made"
    BOARD_PACK_FAILED = "board_pack.failed", "Board pack failed"

    # --- charter ---
    CHARTER_CREATED = "charter.created", "Charter created"
    CHARTER_CHANGED = "charter.changed", "Charter changed"
    CHARTER_VERSION_DRAFTED = "charter.version_drafted", "New charter version drafted"
    CHARTER_ADOPTED = "charter.adopted", "Charter adopted"
    CHARTER_SIGNED = "charter.signed", "Charter signed"
    CHARTER_SIGNATORY_REMOVED = "charter.signatory_removed", "Charter signatory removed"
    CHARTER_ITEM_ADDED = "charter.item_added", "Charter item added"
    CHARTER_ITEM_CHANGED = "charter.item_changed", "Charter item changed"
    CHARTER_ITEM_DELETED = "charter.item_deleted", "Charter item deleted"
    CHARTER_ITEM_MOVED = "charter.item_moved", "Charter item moved"
    PULSE_ROUND_CREATED = "pulse_round.created", "Pulse round created"
    PULSE_ROUND_OPENED = "pulse_round.opened", "Pulse round opened"
    PULSE_ROUND_CLOSED = "pulse_round.closed", "Pulse round closed"
    PULSE_ANSWERED = "pulse_round.answered", "Pulse round answered"
    PARTICIPATION_AUDIT_STARTED = "participation_audit.started", "Participation audit started"
    PARTICIPATION_AUDIT_SAVED = "participation_audit.saved", "Participation audit saved"
    PARTICIPATION_AUDIT_COMPLETED = ("participation_audit.completed",
                                     "Participation audit completed")
    PARTICIPATION_AUDIT_REOPENED = ("participation_audit.reopened",
                                    "Participation audit reopened")
    IMPROVEMENT_ACTION_ADDED = ("participation_audit.improvement_action_added",
                                "Improvement action added")
    EVIDENCE_LINKED = "evidence.linked", "Evidence linked"
    EVIDENCE_UNLINKED = "evidence.unlinked", "Evidence unlinked"

    # --- getting involved (participation/) ---
    OPPORTUNITY_SAVED = "opportunity.saved", "Opportunity to take part saved"
    INTEREST_RECEIVED = "opportunity.interest_received", "Someone would like to take part"
    REGISTER_JOINED = "register.joined", "Joined the participation register"
    REGISTER_CHANGED = "register.changed", "Changed their register choices"
    REGISTER_LEFT = "register.left", "Left the participation register"
    REGISTER_RENEWED = "register.renewed", "Renewed their register consent"
    REGISTER_RENEWAL_ASKED = "register.renewal_asked", "Asked to renew register consent"
    REGISTER_LAPSED = "register.lapsed", "Lapsed register entry erased"
    INTEREST_ERASED = ("opportunity.interest_erased",
                       "Contact details given to take part erased after the opportunity closed")
    REGISTER_INVITED = "register.invited", "Register members invited"
    INVITATION_ANSWERED = "invitation.answered", "Invitation answered"
    AREA_FIGURES_SAVED = "area_figures.saved", "Area figures saved"

    # --- reports ---
    REPORT_DRAFTED = "report.drafted", "Report drafted"
    REPORT_EDITED = "report.edited", "Report edited"
    REPORT_SUBMITTED = "report.submitted", "Report sent for review"
    REPORT_RETURNED = "report.returned", "Report returned to draft"
    REPORT_APPROVED = "report.approved", "Report approved"
    REPORT_PUBLISHED = "report.published", "Report published"
    REPORT_WITHDRAWN = "report.withdrawn", "Report withdrawn"
    REPORT_VERSION_DRAFTED = "report.version_drafted", "New report version drafted"
    REPORT_PDF_RETRIED = "report.pdf_retried", "Report PDF tried again"
    REPORT_ITEM_SAVED = "report.item_saved", "Report item saved"
    REPORT_ITEM_DELETED = "report.item_deleted", "Report item deleted"
    REPORT_ITEM_MOVED = "report.item_moved", "Report item moved"
    REPORT_TOPIC_ADDED = "report.topic_added", "Report topic added"
    REPORT_TOPIC_RENAMED = "report.topic_renamed", "Report topic renamed"
    REPORT_TOPIC_MOVED = "report.topic_moved", "Report topic moved"
    REPORT_TOPIC_DELETED = "report.topic_deleted", "Report topic deleted"
    REPORT_SERIES_RENAMED = "report.series_renamed", "Report series renamed"
    EVIDENCE_PACK_REQUESTED = "evidence_pack.requested", "Evidence pack made"
    REPORT_LOCAL_OFFER_DRAFTED = ("report.local_offer_drafted",
                                  "Annual Local Offer report drafted from the comments")
    REPORT_LOCAL_OFFER_EDITED = ("report.local_offer_edited",
                                 "How families reviewed the Local Offer edited")


def snapshot(obj, names) -> dict:
    """The values of `names` on `obj` now (a foreign key by its id), to pass
    to `changed_fields` after the change."""
    from django.core.exceptions import FieldDoesNotExist

    values = {}
    for name in names:
        try:
            values[name] = getattr(obj, obj._meta.get_field(name).attname)
        except (FieldDoesNotExist, AttributeError):  # not a stored field: not recorded
            continue
    return values


def changed_fields(obj, before: dict) -> list[str]:
    """The names of the fields whose values differ from `before`: what an
    audit event records as {"changed": [...]} (names only, never values,
    which may be a family's words)."""
    return sorted(name for name, value in before.items()
                  if getattr(obj, obj._meta.get_field(name).attname) != value)


def verb_label(value: str) -> str:
    """The label of a stored verb; the value itself for one no longer in the enum."""
    try:
        return Verb(value).label
    except ValueError:
        return value
