"""Read the tables people already have (.xlsx, .xls, .csv) into numbered rows of named values.

Files exported from other systems carry a title row or two above the header, and header
names vary; callers pass their column aliases and the header row is found by them.
Row numbers are the ones a person sees in the spreadsheet (1-based, counting the title).
"""

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

# How far down to look for the header row.
HEADER_SEARCH_ROWS = 10


@dataclass
class RowError:
    """A fault of one row of a file: its number as the spreadsheet shows it, the column
    (our name for it) and the reason."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


def rejected_rows_table(errors: list[RowError], columns: dict[str, str]):
    """Return the rows a command rejected as a table for the terminal, headed as the file is."""
    from rich.table import Table as RichTable

    table = RichTable(title=_("Rejected rows"))
    for heading in (_("row"), _("column"), _("reason")):
        table.add_column(heading)
    for error in errors:
        table.add_row(str(error.row), columns.get(error.column, error.column), error.message)
    return table


class TableError(ValueError):
    """The file as a whole cannot be read (wrong format, no header, missing columns)."""


@dataclass
class Table:
    columns: dict[str, str]  # our column name -> the header as written in the file
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    header_row: int = 0  # its number in the file
    positions: dict[str, int] = field(default_factory=dict)  # our column name -> 0-based index


def clean(value: object) -> str:
    """Return a cell as text: full-width forms folded to ASCII, outer spaces removed.

    Whole numbers lose their ".0"; a number too long for a float to hold exactly (an ID
    number typed into a number cell) keeps its exponent form, so the damage shows.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()
    return unicodedata.normalize("NFKC", str(value)).strip()


def read_table(
    source: str | Path | IO[bytes],
    *,
    aliases: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    filename: str | None = None,
) -> Table:
    name = (filename or str(getattr(source, "name", source))).lower()
    if name.endswith((".xlsx", ".xls", ".xlsm")):
        raw_rows = _workbook_rows(source)
    elif name.endswith(".csv"):
        raw_rows = _csv_rows(source)
    else:
        raise TableError(_("Unsupported file type: use .xlsx, .xls or .csv."))
    return _to_table(raw_rows, aliases=aliases, required=required)


def _to_table(raw_rows: Iterator[list[object]], *, aliases, required) -> Table:
    lookup = {_header_key(alias): column for column, names in aliases.items() for alias in names}
    lookup.update({_header_key(column): column for column in aliases})
    header_index: dict[int, str] | None = None
    table = Table(columns={})
    for number, raw in enumerate(raw_rows, start=1):
        cells = [clean(cell) for cell in raw]
        if header_index is None:
            found = {
                i: lookup[_header_key(c)] for i, c in enumerate(cells) if _header_key(c) in lookup
            }
            if found and set(required) <= set(found.values()):
                header_index = found
                table.columns = {column: cells[i] for i, column in found.items()}
                table.positions = {column: i for i, column in found.items()}
                table.header_row = number
            elif number >= HEADER_SEARCH_ROWS:
                break
            continue
        if not any(cells):
            continue
        row = {column: (cells[i] if i < len(cells) else "") for i, column in header_index.items()}
        table.rows.append((number, row))
    if header_index is None:
        names = "、".join(aliases[column][0] for column in required)
        raise TableError(
            _("No header row with the columns %(names)s was found.") % {"names": names}
        )
    return table


def _header_key(text: str) -> str:
    return clean(text).replace(" ", "").replace("*", "").lower()


def raw_rows(source: str | Path | IO[bytes], *, filename: str | None = None) -> Iterator[list]:
    """Return a file's rows as the cells hold them, for copying the file."""
    name = (filename or str(getattr(source, "name", source))).lower()
    return _csv_rows(source) if name.endswith(".csv") else _workbook_rows(source)


def _workbook_rows(source) -> Iterator[list[object]]:
    """Read the first sheet of an .xlsx or .xls workbook (calamine: fast, both formats)."""
    from python_calamine import CalamineWorkbook

    try:
        if isinstance(source, str | Path):
            workbook = CalamineWorkbook.from_path(str(source))
        else:
            workbook = CalamineWorkbook.from_filelike(source)
        rows = workbook.get_sheet_by_index(0).iter_rows()
    except Exception as exc:  # calamine raises its own kinds for a file that isn't a workbook
        raise TableError(_("The file is not a readable Excel workbook.")) from exc
    yield from rows


def _csv_rows(source) -> Iterator[list[object]]:
    data = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError(_("The file is neither UTF-8 nor GB18030 text."))
    yield from csv.reader(io.StringIO(text))


DATE_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
# Excel counts days from 1899-12-30 (its 1900 leap-year bug folded in).
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_date(text: str) -> datetime.date | None:
    """Read a date as spreadsheets hold it; None when the text is no date.

    Accepts 2020-01-05, 2020/1/5, 2020.1.5, 2020年1月5日, 20200105 and Excel serial days.
    """
    text = clean(text)
    if not text:
        return None
    if " " in text and ":" in text:  # "2020-01-05 00:00:00" from a datetime cell
        text = text.split(" ", 1)[0]
    match = DATE_PATTERN.match(text)
    try:
        if match:
            return datetime.date(*(int(part) for part in match.groups()))
        if text.isdigit() and len(text) == 8:
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if text.replace(".", "", 1).isdigit() and 1 <= float(text) < 100000:
            return EXCEL_EPOCH + datetime.timedelta(days=int(float(text)))
    except ValueError:
        return None
    return None


TRUE_WORDS = {"是", "有", "√", "✓", "y", "yes", "true", "1", "t"}
FALSE_WORDS = {"否", "无", "不是", "没有", "n", "no", "false", "0", "f", "×", ""}


def parse_bool(text: str) -> bool | None:
    """Read a yes/no cell (是/否, √, 1/0, yes/no); None when it is neither."""
    word = clean(text).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None
