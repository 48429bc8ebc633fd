"""Changing who's who and the jargon buster. Views call these; each records
an audit event with ids and field names only."""

import io

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps

from core.audit import Verb
from core.services import audit_record

from .models import CONSENT_WORDING, GlossaryTerm, Profile

PHOTO_SIZE = 480  # pixels, the longer side


def _clean_photo(upload) -> ContentFile:
    """The photo re-encoded as a JPEG without its metadata (a camera's
    location and serial number never reach the public page), at most
    PHOTO_SIZE pixels across."""
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        image.thumbnail((PHOTO_SIZE, PHOTO_SIZE))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
    return ContentFile(out.getvalue(), name="photo.jpg")


def _delete_file_after_commit(storage, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


PROFILE_FIELDS = ("organisation", "name", "role", "part", "about", "work_email", "work_phone",
                  "photo_alt", "consent_given_on", "consent_how")


def profile_save(*, acting_user, profile: Profile | None = None, photo=None,
                 remove_photo: bool = False, **values) -> Profile:
    """Add a profile (consent recorded with today's wording) or change one."""
    adding = profile is None
    profile = profile or Profile()
    changed = [f for f in PROFILE_FIELDS if f in values and getattr(profile, f, None) != values[f]]
    for field in PROFILE_FIELDS:
        if field in values:
            setattr(profile, field, values[field])
    profile.work_phone = " ".join(profile.work_phone.split())
    old_photo = profile.photo.name if profile.photo else ""
    with transaction.atomic():
        if adding or "consent_given_on" in changed or "consent_how" in changed:
            profile.consent_wording = CONSENT_WORDING
            profile.consent_recorded_by = acting_user
        if photo is not None:
            profile.photo.save("photo.jpg", _clean_photo(photo), save=False)
            changed.append("photo")
        elif remove_photo and old_photo:
            profile.photo = ""
            profile.photo_alt = ""
            changed.append("photo")
        if not profile.photo:
            profile.photo_alt = ""
        profile.save()
        if old_photo and old_photo != (profile.photo.name if profile.photo else ""):
            _delete_file_after_commit(profile.photo.storage, old_photo)
        audit_record(actor=acting_user, verb=Verb.PROFILE_ADDED if adding else Verb.PROFILE_EDITED,
                     target=profile, data={"organisation_id": profile.organisation_id,
                                           "changed": sorted(set(changed))})
    return profile


def profile_withdraw(*, acting_user, profile: Profile) -> None:
    """Consent withdrawn: the profile and its photo go at once. The row is
    deleted in this transaction (no page shows it from the next request;
    /who-we-are/ and its photos are never kept in a cache) and the photo's
    file is deleted from storage as soon as it commits. The audit keeps the
    ids only, never the name."""
    with transaction.atomic():
        locked = Profile.objects.select_for_update().filter(pk=profile.pk).first()
        if locked is None:
            return
        photo = locked.photo.name if locked.photo else ""
        storage = locked.photo.storage
        audit_record(actor=acting_user, verb=Verb.PROFILE_CONSENT_WITHDRAWN, target=locked,
                     data={"organisation_id": locked.organisation_id, "had_photo": bool(photo)})
        locked.delete()
        _delete_file_after_commit(storage, photo)


def glossary_save(*, acting_user, form) -> GlossaryTerm:
    adding = form.instance.pk is None
    with transaction.atomic():
        term = form.save()
        audit_record(actor=acting_user,
                     verb=Verb.GLOSSARY_TERM_ADDED if adding else Verb.GLOSSARY_TERM_EDITED,
                     target=term, summary=term.abbreviation or term.term,
                     data={"changed": sorted(form.changed_data)})
    return term


def glossary_remove(*, acting_user, term: GlossaryTerm) -> None:
    with transaction.atomic():
        audit_record(actor=acting_user, verb=Verb.GLOSSARY_TERM_REMOVED, target=term,
                     summary=term.abbreviation or term.term)
        term.delete()
