"""Publicity items and the policy library with its yearly compendium."""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from tongxing.access import require_scope
from tongxing.accounts.models import User
from tongxing.audit.log import record_update
from tongxing.events import rights
from tongxing.events.actions.common import audit, clean_file, refuse, require_date, today
from tongxing.events.models import (
    OutletLevel,
    PolicyCategory,
    PolicyCompendium,
    PolicyDocument,
    PublicityItem,
)
from tongxing.regions.models import Region
from tongxing.text import clean_text


def _clean_link(link: str, errors: dict[str, list[str]]) -> str:
    link = clean_text(link or "", max_length=500, field="link", errors=errors)
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            errors.setdefault("link", []).append(_("Enter a web address (http or https)."))
    return link


@transaction.atomic
def record_publicity(
    *,
    title: str,
    outlet: str,
    outlet_level: str,
    published_on: datetime.date,
    region: Region,
    by: User | None,
    link: str = "",
    file: UploadedFile | None = None,
) -> PublicityItem:
    """A news item about the work: where and when it ran, with its link or a file."""
    errors: dict[str, list[str]] = {}
    title = clean_text(title, max_length=200, field="title", errors=errors)
    outlet = clean_text(outlet, max_length=100, field="outlet", errors=errors)
    if not title and "title" not in errors:
        errors.setdefault("title", []).append(_("Enter a title."))
    if not outlet and "outlet" not in errors:
        errors.setdefault("outlet", []).append(_("Name the outlet."))
    if outlet_level not in OutletLevel.values:
        errors.setdefault("outlet_level", []).append(_("Choose the outlet's level."))
    require_date(published_on, "published_on", errors)
    if "published_on" not in errors and published_on > today():
        errors.setdefault("published_on", []).append(_("The date cannot be in the future."))
    link = _clean_link(link, errors)
    refuse(errors)
    stored = clean_file(file)
    require_scope(by, rights.PUBLICITY_EDITORS, region.code)
    item = PublicityItem(
        title=title,
        outlet=outlet,
        outlet_level=outlet_level,
        published_on=published_on,
        link=link,
        region=region,
    )
    if stored is not None:
        item.file.save(stored.name, stored, save=False)
    item.save()
    audit(by, "publicity.recorded", item, region.code, after={"title": title, "outlet": outlet})
    return item


@transaction.atomic
def add_policy(
    *,
    title: str,
    category: str,
    issuing_body: str,
    in_force_from: datetime.date,
    region: Region,
    by: User | None,
    in_force_until: datetime.date | None = None,
    compendium: PolicyCompendium | None = None,
    file: UploadedFile | None = None,
) -> PolicyDocument:
    errors: dict[str, list[str]] = {}
    title = clean_text(title, max_length=200, field="title", errors=errors)
    issuing_body = clean_text(issuing_body, max_length=100, field="issuing_body", errors=errors)
    if not title and "title" not in errors:
        errors.setdefault("title", []).append(_("Enter a title."))
    if not issuing_body and "issuing_body" not in errors:
        errors.setdefault("issuing_body", []).append(_("Name the issuing body."))
    if category not in PolicyCategory.values:
        errors.setdefault("category", []).append(_("Choose a category."))
    require_date(in_force_from, "in_force_from", errors)
    if in_force_until is not None:
        require_date(in_force_until, "in_force_until", errors)
        if (
            not errors.get("in_force_from")
            and not errors.get("in_force_until")
            and in_force_until < in_force_from
        ):
            errors.setdefault("in_force_until", []).append(
                _("A policy cannot lapse before it comes into force.")
            )
    if compendium is not None and not region.code.startswith(
        Region.objects.get(pk=compendium.region_id).prefix
    ):
        errors.setdefault("compendium", []).append(_("Choose a compendium of the region."))
    refuse(errors)
    stored = clean_file(file)
    require_scope(by, rights.PUBLICITY_EDITORS, region.code)
    document = PolicyDocument(
        title=title,
        category=category,
        issuing_body=issuing_body,
        in_force_from=in_force_from,
        in_force_until=in_force_until,
        compendium=compendium,
        region=region,
    )
    if stored is not None:
        document.file.save(stored.name, stored, save=False)
    document.save()
    audit(by, "policy.added", document, region.code, after={"title": title, "category": category})
    return document


@transaction.atomic
def create_compendium(
    *, year: int, region: Region, by: User | None, title: str = ""
) -> PolicyCompendium:
    errors: dict[str, list[str]] = {}
    title = clean_text(title, max_length=200, field="title", errors=errors)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.setdefault("year", []).append(_("Enter a year."))
    refuse(errors)
    require_scope(by, rights.PUBLICITY_EDITORS, region.code)
    if PolicyCompendium.objects.filter(region=region, year=year).exists():
        refuse({"year": [_("The region has a compendium of this year already.")]})
    compendium = PolicyCompendium.objects.create(year=year, region=region, title=title)
    audit(by, "policy.compendium_created", compendium, region.code, after={"year": year})
    return compendium


@transaction.atomic
def publish_compendium(
    *, compendium: PolicyCompendium, published_on: datetime.date, by: User | None
) -> PolicyCompendium:
    errors: dict[str, list[str]] = {}
    require_date(published_on, "published_on", errors)
    compendium = PolicyCompendium.objects.select_for_update().get(pk=compendium.pk)
    require_scope(by, rights.PUBLICITY_EDITORS, compendium.region_id)
    if "published_on" not in errors and published_on > today():
        errors.setdefault("published_on", []).append(_("The date cannot be in the future."))
    refuse(errors)
    record_update(
        compendium,
        {"published_on": published_on},
        actor=by,
        action="policy.compendium_published",
        fields=("published_on",),
        region_code=compendium.region_id,
    )
    return compendium
