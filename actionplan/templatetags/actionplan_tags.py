"""{% status_tag status label %}: an action's status as a GOV.UK tag."""

from django import template
from django.utils.html import format_html

from actionplan.models import Status

register = template.Library()

# The colour of each status's tag, beside its words (never colour alone).
TAG_CLASSES = {
    Status.OFF_TRACK: "govuk-tag--red",
    Status.AT_RISK: "govuk-tag--orange",
    Status.ON_TRACK: "govuk-tag--green",
    Status.COMPLETE: "govuk-tag--blue",
    Status.CANCELLED: "govuk-tag--purple",
}


@register.simple_tag
def status_tag(status: str, label: str) -> str:
    """A tag, not an {% include %} of a template: lists show one per row."""
    return format_html('<strong class="govuk-tag {}">{}</strong>',
                       TAG_CLASSES.get(status, "govuk-tag--grey"), label)
