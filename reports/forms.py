from datetime import date

from crispy_forms_gds.layout import Button, Field, Fieldset, Size
from django import forms
from django.utils import timezone

from actionplan.models import Action
from charter import selectors as charter_selectors
from charter.models import Commitment
from core.forms import GdsDateField, HoneypotMixin, VersionedFormMixin, gds_helper, honeypot_html
from core.models import ServiceArea, Theme
from feedback import selectors as feedback_selectors

from .models import Report, ReportItem, ReportSeries, period_shape_error


class ReportForm(VersionedFormMixin):
    title = forms.CharField(label="Title", max_length=200,
                            help_text="For example, EHCP quality assurance, April to September 2026",
                            error_messages={"required": "Enter a title"})
    kind = forms.ChoiceField(label="Kind of report", choices=Report.Kind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select the kind of report"})
    edition = forms.ChoiceField(
        label="Is this the full report or an interim update?", choices=Report.Edition.choices,
        widget=forms.RadioSelect, initial=Report.Edition.FULL, required=False,
        help_text="In a series, a full report comes after the interim updates of its period, "
                  "which it replaces.",
        error_messages={"required": "Select full report or interim update"})
    period_kind = forms.ChoiceField(
        label="What kind of period does it cover?", choices=Report.PeriodKind.choices,
        widget=forms.RadioSelect, initial=Report.PeriodKind.CUSTOM, required=False,
        help_text="Readers see it in these words, for example “2025–26 academic year”.",
        error_messages={"required": "Select the kind of period"})
    period_start = GdsDateField(label="Period from", help_text="For example, 1 4 2026",
                                required_message="Enter the date the period starts",
                                invalid_message="The start of the period must be a real date")
    period_end = GdsDateField(label="Period to", help_text="For example, 30 9 2026",
                              required_message="Enter the date the period ends",
                              invalid_message="The end of the period must be a real date")
    audience = forms.CharField(label="Who is it for? (optional)", required=False, max_length=200)
    service_area = forms.ModelChoiceField(label="Service area (optional)", required=False,
                                          queryset=ServiceArea.objects.all(),
                                          empty_label="All services")
    first_published_on = GdsDateField(
        label="First published (optional)", required=False,
        help_text="Only for a report published before it was put on the portal: the day it was "
                  "first published. Readers see it as the publication date. For example, "
                  "27 3 2024",
        required_message="Enter the day, month and year it was first published",
        invalid_message="The date it was first published must be a real date")
    summary = forms.CharField(label="Summary", widget=forms.Textarea(attrs={"rows": 5}),
                              help_text="Two or three sentences: what you asked, who answered, "
                                        "what changed.",
                              error_messages={"required": "Enter a summary"})
    layout = forms.ChoiceField(label="How should the items be laid out?",
                               choices=Report.Layout.choices, widget=forms.RadioSelect,
                               initial=Report.Layout.SECTIONS, required=False,
                               error_messages={"required": "Select a layout"})
    evidence_heading = forms.CharField(
        label="Heading of the third column (optional)", required=False, max_length=60,
        help_text="In the table layout. Leave empty for “Evidence”; for example, “Evidence or "
                  "feedback”.",
        error_messages={"max_length": "The heading must be 60 characters or fewer"})
    series = forms.ModelChoiceField(
        label="Series (optional)", required=False, queryset=ReportSeries.objects.none(),
        empty_label="Not part of a series",
        help_text="Reports published every year under one name are listed together.")
    new_series = forms.CharField(
        label="Or start a new series (optional)", required=False, max_length=200,
        help_text="For example, Local Offer annual feedback report")

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = (ReportSeries.objects.filter(organisation=organisation)
                                          if organisation else ReportSeries.objects.none())
        self.helper = gds_helper(
            Field.text("title"), Field.radios("kind", small=True),
            Field.radios("edition", small=True),
            Field.radios("period_kind", small=True), Field("period_start"),
            Field("period_end"), Field("first_published_on"), Field.text("audience"),
            Field.select("service_area"),
            Field.textarea("summary"), Field.radios("layout", small=True),
            Field.text("evidence_heading", field_width=20),
            Field.select("series"), Field.text("new_series"), Button("save_report", "Save"),
        )

    def clean(self):
        cleaned = super().clean()
        # Both are pre-selected on the page; a post without them means the defaults.
        cleaned["period_kind"] = cleaned.get("period_kind") or Report.PeriodKind.CUSTOM
        cleaned["layout"] = cleaned.get("layout") or Report.Layout.SECTIONS
        cleaned["edition"] = cleaned.get("edition") or Report.Edition.FULL
        if "evidence_heading" in cleaned:
            cleaned["evidence_heading"] = cleaned["evidence_heading"].strip() or "Evidence"
        first = cleaned.get("first_published_on")
        if first and first > timezone.localdate():
            self.add_error("first_published_on",
                           "The date it was first published must be today or in the past")
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be after its start")
        elif error := period_shape_error(cleaned.get("period_kind", ""), start, end):
            self.add_error("period_start", error)
        return cleaned


class ItemForm(VersionedFormMixin):
    topic = forms.ModelChoiceField(
        label="Topic", required=False, queryset=None, empty_label="Choose a topic",
        help_text="The heading it goes under. Manage topics from the report's page.")
    new_topic = forms.CharField(label="Or put it under a new topic", required=False,
                                max_length=200, help_text="For example, Communication")
    heading = forms.CharField(label="Heading (optional)", max_length=200, required=False,
                              help_text="A few words within the topic, for the sections layout")
    theme = forms.ModelChoiceField(
        label="Theme", required=False, queryset=Theme.objects.filter(is_active=True),
        empty_label="None: this came from outside the portal",
        help_text="How many people raised the theme in the report's period is counted from "
                  "your organisation's feedback (and feedback shared with it).")
    you_said = forms.CharField(label="You said", widget=forms.Textarea(attrs={"rows": 4}),
                               help_text="A summary of what families told us. No names.",
                               error_messages={"required": "Enter what families said"})
    we_did = forms.CharField(label="We did", widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": "Enter what we did"})
    actions = forms.ModelMultipleChoiceField(
        label="Actions in the action plan (optional)", required=False,
        queryset=Action.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text="Their live status and progress show in the report.")
    commitments = forms.ModelMultipleChoiceField(
        label="Charter commitments this keeps (optional)", required=False,
        queryset=Commitment.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text="When the report is published, the charter page shows this item as evidence.")
    outcome = forms.ChoiceField(label="Status", choices=ReportItem.Outcome.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Select the status"})
    rationale = forms.CharField(label="If it was not possible, why not?", required=False,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text="Needed when the status is “Not possible”.")
    evidence = forms.CharField(
        label="Evidence (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How people can see it happened, for example “The new pages went live in "
                  "May”.")
    evidence_links = forms.CharField(
        label="Links to the evidence (optional)", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Published pages or documents, one a line: the link's text, a space, then its "
                  "address. For example: Preparing for adulthood pages https://example.gov.uk/pfa")
    what_next = forms.CharField(label="What next (optional)", required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        initial = kwargs.get("initial") or {}
        self.fields["topic"].queryset = report.topics.order_by("position", "id")
        self.fields["topic"].error_messages["invalid_choice"] = "Choose one of the report's topics"
        # Statistics and quotes: only what the report's organisation may use,
        # one group (a fieldset with its own legend) per survey.
        self.statistic_fields = self._grouped(
            "statistics", feedback_selectors.statistics_usable_by(report.organisation_id),
            key=lambda s: s.survey_import,
            legend=lambda imp: f"Statistics from {imp.title} (received "
                               f"{imp.received_on:%-d %B %Y})",
            label=lambda s: f"{s.question} — {s.positive_percent}% positive (n = {s.responses})",
            chosen=initial.get("statistics", ()))
        self.quote_fields = self._grouped(
            "quotes", feedback_selectors.quotes_usable_by(report.organisation_id)
            .order_by("feedback__survey_import__title", "theme__name", "-id"),
            key=lambda q: q.feedback.survey_import,
            legend=lambda imp: f"Approved quotes from {imp.title}" if imp
            else "Approved quotes from other feedback",
            label=lambda q: f"“{q.redacted_text}”" + (f" ({q.theme.name})" if q.theme else ""),
            chosen=initial.get("quotes", ()))
        self.fields["actions"].queryset = Action.objects.filter(is_public=True).order_by(
            "priority__plan", "priority__number", "reference")
        self.fields["actions"].label_from_instance = lambda a: f"{a.reference} {a.title}".strip()
        self.fields["commitments"].queryset = charter_selectors.commitments_current()
        self.fields["commitments"].label_from_instance = (
            lambda c: f"{c.section.charter.title}: {c.text}")
        said = [Field.select("topic"), Field.text("new_topic"), Field.text("heading"),
                Field.select("theme"), Field.textarea("you_said")]
        said += [Field.checkboxes(name, small=True) for name in self.quote_fields]
        said += [Field.checkboxes(name, small=True) for name in self.statistic_fields]
        self.helper = gds_helper(
            Fieldset(*said, legend="You said", legend_size=Size.MEDIUM),
            Fieldset(Field.textarea("we_did"), Field.checkboxes("actions", small=True),
                     Field.checkboxes("commitments", small=True),
                     Field.radios("outcome", small=True, inline=True), Field.textarea("rationale"),
                     Field.textarea("what_next"),
                     legend="We did", legend_size=Size.MEDIUM),
            Fieldset(Field.textarea("evidence"), Field.textarea("evidence_links"),
                     legend="Evidence", legend_size=Size.MEDIUM),
            Button("save_item", "Save item"),
        )

    def _grouped(self, prefix, queryset, *, key, legend, label, chosen) -> dict[str, list]:
        """One checkbox field per group (survey) named prefix_<n>; returns
        {field name: the objects it offers}."""
        groups: dict = {}
        for obj in queryset:
            groups.setdefault(key(obj), []).append(obj)
        chosen_pks = {o.pk for o in chosen}
        fields = {}
        for n, (group, objects) in enumerate(groups.items(), 1):
            name = f"{prefix}_{n}"
            self.fields[name] = forms.TypedMultipleChoiceField(
                label=legend(group), required=False, coerce=int,
                choices=[(o.pk, label(o)) for o in objects],
                widget=forms.CheckboxSelectMultiple,
                initial=[o.pk for o in objects if o.pk in chosen_pks])
            self.fields[name].error_messages["invalid_choice"] = (
                "Choose from the list: one of the choices is no longer available")
            fields[name] = objects
        return fields

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == ReportItem.Outcome.NOT_POSSIBLE and not cleaned.get(
                "rationale", "").strip():
            self.add_error("rationale", "Explain why it was not possible")
        if not cleaned.get("topic") and not cleaned.get("new_topic", "").strip() \
                and "topic" not in self.errors:
            self.add_error("topic", "Choose the topic this item goes under, or name a new one")
        for target, groups in (("quotes", self.quote_fields),
                               ("statistics", self.statistic_fields)):
            picked = []
            for name, objects in groups.items():
                wanted = set(cleaned.pop(name, None) or ())
                picked += [o for o in objects if o.pk in wanted]
            cleaned[target] = picked
        return cleaned


class TopicForm(forms.Form):
    title = forms.CharField(label="Topic", max_length=200,
                            help_text="A heading readers will recognise, for example "
                                      "“Communication” or “The Local Offer website”",
                            error_messages={"required": "Enter the topic's name",
                                            "max_length": "The topic's name must be 200 "
                                                          "characters or fewer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("title"), Button("save_topic", "Save topic"))


class SeriesForm(forms.Form):
    name = forms.CharField(label="Name of the series", max_length=200,
                           help_text="Readers see it on every report in the series. Its web "
                                     "address stays the same.",
                           error_messages={"required": "Enter the name of the series",
                                           "max_length": "The name of the series must be 200 "
                                                         "characters or fewer"})
    report = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("name"), Field("report"),
                                 Button("save_series", "Save"))


class WithdrawForm(forms.Form):
    withdrawn_reason = forms.CharField(
        label="Why is it being withdrawn?", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Readers see this on the report's page.",
        error_messages={"required": "Say why the report is withdrawn"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("withdrawn_reason"),
                                 Button.warning("withdraw", "Withdraw the report"))


class UsefulForm(HoneypotMixin):
    useful = forms.ChoiceField(label="Was this page useful?", choices=[("yes", "Yes"),
                                                                        ("no", "No")],
                               widget=forms.RadioSelect,
                               error_messages={"required": "Select yes or no"})
    comment = forms.CharField(
        label="How could we make it more useful? (optional)", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Do not include personal details. We cannot reply to this: to get an answer, "
                  "give feedback instead.",
        error_messages={"max_length": "Your comment must be 2,000 characters or fewer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.radios("useful", inline=True, legend_size=Size.MEDIUM),
                                 Field.textarea("comment"), honeypot_html(),
                                 Button.secondary("send_useful", "Send"))
        self.helper.form_show_errors = True




def last_academic_year_start(today=None) -> int:
    """The first year of the last academic year that has ended (in December
    2026 that is 2025: September 2025 to August 2026)."""
    today = today or timezone.localdate()
    return today.year - 1 if today.month >= 9 else today.year - 2


def academic_year_label(start: int) -> str:
    return f"{start}–{(start + 1) % 100:02d} (September {start} to August {start + 1})"


def offer_years(field, today=None) -> int:
    """The last four academic years that have ended (the last chosen) and
    "Other dates", as a period's choices; returns the last one's first year."""
    last = last_academic_year_start(today)
    field.choices = [*[(str(y), academic_year_label(y)) for y in range(last, last - 4, -1)],
                     ("other", "Other dates")]
    field.initial = str(last)
    return last


def clean_year_or_dates(form, cleaned: dict) -> None:
    """A period chosen as an academic year (`year`, its first year) or as
    other dates (`period_start`, `period_end`): sets both dates and
    `period_kind`, or the errors on the date fields."""
    year = cleaned.get("year")
    start, end = cleaned.get("period_start"), cleaned.get("period_end")
    if year == "other":
        if not start and not form.has_error("period_start"):
            form.add_error("period_start", "Enter the date the period starts")
        if not end and not form.has_error("period_end"):
            form.add_error("period_end", "Enter the date the period ends")
        if start and end and end < start:
            form.add_error("period_end", "The end of the period must be after its start")
        cleaned["period_kind"] = Report.PeriodKind.CUSTOM
    elif year:
        first = int(year)
        cleaned["period_start"] = date(first, 9, 1)
        cleaned["period_end"] = date(first + 1, 8, 31)
        cleaned["period_kind"] = Report.PeriodKind.ACADEMIC_YEAR


class _TitledPeriodForm(forms.Form):
    """A title and a period: an academic year (the last ended one by
    default, offer_years) or other dates (clean_year_or_dates)."""

    title = forms.CharField(label="Title", max_length=200,
                            error_messages={"required": "Enter a title"})
    year = forms.ChoiceField(
        label="Which period does it cover?", widget=forms.RadioSelect,
        error_messages={"required": "Select the academic year, or other dates"})
    period_start = GdsDateField(label="Other dates: from", required=False,
                                help_text="Only for other dates. For example, 1 4 2026",
                                required_message="Enter the date the period starts",
                                invalid_message="The start of the period must be a real date")
    period_end = GdsDateField(label="Other dates: to", required=False,
                              help_text="For example, 31 3 2027",
                              required_message="Enter the date the period ends",
                              invalid_message="The end of the period must be a real date")

    def clean(self):
        cleaned = super().clean()
        clean_year_or_dates(self, cleaned)
        return cleaned


class LocalOfferDraftForm(_TitledPeriodForm):
    """Draft the annual Local Offer report: the period (an academic year
    by default), its title, and how families were involved."""

    families_involvement = forms.CharField(
        label="How were families involved in reviewing the Local Offer? (optional)",
        required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="You can write it later. It must be written before the report is sent for "
                  "review.")
    new_series = forms.CharField(label="Series", max_length=200,
                                 help_text="Each year's report is listed with the others under "
                                           "this name.",
                                 error_messages={"required": "Enter the name of the series"})

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        last = offer_years(self.fields["year"], today)
        self.fields["title"].initial = f"Local Offer annual report {last}–{(last + 1) % 100:02d}"
        self.fields["new_series"].initial = "Local Offer annual report"
        self.helper = gds_helper(
            Field.text("title"), Field.radios("year", small=True), Field("period_start"),
            Field("period_end"), Field.textarea("families_involvement"),
            Field.text("new_series"), Button("draft", "Draft the report"))


class LocalOfferInvolvementForm(forms.Form):
    families_involvement = forms.CharField(
        label="How were families involved in reviewing the Local Offer?",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="For example, who tested the website, which groups reviewed the pages, and "
                  "what changed because of them. Published with the report.",
        error_messages={"required": "Say how families were involved in reviewing the Local "
                                    "Offer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("families_involvement"),
                                 Button("save_involvement", "Save"))


class EvidencePackForm(_TitledPeriodForm):
    """Make an evidence pack: the period (an academic year by default), the
    partnership or one organisation, and the headings it is arranged under
    (the inspection framework's areas and the charter, as last written)."""

    PARTNERSHIP = "partnership"

    scope = forms.ChoiceField(
        label="Who is it for?", widget=forms.RadioSelect,
        error_messages={"required": "Select the partnership or one organisation",
                        "invalid_choice": "Select the partnership or one organisation"})

    def __init__(self, *args, organisations, partnership: bool, headings: dict[str, str],
                 today=None, **kwargs):
        from .models import EvidencePack

        super().__init__(*args, **kwargs)
        last = offer_years(self.fields["year"], today)
        self.fields["title"].initial = f"Evidence pack {last}–{(last + 1) % 100:02d}"
        self.organisations = {str(o.pk): o for o in organisations}
        self.fields["scope"].choices = (
            [(self.PARTNERSHIP, "The whole partnership")] if partnership else []) + [
            (pk, o.display_name) for pk, o in self.organisations.items()]
        self.fields["scope"].initial = self.PARTNERSHIP if partnership else next(
            iter(self.organisations), None)
        self.areas = EvidencePack.Area
        for area in EvidencePack.Area:
            self.fields[f"heading_{area.value}"] = forms.CharField(
                label=f"Heading for “{area.label}”", max_length=200,
                initial=headings.get(area.value) or area.label,
                error_messages={"required": f"Enter the heading for “{area.label}”"})
        self.helper = gds_helper(
            Field.text("title"), Field.radios("year", small=True), Field("period_start"),
            Field("period_end"), Field.radios("scope", small=True),
            Fieldset(*[Field.text(f"heading_{a.value}") for a in EvidencePack.Area],
                     legend="Headings", legend_size=Size.MEDIUM),
            Button("make", "Make the evidence pack"))

    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("scope")
        cleaned["organisation"] = self.organisations.get(scope)
        cleaned["headings"] = {a.value: cleaned.get(f"heading_{a.value}", "")
                               for a in self.areas}
        return cleaned
