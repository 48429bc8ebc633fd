"""Survey import: a CSV or XLSX export of a survey (Microsoft Forms, Google
Forms, SmartSurvey and the like) becomes feedback rows and statistics.
Checked cell by cell before anything is saved: a bad cell is reported and left
out, the rest of its row is kept. Headings are matched to the portal's fields
automatically (`suggest_mapping`); the officer confirms. Importing the same
rows twice adds nothing (each row has a fingerprint, `Feedback.import_key`).
"""

import csv
import datetime
import difflib
import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from core.audit import Verb
from core.models import ServiceArea
from core.services import audit_record

from .models import Feedback, StatusChange, SurveyImport, SurveyStatistic
from .routing import route_table

MAX_FILE_BYTES = 20 * 1024 * 1024
# Python's csv refuses a cell over 131,072 characters by default; a survey's
# free-text answer may be longer (it is cut to 5,000 when stored), so allow
# any cell a 20 MB file can hold. (A process-wide setting; nothing else here
# reads CSV.)
csv.field_size_limit(MAX_FILE_BYTES)
MAX_ROWS = 50_000
MAX_ERRORS_KEPT = 200
BATCH = 1000

# The fields a column can fill. Rating questions for statistics are chosen separately.
TARGETS = {
    "what_went_well": "What went well",
    "even_better_if": "What could be even better",
    "rating": "Overall rating (1 to 5)",
    "respondent": "Who answered (parent carer, young person…)",
    "age_group": "Age group of the child",
    "service_area": "Service area",
}

# The common five-point scales survey tools offer, as 1 (worst) to 5 (best).
# Yes/no questions count yes as 5 and no as 1, so "positive" means yes.
RATING_WORDS = {
    "very poor": 1, "very bad": 1, "poor": 2, "bad": 2, "ok": 3, "okay": 3, "average": 3,
    "neither good nor poor": 3, "neither good nor bad": 3, "neither": 3, "fair": 3,
    "good": 4, "very good": 5, "excellent": 5,
    "strongly disagree": 1, "disagree": 2, "neither agree nor disagree": 3, "agree": 4,
    "strongly agree": 5,
    "very dissatisfied": 1, "dissatisfied": 2, "neither satisfied nor dissatisfied": 3,
    "satisfied": 4, "very satisfied": 5,
    "very unlikely": 1, "extremely unlikely": 1, "unlikely": 2,
    "neither likely nor unlikely": 3, "likely": 4, "very likely": 5, "extremely likely": 5,
    "no": 1, "not at all": 1, "partly": 3, "somewhat": 3, "yes": 5,
    "very unhappy": 1, "unhappy": 2, "neither happy nor unhappy": 3, "happy": 4,
    "very happy": 5,
}
# Answers that are no answer: kept as a blank, never an error.
NO_ANSWER_WORDS = {
    "dont know", "do not know", "not sure", "unsure", "not applicable", "n a", "na",
    "prefer not to say", "no answer", "none", "no opinion", "not known", "blank",
}
RESPONDENT_WORDS = {
    "parent": "parent_carer", "parent carer": "parent_carer", "parent/carer": "parent_carer",
    "parent or carer": "parent_carer", "carer": "parent_carer", "parent_carer": "parent_carer",
    "young person": "young_person", "child": "young_person", "child or young person": "young_person",
    "young_person": "young_person", "professional": "professional", "other": "other",
}


# Called with the questions of an import's statistics once it is imported, in
# its transaction: apps above feedback fill this in their AppConfig.ready()
# (the action plan's measures that follow a survey question), so feedback
# imports none of them.
after_import: list[Callable[[list[str]], None]] = []


class ImportFileError(Exception):
    """The file as a whole cannot be read (not CSV or XLSX, too big, no rows)."""


@dataclass
class CheckedFile:
    headers: list[str]
    rows: list[dict]  # valid rows, normalised
    errors: list[dict] = field(default_factory=list)  # {row, column, message, row_left_out?}
    error_count: int = 0  # cells with problems (left out) and rows with nothing to import
    rows_left_out: int = 0  # rows with no usable answer at all
    total: int = 0
    statistics: dict = field(default_factory=dict)  # question -> Counter of 1..5
    duplicates: int = 0  # valid rows already imported before


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without a BOM), UTF-16 with a BOM (Excel's "Unicode
    text"), or Windows-1252 (older Excel on Windows)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("The file must be a CSV file saved as UTF-8")


def _cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV export would hold: whole numbers
    without ".0", dates as 31/03/2026 style ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def read_xlsx(raw: bytes) -> tuple[list[str], list[dict]]:
    """The first worksheet of an Excel workbook, read like a CSV: first row
    the headings, each further non-empty row one person's answers."""
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError("The file cannot be read as an Excel workbook. Save it again "
                              "as “Excel Workbook (.xlsx)” or as “CSV UTF-8” and upload it"
                              ) from exc
    try:
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        first = next(lines, None)
        names = [_cell_text(h) for h in (first or ())]
        headers = [h for h in names if h]
        if not headers:
            raise ImportFileError("The file is empty or has no header row")
        rows = []
        for line in lines:
            cells = [_cell_text(v) for v in line]
            if not any(cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(f"The file has more than {MAX_ROWS:,} rows; split it")
            rows.append({name: (cells[i] if i < len(cells) else "")
                         for i, name in enumerate(names) if name})
    finally:
        workbook.close()
    if not rows:
        raise ImportFileError("The file has a header row but no answers")
    return headers, rows


def is_xlsx(raw: bytes) -> bool:
    return raw[:4] == b"PK\x03\x04"


def read_file(raw: bytes) -> tuple[list[str], list[dict]]:
    """Headings and rows of an uploaded CSV or XLSX file (told apart by their
    content, not their name)."""
    if len(raw) > MAX_FILE_BYTES:
        raise ImportFileError("The file must be smaller than 20 MB")
    if is_xlsx(raw):
        return read_xlsx(raw)
    return read_csv(raw)


def read_csv(raw: bytes) -> tuple[list[str], list[dict]]:
    if len(raw) > MAX_FILE_BYTES:
        raise ImportFileError("The file must be smaller than 20 MB")
    text = _decode(raw)
    if "\x00" in text:
        raise ImportFileError("The file must be a CSV or Excel (.xlsx) file, not an older "
                              "spreadsheet (.xls) or other file")
    # newline="" lets csv see every line ending: CRLF (Windows), LF, and CR
    # alone (Excel for Mac), which otherwise stopped the import with an error.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = []
    try:
        headers = [h.strip() for h in (reader.fieldnames or []) if h and h.strip()]
        if not headers:
            raise ImportFileError("The file is empty or has no header row")
        reader.fieldnames = [h.strip() if h else h for h in reader.fieldnames]
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(f"The file has more than {MAX_ROWS:,} rows; split it")
            rows.append({k: (v or "").strip() if isinstance(v, str) else ""
                         for k, v in row.items() if k})
    except csv.Error as exc:
        raise ImportFileError(f"Row {reader.line_num} of the file cannot be read as CSV. "
                              "Save it again as “CSV UTF-8” and upload it") from exc
    if not rows:
        raise ImportFileError("The file has a header row but no answers")
    return headers, rows


def _words(value: str) -> str:
    """Lower case, apostrophes dropped, other punctuation as spaces: “Don’t
    know” and "dont know" and "Don't Know." are the same."""
    value = value.strip().lower().replace("’", "").replace("'", "")
    return " ".join(re.sub(r"[^\w]+", " ", value).split())


def _rating(value: str) -> int | None:
    shown = value.strip()
    value = _words(shown)
    if not value or value in NO_ANSWER_WORDS:
        return None
    if re.fullmatch(r"[1-5]", value):
        return int(value)
    if value in RATING_WORDS:
        return RATING_WORDS[value]
    # "5 - Very good", "4 (agree)": a scale's number with its label.
    numbered = re.fullmatch(r"([1-5]) (.+)", value)
    if numbered and (numbered.group(2) in RATING_WORDS or numbered.group(2) in NO_ANSWER_WORDS):
        return int(numbered.group(1))
    raise ValueError(f"“{shown}” is not a rating from 1 to 5 or a word like “good”, "
                     "“satisfied” or “agree”")


def _age_group(value: str) -> str:
    shown = value.strip()
    if not shown or _words(shown) in NO_ANSWER_WORDS:
        return ""
    value = shown.lower().replace(" to ", "-").replace("–", "-").replace(" ", "")
    value = value.removesuffix("years").removesuffix("yrs")
    if value in Feedback.AgeGroup.values:
        return value
    raise ValueError(f"“{shown}” is not one of the age groups "
                     + ", ".join(Feedback.AgeGroup.values))


def _respondent(value: str) -> str:
    value = value.strip().lower()
    if not value or _words(value) in NO_ANSWER_WORDS:
        return ""
    if value in RESPONDENT_WORDS:
        return RESPONDENT_WORDS[value]
    raise ValueError(f"“{value}” is not parent carer, young person, professional or other")


# Words a heading for each field tends to contain, in the wording survey tools
# and councils use. Scored with the heading's similarity to the field's label.
HEADING_WORDS = {
    "what_went_well": ("went well", "gone well", "going well", "worked well", "good about",
                       "what was good", "positive", "liked", "what helped", "helped"),
    "even_better_if": ("even better", "better if", "improve", "could be better", "change",
                       "do better", "differently", "better"),
    "rating": ("overall", "rating", "rate", "score"),
    "respondent": ("who are you", "are you a", "respondent", "who answered", "completing",
                   "your role", "relationship", "answering as"),
    "age_group": ("age", "how old", "year group"),
    "service_area": ("service area", "which service", "service", "team", "area"),
}
# Columns survey tools add that are never answers (and may be personal data).
NOT_ANSWERS = {"id", "start time", "completion time", "email", "name", "last modified time",
               "timestamp", "respondent id", "collector id", "ip address", "start date",
               "end date", "email address", "first name", "last name"}


def _heading_score(target: str, heading: str) -> float:
    words = _words(heading)
    hits = [w for w in HEADING_WORDS[target] if f" {w} " in f" {words} "]
    if not hits:
        return 0.0
    label = _words(TARGETS[target])
    # The longest matching phrase counts most; similarity to the label breaks ties.
    return max(len(w) for w in hits) + difflib.SequenceMatcher(None, words, label).ratio()


def _is_rating_column(values: list[str]) -> bool:
    """Answers on a rating scale, but for the odd slip (one in ten at most,
    which the check then reports cell by cell)."""
    answered = unreadable = 0
    for value in values:
        try:
            if _rating(value) is not None:
                answered += 1
        except ValueError:
            unreadable += 1
    return answered > 0 and unreadable * 10 <= answered


def suggest_mapping(headers: list[str], rows: list[dict]) -> dict:
    """A mapping guessed from the headings, for the officer to confirm: each
    field gets the heading that fits it best (a heading fills one field at
    most); every column whose answers are on a rating scale becomes a
    statistic. Identity columns (ID, times, e-mail, name) are never used."""
    candidates = [h for h in headers if _words(h) not in NOT_ANSWERS]
    sample = rows[:200]
    rating_columns = [h for h in candidates
                      if _is_rating_column([r.get(h, "") for r in sample])]
    scored = sorted(((_heading_score(t, h), t, h) for t in TARGETS for h in candidates),
                    reverse=True)
    columns: dict[str, str] = {}
    used: set[str] = set()
    for score, target, heading in scored:
        if score <= 0 or target in columns or heading in used:
            continue
        if (target == "rating") != (heading in rating_columns):
            continue  # a rating question fills the rating and nothing else
        columns[target] = heading
        used.add(heading)
    return {"columns": {t: columns.get(t, "") for t in TARGETS},
            "statistics": rating_columns, "positive_from": 4, "suggested": True}


def check_file(raw: bytes, mapping: dict, *, organisation_id: int) -> CheckedFile:
    """Validate every cell against the column mapping; nothing is saved. A
    cell that cannot be read is reported and left out; the rest of its row
    is kept. A row is left out only when nothing in it can be imported."""
    headers, rows = read_file(raw)
    columns = mapping.get("columns", {})
    stats_columns = mapping.get("statistics", [])
    areas = {a.name.lower(): a.pk for a in ServiceArea.objects.all()}
    areas.update({a.slug: a.pk for a in ServiceArea.objects.all()})
    checked = CheckedFile(headers=headers, rows=[], total=len(rows),
                          statistics={q: Counter() for q in stats_columns})
    seen: Counter = Counter()

    for number, row in enumerate(rows, start=2):  # row 1 is the header
        problems = []
        clean = {}
        for target, column in columns.items():
            if not column:
                continue
            value = row.get(column, "")
            try:
                if target == "rating":
                    clean["rating"] = _rating(value)
                elif target == "age_group":
                    clean["age_group"] = _age_group(value)
                elif target == "respondent":
                    clean["respondent"] = _respondent(value)
                elif target == "service_area":
                    if value:
                        if value.lower() not in areas:
                            raise ValueError(f"“{value}” is not a service area the portal knows")
                        clean["service_area"] = areas[value.lower()]
                else:
                    clean[target] = value[:5000]
            except ValueError as exc:
                problems.append({"row": number, "column": column, "message": str(exc)})
        ratings = {}
        for question in stats_columns:
            try:
                ratings[question] = _rating(row.get(question, ""))
            except ValueError as exc:
                ratings[question] = None
                problem = {"row": number, "column": question, "message": str(exc)}
                if problem not in problems:  # the overall rating may be a statistic too
                    problems.append(problem)
        left_out = not any(clean.get(t) for t in ("what_went_well", "even_better_if",
                                                  "rating")) and not any(ratings.values())
        if left_out:
            problems.append({"row": number, "column": "", "row_left_out": True,
                             "message": "The row has no answers to import"
                             + (" once the problems above are left out" if problems else "")})
        if problems:
            checked.error_count += len(problems)
            room = MAX_ERRORS_KEPT - len(checked.errors)
            if room > 0:
                checked.errors.extend(problems[:room])
        if left_out:
            checked.rows_left_out += 1
            continue
        fingerprint_source = "|".join([str(organisation_id)] + [
            f"{k}={clean.get(k)}" for k in sorted(TARGETS)] + [
            f"{q}={ratings[q]}" for q in sorted(ratings)])
        seen[fingerprint_source] += 1
        # Identical answers from two people are two rows: count occurrences.
        clean["import_key"] = hashlib.sha256(
            f"{fingerprint_source}#{seen[fingerprint_source]}".encode()).hexdigest()
        clean["row"] = number
        checked.rows.append(clean)
        for question, value in ratings.items():
            if value is not None:
                checked.statistics[question][value] += 1
    return checked


def existing_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 5000):
        found.update(Feedback.objects.filter(import_key__in=keys[start:start + 5000])
                     .values_list("import_key", flat=True))
    return found


@transaction.atomic
def survey_import_create(*, acting_user, title: str, organisation, received_on, upload) -> SurveyImport:
    raw = upload.read()
    headers, rows = read_file(raw)  # fail early on a file that is not a survey at all
    digest = hashlib.sha256(raw).hexdigest()
    upload.seek(0)
    survey_import = SurveyImport(title=title.strip(), organisation=organisation,
                                 received_on=received_on, file=upload, file_sha256=digest,
                                 uploaded_by=acting_user,
                                 mapping=suggest_mapping(headers, rows))
    survey_import.full_clean()
    survey_import.save()
    audit_record(actor=acting_user, verb=Verb.SURVEY_UPLOADED, target=survey_import,
                 summary=survey_import.title)
    return survey_import


class ImportNotChangeable(Exception):
    """Only an import not yet started (uploaded or checked) takes a new file."""


@transaction.atomic
def survey_import_replace_file(*, acting_user, survey_import: SurveyImport, upload) -> SurveyImport:
    """Put a corrected file in place of the one uploaded, before anything is
    imported: the import keeps its name; its check starts again. The column
    choices are kept where the new file has the same headings, matched again
    where it does not. The old file is deleted after commit. Audited
    (survey.file_replaced)."""
    survey_import = SurveyImport.objects.select_for_update().get(pk=survey_import.pk)
    if survey_import.state not in (SurveyImport.State.UPLOADED, SurveyImport.State.CHECKED):
        raise ImportNotChangeable(survey_import.get_state_display())
    raw = upload.read()
    headers, rows = read_file(raw)
    upload.seek(0)
    old_name, storage = survey_import.file.name, survey_import.file.storage
    previous = survey_import.mapping or {}
    used = [c for c in previous.get("columns", {}).values() if c] + previous.get("statistics", [])
    if previous and all(c in headers for c in used):
        mapping = {**previous, "suggested": previous.get("suggested", False)}
    else:
        mapping = suggest_mapping(headers, rows)
    survey_import.file = upload
    survey_import.file_sha256 = hashlib.sha256(raw).hexdigest()
    survey_import.mapping = mapping
    survey_import.state = SurveyImport.State.UPLOADED
    survey_import.total_rows = 0
    survey_import.duplicate_rows = 0
    survey_import.errors = []
    survey_import.save()
    audit_record(actor=acting_user, verb=Verb.SURVEY_FILE_REPLACED, target=survey_import,
                 summary=survey_import.title[:300], data={"changed": ["file"]})
    if old_name and old_name != survey_import.file.name:
        transaction.on_commit(lambda: storage.delete(old_name))
    return survey_import


@transaction.atomic
def survey_import_rename(*, acting_user, survey_import: SurveyImport, title: str) -> SurveyImport:
    """Change an import's name (the name public sentences use). Audited."""
    survey_import = SurveyImport.objects.select_for_update().get(pk=survey_import.pk)
    before = survey_import.title
    survey_import.title = title.strip()
    survey_import.full_clean()
    survey_import.save(update_fields=["title", "updated_at"])
    audit_record(actor=acting_user, verb=Verb.SURVEY_RENAMED, target=survey_import,
                 summary=survey_import.title[:300],
                 data={"changed": ["title"], "before": before[:300]})
    return survey_import


def _raw(survey_import: SurveyImport) -> bytes:
    with survey_import.file.open("rb") as f:
        return f.read()


@transaction.atomic
def survey_import_check(*, acting_user, survey_import: SurveyImport, mapping: dict) -> CheckedFile:
    """Save the mapping and the row-level report; import nothing yet."""
    checked = check_file(_raw(survey_import), mapping,
                         organisation_id=survey_import.organisation_id)
    already = existing_keys([r["import_key"] for r in checked.rows])
    survey_import.mapping = mapping
    survey_import.total_rows = checked.total
    survey_import.duplicate_rows = len(already)
    survey_import.errors = checked.errors
    survey_import.failure = ""
    survey_import.state = SurveyImport.State.CHECKED
    survey_import.save()
    audit_record(actor=acting_user, verb=Verb.SURVEY_CHECKED, target=survey_import,
                 summary=survey_import.title[:300],
                 data={"changed": ["mapping"], "rows": checked.total,
                       "errors": len(checked.errors), "duplicates": len(already)})
    checked.duplicates = len(already)
    return checked


@transaction.atomic
def survey_import_confirm(*, acting_user, survey_import: SurveyImport) -> SurveyImport:
    """Start the import in the background (after commit)."""
    from core import jobs

    survey_import = SurveyImport.objects.select_for_update().get(pk=survey_import.pk)
    if survey_import.state not in (SurveyImport.State.CHECKED, SurveyImport.State.FAILED):
        return survey_import
    survey_import.state = SurveyImport.State.IMPORTING
    survey_import.processed_rows = 0
    survey_import.save(update_fields=["state", "processed_rows", "updated_at"])
    audit_record(actor=acting_user, verb=Verb.SURVEY_IMPORT_STARTED, target=survey_import,
                 summary=survey_import.title)
    jobs.enqueue("survey_import", survey_import.pk,
                 organisation_id=survey_import.organisation_id)
    return survey_import


class ImportNotRemovable(Exception):
    """Only an import that failed or was never started (uploaded or checked)
    can be removed: one being imported is in use, and an imported one is what
    its statistics come from."""


REMOVABLE_STATES = ("uploaded", "checked", "failed")


@transaction.atomic
def survey_import_remove(*, acting_user, survey_import: SurveyImport) -> None:
    """Remove a failed or unused (uploaded or checked) import: its row, its uploaded file (after commit) and
    its failed background job, so it leaves the imports list and the
    background-work page. Rows it had already imported stay in the inbox
    (their link to the import is cleared); importing the file again skips
    them. Audited (survey.removed). Who may call: a handler of the import's
    organisation (the view checks, as for the import itself)."""
    from core.models import Job

    survey_import = SurveyImport.objects.select_for_update().get(pk=survey_import.pk)
    jobs = Job.objects.filter(kind="survey_import", subject_id=survey_import.pk)
    if (survey_import.state not in REMOVABLE_STATES
            or jobs.filter(state=Job.State.PENDING).exists()):  # being tried again
        raise ImportNotRemovable(survey_import.get_state_display())
    kept = Feedback.objects.filter(survey_import=survey_import).count()
    audit_record(actor=acting_user, verb=Verb.SURVEY_REMOVED, target=survey_import,
                 summary=survey_import.title[:300],
                 data={"rows_kept": kept})
    jobs.delete()
    file, storage = survey_import.file.name, survey_import.file.storage
    survey_import.delete()
    if file:
        transaction.on_commit(lambda: storage.delete(file))


def survey_import_execute(*, survey_import_id: int) -> SurveyImport:
    """Do the import. Idempotent: rows already present are skipped; the
    statistics for this import are replaced."""
    from .services import allocate_references, new_tracking_token, search_vector_refresh

    survey_import = SurveyImport.objects.get(pk=survey_import_id)
    if survey_import.state == SurveyImport.State.IMPORTED:
        return survey_import
    try:
        checked = check_file(_raw(survey_import), survey_import.mapping,
                             organisation_id=survey_import.organisation_id)
    except ImportFileError as exc:
        SurveyImport.objects.filter(pk=survey_import.pk).update(
            state=SurveyImport.State.FAILED, failure=str(exc)[:300])
        raise
    keys = [r["import_key"] for r in checked.rows]
    already = existing_keys(keys)
    # Rows an earlier, interrupted run of this import wrote (a worker killed
    # mid-import) are this import's, not duplicates of another's.
    mine = set(Feedback.objects.filter(survey_import=survey_import, import_key__in=keys)
               .values_list("import_key", flat=True)) if already else set()
    new_rows = [r for r in checked.rows if r["import_key"] not in already]
    year = survey_import.received_on.year
    due = survey_import.received_on
    # Each row goes to the organisation the routing table names for its
    # service area (the importing organisation keeps read access to it), or
    # to the importing organisation when no route covers it.
    routes = route_table()
    created = 0
    for start in range(0, len(new_rows), BATCH):
        batch = new_rows[start:start + BATCH]
        with transaction.atomic():
            references = allocate_references(year, len(batch))
            objs = [
                Feedback(
                    reference=reference, tracking_token=new_tracking_token(),
                    channel=Feedback.Channel.SURVEY, received_on=survey_import.received_on,
                    respondent=row.get("respondent", ""), age_group=row.get("age_group", ""),
                    what_went_well=row.get("what_went_well", ""),
                    even_better_if=row.get("even_better_if", ""), rating=row.get("rating"),
                    organisation_id=routes.get(row.get("service_area"),
                                               (survey_import.organisation_id,))[0],
                    assigned_to_id=routes.get(row.get("service_area"), (None, None))[1],
                    # Survey answers are anonymous and answered together, in the
                    # survey's "You said, we did" report, so they arrive closed.
                    status=Feedback.Status.CLOSED, response_due_on=due,
                    survey_import=survey_import, import_key=row["import_key"],
                    logged_by_id=survey_import.uploaded_by_id,
                )
                for reference, row in zip(references, batch, strict=True)
            ]
            Feedback.objects.bulk_create(objs)
            search_vector_refresh([obj.pk for obj in objs])
            Feedback.service_areas.through.objects.bulk_create([
                Feedback.service_areas.through(feedback_id=obj.pk,
                                               servicearea_id=row["service_area"])
                for obj, row in zip(objs, batch, strict=True) if row.get("service_area")
            ])
            Feedback.shared_with.through.objects.bulk_create([
                Feedback.shared_with.through(feedback_id=obj.pk,
                                             organisation_id=survey_import.organisation_id)
                for obj in objs if obj.organisation_id != survey_import.organisation_id
            ])
            StatusChange.objects.bulk_create([
                StatusChange(feedback_id=obj.pk, to_status=Feedback.Status.CLOSED,
                             actor_id=survey_import.uploaded_by_id) for obj in objs
            ])
            created += len(objs)
            SurveyImport.objects.filter(pk=survey_import.pk).update(
                processed_rows=len(already) + created, updated_at=timezone.now())

    with transaction.atomic():
        SurveyStatistic.objects.filter(survey_import=survey_import).delete()
        positive_from = survey_import.mapping.get("positive_from", 4)
        SurveyStatistic.objects.bulk_create([
            SurveyStatistic(
                survey_import=survey_import, question=question[:300],
                responses=sum(counts.values()),
                positive=sum(n for value, n in counts.items() if value >= positive_from),
                distribution={str(k): counts.get(k, 0) for k in range(1, 6)},
            )
            for question, counts in checked.statistics.items() if counts
        ])
        survey_import.refresh_from_db()
        survey_import.state = SurveyImport.State.IMPORTED
        survey_import.created_rows = len(mine) + created
        survey_import.duplicate_rows = len(already) - len(mine)
        survey_import.processed_rows = checked.total
        survey_import.save()
        questions = list(SurveyStatistic.objects.filter(survey_import=survey_import)
                         .values_list("question", flat=True))
        for hook in after_import:
            hook(questions)
        audit_record(actor=None, verb=Verb.SURVEY_IMPORTED, target=survey_import,
                     summary=survey_import.title,
                     data={"created": len(mine) + created,
                           "duplicates": len(already) - len(mine)})
    return survey_import
