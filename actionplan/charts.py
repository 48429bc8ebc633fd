"""Charts for the dashboard, drawn on the server as inline SVG.

No JavaScript and no colour-only meaning: each status has a colour AND a
fill pattern (stripes, dots, hatching…), the legend names every status in
words, counts are written on the bars, and every chart has a <title> and
<desc> (role="img", aria-labelledby) and a table beside it with the same
numbers. Only presentation attributes are used (no style attributes), so
the Content-Security-Policy holds.
"""

import textwrap

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
FONT = 'font-family="GDS Transport, arial, sans-serif"'


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


def _legend(prefix: str, statuses: list[tuple[str, str]], width: int) -> tuple[str, int]:
    """A legend in rows of three, each a swatch and the status in words."""
    parts, x, y, per_row = [], 0, 0, 3
    column = width // per_row
    for i, (status, label) in enumerate(statuses):
        x = (i % per_row) * column
        y = (i // per_row) * 24
        parts.append(f'<rect x="{x}" y="{y}" width="18" height="18" fill="url(#{prefix}-{status})" '
                     f'stroke="{TEXT}" stroke-width="1"/>'
                     f'<text x="{x + 24}" y="{y + 14}" font-size="14" fill="{TEXT}" {FONT}>'
                     f'{escape(label)}</text>')
    height = ((len(statuses) + per_row - 1) // per_row) * 24 + 8
    return "".join(parts), height


def _count_label(x: float, y: float, width: float, height: float, value: int) -> str:
    """The count written in a white box on its segment, when there is room."""
    if value == 0 or width < 22:
        return ""
    text = str(value)
    box = 8 + 8 * len(text)
    return (f'<rect x="{x + width / 2 - box / 2:.1f}" y="{y + height / 2 - 9:.1f}" width="{box}" '
            f'height="18" rx="3" fill="#ffffff"/>'
            f'<text x="{x + width / 2:.1f}" y="{y + height / 2 + 5:.1f}" font-size="13" '
            f'text-anchor="middle" fill="{TEXT}" {FONT}>{text}</text>')


def _svg(chart_id: str, title: str, description: str, width: int, height: int,
         body: str) -> SafeString:
    # Every text in the SVG went through escape(); numbers are formatted here.
    return mark_safe(  # nosec B308 B703
        f'<svg class="app-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'focusable="false"><title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>{body}</svg>'
    )


def stacked_bars(chart_id: str, *, title: str, description: str, rows: list[Row],
                 statuses: list[tuple[str, str]]) -> SafeString:
    """Horizontal bars, one per row (priority, organisation), each split by
    status. The row's label is written above its bar and its total after it."""
    width, bar_height, label_height, gap = 640, 26, 20, 14
    legend, legend_height = _legend(chart_id, statuses, width)
    biggest = max((r.total for r in rows), default=0) or 1
    usable = width - 60
    parts = [_defs(chart_id), f'<g>{legend}</g>']
    y = legend_height + 8
    for row in rows:
        # Whole labels, wrapped: cut short, ten priorities of one long-named
        # plan all read the same.
        for line in textwrap.wrap(row.label, 80) or [""]:
            parts.append(f'<text x="0" y="{y + 14}" font-size="14" fill="{TEXT}" {FONT}>'
                         f'{escape(line)}</text>')
            y += label_height
        x = 0.0
        for (status, _), value in zip(statuses, row.counts, strict=False):
            if not value:
                continue
            w = usable * value / biggest
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" '
                         f'fill="url(#{chart_id}-{status})" stroke="#ffffff" stroke-width="1"/>')
            parts.append(_count_label(x, y, w, bar_height, value))
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 18}" font-size="14" font-weight="bold" '
                     f'fill="{TEXT}" {FONT}>{row.total}</text>')
        y += bar_height + gap
    if not rows:
        parts.append(f'<text x="0" y="{y + 14}" font-size="14" fill="{TEXT}" {FONT}>'
                     f'No actions match.</text>')
        y += 30
    return _svg(chart_id, title, description, width, y, "".join(parts))


def stacked_columns(chart_id: str, *, title: str, description: str, rows: list[Row],
                    statuses: list[tuple[str, str]]) -> SafeString:
    """Vertical columns, one per month-end, each split by status, for how
    the plan moved over time."""
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
                     f'font-weight="bold" text-anchor="middle" fill="{TEXT}" {FONT}>'
                     f'{row.total}</text>')
        month, _, year = row.label.partition(" ")
        if row.label.startswith("Today"):
            month, year = "Today", ""
        parts.append(f'<text x="{x + column / 2:.1f}" y="{baseline + 16}" font-size="12" '
                     f'text-anchor="middle" fill="{TEXT}" {FONT}>{escape(month)}</text>'
                     f'<text x="{x + column / 2:.1f}" y="{baseline + 31}" font-size="12" '
                     f'text-anchor="middle" fill="{TEXT}" {FONT}>{escape(year)}</text>')
    return _svg(chart_id, title, description, width, baseline + axis_height, "".join(parts))
