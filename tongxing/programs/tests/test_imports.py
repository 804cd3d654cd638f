"""Pairings and disbursements from the spreadsheets offices keep: the header found below a
title, targets and helpers by name or code, every fault named by row and column, all or
nothing, the importer's region kept, the file's size held to the limit."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from conftest import OTHER_CITY, VILLAGE_A1, VILLAGE_B1, add_other_city, api_client_for, client_for
from tongxing.programs import actions
from tongxing.programs.models import Disbursement, Pairing, ProgrammeTarget
from tongxing.programs.tests import factories as f

D = datetime.date
PAIRING_HEADER = ["结对村", "区划代码", "帮扶企业", "统一社会信用代码", "结对日期"]
DISBURSEMENT_HEADER = [
    "结对村",
    "帮扶企业",
    "类型",
    "金额（元）",
    "物资说明",
    "落实日期",
    "超出意向原因",
]


def sheet(header, rows, name="pairings.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    page = book.active
    page.append(["2026年百企联百村结对表"])  # a title above the header, as offices write
    page.append(header)
    for row in rows:
        page.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


@pytest.fixture
def setting(alice, tina):
    prog = f.programme()
    food = f.enterprise()
    build = f.enterprise("松林建材公司", serial=12, region=VILLAGE_B1)
    return {"programme": prog, "food": food, "build": build, "alice": alice, "tina": tina}


def upload(setting, who, what, file):
    url = f"/programmes/{setting['programme'].pk}/import/{what}/"
    return client_for(setting[who]).post(url, {"file": file})


def test_pairings_come_in_by_village_name_or_code_and_targets_are_added(setting):
    rows = [
        ["桃李村", "", "青禾食品有限公司", "", "2026-03-01"],
        ["", VILLAGE_B1, "", setting["build"].credit_code, "2026/4/1"],
    ]
    response = upload(setting, "alice", "pairings", sheet(PAIRING_HEADER, rows))
    assert response.status_code == 302
    assert list(Pairing.objects.values_list("target__region_id", "helper__name", "since")) == [
        (VILLAGE_A1, "青禾食品有限公司", D(2026, 3, 1)),
        (VILLAGE_B1, "松林建材公司", D(2026, 4, 1)),
    ]


def test_a_bad_row_refuses_the_whole_file_and_names_each_fault(setting):
    rows = [
        ["桃李村", "", "青禾食品有限公司", "", "2026-03-01"],
        ["无名村", "", "不存在的公司", "", "昨天"],
        ["桃李村", "", "青禾食品有限公司", "", "2026-04-01"],  # paired already by row 3
    ]
    response = upload(setting, "alice", "pairings", sheet(PAIRING_HEADER, rows))
    assert response.status_code == 400
    errors = [(e.row, e.column) for e in response.context["import_errors"]]
    assert errors == [(4, "target"), (4, "helper"), (4, "since")]
    assert not Pairing.objects.exists()
    # With the file's own faults corrected, the single action's refusal is named by row.
    rows[1] = ["杏花村", "", "松林建材公司", "", "2026-03-01"]
    response = upload(setting, "alice", "pairings", sheet(PAIRING_HEADER, rows))
    assert [(e.row, e.column) for e in response.context["import_errors"]] == [(5, "helper")]
    assert not Pairing.objects.exists() and not ProgrammeTarget.objects.exists()


def test_a_region_outside_the_importers_is_refused_without_naming_it(setting, carl):
    add_other_city()
    rows = [["", OTHER_CITY[:9] + "001", "青禾食品有限公司", "", "2026-03-01"]]
    response = upload(setting, "alice", "pairings", sheet(PAIRING_HEADER, rows))
    assert [e.message for e in response.context["import_errors"]] == ["No such region of yours."]


def test_a_file_with_no_header_is_refused_as_a_whole(setting):
    response = upload(setting, "alice", "pairings", sheet(["甲", "乙"], [["1", "2"]]))
    assert response.status_code == 400
    assert "No header row" in response.content.decode()


def test_a_file_over_the_size_limit_is_refused(setting, settings):
    settings.TONGXING_UPLOAD_MAX_MB = 0
    response = upload(setting, "alice", "pairings", sheet(PAIRING_HEADER, []))
    assert response.status_code == 400
    assert "larger than" in response.content.decode()


@pytest.mark.parametrize("who", ["tina"])
def test_only_the_city_office_imports(setting, who):
    response = upload(setting, who, "pairings", sheet(PAIRING_HEADER, []))
    assert response.status_code == 403


def test_disbursements_land_on_the_pairing_of_their_day_all_or_nothing(setting):
    prog = setting["programme"]
    a1 = f.pairing(prog, VILLAGE_A1, setting["food"])
    actions.record_pledge(
        pairing=a1, amount_fen=10_000_00, purpose="修路", pledged_on=D(2026, 3, 2), by=None
    )
    good = ["桃李村", "青禾食品有限公司", "资金", "6,000", "", "2026-04-01", ""]
    materials = ["桃李村", "青禾食品有限公司", "物资", "3000.50", "化肥", "2026-05-01", ""]
    beyond = ["桃李村", "青禾食品有限公司", "资金", "2000", "", "2026-06-01", ""]
    response = upload(
        setting, "alice", "disbursements", sheet(DISBURSEMENT_HEADER, [good, materials, beyond])
    )
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["import_errors"]] == [(5, "amount")]
    assert not Disbursement.objects.exists()
    beyond[-1] = "追加"
    response = upload(
        setting, "alice", "disbursements", sheet(DISBURSEMENT_HEADER, [good, materials, beyond])
    )
    assert response.status_code == 302
    assert list(Disbursement.objects.values_list("kind", "amount_fen", "exceeds_pledge")) == [
        ("funds", 6_000_00, False),
        ("materials", 3_000_50, False),
        ("funds", 2_000_00, True),
    ]


def test_a_disbursement_before_the_pairing_is_named_on_its_row(setting):
    f.pairing(setting["programme"], VILLAGE_A1, setting["food"])
    rows = [["桃李村", "青禾食品有限公司", "资金", "100", "", "2026-01-05", "x"]]
    response = upload(setting, "alice", "disbursements", sheet(DISBURSEMENT_HEADER, rows))
    assert [(e.row, e.column) for e in response.context["import_errors"]] == [(3, "helper")]


def test_the_api_imports_and_answers_the_faults_by_row(setting):
    prog = setting["programme"]
    client = api_client_for(setting["alice"])
    bad = sheet(PAIRING_HEADER, [["无名村", "", "青禾食品有限公司", "", "2026-03-01"]])
    response = client.post(f"/api/v1/programmes/{prog.pk}/pairings/import", {"file": bad})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "row": 3,
            "column": "target",
            "message": "No village of this name in the programme's region.",
        }
    ]
    good = sheet(PAIRING_HEADER, [["桃李村", "", "青禾食品有限公司", "", "2026-03-01"]])
    response = client.post(f"/api/v1/programmes/{prog.pk}/pairings/import", {"file": good})
    assert response.status_code == 200
    assert response.json()["imported"] == 1
    other = api_client_for(setting["tina"])
    assert (
        other.post(f"/api/v1/programmes/{prog.pk}/pairings/import", {"file": good}).status_code
        == 403
    )
