"""Stored audit verbs move from free text in three styles ("created",
"progress_updated", "report drafted", f"{kind} added") to the values of
`core.audit.Verb` ("plan.created", "report.drafted", …).

The mapping is written out here, not imported, so this migration means the
same thing however the enum changes later. "created" and "changed" said
nothing about what was created: the target's type decides. A verb not listed
is left as it was (the audit page shows such a value as it is).
"""

from django.db import migrations

CHARTER_KINDS = ("section", "commitment", "practice", "statement", "responsibility")

# (old verb, target type or None for any) -> new verb
MAPPING = [
    ("created", "core.theme", "theme.added"),
    ("created", "core.servicearea", "service_area.added"),
    ("created", "actionplan.plan", "plan.created"),
    ("created", "actionplan.priority", "priority.created"),
    ("created", "actionplan.action", "action.created"),
    ("created", "actionplan.board", "board.created"),
    ("created", "actionplan.meeting", "meeting.created"),
    ("created", "charter.charter", "charter.created"),
    ("changed", "charter.charter", "charter.changed"),
    ("role given", None, "role.given"),
    ("role removed", None, "role.removed"),
    ("organisation settings changed", None, "organisation.settings_changed"),
    ("two-factor sign-in turned on", None, "two_factor.turned_on"),
    ("two-factor sign-in turned off", None, "two_factor.turned_off"),
    ("volume seeded", None, "volume.seeded"),
    ("feedback received", None, "feedback.received"),
    ("feedback status changed", None, "feedback.status_changed"),
    ("feedback assigned", None, "feedback.assigned"),
    ("feedback tagged", None, "feedback.tagged"),
    ("note added", None, "feedback.note_added"),
    ("contact details erased", None, "feedback.contact_details_erased"),
    ("reply written", None, "reply.written"),
    ("reply approved", None, "reply.approved"),
    ("reply returned", None, "reply.returned"),
    ("quote proposed", None, "quote.proposed"),
    ("quote approved", None, "quote.approved"),
    ("quote rejected", None, "quote.rejected"),
    ("subject access export", None, "subject.access_exported"),
    ("subject erased", None, "subject.erased"),
    ("survey uploaded", None, "survey.uploaded"),
    ("survey import started", None, "survey.import_started"),
    ("survey imported", None, "survey.imported"),
    ("progress_updated", None, "action.progress_updated"),
    ("feedback linked", None, "action.feedback_linked"),
    ("actions_selected", None, "meeting.actions_selected"),
    ("board_pack_requested", None, "board_pack.requested"),
    ("board_pack_generated", None, "board_pack.generated"),
    ("board_pack_failed", None, "board_pack.failed"),
    ("new version drafted", None, "charter.version_drafted"),
    ("adopted", None, "charter.adopted"),
    ("signed", None, "charter.signed"),
    *((f"{kind} {old}", None, f"charter.item_{new}") for kind in CHARTER_KINDS
      for old, new in (("added", "added"), ("changed", "changed"), ("deleted", "deleted"),
                       ("moved", "moved"))),
    ("pulse round created", None, "pulse_round.created"),
    ("pulse round open", None, "pulse_round.opened"),
    ("pulse round closed", None, "pulse_round.closed"),
    ("pulse answered", None, "pulse_round.answered"),
    ("audit started", None, "participation_audit.started"),
    ("audit saved", None, "participation_audit.saved"),
    ("audit completed", None, "participation_audit.completed"),
    ("improvement action added", None, "participation_audit.improvement_action_added"),
    ("evidence linked", None, "evidence.linked"),
    ("evidence unlinked", None, "evidence.unlinked"),
    ("report drafted", None, "report.drafted"),
    ("report edited", None, "report.edited"),
    ("report in_review", None, "report.submitted"),
    ("report draft", None, "report.returned"),
    ("report approved", None, "report.approved"),
    ("report published", None, "report.published"),
    ("report withdrawn", None, "report.withdrawn"),
    ("report new version", None, "report.version_drafted"),
    ("report PDF retried", None, "report.pdf_retried"),
    ("report item saved", None, "report.item_saved"),
    ("report item deleted", None, "report.item_deleted"),
    ("report topic added", None, "report.topic_added"),
    ("report topic renamed", None, "report.topic_renamed"),
    ("report topic deleted", None, "report.topic_deleted"),
]


def forwards(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    for old, target_type, new in MAPPING:
        events = AuditEvent.objects.filter(verb=old)
        if target_type:
            events = events.filter(target_type=target_type)
        events.update(verb=new)


def backwards(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    for old, target_type, new in MAPPING:
        events = AuditEvent.objects.filter(verb=new)
        if target_type:
            events = events.filter(target_type=target_type)
        kind = old.split(" ")[0]
        if new.startswith("charter.item_"):  # which kind of item is in the data
            events = events.filter(data__kind=kind)
        events.update(verb=old)


class Migration(migrations.Migration):

    dependencies = [("core", "0003_auditevent_verb_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
