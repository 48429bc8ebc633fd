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


@register.simple_tag
def measure_chart(measure, prefix: str = "measure"):
    """{% measure_chart measure "public" %}: the measure's line chart, from
    its prefetched values and targets (selectors._with_values)."""
    from actionplan.charts import measure_line

    return measure_line(f"{prefix}-{measure.pk}", measure=measure,
                        values=[(v.date, v.value, v.provisional) for v in measure.value_list],
                        targets=[(t.date, t.value) for t in measure.target_list])


@register.simple_tag
def measure_chart_image(measure) -> str:
    """The wide chart as a data: URI, for an <img> with alt text in the
    board pack PDF (a tagged figure, where inline SVG would be untagged)."""
    import base64

    from actionplan.charts import _line

    svg = _line(f"pack-{measure.pk}", measure=measure,
                values=[(v.date, v.value, v.provisional) for v in measure.value_list],
                targets=[(t.date, t.value) for t in measure.target_list])
    svg = svg.replace('width="100%"', 'width="640"', 1)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@register.filter
def measure_format(value, measure) -> str:
    """{{ value|measure_format:measure }}: "82%", "14.5 weeks"."""
    return measure.format(value)
