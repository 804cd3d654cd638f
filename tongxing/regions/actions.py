"""Changes to the region tree. Each action is one transaction and writes the audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tongxing import public_cache
from tongxing.audit.log import record, record_many, record_update, snapshot
from tongxing.regions import codes, rights
from tongxing.regions.models import TAGS, Region
from tongxing.tabular import RowError
from tongxing.text import clean_text

if TYPE_CHECKING:  # the accounts lie above the regions
    from tongxing.accounts.models import User

# Column names the import accepts, first the one our export writes.
COLUMN_ALIASES = {
    "code": ("code", "区划代码", "统计用区划代码", "代码", "編碼", "区划编码"),
    "name": ("name", "名称", "名稱", "区划名称", "地区"),
    "parent": ("parent", "上级代码", "上级区划代码", "上級代碼", "parent_code"),
    "level": ("level", "级别", "級別", "层级"),
    "tags": ("tags", "标签", "標籤", "村标签"),
}
TAG_ALIASES = {
    "key_poor_village": ("key_poor_village", "重点贫困村", "建档立卡重点贫困村", "贫困村"),
    "relocation_village": ("relocation_village", "移民村"),
    "provincial_key_village": ("provincial_key_village", "省定重点攻坚村", "重点攻坚村"),
}
TAG_LOOKUP = {alias: tag for tag, aliases in TAG_ALIASES.items() for alias in aliases}
LEVEL_LOOKUP = {
    **{str(level.value): level for level in codes.Level},
    **{level.name.lower(): level for level in codes.Level},
    "省": codes.Level.PROVINCE,
    "市": codes.Level.CITY,
    "县": codes.Level.COUNTY,
    "区县": codes.Level.COUNTY,
    "乡镇": codes.Level.TOWNSHIP,
    "镇": codes.Level.TOWNSHIP,
    "乡": codes.Level.TOWNSHIP,
    "街道": codes.Level.TOWNSHIP,
    "村": codes.Level.VILLAGE,
    "社区": codes.Level.VILLAGE,
}
REGION_FIELDS = ("name", "level", "parent", *TAGS)
NAME_LENGTH = Region._meta.get_field("name").max_length


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [error.as_dict() for error in self.errors],
        }


@dataclass
class _Row:
    number: int
    code: str
    name: str
    tags: set[str]

    @property
    def level(self) -> codes.Level:
        return codes.level_of(self.code)


def import_regions(
    *,
    rows: list[tuple[int, dict[str, str]]],
    by: User | None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Create or update regions from table rows; with any bad row, change nothing.

    A region's parent (its code with its own segment zeroed) must be in the file or already
    in Tongxing. The one exception is the top of the tree: on the first load, into an empty
    tree, the regions of the file's highest level start it (so an office loads its own city
    or county without the province above it), and stay its roots on later loads.
    """
    rights.require_edit_regions(by)
    result = ImportResult()
    parsed = _parse_rows(rows, result)
    for code, row in list(parsed.items()):
        if not rights.may_edit_code(by, code):
            result.errors.append(
                RowError(row.number, "code", _("%(code)s is outside your region.") % {"code": code})
            )
            del parsed[code]
    if parsed:
        first_load = not Region.objects.exists()
        roots = set(Region.objects.filter(parent__isnull=True).values_list("code", flat=True))
        top_level = min(row.level for row in parsed.values())
        known = set(
            Region.objects.filter(code__in=_parent_codes(parsed)).values_list("code", flat=True)
        )
        for row in parsed.values():
            parent = codes.parent_code_of(row.code)
            may_start_tree = row.code in roots or (first_load and row.level == top_level)
            if parent and parent not in parsed and parent not in known and not may_start_tree:
                result.errors.append(
                    RowError(
                        row.number, "code", _("Unknown parent region %(code)s.") % {"code": parent}
                    )
                )
    if result.errors:
        result.errors.sort(key=lambda error: error.row)
        return result
    with transaction.atomic():
        # The board shows the names of villages, townships and counties.
        public_cache.bump("board")
        _apply(sorted(parsed.values(), key=lambda r: (r.level, r.code)), by, result, progress)
    return result


def _parent_codes(parsed: dict[str, _Row]) -> set[str]:
    return {p for p in (codes.parent_code_of(code) for code in parsed) if p}


def _parse_rows(rows, result: ImportResult) -> dict[str, _Row]:
    parsed: dict[str, _Row] = {}
    for number, values in rows:
        errors_before = len(result.errors)
        code = None
        try:
            code = codes.normalize(values.get("code"))
            level = codes.level_of(code)
        except codes.CodeError as exc:
            result.errors.append(RowError(number, "code", str(exc)))
        found: dict[str, list[str]] = {}
        name = clean_text(values.get("name"), max_length=NAME_LENGTH, field="name", errors=found)
        for message in found.get("name", []):
            result.errors.append(RowError(number, "name", message))
        if not name and not found:
            result.errors.append(RowError(number, "name", _("The name is empty.")))
        tags = set()
        for word in _split_tags(values.get("tags") or ""):
            if word not in TAG_LOOKUP:
                result.errors.append(
                    RowError(number, "tags", _("Unknown tag %(tag)s.") % {"tag": word})
                )
            else:
                tags.add(TAG_LOOKUP[word])
        if code is None:
            continue
        if tags and level != codes.Level.VILLAGE:
            result.errors.append(RowError(number, "tags", _("Only villages carry tags.")))
        if values.get("parent"):
            try:
                given = codes.normalize(values["parent"])
            except codes.CodeError as exc:
                result.errors.append(RowError(number, "parent", str(exc)))
            else:
                if given != codes.parent_code_of(code):
                    result.errors.append(
                        RowError(
                            number,
                            "parent",
                            _("The parent of %(code)s is %(parent)s, not %(given)s.")
                            % {"code": code, "parent": codes.parent_code_of(code), "given": given},
                        )
                    )
        if values.get("level"):
            given_level = LEVEL_LOOKUP.get(values["level"].strip().lower())
            if given_level != level:
                result.errors.append(
                    RowError(
                        number,
                        "level",
                        _("The code %(code)s is of level %(level)s.")
                        % {"code": code, "level": level.label},
                    )
                )
        if code in parsed:
            result.errors.append(
                RowError(
                    number,
                    "code",
                    _("Duplicate of row %(row)d.") % {"row": parsed[code].number},
                )
            )
            continue
        if len(result.errors) == errors_before:
            parsed[code] = _Row(number, code, name, tags)
    return parsed


def _split_tags(text: str) -> list[str]:
    for separator in ",，、;；|/":
        text = text.replace(separator, " ")
    return [word for word in text.split() if word]


def _apply(rows: list[_Row], by: User | None, result: ImportResult, progress) -> None:
    existing = Region.objects.in_bulk([row.code for row in rows])
    known_parents = set(existing) | set(
        Region.objects.filter(
            code__in={codes.parent_code_of(r.code) for r in rows} - {None}
        ).values_list("code", flat=True)
    )
    to_create, to_update, updates = [], [], []
    for row in rows:
        parent = codes.parent_code_of(row.code)
        parent = parent if parent in known_parents else None
        wanted = {
            "name": row.name,
            "level": int(row.level),
            "parent_id": parent,
            **{tag: tag in row.tags for tag in TAGS},
        }
        region = existing.get(row.code)
        if region is None:
            to_create.append(Region(code=row.code, **wanted))
            known_parents.add(row.code)
            continue
        if all(getattr(region, key) == value for key, value in wanted.items()):
            result.unchanged += 1
            continue
        before = snapshot(region, REGION_FIELDS)
        for key, value in wanted.items():
            setattr(region, key, value)
        to_update.append(region)
        updates.append((region, before))
    for start in range(0, len(to_create), 1000):
        batch = to_create[start : start + 1000]
        Region.objects.bulk_create(batch)
        if progress:
            progress(len(batch))
    record_many(
        actor=by,
        action="region.create",
        targets=[(r, r.code, snapshot(r, REGION_FIELDS)) for r in to_create],
    )
    Region.objects.bulk_update(to_update, ["name", "level", "parent", *TAGS], batch_size=1000)
    for region, before in updates:
        record(
            actor=by,
            action="region.update",
            target=region,
            region_code=region.code,
            before=before,
            after=snapshot(region, REGION_FIELDS),
        )
    if progress:
        progress(len(to_update) + result.unchanged)
    result.created = len(to_create)
    result.updated = len(to_update)


def update_region(
    *, region: Region, by: User, name: str | None = None, tags: dict[str, bool] | None = None
) -> Region:
    """Rename a region or change a village's tags."""
    rights.require_edit_regions(by)
    errors: dict[str, list[str]] = {}
    if name is not None:
        name = clean_text(name, max_length=NAME_LENGTH, field="name", errors=errors)
        if not name and not errors:
            errors["name"] = [_("The name is empty.")]
    if tags and any(tags.values()) and region.level != codes.Level.VILLAGE:
        errors["tags"] = [_("Only villages carry tags.")]
    if tags and set(tags) - set(TAGS):
        errors["tags"] = [
            _("Unknown tag %(tag)s.") % {"tag": ", ".join(sorted(set(tags) - set(TAGS)))}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        public_cache.bump("board")  # the board shows the names of regions
        region = Region.objects.select_for_update().get(code=region.code)
        values = dict(tags or {}) if name is None else {"name": name, **(tags or {})}
        record_update(
            region,
            values,
            actor=by,
            action="region.update",
            fields=REGION_FIELDS,
            region_code=region.code,
            validate=True,
        )
    return region
