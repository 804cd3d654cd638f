"""An attendance list from a spreadsheet: every row matched to a registry member of the
importer's region, or nothing added and each fault named by row and column."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from conftest import VILLAGE_B1, api_client_for, client_for
from tongxing.events.tests import factories as f
from tongxing.registry.tests.factories import id_number


def sheet(rows: list[list[str]]) -> bytes:
    book = Workbook()
    page = book.active
    page.append(["培训签到表"])  # a title row above the header, as offices write them
    page.append(["序号", "姓名", "身份证号"])
    for number, row in enumerate(rows, start=1):
        page.append([number, *row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "签到表.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_a_good_sheet_adds_every_attendee(tina):
    f.household("H-1", 1)
    f.household("H-2", 2)
    event = f.event(by=tina)
    content = sheet([["户主1", id_number(1)], ["户主2", id_number(2)]])
    answer = client_for(tina).post(
        f"/events/{event.pk}/attendance/file/", {"file": upload(content)}
    )
    assert answer.status_code == 302
    event.refresh_from_db()
    assert (event.attendances.count(), event.registered_attendees) == (2, 2)


def test_a_sheet_with_bad_rows_adds_nothing_and_names_each_row(tina):
    f.household("H-1", 1)
    f.household("H-2", 2)
    f.household("H-9", 9, village=VILLAGE_B1)
    event = f.event(by=tina)
    content = sheet(
        [
            ["户主1", id_number(1)],  # row 3: good
            ["别人", id_number(2)],  # row 4: another name in the registry
            ["户主9", id_number(9)],  # row 5: a household of another township
            ["张三", "123"],  # row 6: not an ID number
            ["户主1", id_number(1)],  # row 7: twice
        ]
    )
    answer = client_for(tina).post(
        f"/events/{event.pk}/attendance/file/", {"file": upload(content)}
    )
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Row 4, 姓名: The registry has another name" in text
    assert "Row 5, 身份证号: No member of a household of your region" in text
    assert "Row 6, 身份证号: Not a valid ID number." in text
    assert "Row 7, 身份证号: Listed already in row 3." in text
    assert id_number(9) not in text
    assert not event.attendances.exists()


def test_a_file_that_is_no_table_is_refused_whole(tina):
    event = f.event(by=tina)
    answer = client_for(tina).post(
        f"/events/{event.pk}/attendance/file/", {"file": upload(b"not a sheet", "x.xlsx")}
    )
    assert answer.status_code == 400
    assert not event.attendances.exists()


def test_the_api_answers_the_rows_it_refused(tina, tom):
    f.household("H-1", 1)
    event = f.event(by=tina)
    path = f"/api/v1/events/{event.pk}/attendance/import"
    bad = api_client_for(tina).post(path, {"file": upload(sheet([["张三", "123"]]))})
    assert bad.status_code == 400
    assert bad.json()["errors"] == [
        {"row": 3, "column": "id_number", "message": "Not a valid ID number."}
    ]
    good = api_client_for(tina).post(path, {"file": upload(sheet([["户主1", id_number(1)]]))})
    assert good.json() == {"added": 1, "registered_attendees": 1, "errors": []}
    other = api_client_for(tom).post(path, {"file": upload(sheet([["户主1", id_number(1)]]))})
    assert other.status_code == 404
