"""Excel files out of the registry: exports with the headers the import reads, and a copy
of an imported file with its errors marked, for the clerk to correct and import again.

Every file is written in openpyxl's write-only mode, a row at a time, and every text cell
through `tabular.sheet_row`/`sheet_cell`: a name beginning with "=" stays a name, never a
live formula beside an ID number, and a character XML cannot hold never fails the export.
"""

import datetime
import io
from collections.abc import Callable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from tongxing import personal_data
from tongxing.registry.models import Household, Member
from tongxing.registry.roster_columns import (
    CAUSE_WORDS,
    LABOUR_WORDS,
    RELATION_WORDS,
    STATUS_WORDS,
    header,
)
from tongxing.registry.validators import mask_id_number, mask_phone
from tongxing.tabular import TableError, clean, raw_rows, sheet_cell, sheet_row
from tongxing.text import find_personal_data, mask_personal_data

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
BOLD = Font(bold=True)
REPORT_EVERY = 1000


# --- The marked copy --------------------------------------------------------------------------

# Columns of the roster whose every cell is masked in the copy, as the registry masks them.
NUMBER_COLUMNS: dict[str, Callable[[str], str]] = {
    "id_number": mask_id_number,
    "head_id_number": mask_id_number,
    "phone": mask_phone,
}


def masked_cell(value: object, mask: Callable[[str], str] | None = None) -> object:
    """Return a cell of an uploaded file as the marked copy keeps it: an ID or phone column
    masked whole, any ID, phone or card number inside another cell masked where it stands.

    The clerk has the original; the copy lies on the server for days and must not be a
    second list of full numbers.
    """
    if value is None or isinstance(value, bool | datetime.date | datetime.time):
        return value
    text = clean(value)
    if mask is not None:
        return mask(text) if text else value
    if isinstance(value, str):
        return mask_personal_data(value)
    # A phone typed into a number cell is a number: look at it as the text it shows.
    return mask_personal_data(text) if find_personal_data(text) else value


def write_marked_copy(
    source,
    errors,
    columns: dict[str, str],
    *,
    filename=None,
    header_row: int | None = None,
    width: int | None = None,
) -> bytes:
    """Return the file as an .xlsx with its numbers masked, each bad cell filled red with
    its reason as a comment, and a last column that lists the reasons of each bad row.

    `header_row` is the header's number (`Table.header_row`; by default the first row with
    a header of `columns`), `width` the widest row of the file (`TableRows.widest`; by
    default the file is read once more to find it).
    """
    by_row: dict[int, list] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(error)
    name = filename or getattr(source, "name", str(source))
    try:
        if width is None:
            width = max((len(row) for row in raw_rows(source, filename=name)), default=0)
        rows = raw_rows(source, filename=name)
    except TableError:
        width, rows = 0, iter(())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Checked"))
    positions: dict[str, int] = {}
    masks: dict[int, Callable[[str], str]] = {}
    header_texts = set(columns.values())
    for number, raw in enumerate(rows, start=1):
        raw = list(raw) + [None] * (width - len(raw))
        texts = [clean(cell) for cell in raw]
        is_header = not positions and (
            number == header_row if header_row else any(t in header_texts for t in texts)
        )
        if is_header:
            positions = {c: texts.index(h) for c, h in columns.items() if h in texts}
            masks = {positions[c]: mask for c, mask in NUMBER_COLUMNS.items() if c in positions}
        marked = {positions.get(e.column): e for e in by_row.get(number, ())}
        cells = []
        for index, value in enumerate(raw):
            value = masked_cell(value, masks.get(index) if not is_header else None)
            error = marked.get(index)
            if error is None:
                cells.append(sheet_cell(sheet, value))
            else:
                note = Comment(mask_personal_data(error.message), "Tongxing")
                cells.append(sheet_cell(sheet, value, fill=ERROR_FILL, comment=note))
        if is_header:
            cells.append(sheet_cell(sheet, _("Errors"), font=BOLD))
        elif number in by_row:
            text = "; ".join(
                f"{columns.get(e.column, e.column)}: {e.message}" if e.column else e.message
                for e in by_row[number]
            )
            cells.append(sheet_cell(sheet, mask_personal_data(text), fill=ERROR_FILL))
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- Exports ----------------------------------------------------------------------------------

MEMBER_COLUMNS = (
    "registry_number",
    "village_code",
    "village",
    "name",
    "relation",
    "id_number",
    "sex",
    "birth_date",
    "phone",
    "status",
    "status_since",
    "hardship_causes",
    "left_behind_child",
    "student",
    "disabled",
    "labour_ability",
    "serious_illness",
    "elderly_living_alone",
)


def _first_words(words: dict[str, str]) -> dict[str, str]:
    """Return each code's first word in an import table (the word our files write)."""
    first: dict[str, str] = {}
    for word, code in words.items():
        first.setdefault(code, word)
    return first


def export_members(
    households, *, full_numbers: bool, progress: Callable[[int], None] | None = None
) -> bytes:
    """Return an .xlsx roster of the households' members, in the import's own format.

    Numbers are masked unless `full_numbers` (the caller has checked the right and written
    the audit row); a masked file cannot be imported back, which is the point. `progress`
    is called with the count of members written every thousand.
    """
    relations, statuses = _first_words(RELATION_WORDS), _first_words(STATUS_WORDS)
    causes, labour = _first_words(CAUSE_WORDS), _first_words(LABOUR_WORDS)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Households"))
    sheet.append(sheet_row(sheet, [header(column) for column in MEMBER_COLUMNS]))
    members = (
        Member.objects.filter(household__in=households)
        .select_related("household__village")
        .order_by("household__village_id", "household__registry_number", "id")
    )
    yes, no = "是", "否"
    written = 0
    for member in members.iterator(chunk_size=2000):
        household: Household = member.household
        id_number = (
            personal_data.decrypt(member.id_number_ciphertext)
            if full_numbers
            else member.id_number_masked
        )
        phone = (
            personal_data.decrypt(member.phone_ciphertext) if full_numbers else member.phone_masked
        )
        values = [
            household.registry_number,
            household.village_id,
            household.village.name,
            member.name,
            relations.get(member.relation, member.relation),
            id_number,
            {"male": "男", "female": "女"}.get(member.sex, ""),
            member.birth_date.isoformat() if member.birth_date else "",
            phone,
            statuses.get(household.status, household.status),
            household.status_since.isoformat(),
            "、".join(causes.get(c, c) for c in household.hardship_causes),
            yes if member.left_behind_child else no,
            yes if member.student else no,
            yes if member.disabled else no,
            labour.get(member.labour_ability, member.labour_ability),
            yes if household.serious_illness else no,
            yes if household.elderly_living_alone else no,
        ]
        sheet.append(sheet_row(sheet, values))
        written += 1
        if progress and written % REPORT_EVERY == 0:
            progress(REPORT_EVERY)
    if progress:
        progress(written % REPORT_EVERY)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def read_back(path) -> list[list]:
    """Return an .xlsx's rows (for tests and checks)."""
    return list(raw_rows(path))


ORGANISATION_HEADERS = ("名称", "类型", "统一社会信用代码", "区划代码", "所在区域")


def export_organisations(organisations) -> bytes:
    """Return an .xlsx list of organisations (no personal data in it)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Organisations"))
    sheet.append(sheet_row(sheet, list(ORGANISATION_HEADERS)))
    for organisation in organisations.select_related("region").order_by("region_id", "name"):
        values = [
            organisation.name,
            organisation.get_kind_display(),
            organisation.credit_code,
            organisation.region_id,
            organisation.region.name,
        ]
        sheet.append(sheet_row(sheet, values))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
