"""Reading household rosters (花名册): one row per member, as other systems export them.

The parser turns table rows into households with their members, and every fault into a
row error naming the row, the column and the reason. It writes nothing: the action
`import_households` in actions.py applies what it returns.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# Messages of faults that are rare: translated only when one happens.
from django.utils.translation import gettext_lazy as _lazy

from tongxing.regions.codes import CodeError, Level, normalize
from tongxing.regions.models import Region
from tongxing.registry.models import HouseholdStatus, Relation
from tongxing.registry.records import HouseholdData, MemberData, clean_household, clean_member
from tongxing.registry.roster_columns import (
    CAUSE_WORDS,
    LABOUR_WORDS,
    RELATION_WORDS,
    SEX_WORDS,
    STATUS_WORDS,
)
from tongxing.registry.validators import normalize_id_number
from tongxing.tabular import RowError, parse_bool, parse_date

# Default when a roster has no status column: a roster of the register is of households in it.
DEFAULT_STATUS = HouseholdStatus.REGISTERED_POOR


@dataclass
class RosterHousehold:
    """A household as the roster gives it: its rows, its own data and its members."""

    key: str
    rows: list[int] = field(default_factory=list)
    data: HouseholdData | None = None
    # (row number, the member as given, the model's values from clean_member)
    members: list[tuple[int, MemberData, dict]] = field(default_factory=list)


@dataclass
class Roster:
    households: dict[str, RosterHousehold] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0

    def bad_rows(self) -> set[int]:
        return {error.row for error in self.errors}


def _split(text: str) -> list[str]:
    for separator in ",，、;；|/ ":
        text = text.replace(separator, " ")
    return [word for word in text.split() if word]


def _lookup(words: dict, text: str):
    return words.get(text.strip().lower()) or words.get(text.strip())


class _RowReader:
    """Reads one row's cells into typed values, noting each fault with its column."""

    def __init__(self, number: int, values: dict[str, str], errors: list[RowError]):
        self.number, self.values, self.errors = number, values, errors

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))

    def text(self, column: str) -> str:
        return self.values.get(column, "")  # read_table has cleaned every cell

    def choice(self, column: str, words: dict, message: str) -> str:
        text = self.text(column)
        if not text:
            return ""
        value = _lookup(words, text)
        if value is None:
            self.fail(column, message % {"value": text})
            return ""
        return value

    def flag(self, column: str) -> bool:
        value = parse_bool(self.values.get(column, ""))
        if value is None:
            self.fail(
                column,
                _("“%(value)s” is neither yes (是) nor no (否).") % {"value": self.text(column)},
            )
            return False
        return value

    def date(self, column: str) -> datetime.date | None:
        text = self.text(column)
        if not text:
            return None
        value = parse_date(text)
        if value is None:
            self.fail(column, _("“%(value)s” is not a date.") % {"value": text})
        return value

    def id_number(self, column: str) -> str:
        text = self.text(column)
        if "e+" in text.lower():
            self.fail(
                column,
                _(
                    "The ID number was stored as a number and lost its last digits: "
                    "format the column as text in Excel and type it again."
                ),
            )
            return ""
        return text


class _Villages:
    """Finds a row's village by code or by name, within the importer's region."""

    def __init__(self, scope_prefix: str):
        villages = Region.objects.filter(code__startswith=scope_prefix, level=Level.VILLAGE)
        self.by_code = {v.code: v for v in villages}
        self.by_name: dict[str, list[Region]] = {}
        for village in self.by_code.values():
            self.by_name.setdefault(village.name, []).append(village)

    def find(self, reader: _RowReader) -> Region | None:
        code_text = reader.text("village_code")
        if code_text:
            try:
                code = normalize(code_text)
            except CodeError as exc:
                reader.fail("village_code", str(exc))
                return None
            village = self.by_code.get(code)
            if village is None:
                reader.fail(
                    "village_code", _("No village %(code)s in your region.") % {"code": code}
                )
            return village
        name = reader.text("village")
        if not name:
            reader.fail("village", _("Give the village (its name or its code)."))
            return None
        found = self.by_name.get(name, [])
        if len(found) != 1:
            message = (
                _("No village named %(name)s in your region.")
                if not found
                else _("Several villages are named %(name)s: give the village code.")
            )
            reader.fail("village", message % {"name": name})
            return None
        return found[0]


def parse_roster(rows: list[tuple[int, dict[str, str]]], *, scope_prefix: str) -> Roster:
    """Read every row; group members into households by registry number or head's ID."""
    roster = Roster()
    villages = _Villages(scope_prefix)
    for number, values in rows:
        roster.rows_read += 1
        errors_before = len(roster.errors)
        reader = _RowReader(number, values, roster.errors)
        member = MemberData(
            name=reader.text("name"),
            relation=reader.choice(
                "relation", RELATION_WORDS, _lazy("Unknown relation to the head: %(value)s.")
            ),
            id_number=reader.id_number("id_number"),
            birth_date=reader.date("birth_date"),
            sex=reader.choice("sex", SEX_WORDS, _lazy("Unknown sex: %(value)s.")),
            phone=reader.text("phone"),
            left_behind_child=reader.flag("left_behind_child"),
            student=reader.flag("student"),
            disabled=reader.flag("disabled"),
            labour_ability=reader.choice(
                "labour_ability", LABOUR_WORDS, _lazy("Unknown labour ability: %(value)s.")
            ),
        )
        if not member.relation and not reader.text("relation"):
            reader.fail("relation", _("Give the relation to the head of household."))
        values, member_errors = clean_member(member)
        for column, messages in member_errors.items():
            if column == "relation" and len(roster.errors) > errors_before:
                continue  # already reported as an unknown word
            for message in messages:
                reader.fail(column, message)
        key = _household_key(reader, member)
        if key is None:
            continue
        household = roster.households.setdefault(key, RosterHousehold(key=key))
        household.rows.append(number)
        household.members.append((number, member, values))
        # The household's own columns are read from its head's row.
        if member.relation == Relation.HEAD and household.data is None:
            household.data = _household_data(reader, villages, key)
    _check_households(roster)
    roster.errors.sort(key=lambda error: (error.row, error.column))
    return roster


def _household_key(reader: _RowReader, member: MemberData) -> str | None:
    number = reader.text("registry_number")
    if number:
        return "R:" + number
    head_id = normalize_id_number(reader.id_number("head_id_number"))
    if not head_id and member.relation == Relation.HEAD:
        head_id = normalize_id_number(member.id_number)
    if head_id:
        return "H:" + head_id
    reader.fail(
        "registry_number",
        _("Give the registry number or the head's ID number, so the row finds its household."),
    )
    return None


def _household_data(reader, villages: _Villages, key: str) -> HouseholdData | None:
    village = villages.find(reader)
    status = (
        reader.choice("status", STATUS_WORDS, _lazy("Unknown household status: %(value)s."))
        or DEFAULT_STATUS
    )
    causes = []
    for word in _split(reader.text("hardship_causes")):
        cause = _lookup(CAUSE_WORDS, word)
        if cause is None:
            reader.fail(
                "hardship_causes", _("Unknown cause of hardship: %(causes)s.") % {"causes": word}
            )
        else:
            causes.append(cause)
    since = reader.date("status_since") or datetime.date.today()
    data = HouseholdData(
        registry_number=key[2:] if key.startswith("R:") else derived_registry_number(key[2:]),
        village=village,
        status=status,
        status_since=since,
        hardship_causes=causes,
        disability=False,
        serious_illness=reader.flag("serious_illness"),
        left_behind_children=False,
        elderly_living_alone=reader.flag("elderly_living_alone"),
    )
    if village is None:
        return None
    for column, messages in clean_household(data).items():
        for message in messages:
            reader.fail(column, message)
    return data


def derived_registry_number(head_id: str) -> str:
    """Give a household that came without a registry number a stable one, from its head."""
    return "H" + hashlib.sha256(head_id.encode()).hexdigest()[:15].upper()


def _check_households(roster: Roster) -> None:
    for household in roster.households.values():
        heads = [
            number for number, member, _v in household.members if member.relation == Relation.HEAD
        ]
        first = household.rows[0]
        unreadable = {e.row for e in roster.errors if e.column == "relation"}
        if not heads and not unreadable & set(household.rows):
            roster.errors.append(
                RowError(first, "relation", _("This household has no head (户主) in the file."))
            )
        for number in heads[1:]:
            roster.errors.append(
                RowError(
                    number,
                    "relation",
                    _("A second head for the household of row %(row)d.") % {"row": heads[0]},
                )
            )
        if household.data is not None:
            # Household flags follow from the members' own.
            members = [member for _n, member, _v in household.members]
            household.data.disability = any(m.disabled for m in members)
            household.data.left_behind_children = any(m.left_behind_child for m in members)
    _check_duplicate_ids(roster)


def _check_duplicate_ids(roster: Roster) -> None:
    seen: dict[str, int] = {}
    for household in roster.households.values():
        for number, _member, values in household.members:
            value = values["id_number_hash"]
            if not value:
                continue
            if value in seen:
                roster.errors.append(
                    RowError(
                        number,
                        "id_number",
                        _("The same ID number as row %(row)d.") % {"row": seen[value]},
                    )
                )
            else:
                seen[value] = number
