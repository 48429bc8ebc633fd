import re

import django_filters
from crispy_forms_gds.layout import Button, Field
from django import forms
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from core.forms import gds_helper
from core.models import Organisation, ServiceArea, Theme, User

from .models import SEARCH_CONFIG, SEARCHED_FIELDS, Feedback
from .services import OPEN_STATUSES

# "FB-2026-00123", "fb-2026-123", "2026-00123" or "00123": a reference, whole or
# in part, is looked up by reference; anything else searches the words.
REFERENCE_LIKE = re.compile(r"^(fb-?)?[\d-]*\d[\d-]*$", re.IGNORECASE)


def looks_like_reference(value: str) -> bool:
    return bool(REFERENCE_LIKE.match(value.strip()))


def search_feedback(queryset, value: str):
    """Feedback whose reference, or whose words, match what was typed. Only
    what the family wrote is searched, never their contact details."""
    value = value.strip()
    if not value:
        return queryset
    if looks_like_reference(value):
        return queryset.filter(reference__icontains=value)
    if connection.vendor == "postgresql":
        # The stored, GIN-indexed vector; "websearch" reads what people type
        # into search boxes ("quoted phrases", -without, or) and never errors.
        return queryset.filter(search_vector=SearchQuery(value, config=SEARCH_CONFIG,
                                                         search_type="websearch"))
    words = Q()  # `make run` on SQLite: every word somewhere in the text
    for word in value.split()[:10]:
        words &= Q(*[Q(**{f"{f}__icontains": word}) for f in SEARCHED_FIELDS], _connector=Q.OR)
    return queryset.filter(words)


class InboxFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("q"),
            *[Field.select(name) for name in ("status", "theme", "service_area", "organisation",
                                             "channel", "assigned")],
            Field.checkbox("overdue", small=True),
            Button("filter", "Apply filters"),
        )


class InboxFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search", method="filter_search", max_length=200,
        help_text="A reference, or words the family wrote")
    status = django_filters.ChoiceFilter(
        choices=[("open", "Open: not yet answered")] + list(Feedback.Status.choices),
        empty_label="Any status", method="filter_status")
    theme = django_filters.ModelChoiceFilter(field_name="themes", queryset=Theme.objects.all(),
                                             empty_label="Any theme")
    service_area = django_filters.ModelChoiceFilter(
        field_name="service_areas", queryset=ServiceArea.objects.all(), empty_label="Any service area")
    organisation = django_filters.ModelChoiceFilter(queryset=Organisation.objects.all(),
                                                    empty_label="Any organisation")
    channel = django_filters.ChoiceFilter(choices=Feedback.Channel.choices,
                                          empty_label="Any channel")
    assigned = django_filters.ChoiceFilter(
        label="Assigned to", method="filter_assigned", empty_label="Anyone or no one",
        choices=[("me", "Me"), ("nobody", "No one yet")],
    )
    overdue = django_filters.BooleanFilter(label="Only overdue feedback", method="filter_overdue",
                                           widget=forms.CheckboxInput)

    class Meta:
        model = Feedback
        fields: list[str] = []
        form = InboxFilterForm

    def __init__(self, *args, user: User, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["organisation"].queryset = organisations

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value) if value else queryset

    def filter_search(self, queryset, name, value):
        return search_feedback(queryset, value)

    def filter_assigned(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assigned_to=self.user)
        if value == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.filter(Q(status__in=OPEN_STATUSES),
                                   response_due_on__lt=timezone.localdate())
        return queryset
