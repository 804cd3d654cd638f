"""An attendance list from a spreadsheet (.xlsx, .xls or .csv): a row per attendee, their
ID number and, if the sheet has it, their name, matched to the registry's members.

Every row is checked before anything is kept, and every fault is named by row and column
as the roster import names them (`tabular.RowError`): an ID number that is not valid, one
no member of a household the importer may see has, a name that is not that member's, a
person listed twice. With any fault, nothing is added. No message repeats a number in full.
"""

from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tongxing.accounts.models import User
from tongxing.registry.models import Member
from tongxing.registry.protection import id_number_hash
from tongxing.registry.selectors import households_visible_to
from tongxing.registry.validators import validate_id_number
from tongxing.tabular import RowError, read_table

ALIASES = {
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "ID number"),
    "name": ("姓名", "名字", "学员姓名", "name"),
}
# Members looked up at once: well under SQLite's limit of variables in a statement.
BATCH = 500


@dataclass
class AttendanceFile:
    members: list[Member] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_attendance(user: User, source: IO[bytes], *, filename: str) -> AttendanceFile:
    """Check every row of the file and match it (TableError for a file unreadable whole)."""
    table = read_table(source, aliases=ALIASES, required=("id_number",), filename=filename)
    result = AttendanceFile(columns=table.columns)
    wanted: list[tuple[int, str, str]] = []  # (row, hash, name)
    seen: dict[str, int] = {}
    for number, row in table.rows:
        raw = row.get("id_number", "")
        try:
            value = validate_id_number(raw).value
        except ValidationError:
            result.errors.append(RowError(number, "id_number", _("Not a valid ID number.")))
            continue
        digest = id_number_hash(value)
        if digest in seen:
            result.errors.append(
                RowError(
                    number, "id_number", _("Listed already in row %(row)s.") % {"row": seen[digest]}
                )
            )
            continue
        seen[digest] = number
        wanted.append((number, digest, row.get("name", "")))
    visible = households_visible_to(user)
    found: dict[str, Member] = {}
    digests = [digest for _row, digest, _name in wanted]
    for start in range(0, len(digests), BATCH):
        members = Member.objects.with_id_hash(*digests[start : start + BATCH]).filter(
            household__in=visible
        )
        found.update({member.id_number_hash: member for member in members})
    for number, digest, name in wanted:
        member = found.get(digest)
        if member is None:
            result.errors.append(
                RowError(
                    number,
                    "id_number",
                    _("No member of a household of your region has this ID number."),
                )
            )
        elif name and name != member.name:
            result.errors.append(
                RowError(number, "name", _("The registry has another name for this ID number."))
            )
        else:
            result.members.append(member)
    result.errors.sort(key=lambda error: error.row)
    return result
