"""Read the tables people already have (.xlsx, .xls, .csv) into numbered rows of named values,
and write .xlsx files whose every text cell stays text.

Files exported from other systems carry a title row or two above the header, and header
names vary; callers pass their column aliases and the header row is found by them.
Row numbers are the ones a person sees in the spreadsheet (1-based, counting the title).

A file is read as a stream, never whole: CSV as text through the csv module, .xlsx by
parsing its sheet's XML as it is unzipped (`_xlsx_rows`), so a roster of 100,000 rows is
read in a few MB. Before anything else reads it, a file is held to the `Limits`: its size,
what an .xlsx unpacks to (a zip bomb of 0.9 MB once held a million rows and took 1.3 GB),
its rows and its columns. Only legacy .xls files are read whole (by calamine); the format
itself stops at 65,536 rows.
"""

import csv
import datetime
import io
import re
import struct
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, TypeVar
from xml.parsers import expat

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja.errors import HttpError

# How far down to look for the header row.
HEADER_SEARCH_ROWS = 10
MB = 1024 * 1024
T = TypeVar("T")


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
    """The file as a whole cannot be read (wrong format, no header, missing columns, too big)."""


class FileTooLarge(TableError):
    """The file is over the size any upload may have (the API answers 413)."""


def read_upload_for_api(read: Callable[[], T]) -> tuple[T | None, tuple[int, dict] | None]:
    """Read an uploaded file for the API: (what `read` returned, None), or (None, the 413
    answer) for a file over the size limit; a file refused otherwise as a whole is a 400."""
    try:
        return read(), None
    except FileTooLarge as exc:
        detail = str(exc)
        return None, (413, {"detail": detail, "errors": [{"field": "file", "message": detail}]})
    except TableError as exc:
        raise HttpError(400, str(exc)) from exc


# --- Limits ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What a file may be before it is read (see the README's configuration)."""

    max_bytes: int
    max_rows: int
    max_uncompressed_bytes: int
    # What .xls allows; no roster or region file needs more. A CSV or .xls row wider is
    # refused; cells of an .xlsx further right are not read (a stray one is common there).
    max_columns: int = 256
    # An .xlsx part that unpacks to more than this many times its packed size is a zip bomb
    # (rosters pack about 15 to 1); small parts may pack better, so only large ones count.
    max_ratio: int = 100
    ratio_from_bytes: int = 10 * MB
    max_zip_members: int = 1000

    @property
    def max_shared_strings(self) -> int:
        # Distinct texts of a roster: a name, an ID, a phone and a few more per row.
        return self.max_rows * 8


def file_limits() -> Limits:
    """Return the limits of the settings (TONGXING_UPLOAD_MAX_MB and its siblings)."""
    return Limits(
        max_bytes=settings.TONGXING_UPLOAD_MAX_MB * MB,
        max_rows=settings.TONGXING_IMPORT_MAX_ROWS,
        max_uncompressed_bytes=settings.TONGXING_UPLOAD_MAX_UNCOMPRESSED_MB * MB,
    )


def too_large_message(limits: Limits) -> str:
    return _("The file is larger than %(mb)s MB.") % {"mb": f"{limits.max_bytes // MB:,}"}


def check_size(source: "str | Path | IO[bytes]", limits: Limits | None = None) -> None:
    """Refuse a file over the size limit, before a byte of it is read."""
    limits = limits or file_limits()
    if _size_of(source) > limits.max_bytes:
        raise FileTooLarge(too_large_message(limits))


# --- Reading --------------------------------------------------------------------------------


@dataclass
class Table:
    columns: dict[str, str]  # our column name -> the header as written in the file
    rows: "TableRows | list[tuple[int, dict[str, str]]]" = field(default_factory=list)
    header_row: int = 0  # its number in the file
    positions: dict[str, int] = field(default_factory=dict)  # our column name -> 0-based index


class TableRows:
    """The data rows of a file below its header, as (number, {column: text}), read afresh
    from the file each time they are iterated: the file's cells are never all in memory.

    `len()` is the number of rows below the header as the file counts them (empty ones
    among them, which iterating skips): a total for progress bars. `on_read`, when set, is
    called with the count of rows read so far every `REPORT_EVERY` rows. `widest` is the
    length of the longest row met (the marked copy puts its column of reasons after it).
    """

    REPORT_EVERY = 1000

    def __init__(self, open_rows: Callable[[], Iterator[list]], *, header_index, header_row, count):
        self._open_rows = open_rows
        self._header_index = header_index
        self._header_row = header_row
        self._count = count
        self.on_read: Callable[[int], None] | None = None
        self.widest = 0

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        read = 0
        for number, raw in enumerate(self._open_rows(), start=1):
            self.widest = max(self.widest, len(raw))
            if number <= self._header_row:
                continue
            row = _data_row(raw, self._header_index)
            if row is None:
                continue
            yield number, row
            read += 1
            if self.on_read and read % self.REPORT_EVERY == 0:
                self.on_read(read)
        if self.on_read:
            self.on_read(read)


def _data_row(raw: list, header_index: dict[int, str]) -> dict[str, str] | None:
    cells = [clean(cell) for cell in raw]
    if not any(cells):
        return None
    return {column: (cells[i] if i < len(cells) else "") for i, column in header_index.items()}


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
    limits: Limits | None = None,
) -> Table:
    """Check a file against the limits and find its header; return the table, whose rows
    are read from the file afresh as they are iterated.

    Everything that makes the file unreadable as a whole raises TableError here, before a
    caller sees a row: the size (FileTooLarge), the format, what an .xlsx unpacks to, the
    rows and columns over the limits, the header.
    """
    limits = limits or file_limits()
    check_size(source, limits)
    open_rows, rows_in_file = _row_reader(source, filename, limits)
    lookup = {_header_key(alias): column for column, names in aliases.items() for alias in names}
    lookup.update({_header_key(column): column for column in aliases})
    table = Table(columns={})
    header_index: dict[int, str] | None = None
    for number, raw in enumerate(open_rows(), start=1):
        cells = [clean(cell) for cell in raw]
        found = {i: lookup[_header_key(c)] for i, c in enumerate(cells) if _header_key(c) in lookup}
        if found and set(required) <= set(found.values()):
            header_index = found
            table.columns = {column: cells[i] for i, column in found.items()}
            table.positions = {column: i for i, column in found.items()}
            table.header_row = number
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if header_index is None:
        names = "、".join(aliases[column][0] for column in required)
        raise TableError(
            _("No header row with the columns %(names)s was found.") % {"names": names}
        )
    if rows_in_file - table.header_row > limits.max_rows:
        raise TableError(
            _("The file has more than %(max)s rows: split it into smaller files.")
            % {"max": f"{limits.max_rows:,}"}
        )
    table.rows = TableRows(
        open_rows,
        header_index=header_index,
        header_row=table.header_row,
        count=rows_in_file - table.header_row,
    )
    return table


def _header_key(text: str) -> str:
    return clean(text).replace(" ", "").replace("*", "").lower()


def raw_rows(source: str | Path | IO[bytes], *, filename: str | None = None) -> Iterator[list]:
    """Return a file's rows as the cells hold them, for copying the file (read_table has
    checked it against the limits)."""
    return _row_reader(source, filename, file_limits(), checked=True)[0]()


def _kind(source, filename: str | None) -> str:
    name = (filename or str(getattr(source, "name", source) or "")).lower()
    if name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith(".xls"):
        return "xls"
    if name.endswith(".csv"):
        return "csv"
    raise TableError(_("Unsupported file type: use .xlsx, .xls or .csv."))


def _row_reader(
    source, filename, limits: Limits, *, checked: bool = False
) -> tuple[Callable[[], Iterator[list]], int]:
    """Check the file as a whole without keeping its cells; return a function that opens
    its rows afresh, and the number of rows it has (empty ones included)."""
    kind = _kind(source, filename)
    if kind == "csv":
        encoding, rows = _scan_csv(source, limits)
        return (lambda: _csv_rows(source, encoding)), rows
    if kind == "xls":
        return (lambda: _xls_rows(source, limits)), 0 if checked else _scan_xls(source, limits)
    rows = 0 if checked else _scan_xlsx(source, limits)
    return (lambda: _xlsx_rows(source, limits)), rows


class _Binary:
    """The file's bytes from their start, for one reading: a path is opened and closed, an
    open file (an upload) is rewound and left open."""

    def __init__(self, source):
        self.source = source
        self.opened = None

    def __enter__(self) -> IO[bytes]:
        if isinstance(self.source, str | Path):
            self.opened = open(self.source, "rb")  # closed in __exit__
            return self.opened
        self.source.seek(0)
        # An upload wraps the real file; io's readers want the file itself.
        inner = getattr(self.source, "file", self.source)
        inner.seek(0)
        return inner

    def __exit__(self, *exc_info) -> None:
        if self.opened is not None:
            self.opened.close()


def _size_of(source) -> int:
    if isinstance(source, str | Path):
        return Path(source).stat().st_size
    size = getattr(source, "size", None)
    if size is not None:
        return size
    position = source.tell()
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(position)
    return size


# CSV: a text stream through the csv module, in UTF-8 (with or without its mark) or GB18030.


def _scan_csv(source, limits: Limits) -> tuple[str, int]:
    """Return the encoding the whole file decodes in and its number of rows, reading it
    once as a stream; refuse rows wider than the limit."""
    for encoding in ("utf-8-sig", "gb18030"):
        rows = 0
        try:
            for row in _csv_rows(source, encoding):
                rows += 1
                if len(row) > limits.max_columns:
                    while row and not row[-1]:  # trailing empty cells ("a,b,,,,") are none
                        row.pop()
                    if len(row) > limits.max_columns:
                        raise _too_many_columns(limits)
        except UnicodeDecodeError:
            continue
        return encoding, rows
    raise TableError(_("The file is neither UTF-8 nor GB18030 text."))


def _csv_rows(source, encoding: str) -> Iterator[list]:
    with _Binary(source) as binary:
        text = io.TextIOWrapper(binary, encoding=encoding, newline="")
        try:
            yield from csv.reader(text)
        except csv.Error as exc:
            raise TableError(
                _("The file is not readable as CSV: %(error)s") % {"error": exc}
            ) from exc
        finally:
            text.detach()  # leave an upload open for the next reading


def _too_many_columns(limits: Limits) -> TableError:
    return TableError(
        _("The file has more than %(max)s columns.") % {"max": f"{limits.max_columns:,}"}
    )


# .xls: the legacy binary format, read whole by calamine; the format stops at 65,536 rows
# and 256 columns, and the file's size is capped like every other.


def _load_xls(source):
    from python_calamine import CalamineWorkbook

    try:
        with _Binary(source) as binary:
            return CalamineWorkbook.from_filelike(binary).get_sheet_by_index(0)
    except Exception as exc:  # calamine raises its own kinds for a file that isn't a workbook
        raise TableError(_("The file is not a readable Excel workbook.")) from exc


def _scan_xls(source, limits: Limits) -> int:
    sheet = _load_xls(source)
    first_row, first_column = sheet.start or (0, 0)
    if first_column + sheet.width > limits.max_columns:
        raise _too_many_columns(limits)
    return first_row + sheet.height


def _xls_rows(source, limits: Limits) -> Iterator[list]:
    # From A1, not from the first cell in use: the row numbers are the ones people see.
    yield from _load_xls(source).to_python(skip_empty_area=False)


# .xlsx: a zip of XML parts. The zip's directory is checked before anything is unpacked;
# then the parts the reader reads are unpacked once as streams, counting what they really
# unpack to and the sheet's rows, before anything parses them.

SHARED_STRINGS_TYPE = "/sharedStrings"
STYLES_TYPE = "/styles"
# A row's start tag, with any namespace prefix, and its number if it gives one.
ROW_TAG = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])(?:[^>]*?\sr="(\d+)")?')
SHARED_STRING_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si(?=[\s/>])")


def _not_a_workbook() -> TableError:
    return TableError(_("The file is not a readable Excel workbook."))


def _scan_xlsx(source, limits: Limits) -> int:
    """Check an .xlsx before it is parsed; return the number of its sheet's last row."""
    with _Binary(source) as binary:
        members = _zip_member_count(binary)
        if members is None or members > limits.max_zip_members:
            raise _not_a_workbook()
        try:
            with zipfile.ZipFile(binary) as archive:
                _check_zip_directory(archive.infolist(), limits)
                parts = _workbook_parts(archive)
                remaining = [limits.max_uncompressed_bytes]
                if parts.styles in archive.NameToInfo:
                    _count_tags(archive, parts.styles, None, remaining, limits)
                if parts.shared_strings in archive.NameToInfo:
                    strings, _last = _count_tags(
                        archive, parts.shared_strings, SHARED_STRING_TAG, remaining, limits
                    )
                    if strings > limits.max_shared_strings:
                        raise TableError(_too_many_rows_message(limits))
                rows, last = _count_tags(archive, parts.sheet, ROW_TAG, remaining, limits)
        except TableError:
            raise
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError) as exc:
            raise _not_a_workbook() from exc
    return max(rows, last)


def _too_many_rows_message(limits: Limits) -> str:
    return _("The file has more than %(max)s rows: split it into smaller files.") % {
        "max": f"{limits.max_rows:,}"
    }


def _check_zip_directory(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Refuse by the sizes the zip declares (the unpacking then holds each part to its own)."""
    if sum(info.file_size for info in infos) > limits.max_uncompressed_bytes:
        raise TableError(_unpacks_to_message(limits))
    for info in infos:
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > limits.ratio_from_bytes and ratio > limits.max_ratio:
            raise TableError(
                _(
                    "The file unpacks to %(ratio)s times its size: it is not a spreadsheet as "
                    "spreadsheet programs write them."
                )
                % {"ratio": f"{ratio:,}"}
            )


def _count_tags(archive, path: str, tag, remaining: list[int], limits: Limits) -> tuple[int, int]:
    """Unpack a part as a stream, counting its bytes against what is left of the limit;
    return how many `tag`s it holds and the largest number one gives (r="…")."""
    count = last = 0
    carry = b""
    with archive.open(path) as stream:
        counted = _Counted(stream, remaining, limits)
        while piece := counted.read(1 << 20):
            if tag is None:
                continue
            # A tag never holds ">" before its end: cut after the last one, carry the rest.
            buffer = carry + piece
            cut = buffer.rfind(b">") + 1
            for match in tag.finditer(buffer, 0, cut):
                count += 1
                if match.lastindex and match.group(1):
                    last = max(last, int(match.group(1)))
            carry = buffer[cut:]
            if len(carry) > 1 << 20:  # no ">" in a megabyte: no XML a spreadsheet writes
                raise _not_a_workbook()
            if count > limits.max_rows + HEADER_SEARCH_ROWS and tag is ROW_TAG:
                raise TableError(_too_many_rows_message(limits))
            if last > limits.max_rows + HEADER_SEARCH_ROWS:
                raise TableError(_too_many_rows_message(limits))
    return count, last


def _unpacks_to_message(limits: Limits) -> str:
    return _("The workbook unpacks to more than %(mb)s MB: split it into smaller files.") % {
        "mb": f"{limits.max_uncompressed_bytes // MB:,}"
    }


def _zip_member_count(binary) -> int | None:
    """Return the number of parts a zip says it has, from its end record, before the zip
    module reads its whole directory into memory (a zip of a million tiny parts would)."""
    binary.seek(0, io.SEEK_END)
    size = binary.tell()
    tail_size = min(size, 22 + 65535)  # the end record and the longest comment after it
    binary.seek(size - tail_size)
    tail = binary.read(tail_size)
    binary.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at == -1 or len(tail) - at < 22:
        return None
    total = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    return None if total == 0xFFFF else total  # 0xFFFF: a Zip64 file, never a spreadsheet


class _Counted(io.RawIOBase):
    """A part of the zip as it unpacks, refused once the parts read have unpacked to more
    than the limit (a zip may declare less than it holds)."""

    def __init__(self, stream, remaining: list[int], limits: Limits | None):
        self.stream, self.remaining, self.limits = stream, remaining, limits

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        if self.limits is not None:
            self.remaining[0] -= len(data)
            if self.remaining[0] < 0:
                raise TableError(_unpacks_to_message(self.limits))
        buffer[: len(data)] = data
        return len(data)


def _parse(stream, *, start=None, end=None, text=None, chunks: bool = False) -> Iterator[None]:
    """Feed an XML part to expat with the handlers given (element names without their
    namespace); with `chunks`, yield after each piece so a caller can take what it made."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    try:
        while True:
            piece = stream.read(1 << 16)
            parser.Parse(piece, not piece)
            if chunks:
                yield
            if not piece:
                return
    except TableError:
        raise
    except (expat.ExpatError, ValueError) as exc:
        raise _not_a_workbook() from exc


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Return a part's relationships: id -> (type, the target's path in the zip)."""
    folder = PurePosixPath(part).parent
    rels_path = str(folder / "_rels" / (PurePosixPath(part).name + ".rels"))
    found: dict[str, tuple[str, str]] = {}
    if rels_path not in archive.NameToInfo:
        return found

    def start(name, attrs):
        if _local(name) == "Relationship":
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else str(folder / target)
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), _normpath(path))

    with archive.open(rels_path) as stream:
        for _step in _parse(stream, start=start):
            pass
    return found


def _normpath(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


@dataclass
class _Workbook:
    sheet: str = "xl/worksheets/sheet1.xml"
    shared_strings: str | None = None
    styles: str | None = None
    epoch: datetime.datetime = datetime.datetime(1899, 12, 30)


def _workbook_parts(archive: zipfile.ZipFile) -> _Workbook:
    """Find the first sheet, the shared strings and the styles through the workbook's
    relationships, as Excel does (other writers name the parts differently)."""
    found = _Workbook()
    workbook_path = "xl/workbook.xml"
    root = _relationships(archive, "")
    for kind, target in root.values():
        if kind.endswith("/officeDocument"):
            workbook_path = target
    if workbook_path not in archive.NameToInfo:
        raise TableError(_("The file is not a readable Excel workbook."))
    first_sheet: list[str] = []

    def start(name, attrs):
        local = _local(name)
        if local == "sheet" and not first_sheet:
            first_sheet.append(next((v for k, v in attrs.items() if _local(k) == "id"), ""))
        elif local == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            found.epoch = datetime.datetime(1904, 1, 1)

    with archive.open(workbook_path) as stream:
        for _step in _parse(stream, start=start):
            pass
    relationships = _relationships(archive, workbook_path)
    if first_sheet and first_sheet[0] in relationships:
        found.sheet = relationships[first_sheet[0]][1]
    for kind, target in relationships.values():
        if kind.endswith(SHARED_STRINGS_TYPE):
            found.shared_strings = target
        elif kind.endswith(STYLES_TYPE):
            found.styles = target
    if found.sheet not in archive.NameToInfo:
        raise TableError(_("The file is not a readable Excel workbook."))
    return found


def _shared_strings(archive, path: str | None, remaining, limits: Limits | None) -> list[str]:
    strings: list[str] = []
    if not path or path not in archive.NameToInfo:
        return strings
    parts: list[str] = []
    state = {"text": False, "phonetic": False}

    def start(name, attrs):
        local = _local(name)
        if local == "t" and not state["phonetic"]:
            state["text"] = True
        elif local == "rPh":  # the phonetic reading of Japanese text: not the text
            state["phonetic"] = True

    def end(name):
        local = _local(name)
        if local == "t":
            state["text"] = False
        elif local == "rPh":
            state["phonetic"] = False
        elif local == "si":
            strings.append("".join(parts))
            parts.clear()
            if limits is not None and len(strings) > limits.max_shared_strings:
                raise TableError(_("The file is not a roster as spreadsheets write them."))

    def text(data):
        if state["text"]:
            parts.append(data)

    with archive.open(path) as stream:
        for _step in _parse(_Counted(stream, remaining, limits), start=start, end=end, text=text):
            pass
    return strings


# Number formats of dates: Excel's built-in ones (the 27 to 36 and 50 to 58 of CJK
# editions among them) and any custom format with a day, month or year in it.
BUILTIN_DATE_FORMATS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})
_FORMAT_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')


def _is_date_format(code: str) -> bool:
    code = _FORMAT_NOISE.sub("", code).lower()
    return code != "general" and any(letter in code for letter in "dmyhs")


def _date_styles(archive, path: str | None, remaining, limits) -> frozenset[int]:
    """Return the indexes of the cell styles that show a number as a date."""
    if not path or path not in archive.NameToInfo:
        return frozenset()
    custom: dict[int, str] = {}
    formats: list[int] = []
    depth = {"cellXfs": False}

    def start(name, attrs):
        local = _local(name)
        if local == "numFmt":
            custom[int(attrs.get("numFmtId", "0") or 0)] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            depth["cellXfs"] = True
        elif local == "xf" and depth["cellXfs"]:
            formats.append(int(attrs.get("numFmtId", "0") or 0))

    def end(name):
        if _local(name) == "cellXfs":
            depth["cellXfs"] = False

    with archive.open(path) as stream:
        for _step in _parse(_Counted(stream, remaining, limits), start=start, end=end):
            pass
    return frozenset(
        index
        for index, number_format in enumerate(formats)
        if number_format in BUILTIN_DATE_FORMATS
        or (number_format in custom and _is_date_format(custom[number_format]))
    )


def _xlsx_rows(source, limits: Limits | None) -> Iterator[list]:
    """Yield the first sheet's rows as they unpack: each row as a list of its cells' values
    (text, float, bool, date or datetime, None), empty rows for the numbers skipped."""
    with _Binary(source) as binary:
        try:
            archive = zipfile.ZipFile(binary)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise TableError(_("The file is not a readable Excel workbook.")) from exc
        with archive:
            remaining = [limits.max_uncompressed_bytes if limits else 0]
            try:
                parts = _workbook_parts(archive)
                shared = _shared_strings(archive, parts.shared_strings, remaining, limits)
                dates = _date_styles(archive, parts.styles, remaining, limits)
                with archive.open(parts.sheet) as stream:
                    reader = _SheetReader(shared, dates, parts.epoch, limits)
                    yield from reader.rows(_Counted(stream, remaining, limits))
            except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
                raise TableError(_("The file is not a readable Excel workbook.")) from exc


class _SheetReader:
    """Parse a sheet's XML into rows.

    The parser calls back twice per cell, so a hundred thousand rows make millions of calls:
    the handlers are kept to a few comparisons, and element names are compared as the file
    writes them (with the namespace prefix of its root element, if any) instead of having
    expat resolve every name.
    """

    def __init__(self, shared: list[str], dates: frozenset[int], epoch, limits: Limits | None):
        self.shared, self.dates, self.epoch, self.limits = shared, dates, epoch, limits

    def rows(self, stream) -> Iterator[list]:
        done: list[list] = []  # rows completed by the last piece of XML parsed
        row: list = []
        parts: list[str] = []
        row_number, column, kind, style = 0, -1, None, "0"
        in_text = phonetic = False
        shared, dates, epoch, limits = self.shared, self.dates, self.epoch, self.limits
        max_columns = limits.max_columns if limits else 1 << 30
        column_of: dict[str, int] = {}  # "AB" -> 27, learned as met
        c = v = t = row_tag = phonetic_tag = ""

        def first(name, attrs):
            # The root element tells the prefix of the namespace ("x:worksheet" -> "x:").
            nonlocal c, v, t, row_tag, phonetic_tag
            prefix = name[: -len("worksheet")] if name.endswith("worksheet") else ""
            c, v, t = prefix + "c", prefix + "v", prefix + "t"
            row_tag, phonetic_tag = prefix + "row", prefix + "rPh"
            parser.StartElementHandler = start

        def start(name, attrs):
            nonlocal column, kind, style, in_text, phonetic, row_number
            if name == c:
                reference = attrs.get("r")
                if reference:
                    letters = reference.rstrip("0123456789")
                    found = column_of.get(letters)
                    if found is None:
                        found = column_of[letters] = _column_index(letters)
                    column = found
                else:
                    column += 1
                kind = attrs.get("t")
                style = attrs.get("s", "0")
                parts.clear()
            elif name in (v, t):
                in_text = not phonetic
            elif name == row_tag:
                reference = attrs.get("r")
                number = int(reference) if reference else row_number + 1
                # Rows skipped in the file are empty rows between: keep the numbering.
                for _empty in range(row_number + 1, number):
                    done.append([])
                row_number, column = number, -1
                row.clear()
            elif name == phonetic_tag:  # the phonetic reading of Japanese text: not the text
                phonetic = True

        def end(name):
            nonlocal in_text, phonetic
            if name == c:
                raw = "".join(parts)
                if kind == "s":
                    try:
                        value = shared[int(raw)] if raw else None
                    except (ValueError, IndexError):
                        raise TableError(_("The file is not a readable Excel workbook.")) from None
                elif kind in ("inlineStr", "str", "e"):
                    value = raw
                else:
                    value = _typed_value(raw, kind, style, dates, epoch) if raw else None
                if value is None:
                    return
                if column >= len(row):
                    if column >= max_columns:
                        return  # far to the right of any table: not read (see Limits)
                    row.extend([None] * (column - len(row) + 1))
                row[column] = value
            elif name == row_tag:
                done.append(row[:])
            elif name in (v, t):
                in_text = False
            elif name == phonetic_tag:
                phonetic = False

        def text(data):
            if in_text:
                parts.append(data)

        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = first
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text
        try:
            while True:
                piece = stream.read(1 << 16)
                parser.Parse(piece, not piece)
                yield from done
                done.clear()
                if not piece:
                    return
        except TableError:
            raise
        except (expat.ExpatError, ValueError) as exc:  # bad XML, a row numbered "x"
            raise _not_a_workbook() from exc


def _column_index(letters: str) -> int:
    """Return the 0-based index of a column's letters ("C" -> 2, "AA" -> 26)."""
    index = 0
    for char in letters:
        if not "A" <= char <= "Z":
            break
        index = index * 26 + ord(char) - 64
    return index - 1


def _typed_value(raw: str, kind: str | None, style: str, dates: frozenset[int], epoch):
    """Return the value of a number, boolean or date cell."""
    if kind == "b":
        return raw.strip() in ("1", "true")
    if kind == "d":
        try:
            return datetime.datetime.fromisoformat(raw.strip())
        except ValueError:
            return raw
    try:
        number = float(raw)
    except ValueError:
        return raw
    if dates and int(style or 0) in dates and 0 <= number < 2958466:  # up to 9999-12-31
        # A day is 86,400 seconds; a time of day is stored as its fraction, rounded.
        moment = epoch + datetime.timedelta(seconds=round(number * 86400))
        return moment.date() if moment.time() == datetime.time() else moment
    return number


# --- Cells people type ----------------------------------------------------------------------

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


# --- Writing --------------------------------------------------------------------------------

# What a spreadsheet program reads as the start of a formula (OWASP's list for CSV
# injection): a cell beginning so is written as text and flagged as typed text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 cannot hold: control characters but tab and the line breaks, lone
# surrogates, U+FFFE and U+FFFF. A stored name with a BEL once made every export fail.
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def writable_text(text: str) -> str:
    """Return text that an .xlsx can hold: each character XML refuses becomes U+FFFD."""
    return UNWRITABLE.sub("\ufffd", text)


def sheet_cell(sheet, value: object, *, fill=None, comment=None, font=None):
    """Return a cell for a write-only sheet's `append`: text stays text whatever it starts
    with (openpyxl would make "=…" a live formula), other values keep their type."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        value = writable_text(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            # Excel then keeps it text when someone edits the cell, too.
            cell.quotePrefix = True
    if fill is not None:
        cell.fill = fill
    if comment is not None:
        cell.comment = comment
    if font is not None:
        cell.font = font
    return cell


def sheet_row(sheet, values) -> list:
    """Return a row for a write-only sheet's `append`, every text cell written as text."""
    # Plain text that no program reads as a formula goes as it is: a cell object per
    # value would double the time of a city's export.
    return [
        sheet_cell(sheet, value)
        if isinstance(value, str) and (value.startswith(FORMULA_STARTS) or UNWRITABLE.search(value))
        else value
        for value in values
    ]


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook to download: never kept by a cache (it may hold personal data)."""
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response
