"""Filters for the audit trail page."""

from datetime import datetime, time, timedelta

import django_filters
from crispy_forms_gds.layout import Button, Field
from django import forms
from django.apps import apps
from django.utils import timezone

from .audit import Verb
from .forms import GdsDateField, gds_helper
from .models import AuditEvent, User

# The apps whose objects appear in the trail (core knows them by label only,
# so it imports none of them).
AUDITED_APPS = ("core", "feedback", "actionplan", "charter", "reports")


def object_type_choices() -> list[tuple[str, str]]:
    """Every kind of object the trail can name: ("feedback.feedback", "Feedback")."""
    choices = []
    for label in AUDITED_APPS:
        for model in apps.get_app_config(label).get_models():
            choices.append((model._meta.label_lower, str(model._meta.verbose_name).capitalize()))
    return sorted(choices, key=lambda c: c[1])


class GdsDateFilter(django_filters.Filter):
    field_class = GdsDateField


class AuditFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].label_from_instance = lambda u: (
            f"{u.get_full_name()} ({u.email})" if u.get_full_name() else u.email)
        self.helper = gds_helper(
            Field.select("actor"), Field.select("verb"), Field.select("target_type"),
            Field.text("target_id", field_width=10), Field("date_from"), Field("date_to"),
            Button("filter", "Apply filters"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The date to must be the same as or after the date from")
        return cleaned


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(
        label="Who", empty_label="Anyone",
        queryset=User.objects.filter(memberships__isnull=False).distinct()
        .order_by("first_name", "last_name", "email"))
    verb = django_filters.ChoiceFilter(label="What happened", choices=Verb.choices,
                                       empty_label="Anything")
    target_type = django_filters.ChoiceFilter(label="Type of object", choices=object_type_choices,
                                              empty_label="Any type")
    target_id = django_filters.CharFilter(
        label="Object number", help_text="The number in the object’s address, e.g. 42",
        max_length=64)
    date_from = GdsDateFilter(
        label="From", help_text="For example, 1 9 2026", method="filter_from",
        required=False, required_message="Enter the date from",
        invalid_message="The date from must be a real date")
    date_to = GdsDateFilter(
        label="To", help_text="For example, 31 8 2027", method="filter_to",
        required=False, required_message="Enter the date to",
        invalid_message="The date to must be a real date")

    class Meta:
        model = AuditEvent
        fields: list[str] = []
        form = AuditFilterForm

    @staticmethod
    def _start_of(day):
        return timezone.make_aware(datetime.combine(day, time.min))

    # Whole local days, as ranges on created_at, so the created_at index serves them.
    def filter_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=self._start_of(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=self._start_of(value + timedelta(days=1)))
