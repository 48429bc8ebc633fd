"""Reading a CSV of measure values (measure, date, value, note) and checking
it row by row before anything is saved. Nothing here writes: the check is
shown to the person, and `services.measure_values_upload` saves the good
rows of the same text after they confirm.
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from .models import Measure, MeasureValue

MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 5000
COLUMNS = ("measure", "date", "value", "note")
NOTE_MAX = 500
_BIGGEST = Decimal("9999999999.99")


class MeasureFileError(Exception):
    """The file as a whole cannot be read: not CSV text, no header, too big."""


@dataclass
class GoodRow:
    line: int
    measure: Measure
    date: date
    value: Decimal
    note: str


@dataclass
class CheckedValues:
    good: list[GoodRow] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, column, message)
    already: int = 0  # rows already recorded with the same value: added nothing
    total: int = 0


def decode(raw: bytes) -> str:
    """UTF-8 with or without a byte order mark (what Excel's "CSV UTF-8" writes)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MeasureFileError("The file must be a CSV saved as UTF-8. In Excel, choose "
                               "“CSV UTF-8” when you save it") from exc


def parse_date(text: str) -> date | None:
    """2026-03-31, or 31/03/2026 as UK spreadsheets write it."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007  # a day, no time
        except ValueError:
            continue
    return None


def parse_number(text: str) -> Decimal | None:
    """82.5, 82.5%, 1,240 or -3: a number with at most two decimal places."""
    cleaned = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text.strip().rstrip("%").strip())
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if abs(value) > _BIGGEST or value != value.quantize(Decimal("0.01")):
        return None
    return value


def check(text: str, *, may_add: Callable[[Measure], bool], today: date) -> CheckedValues:
    """Every row checked: a known measure (by its code) the person may add
    values to, a real date not in the future, a number, and not two values
    for one measure and date. A row already recorded with the same value is
    counted, not added again, so uploading the same file twice adds nothing.
    Three queries however many rows."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise MeasureFileError("The selected file is empty") from None
    except csv.Error as exc:
        raise MeasureFileError("The selected file could not be read as CSV") from exc
    missing = [c for c in COLUMNS[:3] if c not in header]
    if missing:
        raise MeasureFileError("The first row must name the columns: measure, date, value, "
                               "note. This file has no " + ", ".join(missing) + " column")
    where = {name: header.index(name) for name in COLUMNS if name in header}
    try:
        rows = [(n, row) for n, row in enumerate(reader, start=2) if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise MeasureFileError("The selected file could not be read as CSV") from exc
    if not rows:
        raise MeasureFileError("The file has no rows of values under its first row")
    if len(rows) > MAX_ROWS:
        raise MeasureFileError(f"The file must have {MAX_ROWS:,} rows or fewer")

    def cell(row, name):
        i = where.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    # Codes are stored in capitals (services.measure_create), so "ehcp20" finds EHCP20.
    codes = {cell(row, "measure").upper() for _, row in rows}
    measures = {m.code: m for m in Measure.objects.select_related(
        "action__lead_organisation", "priority__plan__board").filter(code__in=codes)}
    stored = {(v.measure_id, v.date): v.value for v in MeasureValue.objects.filter(
        measure__in=list(measures.values())).only("measure_id", "date", "value")}

    result = CheckedValues(total=len(rows))
    seen: dict[tuple[int, date], int] = {}
    for line, row in rows:
        code, day_text, number_text, note = (cell(row, c) for c in COLUMNS)
        problems = []
        measure = measures.get(code.upper())
        if not code:
            problems.append(("measure", "Enter the measure’s code"))
        elif measure is None:
            problems.append(("measure", f"There is no measure with the code “{code[:40]}”"))
        elif measure.is_family_reported:
            problems.append(("measure", f"{measure.code} takes its values from what families "
                                        "said; it cannot be uploaded"))
        elif not may_add(measure):
            problems.append(("measure", f"You cannot add values to {measure.code}"))
        day = parse_date(day_text)
        if not day_text:
            problems.append(("date", "Enter the date"))
        elif day is None:
            problems.append(("date", f"“{day_text[:20]}” is not a date: write it like "
                                     "2026-03-31 or 31/03/2026"))
        elif day > today:
            problems.append(("date", "The date must be today or in the past"))
        value = parse_number(number_text)
        if not number_text:
            problems.append(("value", "Enter the value"))
        elif value is None:
            problems.append(("value", f"“{number_text[:20]}” is not a number: write it like "
                                      "82.5 (at most two decimal places)"))
        if len(note) > NOTE_MAX:
            problems.append(("note", f"The note must be {NOTE_MAX} characters or fewer"))
        if not problems and measure is not None and day is not None:
            key = (measure.pk, day)
            if key in seen:
                problems.append(("date", f"Row {seen[key]} already gives {measure.code} a value "
                                         f"for {day:%-d %B %Y}"))
            elif key in stored and stored[key] != value:
                problems.append(("date", f"{measure.code} already has {measure.format(stored[key])} "
                                         f"for {day:%-d %B %Y}"))
            seen.setdefault(key, line)
        if problems:
            result.errors.extend((line, column, message) for column, message in problems)
        elif (measure.pk, day) in stored:
            result.already += 1
        else:
            result.good.append(GoodRow(line, measure, day, value, note))
    return result

