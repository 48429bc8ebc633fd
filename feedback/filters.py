import django_filters
from crispy_forms_gds.layout import Button, Field
from django import forms
from django.db.models import Q
from django.utils import timezone

from core.forms import gds_helper
from core.models import Organisation, ServiceArea, Theme, User

from .models import Feedback
from .services import OPEN_STATUSES


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
    q = django_filters.CharFilter(label="Reference", method="filter_reference")
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

    def filter_reference(self, queryset, name, value):
        return queryset.filter(reference__icontains=value.strip()) if value.strip() else queryset

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
