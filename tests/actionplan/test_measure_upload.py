"""The CSV upload of measure values: checked row by row and shown before
anything is saved; the good rows saved on confirming; a re-upload adds
nothing; UTF-8 with or without a byte order mark, Windows line endings."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actionplan.models import MeasureValue

from .measure_fixtures import days_ago

pytestmark = pytest.mark.django_db

URL = "staff:actionplan:measure_upload"


def _upload(client, text: str, *, bom=False, crlf=False, name="values.csv"):
    if crlf:
        text = text.replace("\n", "\r\n")
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    return client.post(reverse(URL), {"file": SimpleUploadedFile(name, raw, "text/csv")})


def _confirm(client, response):
    return client.post(reverse(URL), {"confirm": "yes", "text": response.context["text"]},
                       follow=True)


def _good_file() -> str:
    a, b = days_ago(30), days_ago(20)
    return ("measure,date,value,note\n"
            f"EHCP20,{a.isoformat()},64.5,Quarter figure\n"
            f"wait-salt,{b:%d/%m/%Y},20,\n"
            f"EHCP20,{b.isoformat()},65%,“Checked” by the SEN team\n")


@pytest.mark.parametrize("bom, crlf", [(False, False), (True, False), (False, True),
                                       (True, True)])
def test_a_good_file_is_shown_then_saved_and_a_reupload_adds_nothing(client, world, measured,
                                                                      bom, crlf):
    client.force_login(world["people"]["owner"])
    before = MeasureValue.objects.count()
    response = _upload(client, _good_file(), bom=bom, crlf=crlf)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.errors and len(result.good) == 3
    assert MeasureValue.objects.count() == before  # nothing saved yet
    assert "Check the values before saving" in response.content.decode()
    page = _confirm(client, response)
    assert "3 values added" in page.content.decode()
    assert MeasureValue.objects.count() == before + 3
    saved = MeasureValue.objects.get(measure=measured["ehcp"], date=days_ago(20))
    assert saved.value == Decimal("65") and saved.note == "“Checked” by the SEN team"
    assert MeasureValue.objects.get(measure=measured["wait"], date=days_ago(20)).value == 20
    # the same file again: every row already recorded, nothing to add
    again = _upload(client, _good_file(), bom=bom, crlf=crlf)
    assert again.context["result"].already == 3 and not again.context["result"].good
    assert "There is nothing to add from this file" in again.content.decode()
    _confirm(client, again)
    assert MeasureValue.objects.count() == before + 3


def test_bad_rows_are_reported_row_by_row_and_the_good_rows_kept(client, world, measured):
    client.force_login(world["people"]["owner"])
    good = days_ago(15).isoformat()
    text = ("Measure,Date,Value,Note\n"
            f"NOPE-1,{good},12,unknown measure\n"                  # row 2
            "EHCP20,31/02/2026,12,impossible date\n"              # row 3
            f"EHCP20,{days_ago(12).isoformat()},twelve,text\n"    # row 4
            f"EHCP20,{good},60,good\n"                            # row 5
            f"ehcp20,{good},61,same date again\n"                 # row 6
            f"EHCP20,{days_ago(70).isoformat()},99,already 63\n"  # row 7
            f"INT-COST,{good},5,\n")                              # row 8
    before = MeasureValue.objects.count()
    response = _upload(client, text)
    assert response.status_code == 200
    result = response.context["result"]
    assert [(line, column) for line, column, _ in result.errors] == [
        (2, "measure"), (3, "date"), (4, "value"), (6, "date"), (7, "date")]
    messages = {line: message for line, _, message in result.errors}
    assert "no measure with the code “NOPE-1”" in messages[2]
    assert "not a date" in messages[3]
    assert "not a number" in messages[4]
    assert "Row 5 already gives EHCP20 a value" in messages[6]
    assert "already has 63%" in messages[7]
    assert [row.line for row in result.good] == [5, 8]
    html = response.content.decode()
    assert "5 with problems" in html and "Rows with problems" in html
    assert MeasureValue.objects.count() == before  # nothing saved before confirming
    page = _confirm(client, response)
    assert "2 values added; 5 rows with problems not saved" in page.content.decode()
    assert MeasureValue.objects.count() == before + 2


def test_rows_for_a_measure_the_person_may_not_update_are_refused(client, world, measured):
    client.force_login(world["people"]["other_officer"])  # works elsewhere
    response = _upload(client, f"measure,date,value\nEHCP20,{days_ago(3).isoformat()},50\n")
    [(line, column, message)] = response.context["result"].errors
    assert (line, column) == (2, "measure") and "You cannot add values" in message
    # and a forged confirmation saves nothing either: it is checked again
    _confirm(client, response)
    assert not MeasureValue.objects.filter(date=days_ago(3)).exists()


@pytest.mark.parametrize("raw, message", [
    (b"", "The selected file is empty"),
    (b"name,when,amount\nEHCP20,2026-01-01,4\n", "no measure, date, value column"),
    (b"measure,date,value\n", "no rows of values"),
    (b"measure,date,value\nEHCP20,2026-01-01,\xff\xfe4\n", "saved as UTF-8"),
])
def test_a_file_that_cannot_be_read_says_why(client, world, measured, raw, message):
    client.force_login(world["people"]["owner"])
    response = client.post(reverse(URL), {"file": SimpleUploadedFile("v.csv", raw, "text/csv")})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'href="#id_file"' in response.content.decode()  # the summary links to the field


def test_a_file_that_is_not_csv_is_refused(client, world):
    client.force_login(world["people"]["owner"])
    response = client.post(reverse(URL), {"file": SimpleUploadedFile("v.xlsx", b"PK\x03\x04")})
    assert response.status_code == 400
    assert "The selected file must be a CSV" in response.content.decode()
