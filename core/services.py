"""Writes that belong to no one app: the audit trail and shared lists."""

from django.db import models, transaction
from django.utils.text import slugify

from .models import AuditEvent, ServiceArea, Theme


def audit_record(*, actor, verb: str, target: models.Model, summary: str = "",
                 data: dict | None = None) -> AuditEvent:
    """Record who did what to which object. Callers pass ids and states in
    `data`, never what a family wrote or their contact details."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        summary=summary[:300],
        data=data or {},
    )


@transaction.atomic
def list_item_create(*, acting_user, model: type[Theme] | type[ServiceArea], name: str,
                     description: str = "") -> Theme | ServiceArea:
    """Add a theme or service area. Administrators only (checked by the view)."""
    item = model(name=name.strip(), slug=slugify(name)[:120], description=description.strip())
    item.full_clean()
    item.save()
    audit_record(actor=acting_user, verb="created", target=item, summary=item.name)
    return item
