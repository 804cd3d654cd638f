"""Reads of the region tree. Everything a user asked for is cut to their scope here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from tongxing.access import scope_prefix
from tongxing.queries import prefix_q
from tongxing.regions.codes import SEGMENT_END, Level, path_codes
from tongxing.regions.models import TAGS, Region
from tongxing.text import search_text

if TYPE_CHECKING:  # the accounts lie above the regions
    from tongxing.accounts.models import User


def regions_under(region: Region, *, include_self: bool = True) -> QuerySet[Region]:
    """Return the subtree of a region: a prefix match on the indexed code."""
    qs = Region.objects.filter(prefix_q("code", region.prefix))
    return qs if include_self else qs.exclude(code=region.code)


def region_path(region: Region) -> list[Region]:
    """Return the ancestors of a region from the top down, ending with the region itself."""
    codes = path_codes(region.code, Level(region.level))
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [found[code] for code in codes if code in found]


def path_visible_to(user: User, region: Region) -> list[Region]:
    """Return the region's path, without the ancestors above the user's own scope."""
    scope = scope_prefix(user) or region.prefix
    return [r for r in region_path(region) if r.code.startswith(scope)]


def regions_visible_to(user: User) -> QuerySet[Region]:
    """Return the regions a user may see: the subtree of their scope, or nothing."""
    prefix = scope_prefix(user)
    if prefix is None:
        return Region.objects.none()
    return Region.objects.filter(prefix_q("code", prefix))


def access_region_by_code(user: User, code: str) -> Region:
    """Return the region if the user may see it; 404 otherwise, so foreign codes don't leak."""
    try:
        return regions_visible_to(user).get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None


def scope_root(user: User) -> Region | None:
    return user.region if scope_prefix(user) is not None else None


def children_with_counts(region: Region) -> list[dict]:
    """Return the region's children, each with its counts of subregions and tagged villages."""
    children = list(region.children.order_by("code"))
    if not children:
        return []
    child_level = Level(children[0].level)
    width = SEGMENT_END[child_level]
    below = (
        regions_under(region, include_self=False)
        .exclude(parent=region)
        .annotate(child_prefix=Substr("code", 1, width))
        .values("child_prefix")
        .annotate(
            subregions=Count("code"),
            villages=Count("code", filter=Q(level=Level.VILLAGE)),
            **{tag: Count("code", filter=Q(**{tag: True})) for tag in TAGS},
        )
    )
    counts = {row["child_prefix"]: row for row in below}
    empty = {"subregions": 0, "villages": 0, **dict.fromkeys(TAGS, 0)}
    rows = []
    for child in children:
        # Children of a level-skipping parent (a city that governs townships directly) may
        # have different widths; their prefix is their own.
        row = counts.get(child.prefix, empty) if child.level == child_level else None
        if row is None:
            row = subtree_counts(child, include_self=False)
        rows.append({"region": child, **{key: row[key] for key in empty}})
    return rows


def subtree_counts(region: Region, *, include_self: bool = False) -> dict:
    """Return how many regions, villages and tagged villages lie under a region."""
    return regions_under(region, include_self=include_self).aggregate(
        subregions=Count("code"),
        villages=Count("code", filter=Q(level=Level.VILLAGE)),
        **{tag: Count("code", filter=Q(**{tag: True})) for tag in TAGS},
    )


def search_regions(
    user: User,
    *,
    parent: str | None = None,
    level: int | None = None,
    query: str | None = None,
    tag: str | None = None,
) -> QuerySet[Region]:
    qs = regions_visible_to(user)
    query = search_text(query)
    if query is None:  # characters no region's name holds
        return qs.none()
    if parent:
        qs = qs.filter(parent_id=parent)
    if level:
        qs = qs.filter(level=level)
    if query:
        qs = qs.filter(Q(name__contains=query) | prefix_q("code", query))
    if tag:
        qs = qs.filter(**{tag: True})
    return qs.order_by("code")


def public_figures(root: Region | None = None) -> dict:
    """Return the figures of the public home page: what lies under the top region."""
    root = root or top_region()
    if root is None:
        return {"root": None}
    return {"root": root, **subtree_counts(root)}


def top_region() -> Region | None:
    """Return the region the installation serves: the highest-level root of the tree."""
    return Region.objects.filter(parent__isnull=True).order_by("level", "code").first() or (
        Region.objects.order_by("level", "code").first()
    )
