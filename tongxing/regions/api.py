from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from tongxing.access import REGION_EDITORS, REGION_SCOPED_ROLES, allow
from tongxing.paging import Pages
from tongxing.regions import actions, selectors
from tongxing.regions.codes import Level
from tongxing.regions.models import TAGS, Region
from tongxing.tabular import read_table, read_upload_for_api

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    level_name: str
    parent: str | None
    tags: list[str]

    @staticmethod
    def resolve_level_name(obj: Region) -> str:
        return Level(obj.level).name.lower()

    @staticmethod
    def resolve_parent(obj: Region) -> str | None:
        return obj.parent_id


class Counts(Schema):
    subregions: int
    villages: int
    key_poor_village: int
    relocation_village: int
    provincial_key_village: int


class ChildOut(Counts):
    region: RegionOut


class RegionDetail(Schema):
    region: RegionOut
    path: list[RegionOut]
    counts: Counts
    children: list[ChildOut]


class RegionFilters(Schema):
    parent: str | None = Field(None, pattern=r"^\d{12}$", description="children of this code")
    level: int | None = Field(None, ge=1, le=5, description="1 province … 5 village")
    q: str | None = Field(None, max_length=50, description="name contains, or code starts with")
    tag: str | None = Field(None, description="one of " + ", ".join(TAGS))


class RegionPatch(Schema):
    name: str | None = Field(None, max_length=100)
    key_poor_village: bool | None = None
    relocation_village: bool | None = None
    provincial_key_village: bool | None = None


@router.get("", response=list[RegionOut], summary="Regions in my scope")
@allow(REGION_SCOPED_ROLES)
@paginate(Pages, page_size=100)
def list_regions(request, filters: Query[RegionFilters]):
    if filters.tag and filters.tag not in TAGS:
        raise HttpError(422, _("Unknown tag %(tag)s.") % {"tag": filters.tag})
    return selectors.search_regions(
        request.user, parent=filters.parent, level=filters.level, query=filters.q, tag=filters.tag
    )


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    errors: list[RowErrorOut]


class FileErrorOut(Schema):
    detail: str
    errors: list[dict]


# Declared before "/{code}": routes match in order, and "import" would pass for a code.
@router.post(
    "/import",
    response={200: ImportOut, 400: ImportOut, 413: FileErrorOut},
    summary="Load regions from .xlsx or .csv: every row, or with any bad row none",
)
@allow(REGION_EDITORS)
def import_regions(request, file: File[UploadedFile]):
    table, refused = read_upload_for_api(
        lambda: read_table(
            file, filename=file.name, aliases=actions.COLUMN_ALIASES, required=("code", "name")
        )
    )
    if refused:
        return refused
    result = actions.import_regions(rows=table.rows, by=request.user)
    return (200 if result.ok else 400), result.as_dict()


@router.get("/{code}", response=RegionDetail, summary="A region, its path and its children")
@allow(REGION_SCOPED_ROLES)
def get_region(request, code: str):
    region = selectors.access_region_by_code(request.user, code)
    return {
        "region": region,
        "path": selectors.region_path(region),
        "counts": selectors.subtree_counts(region),
        "children": selectors.children_with_counts(region),
    }


@router.patch("/{code}", response=RegionOut, summary="Rename a region or change a village's tags")
@allow(REGION_EDITORS)
def patch_region(request, code: str, payload: RegionPatch):
    region = selectors.access_region_by_code(request.user, code)
    tags = {tag: value for tag in TAGS if (value := getattr(payload, tag)) is not None}
    return actions.update_region(region=region, by=request.user, name=payload.name, tags=tags)
