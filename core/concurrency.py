"""Optimistic concurrency for things two people edit at once.

Each editable row has a `lock_version` (see `lock_version_field`) that the
service raises by one on every save. The edit form carries the number it
was rendered with in a hidden field; the service locks the row
(SELECT … FOR UPDATE), compares, and refuses a stale save with
`EditConflict`, which carries the row as it is now so the page can show the
other person's change next to what this person typed (nothing is lost).

Why not django-concurrency (a well-kept library that does this with a
model field and a conditional UPDATE in `save()`): the portal writes
through services, not `Model.save()` overrides, and needs the check inside
the service's own transaction and row lock (the same lock that makes a
reply be sent once and item positions distinct), plus the current row to
show the person. That is these few lines; the library's admin and
trigger machinery would be unused weight.
"""

from django.core.exceptions import ValidationError
from django.db import models

CONFLICT_MESSAGE = ("Someone else changed this while you were editing. Their version is shown "
                    "below and what you typed is still in the form: check it and save again.")


def lock_version_field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        default=0, editable=False,
        help_text="Raised by one on every edit, so a save based on an older page is refused.")


class EditConflict(ValidationError):
    """A save based on an out-of-date page. `current` is the row as it is now."""

    def __init__(self, current: models.Model, message: str = CONFLICT_MESSAGE):
        super().__init__(message, code="edit_conflict")
        self.current = current


def lock_for_edit(queryset: models.QuerySet, pk: int, expected: int | None) -> models.Model:
    """The row, locked for this transaction, with its lock_version already
    raised for the caller's save. `expected` None skips the check (callers
    other than a form: the demo, tasks, tests)."""
    obj = queryset.select_for_update().get(pk=pk)
    if expected is not None and obj.lock_version != expected:
        raise EditConflict(obj)
    obj.lock_version += 1
    return obj
