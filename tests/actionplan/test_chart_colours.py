"""Each status's colour in the dashboard's charts has at least 3:1 contrast
with the white page and the white patterns drawn over it (WCAG 1.4.11,
non-text contrast), and the colours stay apart from one another. Read from
the SVG the page serves, not from the Python constants."""

import itertools
import re

import pytest
from django.urls import reverse

from actionplan.models import Status

pytestmark = pytest.mark.django_db


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _lab(hex_colour: str) -> tuple[float, float, float]:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def test_each_status_colour_has_3_to_1_against_white_and_differs_from_the_others(
        client, world):
    client.force_login(world["people"]["board_member"])
    html = client.get(reverse("staff:actionplan:dashboard")).content.decode()
    colours = dict(re.findall(r'<pattern id="chart-priority-(\w+)"[^>]*><rect [^>]*'
                              r'fill="(#[0-9a-f]{6})"', html))
    assert set(colours) == set(Status.values)
    for status, colour in colours.items():
        assert contrast(colour, "#ffffff") >= 3, (status, colour, contrast(colour, "#ffffff"))
    for (one, a), (other, b) in itertools.combinations(colours.items(), 2):
        distance = sum((p - q) ** 2 for p, q in zip(_lab(a), _lab(b), strict=True)) ** 0.5
        assert distance >= 20, (one, other, round(distance))


def test_the_contrast_formula_gives_wcags_own_figures():
    """Known pairs, so the checks above cannot pass on a wrong formula."""
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54  # the lightest AA grey
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert contrast("#ffffff", "#ffffff") == 1
    # the palette before issue 21: orange amber and mid-grey "not started" failed
    assert contrast("#f47738", "#ffffff") < 3 and contrast("#b1b4b6", "#ffffff") < 3


def test_every_series_colour_in_every_chart_has_3_to_1_against_what_it_is_drawn_on(
        client, world):
    """Each chart, wide and narrow (priority, organisation, status over
    time): every series colour against every colour it meets, read from the
    SVG: the page behind the chart, the pattern lines drawn over it, the
    lines between segments and the boxes the counts are written in."""
    client.force_login(world["people"]["board_member"])
    html = client.get(reverse("staff:actionplan:dashboard")).content.decode()
    charts = re.findall(r'<svg class="app-chart[^"]*".*?</svg>', html, flags=re.S)
    assert len(charts) == 6
    page_background = "#ffffff"  # GOV.UK's page; the charts draw no background of their own
    for svg in charts:
        chart = re.search(r'<title id="([\w-]+)-title"', svg).group(1)
        patterns = re.findall(r'<pattern id="[\w-]+?-(\w+)"[^>]*><rect [^>]*fill="(#[0-9a-f]{6})"'
                              r'/>(?:<path [^>]*stroke="(#[0-9a-f]{6})")?', svg)
        assert {status for status, _, _ in patterns} == set(Status.values), chart
        segment_lines = set(re.findall(r'fill="url\(#[\w-]+\)" stroke="(#[0-9a-f]{6})"', svg))
        count_boxes = set(re.findall(r'<rect [^>]*rx="3" fill="(#[0-9a-f]{6})"', svg))
        for status, colour, pattern_line in patterns:
            against = {page_background, *segment_lines, *count_boxes}
            if pattern_line:
                against.add(pattern_line)
            for background in against - {"#0b0c0c"}:  # the legend's black outline is no background
                assert contrast(colour, background) >= 3, (chart, status, colour, background)


def test_charts_are_written_in_the_councils_font_never_gds_transport(client, world, settings):
    """GDS Transport is GOV.UK's own typeface, not a council's: every chart's
    text names the font stack the stylesheet is compiled with."""
    settings.BRAND_FONT_STACK = 'Verdana, "Open Sans", sans-serif'
    client.force_login(world["people"]["board_member"])
    html = client.get(reverse("staff:actionplan:dashboard")).content.decode()
    charts = re.findall(r'<svg class="app-chart[^"]*".*?</svg>', html, flags=re.S)
    assert charts
    fonts = {font for svg in charts for font in re.findall(r'font-family="([^"]*)"', svg)}
    assert fonts == {"Verdana, &quot;Open Sans&quot;, sans-serif"}
    assert "GDS Transport" not in html
