import django_filters
from crispy_forms_gds.layout import Button, Field
from django import forms

from core.forms import gds_helper
from core.models import Organisation, ServiceArea, Theme

from . import selectors
from .models import Report


class ArchiveFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("q"), Field.select("year"),
                                 Field.select("publisher"), Field.select("kind"),
                                 Field.select("service_area"), Field.select("theme"),
                                 Button.secondary("search", "Search reports"))
        # A GET form: without this crispy adds a CSRF token, which would put
        # it in every search address and keep the archive out of the page cache.
        self.helper.form_method = "get"


def _years():
    return [(str(y), str(y)) for y in selectors.archive_years()]


def _publishers(request=None):
    return Organisation.objects.filter(
        pk__in=Report.objects.filter(status=Report.Status.PUBLISHED).values("organisation_id"))


INVALID = "Select {what} from the list"


class ArchiveFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_search")
    year = django_filters.ChoiceFilter(
        label="Reports covering the year", choices=_years, empty_label="Any year",
        method="filter_year", help_text="A report is listed under every year its period "
                                        "touches: 2025–26 under 2025 and 2026.",
        error_messages={"invalid_choice": INVALID.format(what="a year")})
    publisher = django_filters.ModelChoiceFilter(
        label="Published by", queryset=_publishers, empty_label="Any organisation",
        field_name="organisation",
        error_messages={"invalid_choice": INVALID.format(what="an organisation")})
    kind = django_filters.ChoiceFilter(
        label="Kind of report", choices=Report.Kind.choices, empty_label="Any kind",
        error_messages={"invalid_choice": INVALID.format(what="a kind of report")})
    service_area = django_filters.ModelChoiceFilter(
        label="Service area", queryset=ServiceArea.objects.all(), empty_label="Any service area",
        error_messages={"invalid_choice": INVALID.format(what="a service area")})
    theme = django_filters.ModelChoiceFilter(
        label="Theme", queryset=Theme.objects.all(), empty_label="Any theme",
        method="filter_theme", error_messages={"invalid_choice": INVALID.format(what="a theme")})

    class Meta:
        model = Report
        fields: list[str] = []
        form = ArchiveFilterForm

    def filter_search(self, queryset, name, value):
        return selectors.search(queryset, value)

    def filter_year(self, queryset, name, value):
        year = int(value)
        return queryset.filter(period_start__year__lte=year, period_end__year__gte=year)

    def filter_theme(self, queryset, name, value):
        return queryset.filter(pk__in=Report.objects.filter(items__theme=value).values("pk"))
