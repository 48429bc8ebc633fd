import django_filters
from crispy_forms_gds.layout import Button, Field
from django import forms
from django.db.models.functions import ExtractYear

from core.forms import gds_helper
from core.models import ServiceArea, Theme

from . import selectors
from .models import Report


class ArchiveFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("q"), Field.select("year"), Field.select("kind"),
                                 Field.select("service_area"), Field.select("theme"),
                                 Button.secondary("search", "Search reports"))
        # A GET form: without this crispy adds a CSRF token, which would put
        # it in every search address and keep the archive out of the page cache.
        self.helper.form_method = "get"


def _years():
    years = (Report.objects.filter(status=Report.Status.PUBLISHED)
             .annotate(y=ExtractYear("period_end")).values_list("y", flat=True)
             .distinct().order_by("-y"))
    return [(str(y), str(y)) for y in years]


class ArchiveFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_search")
    year = django_filters.ChoiceFilter(label="Year", choices=_years, empty_label="Any year",
                                       field_name="period_end__year")
    kind = django_filters.ChoiceFilter(label="Kind of report", choices=Report.Kind.choices,
                                       empty_label="Any kind")
    service_area = django_filters.ModelChoiceFilter(label="Service area",
                                                    queryset=ServiceArea.objects.all(),
                                                    empty_label="Any service area")
    theme = django_filters.ModelChoiceFilter(label="Theme", queryset=Theme.objects.all(),
                                             empty_label="Any theme", method="filter_theme")

    class Meta:
        model = Report
        fields: list[str] = []
        form = ArchiveFilterForm

    def filter_search(self, queryset, name, value):
        return selectors.search(queryset, value)

    def filter_theme(self, queryset, name, value):
        return queryset.filter(pk__in=Report.objects.filter(items__theme=value).values("pk"))
