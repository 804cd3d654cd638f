"""Importing rosters as offices have them: every mess, row errors, all-or-nothing, partial."""

import datetime
import json

import pytest
import xlwt
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from conftest import VILLAGE_A1
from tongxing import personal_data
from tongxing.audit.models import AuditEvent
from tongxing.registry.actions import import_households
from tongxing.registry.models import Household, HouseholdStatus, Member
from tongxing.registry.roster_columns import COLUMN_ALIASES, REQUIRED_COLUMNS
from tongxing.registry.validators import make_id_number
from tongxing.tabular import read_table


def an_id(year: int, sequence: int, sex: str = "male", region: str = "420981") -> str:
    return make_id_number(
        region_code=region, birth_date=datetime.date(year, 3, 4), sequence=sequence, sex=sex
    )


HEAD = an_id(1970, 11)
WIFE = an_id(1972, 12, "female")
SON = an_id(2012, 13)
HEADERS = ["户编号", "所在村", "姓名", "与户主关系", "身份证号", "户类型", "状态起始日期"]


def write_xlsx(path, rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def write_xls(path, rows):
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("花名册")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    workbook.save(str(path))
    return path


def write_csv(path, rows):
    path.write_text(
        "\n".join(",".join(str(v) for v in row) for row in rows) + "\n", encoding="utf-8"
    )
    return path


def run(path, *flags):
    """Run the command with --json; return its report and whether it refused."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("import_households", str(path), "--json", *flags, stdout=out)
        refused = False
    except CommandError:
        refused = True
    return json.loads(out.getvalue()), refused


def one_family(number="H001", village="桃李村"):
    return [
        [number, village, "张三", "户主", HEAD, "建档立卡户", "2020-01-05"],
        [number, village, "李四", "配偶", WIFE, "", ""],
        [number, village, "张小明", "之子", SON, "", ""],
    ]


@pytest.mark.parametrize("writer", [write_xlsx, write_xls, write_csv])
def test_a_clean_roster_imports_households_members_and_history(tree, tmp_path, writer):
    suffix = {write_xlsx: "xlsx", write_xls: "xls", write_csv: "csv"}[writer]
    report, refused = run(writer(tmp_path / f"roster.{suffix}", [HEADERS, *one_family()]))
    assert not refused and report["errors"] == []
    household = Household.objects.get(registry_number="H001")
    assert (household.village_id, household.status, household.status_since) == (
        VILLAGE_A1,
        HouseholdStatus.REGISTERED_POOR,
        datetime.date(2020, 1, 5),
    )
    assert list(household.members.values_list("name", "relation")) == [
        ("张三", "head"),
        ("李四", "spouse"),
        ("张小明", "child"),
    ]
    head = household.members.get(relation="head")
    assert head.id_number_masked == HEAD[:6] + "********" + HEAD[-4:]
    assert HEAD not in head.id_number_ciphertext  # encrypted at rest
    assert personal_data.decrypt(head.id_number_ciphertext) == HEAD
    assert head.birth_date == datetime.date(1970, 3, 4) and head.sex == "male"
    assert household.status_changes.count() == 1
    event = AuditEvent.objects.get(action="household.create")
    assert [m["name"] for m in event.after["members"]] == ["张三", "李四", "张小明"]
    assert event.after["members"][0]["id_number_masked"] == head.id_number_masked


def test_title_rows_and_header_variants_are_understood(tree, tmp_path):
    rows = [
        ["青禾市建档立卡户花名册"],
        ["填报单位:柳塘镇", "", "导出日期:2021年3月1日"],
        ["户号", "行政村", "成员姓名", "家庭关系", "公民身份号码", "贫困户属性", "识别日期"],
        ["H001", "桃李村", "张三", "户主", HEAD, "脱贫户", "2019/12/31"],
    ]
    report, refused = run(write_xlsx(tmp_path / "r.xlsx", rows))
    assert not refused, report
    household = Household.objects.get(registry_number="H001")
    assert (household.status, household.status_since) == ("exited", datetime.date(2019, 12, 31))


def test_full_width_characters_lowercase_x_and_inner_spaces_are_cleaned(tree, tmp_path):
    with_x = next(an_id(1980, n) for n in range(100) if an_id(1980, n).endswith("X"))
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in HEAD)  # ０-９ as typed in Chinese input
    rows = [
        HEADERS + ["联系电话"],
        ["H001", "桃李村", "张 三", "户主", full_width, "建档立卡户", "", "138 0013 8000"],
        ["H001", "桃李村", "李四", "配偶", with_x.lower(), "", "", ""],
        ["H002", "杏花村", "王五", "户主", " " + SON[:9] + " " + SON[9:] + " ", "监测户", "", ""],
    ]
    report, refused = run(write_xlsx(tmp_path / "r.xlsx", rows))
    assert not refused, report
    head = Member.objects.get(relation="head", household__registry_number="H001")
    assert head.name == "张 三"  # a name keeps its inner space: it is written as given
    assert personal_data.decrypt(head.id_number_ciphertext) == HEAD
    assert personal_data.decrypt(head.phone_ciphertext) == "13800138000"
    assert personal_data.decrypt(Member.objects.get(name="李四").id_number_ciphertext) == with_x
    assert personal_data.decrypt(Member.objects.get(name="王五").id_number_ciphertext) == SON


@pytest.mark.parametrize(
    "written", [43835, "2020/1/5", "2020-01-05", "2020年1月5日", "2020.1.5", "20200105"]
)
def test_dates_are_read_in_every_form_offices_write_them(tree, tmp_path, written):
    rows = [HEADERS, ["H001", "桃李村", "张三", "户主", HEAD, "建档立卡户", written]]
    report, refused = run(write_xlsx(tmp_path / "r.xlsx", rows))
    assert not refused, report
    assert Household.objects.get().status_since == datetime.date(2020, 1, 5)


def test_a_real_excel_date_cell_is_read(tree, tmp_path):
    rows = [
        HEADERS,
        ["H001", "桃李村", "张三", "户主", HEAD, "建档立卡户", datetime.date(2020, 1, 5)],
    ]
    run(write_xlsx(tmp_path / "r.xlsx", rows))
    assert Household.objects.get().status_since == datetime.date(2020, 1, 5)


def test_members_find_their_household_by_the_heads_id_without_a_registry_number(tree, tmp_path):
    rows = [
        ["所在村", "姓名", "与户主关系", "身份证号", "户主身份证号"],
        ["桃李村", "张三", "户主", HEAD, ""],
        ["桃李村", "李四", "妻", WIFE, HEAD],
        ["桃李村", "张小明", "之子", SON, HEAD.lower()],
    ]
    report, refused = run(write_csv(tmp_path / "r.csv", rows))
    assert not refused, report
    household = Household.objects.get()
    assert household.members.count() == 3
    assert household.registry_number.startswith("H")
    # The number given is stable: the same file again finds the same household.
    report, _ = run(write_csv(tmp_path / "r.csv", rows))
    assert report["households_created"] == 0 and report["rows_unchanged"] == 3


def test_traditional_characters_in_names_are_kept_as_written(tree, tmp_path):
    rows = [HEADERS, ["H001", "桃李村", "陳國華", "户主", HEAD, "建档立卡户", ""]]
    run(write_xlsx(tmp_path / "r.xlsx", rows))
    assert Member.objects.get().name == "陳國華"


def test_an_id_typed_into_a_number_cell_is_refused_with_the_reason(tree, tmp_path):
    rows = [HEADERS, ["H001", "桃李村", "张三", "户主", float(HEAD[:17] + "0"), "建档立卡户", ""]]
    report, refused = run(write_xlsx(tmp_path / "r.xlsx", rows))
    assert refused
    assert report["errors"][0]["column"] == "id_number"
    assert "lost its last digits" in report["errors"][0]["message"]


MIXED = [
    HEADERS,
    ["H001", "桃李村", "张三", "户主", HEAD, "建档立卡户", ""],  # 2 good
    [
        "H001",
        "桃李村",
        "李四",
        "配偶",
        WIFE[:-1] + ("0" if WIFE[-1] != "0" else "1"),
        "",
        "",
    ],  # 3 check
    ["H002", "杏花村", "王五", "户主", SON, "监测户", ""],  # 4 good
    ["H003", "不存在村", "赵六", "户主", an_id(1960, 20), "建档立卡户", ""],  # 5 village
    ["H003", "不存在村", "赵七", "之女", an_id(1990, 21, "female"), "", ""],  # 6 head bad
    ["H004", "桃李村", "孙八", "表哥", an_id(1961, 22), "建档立卡户", ""],  # 7 relation
    ["H005", "桃李村", "", "户主", an_id(1962, 23), "建档立卡户", "2020-02-30"],  # 8 name, date
]


def test_a_mixed_file_imports_nothing_and_names_every_bad_row(tree, tmp_path):
    report, refused = run(write_xlsx(tmp_path / "mixed.xlsx", MIXED))
    assert refused
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (3, "id_number"),
        (5, "village"),
        (7, "relation"),
        (8, "name"),
        (8, "status_since"),
    ]
    assert Household.objects.count() == 0 and Member.objects.count() == 0
    assert AuditEvent.objects.filter(action__startswith="household").count() == 0


def test_partial_imports_exactly_the_good_rows(tree, tmp_path):
    report, refused = run(write_xlsx(tmp_path / "mixed.xlsx", MIXED), "--partial")
    assert not refused
    assert sorted(Member.objects.values_list("name", flat=True)) == ["张三", "王五"]
    assert report["rows_imported"] == 2
    rejected = {e["row"] for e in report["errors"]}
    assert rejected == {3, 5, 6, 7, 8}
    row6 = next(e for e in report["errors"] if e["row"] == 6)
    assert row6["message"] == "Not imported: the head's row 5 is not right."


def test_a_dry_run_checks_everything_and_saves_nothing(tree, tmp_path):
    report, refused = run(write_xlsx(tmp_path / "r.xlsx", [HEADERS, *one_family()]), "--dry-run")
    assert not refused and report["dry_run"] and report["members_created"] == 3
    assert Member.objects.count() == 0


def test_reimporting_the_same_file_changes_nothing_and_an_updated_file_updates_rows(tree, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [HEADERS, *one_family()])
    run(path)
    events = AuditEvent.objects.count()
    report, _ = run(path)
    assert report["rows_unchanged"] == 3 and report["members_created"] == 0
    assert AuditEvent.objects.count() == events
    family = one_family()
    family[0][5] = "脱贫户"
    family[0][6] = "2021-06-30"
    family[2][2] = "张晓明"
    report, _ = run(write_xlsx(tmp_path / "r2.xlsx", [HEADERS, *family]))
    assert (report["households_updated"], report["members_updated"], report["rows_unchanged"]) == (
        1,
        1,
        2,
    )
    household = Household.objects.get()
    assert list(household.status_changes.values_list("status", "since")) == [
        ("registered_poor", datetime.date(2020, 1, 5)),
        ("exited", datetime.date(2021, 6, 30)),
    ]
    assert Member.objects.filter(name="张晓明").exists()


def test_an_id_registered_in_another_household_is_refused(tree, tmp_path):
    run(write_xlsx(tmp_path / "a.xlsx", [HEADERS, *one_family()]))
    rows = [HEADERS, ["H009", "杏花村", "张三", "户主", HEAD, "建档立卡户", ""]]
    report, refused = run(write_xlsx(tmp_path / "b.xlsx", rows))
    assert refused
    assert (
        report["errors"][0]["message"] == "This ID number is already registered in household H001."
    )


def test_a_village_admin_imports_only_into_their_village(vera, tree, tmp_path):
    table = read_table(
        write_xlsx(
            tmp_path / "r.xlsx",
            [HEADERS, *one_family(), ["H002", "杏花村", "王五", "户主", an_id(1950, 30), "", ""]],
        ),
        aliases=COLUMN_ALIASES,
        required=REQUIRED_COLUMNS,
    )
    result = import_households(rows=table.rows, by=vera)
    assert [(e.row, e.column) for e in result.errors] == [(5, "village")]
    assert Household.objects.count() == 0


def test_the_marked_copy_shows_each_bad_cell_and_the_reasons(tree, tmp_path):
    path = write_xlsx(tmp_path / "mixed.xlsx", MIXED)
    copy = tmp_path / "marked.xlsx"
    with pytest.raises(CommandError):
        call_command("import_households", str(path), "--json", "--marked-copy", str(copy))
    sheet = load_workbook(copy).active
    assert sheet.cell(row=3, column=5).fill.fgColor.rgb.endswith("FFC7CE")
    assert "check" in sheet.cell(row=3, column=5).comment.text
    assert sheet.cell(row=1, column=8).value == "Errors"
    assert sheet.cell(row=5, column=8).value.startswith("所在村: No village named 不存在村")
    assert sheet.cell(row=2, column=8).value is None


def test_a_file_without_the_needed_columns_is_refused_whole(tree, tmp_path):
    with pytest.raises(CommandError, match="No header row"):
        call_command(
            "import_households", str(write_csv(tmp_path / "x.csv", [["a", "b"], ["1", "2"]]))
        )


def test_an_export_reads_back_into_the_import_unchanged(tree, tmp_path, capsys):
    run(
        write_xlsx(tmp_path / "r.xlsx", [HEADERS, *one_family(), *one_family("H002", "杏花村")[:0]])
    )
    out = tmp_path / "export.xlsx"
    call_command("export_households", str(out), "--full-numbers", "--reason", "the yearly check")
    sheet = load_workbook(out).active
    assert [cell.value for cell in sheet[1]][:6] == [
        "户编号",
        "村代码",
        "所在村",
        "姓名",
        "与户主关系",
        "身份证号",
    ]
    assert sheet.cell(row=2, column=6).value == HEAD
    assert AuditEvent.objects.filter(action="household.export_full").count() == 1
    report, refused = run(out)
    assert not refused and report["rows_unchanged"] == 3 and report["members_updated"] == 0


def test_an_export_masks_numbers_unless_asked(tree, tmp_path):
    run(write_xlsx(tmp_path / "r.xlsx", [HEADERS, *one_family()]))
    out = tmp_path / "export.xlsx"
    call_command("export_households", str(out), "--region", VILLAGE_A1)
    sheet = load_workbook(out).active
    assert sheet.cell(row=2, column=6).value == HEAD[:6] + "********" + HEAD[-4:]
    assert not AuditEvent.objects.filter(action="household.export_full").exists()


def test_empty_cells_keep_the_birth_date_and_sex_an_id_number_on_file_gives(tree, tmp_path):
    run(write_xlsx(tmp_path / "a.xlsx", [HEADERS, *one_family()]))
    # The same household again without the ID numbers: nothing is cleared.
    rows = [[*row[:4], "", *row[5:]] for row in one_family()]
    report, refused = run(write_xlsx(tmp_path / "b.xlsx", [HEADERS, *rows]))
    assert not refused and report["rows_unchanged"] == 3
    head = Member.objects.get(relation="head")
    assert (head.birth_date, head.sex) == (datetime.date(1970, 3, 4), "male")
    assert personal_data.decrypt(head.id_number_ciphertext) == HEAD


def test_a_birth_date_other_than_the_id_number_on_file_gives_is_refused(tree, tmp_path):
    run(write_xlsx(tmp_path / "a.xlsx", [HEADERS, *one_family()]))
    rows = [HEADERS + ["出生日期"], ["H001", "桃李村", "张三", "户主", "", "", "", "1971-01-01"]]
    report, refused = run(write_xlsx(tmp_path / "b.xlsx", rows))
    assert refused
    assert [(e["row"], e["column"], e["message"]) for e in report["errors"]] == [
        (2, "birth_date", "The ID number gives the birth date 1970-03-04.")
    ]
    assert Member.objects.get(relation="head").birth_date == datetime.date(1970, 3, 4)


def rows_of(*rows: list) -> list[tuple[int, dict[str, str]]]:
    keys = ["registry_number", "village", "name", "relation", "id_number", "status"]
    return [(n, dict(zip(keys, row, strict=False))) for n, row in enumerate(rows, start=2)]


def test_progress_counts_every_row_once_and_outside_any_transaction(tree):
    from django.db import connection

    seen = []
    depth = len(connection.atomic_blocks)  # the test's own transaction

    def progress(n):
        seen.append((n, len(connection.atomic_blocks)))

    rows = rows_of(
        ["H001", "桃李村", "张三", "户主", HEAD, "建档立卡户"],
        ["H001", "桃李村", "李四", "配偶", WIFE, ""],
        ["", "桃李村", "无名", "之子", "", ""],  # finds no household
    )
    result = import_households(rows=rows, by=None, partial=True, progress=progress)
    assert result.rows_imported == 2 and result.rows_rejected == 1
    assert sum(n for n, _ in seen) == 3
    assert {blocks for _n, blocks in seen} == {depth}


def test_a_change_made_while_the_file_is_checked_is_kept(tree, vera):
    from conftest import make_user
    from tongxing.registry.actions import link_household_account

    run_rows = rows_of(["H001", "桃李村", "张三", "户主", HEAD, "建档立卡户"])
    import_households(rows=run_rows, by=vera)
    household = Household.objects.get()
    account = make_user("zhang", "household")
    calls = []

    def link_meanwhile(n):
        calls.append(n)
        link_household_account(household=household, account=account, by=None)

    changed = rows_of(["H001", "桃李村", "张三", "户主", HEAD, "脱贫户"])
    result = import_households(rows=changed, by=vera, progress=link_meanwhile)
    assert result.households_updated == 1 and calls == [1]
    household.refresh_from_db()
    # The import read the household again before writing: the link made meanwhile stays.
    assert (household.status, household.account) == ("exited", account)


def test_a_new_head_comes_in_with_the_old_heads_new_relation(tree, tmp_path):
    run(write_xlsx(tmp_path / "a.xlsx", [HEADERS, *one_family()]))
    rows = [
        ["H001", "桃李村", "李四", "户主", WIFE, "建档立卡户", ""],
        ["H001", "桃李村", "张三", "其他", HEAD, "", ""],
    ]
    report, refused = run(write_xlsx(tmp_path / "b.xlsx", [HEADERS, *rows]))
    assert not refused and report["members_updated"] == 2
    household = Household.objects.get()
    assert sorted(household.members.values_list("name", "relation")) == [
        ("张三", "other"),
        ("张小明", "child"),
        ("李四", "head"),
    ]


def test_a_second_head_for_a_household_on_file_is_refused_with_the_reason(tree, tmp_path):
    run(write_xlsx(tmp_path / "a.xlsx", [HEADERS, *one_family()]))
    rows = [
        ["H001", "桃李村", "王五", "户主", an_id(1980, 40), "建档立卡户", ""],
        ["H001", "桃李村", "李四", "配偶", WIFE, "", ""],
    ]
    report, refused = run(write_xlsx(tmp_path / "b.xlsx", [HEADERS, *rows]), "--partial")
    assert refused
    assert [(e["row"], e["column"], e["message"]) for e in report["errors"]] == [
        (
            2,
            "relation",
            "The household has another head on file, 张三: give that member's row with their "
            "relation now.",
        ),
        (3, "", "Not imported: the head's row 2 is not right."),
    ]
    assert not Member.objects.filter(name="王五").exists()
