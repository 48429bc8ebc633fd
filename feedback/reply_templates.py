"""Reply templates: replies an organisation often gives, kept per outcome
(done, in progress, not possible with the start of its reason), for an
officer to start from and edit. A template is only words: nothing of a
family is ever put into it (no placeholders are filled), so the officer
writes anything personal themselves."""

from django.db import transaction
from django.db.models import QuerySet

from core.audit import Verb
from core.models import Organisation
from core.services import audit_record

from .models import Reply, ReplyTemplate


def reply_templates_for(organisation_id: int) -> QuerySet[ReplyTemplate]:
    """An organisation's templates, in the order the reply form offers them."""
    return ReplyTemplate.objects.filter(organisation_id=organisation_id).order_by("outcome", "title")


def reply_templates_of(organisation_ids) -> QuerySet[ReplyTemplate]:
    return (ReplyTemplate.objects.filter(organisation_id__in=organisation_ids)
            .select_related("organisation").order_by("organisation__name", "outcome", "title"))


def filled_reply(template: ReplyTemplate, *, typed_text: str = "", typed_reason: str = "") -> dict:
    """What the reply form holds after "Use template": the template's
    outcome, words and reason, after anything the officer had typed already
    (nothing typed is lost). Nothing of the family is filled in."""
    def joined(typed: str, words: str) -> str:
        typed = typed.strip()
        return f"{typed}\n\n{words}" if typed and words else (typed or words)

    return {"outcome": template.outcome, "text": joined(typed_text, template.text),
            "reason": joined(typed_reason, template.reason)
            if template.outcome == Reply.Outcome.NOT_POSSIBLE else typed_reason.strip()}


@transaction.atomic
def reply_template_save(*, acting_user, organisation: Organisation, outcome: str, title: str,
                        text: str, reason: str = "",
                        template: ReplyTemplate | None = None) -> ReplyTemplate:
    """Add or change a template. "Not possible" templates carry the start
    of the reason (the rationale families are owed). Audited
    (reply_template.saved, ids only). Who may call: an approver or
    administrator of the organisation (the view checks)."""
    template = template or ReplyTemplate()
    template.organisation, template.outcome = organisation, outcome
    template.title, template.text = title.strip(), text.strip()
    template.reason = reason.strip() if outcome == Reply.Outcome.NOT_POSSIBLE else ""
    template.full_clean()
    template.save()
    audit_record(actor=acting_user, verb=Verb.REPLY_TEMPLATE_SAVED, target=template,
                 summary=template.title[:300],
                 data={"organisation": organisation.pk, "outcome": outcome})
    return template


@transaction.atomic
def reply_template_remove(*, acting_user, template: ReplyTemplate) -> None:
    """Remove a template; replies written from it are untouched. Audited."""
    audit_record(actor=acting_user, verb=Verb.REPLY_TEMPLATE_REMOVED, target=template,
                 summary=template.title[:300],
                 data={"organisation": template.organisation_id, "outcome": template.outcome})
    template.delete()
