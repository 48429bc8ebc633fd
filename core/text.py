"""Small text helpers shared by the apps."""

import unicodedata

from django.utils.text import slugify


def slug_from(text: str) -> str:
    """A web address part from a title. Every kind of dash (en, em, minus…)
    becomes a hyphen first, so "2021–2023" gives "2021-2023": Django's
    slugify drops them and would give "20212023". Callers cut it to their
    field's length."""
    return slugify("".join("-" if unicodedata.category(c) == "Pd" else c for c in text))
