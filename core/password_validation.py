"""A password validator for the staff sign-in.

django-password-validators (the well-kept library of extra validators) has
history and character-class validators but none for repeated or sequential
characters, and zxcvbn-based validators bring a large dictionary for what
this rule needs; so it is written here, with Django's validator interface.
"""

from django.core.exceptions import ValidationError


def _step(a: str, b: str) -> int:
    """0 for a repeat, ±1 for the next or previous character (9 then 0
    counts as next), anything else for a real change."""
    if a.isdigit() and b.isdigit():
        return (int(b) - int(a) + 5) % 10 - 5  # 9→0 is +1, 0→9 is -1
    return ord(b.lower()) - ord(a.lower())


class RepeatedOrSequentialCharactersValidator:
    """Refuse passwords made mostly of repeated or sequential characters
    ("aaaaaaaaaaaa", "abcdefghijkl", "123456789012"): fewer than
    `min_changes` steps that are neither a repeat nor a next/previous
    character, or a run of `max_run` characters each repeating or following
    the one before."""

    def __init__(self, min_changes: int = 4, max_run: int = 8):
        self.min_changes = min_changes
        self.max_run = max_run

    def validate(self, password: str, user=None) -> None:
        changes, run, longest = 0, 1, 1
        for a, b in zip(password, password[1:], strict=False):
            if abs(_step(a, b)) <= 1:
                run += 1
                longest = max(longest, run)
            else:
                changes += 1
                run = 1
        if changes < self.min_changes or longest >= self.max_run:
            raise ValidationError(self.get_help_text(), code="password_repetitive")

    def get_help_text(self) -> str:
        return ("Your password must not be mostly repeated or sequential characters, "
                "like aaaa, abcd or 1234")
