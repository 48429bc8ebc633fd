"""Writes that belong to no one app: the audit trail and shared lists."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.text import slugify

from .audit import Verb
from .models import AuditEvent, ServiceArea, Theme


def audit_record(*, actor, verb: Verb | str, target: models.Model, summary: str = "",
                 data: dict | None = None) -> AuditEvent:
    """Record who did what to which object. `verb` is a `core.audit.Verb`
    (its value as a string is accepted too); an unknown verb raises
    ValueError, so a new kind of event is added to the enum, not typed freely.
    Callers pass ids, states and changed field names in `data`, never what a
    family wrote or their contact details."""
    verb = Verb(verb)  # ValueError for a verb that is not in the enum
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb.value,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        summary=summary[:300],
        data=data or {},
    )


@transaction.atomic
def list_item_create(*, acting_user, model: type[Theme] | type[ServiceArea], name: str,
                     description: str = "", easy_read_name: str = "",
                     picture: str = "") -> Theme | ServiceArea:
    """Add a theme or service area (a service area may have its easy-read
    name and picture). Administrators only (checked by the view)."""
    item = model(name=name.strip(), slug=slugify(name)[:120], description=description.strip())
    if model is ServiceArea:
        item.easy_read_name = easy_read_name.strip()
        item.picture = picture or ServiceArea.Picture.OTHER
    item.full_clean()
    try:
        with transaction.atomic():  # a savepoint: the outer transaction stays usable
            item.save()
    except IntegrityError as exc:
        # Added by someone else between the check and the save (names are
        # unique ignoring case, slugs unique): the form says so on the field.
        raise ValidationError({"name": "There is already one with that name"}) from exc
    audit_record(actor=acting_user,
                 verb=Verb.SERVICE_AREA_ADDED if model is ServiceArea else Verb.THEME_ADDED,
                 target=item, summary=item.name)
    return item


@transaction.atomic
def person_add(*, acting_user, email: str, first_name: str, last_name: str, job_title: str,
               organisation, role: str):
    """Give someone a role in an organisation, creating their account if
    needed. A new account has no password: they are e-mailed a link to set
    one (after commit). Administrators only (checked by the view)."""
    from . import jobs
    from .models import Membership, User

    email = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip(),
                    job_title=job_title.strip())
        user.set_unusable_password()
        user.full_clean()
        user.save()
    membership, new_role = Membership.objects.get_or_create(user=user, organisation=organisation,
                                                            role=role)
    if new_role:
        audit_record(actor=acting_user, verb=Verb.ROLE_GIVEN, target=membership,
                     summary=f"{role} in {organisation}", data={"user": user.pk, "role": role})
    if created:
        jobs.enqueue("welcome_email", user.pk, organisation_id=organisation.pk)
    return membership, created


@transaction.atomic
def role_remove(*, acting_user, membership) -> None:
    from django.core.exceptions import ValidationError

    from .models import Role

    if membership.user_id == acting_user.pk and membership.role == Role.ADMINISTRATOR:
        raise ValidationError("You cannot remove your own administrator role. Ask another "
                              "administrator.")
    audit_record(actor=acting_user, verb=Verb.ROLE_REMOVED, target=membership,
                 summary=f"{membership.role} in {membership.organisation}",
                 data={"user": membership.user_id, "role": membership.role})
    membership.delete()


ORGANISATION_DETAILS = ("name", "kind", "area", "public_name", "website")
ORGANISATION_SETTINGS = ("public_name", "website", "replies_need_approval",
                         "response_working_days", "contact_retention_days",
                         "lead_acts_for_partners")


def _organisation_save(organisation, values: dict, fields) -> list[str]:
    from django.core.exceptions import ValidationError

    changed = [f for f in fields if f in values and getattr(organisation, f) != values[f]]
    for f in changed:
        setattr(organisation, f, values[f])
    try:
        organisation.full_clean()
    except ValidationError as exc:
        # The (name, area) constraint: say it on the name field.
        if "__all__" in getattr(exc, "error_dict", {}):
            raise ValidationError({"name": "There is already an organisation with that name "
                                           "in that area"}) from exc
        raise
    organisation.save()
    return changed


@transaction.atomic
def organisation_create(*, acting_user, name: str, kind: str, area: str, public_name: str = "",
                        website: str = ""):
    """Add a partner organisation. Partnership administrators only (checked
    by the view); audited. It has no one yet: give it an administrator next."""
    from .models import Organisation

    base = slugify(f"{name} {area}")[:190] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    organisation = Organisation(slug=slug)
    _organisation_save(organisation, {"name": name.strip(), "kind": kind, "area": area.strip(),
                                      "public_name": public_name.strip(), "website": website},
                       ORGANISATION_DETAILS)
    audit_record(actor=acting_user, verb=Verb.ORGANISATION_ADDED, target=organisation,
                 summary=organisation.name, data={"kind": kind})
    return organisation


@transaction.atomic
def organisation_update(*, acting_user, organisation, lock_version: int | None = None,
                        **values):
    """Change a partner's name, kind, area, public name or website.
    Partnership administrators only (checked by the view); refuses a save
    based on an older page (EditConflict); audits the changed field names."""
    from .concurrency import lock_for_edit
    from .models import Organisation

    organisation = lock_for_edit(Organisation.objects.all(), organisation.pk, lock_version)
    changed = _organisation_save(organisation, values, ORGANISATION_DETAILS)
    audit_record(actor=acting_user, verb=Verb.ORGANISATION_EDITED, target=organisation,
                 summary=organisation.name, data={"changed": changed})
    return organisation


@transaction.atomic
def organisation_settings_update(*, acting_user, organisation, lock_version: int | None = None,
                                 **values):
    """An organisation's own settings: public name, website, reply approval,
    response target and contact retention (empty: the portal default), and,
    for the partnership's lead organisation only (the database refuses it
    elsewhere), whether its administrators act for every partner. Its
    administrators or a partnership administrator (checked by the view);
    audits the changed field names."""
    from .concurrency import lock_for_edit
    from .models import Organisation

    organisation = lock_for_edit(Organisation.objects.all(), organisation.pk, lock_version)
    changed = _organisation_save(organisation, values, ORGANISATION_SETTINGS)
    audit_record(actor=acting_user, verb=Verb.ORGANISATION_SETTINGS_CHANGED, target=organisation,
                 summary=organisation.name, data={"changed": changed})
    return organisation


@transaction.atomic
def account_update(*, acting_user, first_name: str, last_name: str, approval_email: str):
    """A person changes their own name and approval e-mail preference; audited."""
    from .models import User

    user = User.objects.select_for_update().get(pk=acting_user.pk)
    values = {"first_name": first_name.strip(), "last_name": last_name.strip(),
              "approval_email": approval_email}
    changed = [f for f, v in values.items() if getattr(user, f) != v]
    for f in changed:
        setattr(user, f, values[f])
    user.full_clean()
    user.save(update_fields=[*changed] or ["first_name"])
    audit_record(actor=acting_user, verb=Verb.ACCOUNT_EDITED, target=user, summary=str(user),
                 data={"changed": changed})
    return user
