"""Filters for the staff list of participation audits."""

import django_filters
from crispy_forms_gds.layout import Button, Field
from django import forms

from core.forms import gds_helper
from core.models import Organisation

from .models import ParticipationAudit


class AuditFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.select("year"), Field.select("organisation"),
                                 Field.select("status"), Button("filter", "Apply filters"))


def _years() -> list[tuple[int, str]]:
    years = ParticipationAudit.objects.order_by("-year").values_list("year", flat=True).distinct()
    return [(y, str(y)) for y in years]


class AuditFilter(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(choices=_years, empty_label="Any year")
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.filter(participation_audits__isnull=False).distinct(),
        empty_label="Any organisation")
    status = django_filters.ChoiceFilter(choices=ParticipationAudit.Status.choices,
                                         empty_label="Any status")

    class Meta:
        model = ParticipationAudit
        fields = ["year", "organisation", "status"]
        form = AuditFilterForm
