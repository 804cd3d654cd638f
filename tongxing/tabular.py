"""Read the tables people already have (.xlsx, .csv) into numbered rows of named values.

Files exported from other systems carry a title row or two above the header, and header
names vary; callers pass their column aliases and the header row is found by them.
Row numbers are the ones a person sees in the spreadsheet (1-based, counting the title).
"""

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

# How far down to look for the header row.
HEADER_SEARCH_ROWS = 10


class TableError(ValueError):
    """The file as a whole cannot be read (wrong format, no header, missing columns)."""


@dataclass
class Table:
    columns: dict[str, str]  # our column name -> the header as written in the file
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def clean(value: object) -> str:
    """Return a cell as text: full-width forms folded to ASCII, outer spaces removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def read_table(
    source: str | Path | IO[bytes],
    *,
    aliases: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    filename: str | None = None,
) -> Table:
    name = (filename or str(getattr(source, "name", source))).lower()
    if name.endswith(".xlsx"):
        raw_rows = _xlsx_rows(source)
    elif name.endswith(".csv"):
        raw_rows = _csv_rows(source)
    else:
        raise TableError(_("Unsupported file type: use .xlsx or .csv."))
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


def _xlsx_rows(source) -> Iterator[list[object]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that isn't .xlsx
        raise TableError(_("The file is not a readable .xlsx workbook.")) from exc
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


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
