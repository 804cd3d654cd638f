"""The import of sales spreadsheets: header below title rows, dates and amounts as offices
write them, sellers by name or code within the importer's reach, row-by-row errors, all or
nothing, and a re-import that changes nothing."""

import contextlib
import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from conftest import VILLAGE_B1
from tongxing.audit.models import AuditEvent
from tongxing.commerce.imports import import_sales, parse_amount_fen, read_sales_table
from tongxing.commerce.models import Channel, Sale
from tongxing.commerce.tests.factories import budget_unit, household_supplier, rep_of, supplier

HEADER = [
    "销售日期",
    "销售主体",
    "统一社会信用代码",
    "销售渠道",
    "销售金额（元）",
    "订单数",
    "采购单位",
]


def write_xlsx(path, rows):
    workbook = Workbook()
    workbook.active.append(["2025年消费帮扶销售明细表"])  # a title row above the header
    workbook.active.append(["填报单位：青禾市帮扶办"])
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def run(path, *flags) -> dict:
    out = io.StringIO()
    # A refused file ends the command with an error, after it printed its JSON.
    with contextlib.suppress(CommandError):
        call_command("import_sales", str(path), "--json", *flags, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def sellers(tree):
    coop = supplier()  # 青禾农业合作社, village A1
    home = household_supplier(number="H-101")
    school = budget_unit()
    return coop, home, school


def test_amounts_in_yuan_become_fen():
    assert parse_amount_fen("1,234.5") == 123_450
    assert parse_amount_fen("¥88") == 88_00
    assert parse_amount_fen("0.07元") == 7
    assert parse_amount_fen("12.345") is None
    assert parse_amount_fen("十元") is None


def test_a_good_file_is_imported_whole_and_a_second_import_adds_nothing(tmp_path, sellers):
    coop, home, school = sellers
    path = write_xlsx(
        tmp_path / "sales.xlsx",
        [
            HEADER,
            ["2025-03-01", "青禾农业合作社", "", "线上", "1,200.50", 3, ""],
            ["2025年3月2日", "", coop.organisation.credit_code, "线下", 800, "", ""],
            [
                "2025/3/2",
                "",
                coop.organisation.credit_code,
                "线下",
                800,
                "",
                "",
            ],  # a second, equal sale
            ["2025.4.1", "H-101", "", "online", "66.6", 1, ""],
            [
                datetime.date(2025, 5, 6),
                "青禾农业合作社",
                "",
                "采购平台",
                5000,
                1,
                "青禾市第一中学",
            ],
        ],
    )
    result = run(path)
    assert result["ok"] and result["rows_read"] == 5 and result["rows_imported"] == 5
    # 1,200.50 + 800 + 800 + 66.60 + 5,000 = 7,867.10 yuan.
    assert result["amount_fen"] == 786_710
    assert sorted(Sale.objects.values_list("amount_fen", flat=True)) == [
        66_60,
        800_00,
        800_00,
        1200_50,
        5000_00,
    ]
    procurement = Sale.objects.get(channel=Channel.PROCUREMENT)
    assert procurement.buyer == school and procurement.sold_on == datetime.date(2025, 5, 6)
    assert Sale.objects.get(amount_fen=66_60).seller == home
    assert AuditEvent.objects.filter(action="sale.import").count() == 5
    again = run(path)
    assert again["ok"] and again["rows_imported"] == 0 and again["rows_on_file"] == 5
    assert (
        Sale.objects.count() == 5 and AuditEvent.objects.filter(action="sale.import").count() == 5
    )


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_imported(tmp_path, sellers):
    path = write_xlsx(
        tmp_path / "sales.xlsx",
        [
            HEADER,
            ["2025-03-01", "青禾农业合作社", "", "线上", "100", "", ""],  # good
            ["2025-13-01", "青禾农业合作社", "", "线上", "100", "", ""],
            ["2025-03-01", "不存在的公司", "", "线下", "100", "", ""],
            ["2025-03-01", "青禾农业合作社", "", "地摊", "1.234", "两单", ""],
            ["2025-03-01", "青禾农业合作社", "", "线上", "100", "", "青禾市第一中学"],
        ],
    )
    result = run(path)
    assert not result["ok"] and Sale.objects.count() == 0
    # The header is the file's row 3, so data starts on row 4.
    assert [(e["row"], e["column"]) for e in result["errors"]] == [
        (5, "sold_on"),
        (6, "seller"),
        (7, "amount"),
        (7, "channel"),
        (7, "orders"),
        (8, "buyer"),
    ]
    assert "2025-13-01" in result["errors"][0]["message"]


def test_order_numbers_are_the_rows_identity_and_may_not_repeat(tmp_path, sellers):
    header = ["日期", "销售主体", "渠道", "金额", "订单号"]
    path = write_xlsx(
        tmp_path / "orders.xlsx",
        [
            header,
            ["2025-03-01", "青禾农业合作社", "线上", 10, "A-1"],
            ["2025-03-02", "青禾农业合作社", "线上", 20, "A-1"],
        ],
    )
    result = run(path)
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(5, "order_number")]
    fixed = write_xlsx(
        tmp_path / "fixed.xlsx",
        [
            header,
            ["2025-03-01", "青禾农业合作社", "线上", 10, "A-1"],
            ["2025-03-02", "青禾农业合作社", "线上", 20, "A-2"],
        ],
    )
    assert run(fixed)["rows_imported"] == 2
    # The platform's next export repeats A-2 beside a new order: only A-3 is added.
    later = write_xlsx(
        tmp_path / "later.xlsx",
        [
            header,
            ["2025-03-02", "青禾农业合作社", "线上", 20, "A-2"],
            ["2025-03-03", "青禾农业合作社", "线上", 30, "A-3"],
        ],
    )
    result = run(later)
    assert result["rows_imported"] == 1 and result["rows_on_file"] == 1
    assert Sale.objects.count() == 3


def test_a_file_without_the_header_is_refused_whole(tmp_path, sellers):
    path = write_xlsx(tmp_path / "none.xlsx", [["甲", "乙"], ["1", "2"]])
    with pytest.raises(CommandError, match="No header row"):
        call_command("import_sales", str(path), "--json", stdout=io.StringIO())
    path = write_xlsx(
        tmp_path / "noseller.xlsx", [["日期", "渠道", "金额"], ["2025-01-01", "线上", 1]]
    )
    with pytest.raises(CommandError, match="seller"):
        call_command("import_sales", str(path), "--json", stdout=io.StringIO())


def test_an_importer_names_only_the_sellers_it_may_see(tmp_path, sellers, tom, olga):
    coop, _home, _school = sellers
    other = supplier(name="乙镇合作社", region=VILLAGE_B1, serial=2)
    rows = [HEADER, ["2025-03-01", "青禾农业合作社", "", "线上", "100", "", ""]]
    table = read_sales_table(write_xlsx(tmp_path / "a.xlsx", rows))
    # Tom's township B does not hold the cooperative of village A1: no such seller for him.
    result = import_sales(rows=table.rows, by=tom)
    assert [(e.column, e.message) for e in result.errors] == [
        ("seller", "No supplier “青禾农业合作社” in your region.")
    ]
    # The cooperative's own representative imports its sales, and no one else's.
    rep_of(olga, coop.organisation)
    assert import_sales(rows=table.rows, by=olga).rows_imported == 1
    theirs = read_sales_table(
        write_xlsx(
            tmp_path / "b.xlsx", [HEADER, ["2025-03-01", "乙镇合作社", "", "线上", "9", "", ""]]
        )
    )
    assert not import_sales(rows=theirs.rows, by=olga).ok
    assert Sale.objects.filter(seller=other).count() == 0


def test_a_village_admin_or_a_donor_may_not_import(tmp_path, sellers, vera, dora):
    table = read_sales_table(
        write_xlsx(
            tmp_path / "a.xlsx", [HEADER, ["2025-03-01", "青禾农业合作社", "", "线上", "1", "", ""]]
        )
    )
    for user in (vera, dora):
        with pytest.raises(PermissionDenied):
            import_sales(rows=table.rows, by=user)
    assert Sale.objects.count() == 0
