"""Reading the files people have, held to limits before a row is parsed, as a stream; and
writing .xlsx files whose text cells stay text."""

import datetime
import io
import tracemalloc
import zipfile

import pytest
import xlwt
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from openpyxl import Workbook, load_workbook

from tongxing.tabular import (
    MB,
    FileTooLarge,
    Limits,
    TableError,
    raw_rows,
    read_table,
    sheet_row,
    writable_text,
)

ALIASES = {"name": ("姓名", "name"), "born": ("出生日期",), "note": ("备注",)}
REQUIRED = ("name",)
LIMITS = Limits(max_bytes=10 * MB, max_rows=1000, max_uncompressed_bytes=20 * MB)


def read(source, filename=None, limits=LIMITS):
    return read_table(source, aliases=ALIASES, required=REQUIRED, filename=filename, limits=limits)


def xlsx(rows, **options) -> io.BytesIO:
    workbook = Workbook(**options)
    sheet = workbook.active if not options else workbook.create_sheet("s")
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    output.seek(0)
    return output


def sheet_xlsx(sheet_xml: str, *, shared: list[str] = (), styles: str = "", prefix="") -> bytes:
    """Write an .xlsx by hand, as other programs than openpyxl write them."""
    ns = 'xmlns{p}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'.format(
        p=":" + prefix[:-1] if prefix else ""
    )
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="book/main.xml"/>'
            f"</Relationships>",
        )
        archive.writestr(
            "book/main.xml",
            f'<{prefix}workbook {ns} xmlns:r="{rel}"><{prefix}sheets>'
            f'<{prefix}sheet name="花名册" sheetId="7" r:id="rId9"/></{prefix}sheets>'
            f"</{prefix}workbook>",
        )
        archive.writestr(
            "book/_rels/main.xml.rels",
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId9" Type="{rel}/worksheet" Target="/book/sheets/first.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="strings.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/>'
            f"</Relationships>",
        )
        items = "".join(f"<{prefix}si><{prefix}t>{s}</{prefix}t></{prefix}si>" for s in shared)
        archive.writestr("book/strings.xml", f"<{prefix}sst {ns}>{items}</{prefix}sst>")
        archive.writestr("book/styles.xml", styles or f"<{prefix}styleSheet {ns}/>")
        archive.writestr(
            "book/sheets/first.xml",
            f"<{prefix}worksheet {ns}><{prefix}sheetData>{sheet_xml}</{prefix}sheetData>"
            f"</{prefix}worksheet>",
        )
    return output.getvalue()


# --- Reading --------------------------------------------------------------------------------


def test_it_reads_an_xlsx_below_its_title_with_dates_numbers_and_the_row_numbers_shown():
    source = xlsx(
        [
            ["花名册（2026年）"],
            [],
            ["姓名", "出生日期", "备注"],
            ["张三", datetime.date(1980, 3, 4), 12],
            [],
            ["李四", datetime.datetime(1990, 1, 2, 8, 30), "低保"],
        ]
    )
    table = read(source, "r.xlsx")
    assert table.header_row == 3
    assert table.columns == {"name": "姓名", "born": "出生日期", "note": "备注"}
    assert list(table.rows) == [
        (4, {"name": "张三", "born": "1980-03-04", "note": "12"}),
        (6, {"name": "李四", "born": "1990-01-02 08:30:00", "note": "低保"}),
    ]
    assert len(table.rows) == 3  # the rows below the header as the file counts them
    # Read afresh each time: nothing of the file is kept between two readings.
    assert [number for number, _row in table.rows] == [4, 6]
    assert table.rows.widest == 3


def test_it_reads_shared_strings_inline_strings_gaps_and_a_namespace_prefix():
    styles = (
        '<x:styleSheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<x:numFmts><x:numFmt numFmtId="170" '
        'formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
        '</x:numFmts><x:cellXfs><x:xf numFmtId="0"/><x:xf numFmtId="170"/><x:xf numFmtId="4"/>'
        "</x:cellXfs></x:styleSheet>"
    )
    rows = (
        '<x:row r="2"><x:c r="B2" t="s"><x:v>0</x:v></x:c><x:c r="D2" t="s"><x:v>1</x:v></x:c>'
        '<x:c r="E2" t="s"><x:v>2</x:v></x:c></x:row>'
        '<x:row r="5"><x:c r="B5" t="inlineStr"><x:is><x:r><x:t>王</x:t></x:r><x:r><x:t>五'
        '</x:t></x:r></x:is></x:c><x:c r="D5" s="1"><x:v>29290</x:v></x:c>'
        '<x:c r="E5" s="2"><x:v>1234.5</x:v></x:c><x:c r="ZZ5" s="1"/></x:row>'
        '<x:row><x:c t="b"><x:v>1</x:v></x:c><x:c t="s"><x:v>3</x:v></x:c></x:row>'
    )
    source = io.BytesIO(
        sheet_xlsx(
            rows, shared=["姓名", "出生日期", "备注", "赵&amp;六"], styles=styles, prefix="x:"
        )
    )
    table = read(source, "r.xlsx")
    assert table.header_row == 2 and table.positions == {"name": 1, "born": 3, "note": 4}
    assert list(table.rows) == [
        (5, {"name": "王五", "born": "1980-03-10", "note": "1234.5"}),
        (6, {"name": "赵&六", "born": "", "note": ""}),
    ]
    assert list(raw_rows(source, filename="r.xlsx"))[5] == [True, "赵&六"]


def test_it_reads_a_csv_as_a_text_stream_in_utf8_or_gb18030():
    content = "姓名,出生日期\n张三,1980-03-04\n\n李四,\n"
    for encoding in ("utf-8", "utf-8-sig", "gb18030"):
        table = read(SimpleUploadedFile("r.csv", content.encode(encoding)))
        assert list(table.rows) == [
            (2, {"name": "张三", "born": "1980-03-04"}),
            (4, {"name": "李四", "born": ""}),
        ]


def test_an_upload_spooled_to_disk_is_read_and_left_open_for_the_next_reading():
    upload = TemporaryUploadedFile("r.csv", "text/csv", 0, "utf-8")
    upload.write(("姓名\n" + "张三\n" * 3000).encode())
    upload.size = upload.tell()
    table = read(upload, limits=Limits(max_bytes=MB, max_rows=5000, max_uncompressed_bytes=MB))
    assert sum(1 for _row in table.rows) == 3000
    assert sum(1 for _row in table.rows) == 3000
    assert not upload.closed
    upload.close()


def test_it_reads_a_legacy_xls_keeping_the_row_and_column_numbers(tmp_path):
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("花名册")
    sheet.write(1, 1, "姓名")
    sheet.write(2, 1, "张三")
    workbook.save(str(tmp_path / "r.xls"))
    table = read(tmp_path / "r.xls")
    assert table.header_row == 2 and table.positions == {"name": 1}
    assert list(table.rows) == [(3, {"name": "张三"})]


def test_a_file_without_the_header_or_of_another_type_is_refused():
    with pytest.raises(TableError, match="No header row with the columns 姓名"):
        read(SimpleUploadedFile("r.csv", b"a,b\n1,2\n"))
    with pytest.raises(TableError, match="Unsupported file type"):
        read(SimpleUploadedFile("r.pdf", b"%PDF"))
    with pytest.raises(TableError, match="not a readable Excel workbook"):
        read(SimpleUploadedFile("r.xlsx", b"PK\x03\x04 not really"))
    with pytest.raises(TableError, match="neither UTF-8 nor GB18030"):
        read(SimpleUploadedFile("r.csv", "姓名\n".encode() + b"\x80\xff\xfe\x81\x30\n"))


# --- Limits ---------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    limits = Limits(max_bytes=1 * MB, max_rows=1000, max_uncompressed_bytes=20 * MB)
    with pytest.raises(FileTooLarge, match="The file is larger than 1 MB."):
        read(SimpleUploadedFile("r.csv", b"x" * (MB + 1)), limits=limits)


def test_rows_over_the_limit_are_refused_in_every_format(tmp_path):
    limits = Limits(max_bytes=10 * MB, max_rows=5, max_uncompressed_bytes=20 * MB)
    message = "The file has more than 5 rows: split it into smaller files."
    with pytest.raises(TableError, match=message):
        read(SimpleUploadedFile("r.csv", ("姓名\n" + "张三\n" * 6).encode()), limits=limits)
    with pytest.raises(TableError, match=message):
        read(xlsx([["姓名"]] + [["张三"]] * 6), "r.xlsx", limits=limits)
    # A row numbered far below counts as far as it is numbered.
    far = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        '<row r="900"><c r="A900" t="s"><v>0</v></c></row>'
    )
    with pytest.raises(TableError, match=message):
        read(io.BytesIO(sheet_xlsx(far, shared=["姓名"])), "r.xlsx", limits=limits)
    read(SimpleUploadedFile("r.csv", ("姓名\n" + "张三\n" * 5).encode()), limits=limits)


def test_a_csv_row_wider_than_the_limit_is_refused_and_trailing_empty_cells_are_no_columns():
    wide = "姓名," + ",".join(["x"] * 300) + "\n"
    with pytest.raises(TableError, match="The file has more than 256 columns."):
        read(SimpleUploadedFile("r.csv", wide.encode()))
    table = read(SimpleUploadedFile("r.csv", ("姓名" + "," * 5000 + "\n张三\n").encode()))
    assert list(table.rows) == [(2, {"name": "张三"})]


def zip_bomb(rows: int) -> bytes:
    """An .xlsx of a million rows that all say the same: under a megabyte packed."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="x/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            '<workbook xmlns:r="urn:r"><sheets><sheet r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr("xl/sharedStrings.xml", "<sst><si><t>姓名</t></si></sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b"<worksheet><sheetData>")
            piece = b'<row><c t="s"><v>0</v></c></row>' * 1000
            for _thousand in range(rows // 1000):
                sheet.write(piece)
            sheet.write(b"</sheetData></worksheet>")
    return output.getvalue()


def test_a_zip_bomb_of_a_million_rows_is_refused_in_little_memory():
    bomb = zip_bomb(1_000_000)
    assert len(bomb) < MB
    limits = Limits(max_bytes=10 * MB, max_rows=200_000, max_uncompressed_bytes=400 * MB)
    tracemalloc.start()
    try:
        with pytest.raises(TableError, match="unpacks to 411 times its size"):
            read(io.BytesIO(bomb), "bomb.xlsx", limits=limits)
        # Without the check of the ratio, the rows are counted as they unpack, and refused.
        lenient = Limits(
            max_bytes=10 * MB, max_rows=200_000, max_uncompressed_bytes=400 * MB, max_ratio=10**6
        )
        with pytest.raises(TableError, match="more than 200,000 rows"):
            read(io.BytesIO(bomb), "bomb.xlsx", limits=lenient)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * MB


def test_a_workbook_that_unpacks_to_more_than_the_limit_is_refused_even_if_it_lies():
    limits = Limits(max_bytes=10 * MB, max_rows=10**6, max_uncompressed_bytes=1 * MB)
    rows = "".join(f'<row><c t="inlineStr"><is><t>{n}</t></is></c></row>' for n in range(40_000))
    content = sheet_xlsx('<row><c t="inlineStr"><is><t>姓名</t></is></c></row>' + rows)
    with pytest.raises(TableError, match="unpacks to more than 1 MB"):
        read(io.BytesIO(content), "r.xlsx", limits=limits)
    # The same sheet, its size in the zip's directory written down to almost nothing: it is
    # not read past what it declares (the zip's check of the content then refuses it).
    lying = bytearray(content)
    entry = lying.rfind(b"PK\x01\x02", 0, lying.rfind(b"book/sheets/first.xml"))
    lying[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")
    with pytest.raises(TableError, match="not a readable Excel workbook"):
        read(io.BytesIO(bytes(lying)), "r.xlsx", limits=limits)


def test_a_zip_of_too_many_parts_is_refused_before_its_directory_is_read():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for number in range(1001):
            archive.writestr(f"x/{number}", b"")
    with pytest.raises(TableError, match="not a readable Excel workbook"):
        read(output, "r.xlsx")


# --- Writing --------------------------------------------------------------------------------


def test_text_that_starts_like_a_formula_is_written_as_text_and_control_characters_are_replaced():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("s")
    values = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "铃\x07声", 3]
    sheet.append(sheet_row(sheet, values))
    output = io.BytesIO()
    workbook.save(output)
    cells = list(load_workbook(output).active.iter_rows())[0]
    assert [(cell.value, cell.data_type) for cell in cells] == [
        ('=HYPERLINK("http://x","y")', "s"),
        ("+1", "s"),
        ("-2", "s"),
        ("@SUM(A1)", "s"),
        ("\tx", "s"),
        # lxml (which the Word report needs) writes a CR as a character reference, so it
        # reads back as CR; the cell is text all the same.
        ("\rx", "s"),
        ("铃\ufffd声", "s"),
        (3, "n"),
    ]
    assert [cell.quotePrefix for cell in cells[:6]] == [True] * 6
    assert writable_text("a\x00b\ud800c") == "a\ufffdb\ufffdc"
