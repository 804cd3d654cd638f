import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from conftest import TREE
from tongxing.audit.models import AuditEvent
from tongxing.regions.actions import import_regions
from tongxing.regions.models import Region


def write_csv(path, lines: list[str], encoding="utf-8"):
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def write_xlsx(path, rows: list[list]):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


GOOD_LINES = ["code,name,tags", *[f"{r['code']},{r['name']},{r.get('tags', '')}" for r in TREE]]


@pytest.mark.django_db
def test_it_loads_a_good_csv_with_parents_levels_and_tags(tmp_path, capsys):
    call_command("import_regions", str(write_csv(tmp_path / "tree.csv", GOOD_LINES)))
    assert Region.objects.count() == 7
    village = Region.objects.get(code="590101001002")
    assert (village.name, village.level, village.parent_id) == ("杏花村", 5, "590101001000")
    assert (
        village.key_poor_village,
        village.relocation_village,
        village.provincial_key_village,
    ) == (
        True,
        True,
        False,
    )
    assert Region.objects.get(code="590100000000").parent_id is None
    assert "Created 7, updated 0, unchanged 0." in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="region.create").count() == 7


@pytest.mark.django_db
def test_it_loads_an_xlsx_with_title_rows_and_chinese_headers(tmp_path):
    rows = [
        ["青禾市行政区划表"],
        ["导出时间:2025年1月5日"],
        ["区划代码", "名称", "上级代码", "标签"],
        ["590100000000", "青禾市", "", ""],
        ["590101000000", "安平区", "590100000000", ""],
        ["590101001000", "柳塘镇", "590101000000", ""],
        [590101001001, " 桃李村 ", "590101001000", "重点贫困村、省定重点攻坚村"],
    ]
    call_command("import_regions", str(write_xlsx(tmp_path / "tree.xlsx", rows)))
    village = Region.objects.get(code="590101001001")
    assert village.name == "桃李村"
    assert village.key_poor_village and village.provincial_key_village


@pytest.mark.django_db
def test_it_reads_a_gb18030_csv(tmp_path):
    call_command("import_regions", str(write_csv(tmp_path / "tree.csv", GOOD_LINES, "gb18030")))
    assert Region.objects.get(code="590101002001").name == "梅竹村"


@pytest.mark.django_db
def test_loading_the_same_file_again_changes_nothing(tmp_path, capsys):
    path = write_csv(tmp_path / "tree.csv", GOOD_LINES)
    call_command("import_regions", str(path))
    events = AuditEvent.objects.count()
    call_command("import_regions", str(path))
    assert "Created 0, updated 0, unchanged 7." in capsys.readouterr().out
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_an_updated_file_updates_the_changed_rows_and_audits_them(tree):
    rows = [dict(r) for r in TREE]
    rows[3]["name"] = "新桃李村"
    rows[3]["tags"] = ""
    result = import_regions(rows=list(enumerate(rows, start=2)), by=None)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 6)
    event = AuditEvent.objects.get(action="region.update")
    assert event.before["name"] == "桃李村" and event.after["name"] == "新桃李村"
    assert event.before["key_poor_village"] is True and event.after["key_poor_village"] is False


BAD_LINES = [
    "code,name,parent,tags",
    "590100000000,青禾市,,",  # row 2: good
    "5901010010,短码,,",  # row 3: 10 digits
    "59010100100A,字母,,",  # row 4: not digits
    "590101001000,柳塘镇,,",  # row 5: parent county 590101 is nowhere
    "590100000000,青禾市again,,",  # row 6: duplicate of row 2
    "590101001001,,,",  # row 7: no name
    "590199000000,某区,590200000000,",  # row 8: wrong parent column
    "590198000000,某县,,金矿",  # row 9: unknown tag
    "590197000000,某县,,重点贫困村",  # row 10: a county cannot carry a village tag
    "590196000000,好县,,",  # row 11: good (its parent city is in row 2)
]


@pytest.mark.django_db
def test_each_kind_of_bad_row_is_reported_with_its_row_number_and_nothing_is_loaded(tmp_path):
    path = write_csv(tmp_path / "bad.csv", BAD_LINES)
    with pytest.raises(CommandError, match="8 bad row"):
        call_command("import_regions", str(path), "--json")
    assert Region.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_the_json_report_names_every_bad_row(tmp_path, capsys):
    path = write_csv(tmp_path / "bad.csv", BAD_LINES)
    with pytest.raises(CommandError):
        call_command("import_regions", str(path), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["created"] == 0
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (3, "code"),
        (4, "code"),
        (5, "code"),
        (6, "code"),
        (7, "name"),
        (8, "parent"),
        (9, "tags"),
        (10, "tags"),
    ]
    messages = {e["row"]: e["message"] for e in report["errors"]}
    assert messages[3] == "A region code has 12 digits."
    assert messages[5] == "Unknown parent region 590101000000."
    assert messages[6] == "Duplicate of row 2."
    assert messages[8] == "The parent of 590199000000 is 590100000000, not 590200000000."
    assert messages[9] == "Unknown tag 金矿."
    assert messages[10] == "Only villages carry tags."


@pytest.mark.django_db
def test_a_child_may_find_its_parent_already_in_tongxing(tree):
    result = import_regions(rows=[(2, {"code": "590101001003", "name": "新村"})], by=None)
    assert result.ok and result.created == 1
    assert Region.objects.get(code="590101001003").parent_id == "590101001000"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tree.txt", b"code,name\n", "Unsupported file type"),
        ("tree.xlsx", b"not a workbook", "not a readable Excel workbook"),
        ("tree.csv", "地名,人口\n青禾,1\n".encode(), "No header row"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_regions", str(path))
    assert Region.objects.count() == 0


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_regions", str(tmp_path / "nowhere.csv"))


@pytest.mark.django_db
def test_the_reasons_are_in_simplified_chinese_by_default(tmp_path, capsys):
    from django.utils import translation

    path = write_csv(tmp_path / "bad.csv", BAD_LINES)
    with translation.override("zh-hans"), pytest.raises(CommandError, match="8 行有误"):
        call_command("import_regions", str(path), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["errors"][0]["message"] == "区划代码应为 12 位数字。"


@pytest.mark.django_db
def test_once_a_tree_exists_a_region_without_a_parent_is_refused(tree):
    result = import_regions(rows=[(2, {"code": "590101009001", "name": "无主村"})], by=None)
    assert [(e.row, e.message) for e in result.errors] == [
        (2, "Unknown parent region 590101009000.")
    ]
    assert not Region.objects.filter(code="590101009001").exists()
