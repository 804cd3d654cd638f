"""Excel files out of the registry: exports with the headers the import reads, and a copy
of an imported file with its errors marked, for the clerk to correct and import again."""

import io
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from tongxing import personal_data
from tongxing.registry.imports import COLUMN_ALIASES
from tongxing.registry.models import Household, Member
from tongxing.tabular import TableError, raw_rows

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
BOLD = Font(bold=True)


def header(column: str) -> str:
    """Return the header our files write for a column: the first name the import accepts."""
    return COLUMN_ALIASES[column][0]


def write_marked_copy(source, errors, columns: dict[str, str], *, filename=None) -> bytes:
    """Return the file as an .xlsx, each bad cell filled red with its reason as a comment,
    and a last column that lists the reasons of each bad row."""
    by_row: dict[int, list] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(error)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Checked")
    positions: dict[str, int] = {}
    header_found = False
    try:
        rows = list(raw_rows(source, filename=filename or getattr(source, "name", str(source))))
    except TableError:
        rows = []
    width = max((len(row) for row in rows), default=0)
    for number, row in enumerate(rows, start=1):
        sheet.append(list(row) + [""] * (width - len(row)))
        texts = [str(cell).strip() for cell in row]
        if not header_found and any(header in texts for header in columns.values()):
            header_found = True
            positions = {c: texts.index(h) for c, h in columns.items() if h in texts}
            reasons = sheet.cell(row=number, column=width + 1, value=_("Errors"))
            reasons.font = BOLD
        for error in by_row.get(number, []):
            index = positions.get(error.column)
            if index is not None:
                cell = sheet.cell(row=number, column=index + 1)
                cell.fill = ERROR_FILL
                cell.comment = Comment(error.message, "Tongxing")
        if number in by_row:
            text = "; ".join(
                f"{columns.get(e.column, e.column)}: {e.message}" if e.column else e.message
                for e in by_row[number]
            )
            sheet.cell(row=number, column=width + 1, value=text).fill = ERROR_FILL
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


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


def export_members(households, *, full_numbers: bool) -> bytes:
    """Return an .xlsx roster of the households' members, in the import's own format.

    Numbers are masked unless `full_numbers` (the caller has checked the right and written
    the audit row); a masked file cannot be imported back, which is the point.
    """
    from tongxing.registry.imports import CAUSE_WORDS, LABOUR_WORDS, RELATION_WORDS, STATUS_WORDS

    def first_word(words: dict, value: str) -> str:
        return next((word for word, code in words.items() if code == value), value)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Households"))
    sheet.append([header(column) for column in MEMBER_COLUMNS])
    members = (
        Member.objects.filter(household__in=households)
        .select_related("household__village")
        .order_by("household__village_id", "household__registry_number", "id")
    )
    yes, no = "是", "否"
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
        sheet.append(
            [
                household.registry_number,
                household.village_id,
                household.village.name,
                member.name,
                first_word(RELATION_WORDS, member.relation),
                id_number,
                {"male": "男", "female": "女"}.get(member.sex, ""),
                member.birth_date.isoformat() if member.birth_date else "",
                phone,
                first_word(STATUS_WORDS, household.status),
                household.status_since.isoformat(),
                "、".join(first_word(CAUSE_WORDS, c) for c in household.hardship_causes),
                yes if member.left_behind_child else no,
                yes if member.student else no,
                yes if member.disabled else no,
                first_word(LABOUR_WORDS, member.labour_ability) if member.labour_ability else "",
                yes if household.serious_illness else no,
                yes if household.elderly_living_alone else no,
            ]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def read_back(path: Path) -> list[list]:
    """Return an .xlsx's rows (for tests and checks)."""
    return list(raw_rows(path))


ORGANISATION_HEADERS = ("名称", "类型", "统一社会信用代码", "区划代码", "所在区域")


def export_organisations(organisations) -> bytes:
    """Return an .xlsx list of organisations (no personal data in it)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Organisations"))
    sheet.append(list(ORGANISATION_HEADERS))
    for organisation in organisations.select_related("region").order_by("region_id", "name"):
        sheet.append(
            [
                organisation.name,
                organisation.get_kind_display(),
                organisation.credit_code,
                organisation.region_id,
                organisation.region.name,
            ]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
