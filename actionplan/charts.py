"""Charts for the dashboard, drawn on the server as inline SVG.

No JavaScript and no colour-only meaning: each status has a colour AND a
fill pattern (stripes, dots, hatching…), the legend names every status in
words, counts are written on the bars, and every chart has a <title> and
<desc> (role="img", aria-labelledby) and a table beside it with the same
numbers. Only presentation attributes are used (no style attributes), so
the Content-Security-Policy holds.
"""

import textwrap

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .selectors import Row

# status: (colour, pattern drawn over it in white, name of the pattern for the legend)
# Colours of GOV.UK's palette with at least 3:1 contrast against white (WCAG 1.4.11:
# orange #f47738 had 2.8:1, mid-grey #b1b4b6 2.1:1), each the family of the status's
# tag (actionplan_tags.TAG_CLASSES: red, orange, green, grey, blue, purple) so the
# chart, the public plan's tags and the board pack read alike.
STYLES = {
    "off_track": ("#d4351c", "M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6", "diagonal stripes"),  # red
    "at_risk": ("#b58840", "M2,2 h0.01 M6,6 h0.01", "dots"),  # brown, for amber: 3.2:1
    "on_track": ("#00703c", "", "solid"),  # green
    "not_started": ("#505a5f", "M0,4 H8", "horizontal lines"),  # dark grey
    "complete": ("#1d70b8", "M0,0 L8,8 M0,8 L8,0", "cross-hatching"),  # blue
    "cancelled": ("#4c2c92", "M4,0 V8", "vertical lines"),  # purple
}
TEXT = "#0b0c0c"


def _font() -> str:
    """The council's own font stack (settings.BRAND_FONT_STACK, the one the
    stylesheet is compiled with), never GDS Transport: a council is not GOV.UK."""
    return f'font-family="{escape(settings.BRAND_FONT_STACK)}"'


def _defs(prefix: str) -> str:
    parts = ["<defs>"]
    for status, (colour, path, _) in STYLES.items():
        stroke_width = "3" if status == "at_risk" else "1.5"
        linecap = ' stroke-linecap="round"' if status == "at_risk" else ""
        parts.append(
            f'<pattern id="{prefix}-{status}" patternUnits="userSpaceOnUse" width="8" height="8">'
            f'<rect width="8" height="8" fill="{colour}"/>'
            + (f'<path d="{path}" stroke="#ffffff" stroke-width="{stroke_width}"{linecap}/>'
               if path else "")
            + "</pattern>")
    parts.append("</defs>")
    return "".join(parts)


# The narrow chart, shown instead of the wide one below GOV.UK's desktop breakpoint
# (static/scss/_portal.scss): drawn at its own size (never scaled down, so 288 wide
# fits a 320 px screen) with text at GOV.UK's body size for those widths, 19px. The
# wide chart scaled to a 320 px screen wrote its words 6 to 7 px high.
NARROW_WIDTH = 288
NARROW_FONT = 19


def _legend(prefix: str, statuses: list[tuple[str, str]], width: int,
            font: int = 14) -> tuple[str, int]:
    """A legend in rows of three (one a row when narrow), each a swatch and
    the status in words."""
    parts, x, y = [], 0, 0
    per_row = 3 if font < NARROW_FONT else 1
    line = max(24, font + 8)
    column = width // per_row
    for i, (status, label) in enumerate(statuses):
        x = (i % per_row) * column
        y = (i // per_row) * line
        parts.append(f'<rect x="{x}" y="{y}" width="18" height="18" fill="url(#{prefix}-{status})" '
                     f'stroke="{TEXT}" stroke-width="1"/>'
                     f'<text x="{x + 24}" y="{y + 15}">{escape(label)}</text>')
    height = ((len(statuses) + per_row - 1) // per_row) * line + 8
    return "".join(parts), height


def _count_label(x: float, y: float, width: float, height: float, value: int,
                 font: int = 13) -> str:
    """The count written in a white box on its segment, when there is room."""
    text = str(value)
    box = 8 + (font * 0.62) * len(text)
    if value == 0 or width < box + 4:
        return ""
    return (f'<rect x="{x + width / 2 - box / 2:.1f}" y="{y + height / 2 - font * 0.7:.1f}" '
            f'width="{box:.1f}" height="{font * 1.4:.1f}" rx="3" fill="#ffffff"/>'
            f'<text x="{x + width / 2:.1f}" y="{y + height / 2 + font * 0.36:.1f}" '
            f'font-size="{font}" text-anchor="middle">{text}</text>')


def _svg(chart_id: str, title: str, description: str, width: int, height: int,
         body: str, *, narrow: bool = False) -> SafeString:
    # Every text in the SVG went through escape(); numbers are formatted here.
    size = (f'class="app-chart app-chart--narrow" width="{width}"' if narrow
            else 'class="app-chart app-chart--wide" width="100%"')
    return mark_safe(  # nosec B308 B703
        f'<svg {size} xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'focusable="false"><title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>{body}</svg>'
    )


def stacked_bars(chart_id: str, *, title: str, description: str, rows: list[Row],
                 statuses: list[tuple[str, str]]) -> SafeString:
    """Horizontal bars, one per row (priority, organisation), each split by
    status: a wide chart, and a narrow one for small screens (CSS shows one)."""
    return mark_safe(  # nosec B308 B703 # both made by _bars from escaped text
        _bars(chart_id, title=title, description=description, rows=rows, statuses=statuses)
        + _bars(f"{chart_id}-narrow", title=title, description=description, rows=rows,
                statuses=statuses, narrow=True))


def _bars(chart_id: str, *, title: str, description: str, rows: list[Row],
          statuses: list[tuple[str, str]], narrow: bool = False) -> SafeString:
    """The row's label is written above its bar and its total after it."""
    if narrow:
        width, font, bar_height, gap, wrap_at = NARROW_WIDTH, NARROW_FONT, 30, 16, 24
    else:
        width, font, bar_height, gap, wrap_at = 640, 14, 26, 14, 80
    label_height = font + 6
    legend, legend_height = _legend(chart_id, statuses, width, font)
    biggest = max((r.total for r in rows), default=0) or 1
    usable = width - (font * 0.62 * 4 + 14)  # room for the total after the bar
    parts = [_defs(chart_id), f'<g>{legend}</g>']
    y = legend_height + 8
    for row in rows:
        # Whole labels, wrapped: cut short, ten priorities of one long-named
        # plan all read the same.
        for line in textwrap.wrap(row.label, wrap_at) or [""]:
            parts.append(f'<text x="0" y="{y + font}">{escape(line)}</text>')
            y += label_height
        x = 0.0
        for (status, _), value in zip(statuses, row.counts, strict=False):
            if not value:
                continue
            w = usable * value / biggest
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" '
                         f'fill="url(#{chart_id}-{status})" stroke="#ffffff" stroke-width="1"/>')
            parts.append(_count_label(x, y, w, bar_height, value, font if narrow else 13))
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + bar_height / 2 + font * 0.36:.1f}" '
                     f'font-weight="bold">{row.total}</text>')
        y += bar_height + gap
    if not rows:
        parts.append(f'<text x="0" y="{y + font}">No actions match.</text>')
        y += 30
    return _svg(chart_id, title, description, width, y, _text_group(parts, font), narrow=narrow)


def stacked_columns(chart_id: str, *, title: str, description: str, rows: list[Row],
                    statuses: list[tuple[str, str]]) -> SafeString:
    """Vertical columns, one per month-end, each split by status, for how
    the plan moved over time; on small screens (CSS shows one), a bar per
    month instead: twelve columns in 288 leave no room for words."""
    return mark_safe(  # nosec B308 B703 # both made from escaped text
        _columns(chart_id, title=title, description=description, rows=rows, statuses=statuses)
        + _bars(f"{chart_id}-narrow", title=title, description=description, rows=rows,
                statuses=statuses, narrow=True))


def _columns(chart_id: str, *, title: str, description: str, rows: list[Row],
             statuses: list[tuple[str, str]]) -> SafeString:
    width, plot_height, axis_height = 640, 220, 40
    legend, legend_height = _legend(chart_id, statuses, width)
    biggest = max((r.total for r in rows), default=0) or 1
    n = max(len(rows), 1)
    slot = width / n
    column = min(slot * 0.7, 48)
    top = legend_height + 20
    parts = [_defs(chart_id), f'<g>{legend}</g>']
    baseline = top + plot_height
    parts.append(f'<line x1="0" y1="{baseline}" x2="{width}" y2="{baseline}" stroke="{TEXT}" '
                 f'stroke-width="1"/>')
    for i, row in enumerate(rows):
        x = i * slot + (slot - column) / 2
        y = float(baseline)
        for (status, _), value in zip(statuses, row.counts, strict=False):
            if not value:
                continue
            h = plot_height * value / biggest
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{column:.1f}" height="{h:.1f}" '
                         f'fill="url(#{chart_id}-{status})" stroke="#ffffff" stroke-width="1"/>')
            if h >= 20:
                parts.append(_count_label(x, y, column, h, value))
        parts.append(f'<text x="{x + column / 2:.1f}" y="{y - 6:.1f}" font-size="13" '
                     f'font-weight="bold" text-anchor="middle">{row.total}</text>')
        month, _, year = row.label.partition(" ")
        if row.label.startswith("Today"):
            month, year = "Today", ""
        parts.append(f'<text x="{x + column / 2:.1f}" y="{baseline + 16}" font-size="12" '
                     f'text-anchor="middle">{escape(month)}</text>'
                     f'<text x="{x + column / 2:.1f}" y="{baseline + 31}" font-size="12" '
                     f'text-anchor="middle">{escape(year)}</text>')
    return _svg(chart_id, title, description, width, baseline + axis_height,
                _text_group(parts, 14))


# --- A measure over time ------------------------------------------------------------------
# Values in GOV.UK blue (5.2:1 on white), the baseline in dark grey (7.6:1) drawn
# dashed, targets in green (5.9:1) drawn as diamonds: told apart by shape and line
# style as well as colour, and named in words in the legend.
VALUE_COLOUR = "#1d70b8"
BASELINE_COLOUR = "#505a5f"
TARGET_COLOUR = "#00703c"


def measure_line(chart_id: str, *, measure, values: list, targets: list) -> SafeString:
    """A measure's values as a line over time, with its baseline and
    targets; a wide chart and a narrow one for small screens (CSS shows
    one). `values` are (date, value, provisional) and `targets` (date,
    value), oldest first. The page gives the same numbers in a table."""
    return mark_safe(  # nosec B308 B703 # both made by _line from escaped text
        _line(chart_id, measure=measure, values=values, targets=targets)
        + _line(f"{chart_id}-narrow", measure=measure, values=values, targets=targets,
                narrow=True))


def measure_description(measure, values: list, targets: list) -> str:
    parts = [f"Line chart of {measure.name}: {len(values)} value{'s' if len(values) != 1 else ''}"]
    if values:
        parts.append(f", from {measure.format(values[0][1])} on {values[0][0]:%-d %B %Y} "
                     f"to {measure.format(values[-1][1])} on {values[-1][0]:%-d %B %Y}")
    if measure.baseline_value is not None:
        parts.append(f"; baseline {measure.format(measure.baseline_value)}")
    for day, value in targets:
        parts.append(f"; target {measure.format(value)} by {day:%-d %B %Y}")
    parts.append(f". {measure.get_direction_display()}. The table after the chart gives the "
                 "same numbers.")
    return "".join(parts)


def _line(chart_id: str, *, measure, values: list, targets: list,
          narrow: bool = False) -> SafeString:
    width, font = (NARROW_WIDTH, NARROW_FONT) if narrow else (640, 14)
    left, right, plot_height = (font * 4, 12, 150 if narrow else 200)
    title = measure.name
    description = measure_description(measure, values, targets)
    legend_items = [("Values", "value")]
    if measure.baseline_value is not None:
        legend_items.append(("Baseline", "baseline"))
    if targets:
        legend_items.append(("Target", "target"))
    parts, ly = [], 0
    per_row = 1 if narrow else 3
    column = width // per_row
    for i, (label, kind) in enumerate(legend_items):
        x, y = (i % per_row) * column, (i // per_row) * (font + 10)
        parts.append(_legend_mark(kind, x + 12, y + font * 0.6))
        parts.append(f'<text x="{x + 30}" y="{y + font}">{label}</text>')
        ly = y + font + 10
    top = ly + 14
    numbers = [v for _, v, _ in values] + [v for _, v in targets]
    days = [d for d, _, _ in values] + [d for d, _ in targets]
    if measure.baseline_value is not None:
        numbers.append(measure.baseline_value)
        if measure.baseline_date:
            days.append(measure.baseline_date)
    if not numbers:
        parts.append(f'<text x="0" y="{top + font}">No values yet.</text>')
        return _svg(chart_id, title, description, width, top + font + 10, _text_group(parts, font),
                    narrow=narrow)
    low, high = float(min(numbers)), float(max(numbers))
    pad = (high - low) * 0.1 or 1.0
    low, high = (0.0 if low >= 0 and low - pad < 0 else low - pad), high + pad
    if measure.unit == "percent" and low >= 0 and high - pad <= 100:
        low, high = 0.0, 100.0  # a share reads against the whole
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    plot_width = width - left - right

    def px(day) -> float:
        return left + plot_width * ((day - first).days / span if len(set(days)) > 1 else 0.5)

    def py(value) -> float:
        return top + plot_height * (1 - (float(value) - low) / (high - low))

    bottom = top + plot_height
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{width - right}" y2="{bottom}" '
                 f'stroke="{TEXT}" stroke-width="1"/>'
                 f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{TEXT}" '
                 f'stroke-width="1"/>')
    for tick in (low, (low + high) / 2, high):
        parts.append(f'<text x="{left - 6}" y="{py(tick) + font * 0.35:.1f}" '
                     f'text-anchor="end">{escape(_short(tick))}</text>')
    parts.append(f'<text x="{left}" y="{bottom + font + 6}">{first:%b %Y}</text>')
    if last != first:
        parts.append(f'<text x="{width - right}" y="{bottom + font + 6}" '
                     f'text-anchor="end">{last:%b %Y}</text>')
    if measure.baseline_value is not None:
        y = py(measure.baseline_value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                     f'stroke="{BASELINE_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>')
    for day, value in targets:
        parts.append(_legend_mark("target", px(day), py(value)))
    if values:
        points = " ".join(f"{px(d):.1f},{py(v):.1f}" for d, v, _ in values)
        # Every value's dot (radius 5, a 2 wide edge) is a marker that the
        # line draws at each of its points, defined once: a plan or a
        # dashboard shows many measures' charts, and a dot written out for
        # each value was a third of a chart's bytes. Written out one by one
        # are only a lone value (no line to mark) and provisional values,
        # white inside, drawn over their marker.
        lone = len(values) == 1
        if not lone:
            dot = f"{chart_id}-dot"
            parts.append(f'<marker id="{dot}" viewBox="0 0 14 14" refX="7" refY="7" '
                         'markerWidth="14" markerHeight="14" markerUnits="userSpaceOnUse">'
                         f'<circle cx="7" cy="7" r="5" fill="{VALUE_COLOUR}" '
                         f'stroke="{VALUE_COLOUR}" stroke-width="2"/></marker>'
                         f'<polyline points="{points}" fill="none" stroke="{VALUE_COLOUR}" '
                         f'stroke-width="3" marker-start="url(#{dot})" '
                         f'marker-mid="url(#{dot})" marker-end="url(#{dot})"/>')
        for provisional, fill in ((False, VALUE_COLOUR), (True, "#ffffff")):
            dots = "".join(f"M{px(d) - 5:.1f},{py(v):.1f}a5,5 0 1,0 10,0a5,5 0 1,0-10,0"
                           for d, v, p in values if p == provisional and (p or lone))
            if dots:
                parts.append(f'<path d="{dots}" fill="{fill}" stroke="{VALUE_COLOUR}" '
                             'stroke-width="2"/>')
        day, value, _ = values[-1]
        label_x = min(px(day), width - right - font * 3)
        parts.append(f'<text x="{label_x:.1f}" y="{py(value) - 10:.1f}" font-weight="bold">'
                     f'{escape(_short(value))}</text>')
    return _svg(chart_id, title, description, width, bottom + font + 12,
                _text_group(parts, font), narrow=narrow)


def _text_group(parts: list[str], font: int) -> str:
    """The chart's parts in a group that gives every text its font, size and
    colour once, rather than on each."""
    return f'<g font-size="{font}" fill="{TEXT}" {_font()}>{"".join(parts)}</g>'


def _legend_mark(kind: str, x: float, y: float) -> str:
    if kind == "value":
        return (f'<line x1="{x - 10:.1f}" y1="{y:.1f}" x2="{x + 10:.1f}" y2="{y:.1f}" '
                f'stroke="{VALUE_COLOUR}" stroke-width="3"/><circle cx="{x:.1f}" cy="{y:.1f}" '
                f'r="5" fill="{VALUE_COLOUR}"/>')
    if kind == "baseline":
        return (f'<line x1="{x - 12:.1f}" y1="{y:.1f}" x2="{x + 12:.1f}" y2="{y:.1f}" '
                f'stroke="{BASELINE_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>')
    return (f'<path d="M{x:.1f},{y - 7:.1f} L{x + 7:.1f},{y:.1f} L{x:.1f},{y + 7:.1f} '
            f'L{x - 7:.1f},{y:.1f} Z" fill="{TARGET_COLOUR}" stroke="#ffffff" stroke-width="1"/>')


def _short(value) -> str:
    number = float(value)
    return f"{number:,.0f}" if abs(number) >= 100 or number == int(number) else f"{number:,.1f}"
