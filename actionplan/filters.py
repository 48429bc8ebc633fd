"""Filters for the staff action list, the dashboard and the CSV export."""

import django_filters
from crispy_forms_gds.layout import Button, Field
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.forms import gds_helper
from core.http import parse_id
from core.models import Organisation

from .models import Action, Plan, Priority, Status

PRIORITY_LABEL_FIELDS = ("id", "number", "title", "plan__title")


def _priority_label(priority: Priority) -> str:
    label = f"{priority.plan.title[:40]}: {priority.number}. {priority.title}"
    return label if len(label) <= 90 else label[:87] + "…"


class ActionFilterForm(forms.Form):
    layout_fields = ("q", "plan", "priority", "lead_organisation", "status")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "priority" in self.fields:
            self.fields["priority"].label_from_instance = _priority_label
        layout = [Field.text("q")] if "q" in self.fields else []
        layout += [Field.select(name) for name in ("plan", "priority", "lead_organisation",
                                                   "status") if name in self.fields]
        if "overdue" in self.fields:
            layout.append(Field.checkbox("overdue", small=True))
        self.helper = gds_helper(*layout, Button("filter", "Apply filters"))


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Reference or words in the title", method="filter_text")
    # The choices are read on every page view (core.forms.cached_form_html):
    # only what their labels show, not each plan's summary (a county has 130 plans),
    # and its end (a finished plan's dashboard is judged on it).
    plan = django_filters.ModelChoiceFilter(field_name="priority__plan",
                                            queryset=Plan.objects.only(
                                                "id", "title", "period_end",
                                                # the inspection it answers, if any
                                                "inspection_report_on", "inspection_outcome",
                                                "monitoring_due_on"),
                                            empty_label="Any plan")
    priority = django_filters.ModelChoiceFilter(
        queryset=Priority.objects.select_related("plan").only(*PRIORITY_LABEL_FIELDS),
        empty_label="Any priority")
    lead_organisation = django_filters.ModelChoiceFilter(
        label="Lead organisation", empty_label="Any organisation",
        queryset=Organisation.objects.filter(
            Exists(Action.objects.filter(lead_organisation=OuterRef("pk")))).only("id", "name"))
    status = django_filters.ChoiceFilter(field_name="current_status", choices=Status.choices,
                                         empty_label="Any status")
    overdue = django_filters.BooleanFilter(label="Only overdue actions", method="filter_overdue",
                                           widget=forms.CheckboxInput)

    class Meta:
        model = Action
        fields: list[str] = []
        form = ActionFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Priorities are offered for the chosen plan only (a county has hundreds
        # across its plans); with no plan chosen there is no priority filter.
        # A priority chosen without a plan (an old bookmark) still filters, and is
        # then the only choice shown.
        # parse_id, not str.isdigit(): "²" is a digit to Python but no id.
        plan = parse_id(str((self.data or {}).get("plan") or ""))
        priority = parse_id(str((self.data or {}).get("priority") or ""))
        if plan:
            self.filters["priority"].queryset = (
                Priority.objects.filter(plan_id=plan).select_related("plan")
                .only(*PRIORITY_LABEL_FIELDS))
        elif priority:
            self.filters["priority"].queryset = (
                Priority.objects.filter(pk=priority).select_related("plan")
                .only(*PRIORITY_LABEL_FIELDS))
        else:
            self.filters.pop("priority", None)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("plan"):
            # One plan: its priorities in order, served by the priority foreign key,
            # instead of sorting every plan's actions across three tables.
            queryset = queryset.order_by("priority__number", "id")
        return queryset

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reference__iexact=value) | Q(title__icontains=value))

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.overdue(timezone.localdate())
        return queryset


class DashboardFilter(ActionFilter):
    """The dashboard's filters: the same, without the text search and the
    overdue box (overdue actions have their own figure and list)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("q", None)
        self.filters.pop("overdue", None)
