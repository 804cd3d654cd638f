"""Exemplars: the award categories of a year, nominations and their selection with
reasons, and the stories sent to a campaign with their review."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tongxing.access import require_scope
from tongxing.accounts.models import User
from tongxing.audit.log import record_update
from tongxing.events import rights
from tongxing.events.actions.common import audit, refuse, today
from tongxing.events.models import (
    DEFAULT_CATEGORIES,
    AwardCategory,
    Nomination,
    NominationStatus,
    NomineeKind,
    ReviewStatus,
    StorySubmission,
)
from tongxing.regions.models import Region
from tongxing.registry.models import Household, Organisation, OrganisationKind, Person
from tongxing.text import check_public_text, clean_text

# What kind of organisation each category of organisations takes.
ORGANISATION_KINDS = {
    NomineeKind.DEPARTMENT: {
        OrganisationKind.GOVERNMENT_DEPARTMENT,
        OrganisationKind.SCHOOL,
        OrganisationKind.HOSPITAL,
    },
    NomineeKind.ENTERPRISE: {
        OrganisationKind.PRIVATE_ENTERPRISE,
        OrganisationKind.COOPERATIVE,
        OrganisationKind.ECOMMERCE_COMPANY,
        OrganisationKind.SOCIAL_ORGANISATION,
    },
}
STORY_FIELDS = ("title", "author", "text")


@transaction.atomic
def create_category(
    *, year: int, key: str, name: str, takes: str, region: Region, by: User | None
) -> AwardCategory:
    errors: dict[str, list[str]] = {}
    name = clean_text(name, max_length=100, field="name", errors=errors)
    key = clean_text(key, max_length=40, field="key", errors=errors)
    if not name and "name" not in errors:
        errors.setdefault("name", []).append(_("Name the category."))
    if not key or not key.replace("_", "").isalnum() or not key.isascii():
        errors.setdefault("key", []).append(_("Enter a key of letters, digits and underscores."))
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.setdefault("year", []).append(_("Enter a year."))
    if takes not in NomineeKind.values:
        errors.setdefault("takes", []).append(_("Choose what the category takes."))
    refuse(errors)
    require_scope(by, rights.AWARD_KEEPERS, region.code)
    if AwardCategory.objects.filter(region=region, year=year, key=key).exists():
        refuse({"key": [_("The region has this category for the year already.")]})
    try:
        with transaction.atomic():
            category = AwardCategory.objects.create(
                year=year, key=key, name=name, takes=takes, region=region
            )
    except IntegrityError:
        refuse({"key": [_("The region has this category for the year already.")]})
    audit(by, "award.category_created", category, region.code, after={"name": name, "year": year})
    return category


def create_default_categories(*, year: int, region: Region, by: User | None) -> list:
    """The five categories of the reference report for the year (those not there yet)."""
    made = []
    with transaction.atomic():
        for key, name, takes in DEFAULT_CATEGORIES:
            if not AwardCategory.objects.filter(region=region, year=year, key=key).exists():
                made.append(
                    create_category(
                        year=year, key=key, name=str(name), takes=takes, region=region, by=by
                    )
                )
    return made


def _nominee_region(category: AwardCategory, household, person, organisation, errors) -> str:
    nominees = [n for n in (household, person, organisation) if n is not None]
    if len(nominees) != 1:
        errors.setdefault("nominee", []).append(_("Choose one nominee."))
        return ""
    if category.takes == NomineeKind.HOUSEHOLD and household is None:
        errors.setdefault("nominee", []).append(_("This category takes a household."))
    elif category.takes == NomineeKind.PERSON and person is None:
        errors.setdefault("nominee", []).append(_("This category takes a person."))
    elif category.takes in ORGANISATION_KINDS and (
        organisation is None or organisation.kind not in ORGANISATION_KINDS[category.takes]
    ):
        message = (
            _("This category takes a department.")
            if category.takes == NomineeKind.DEPARTMENT
            else _("This category takes an enterprise.")
        )
        errors.setdefault("nominee", []).append(message)
    if household is not None:
        return household.village_id
    if person is not None:
        return person.region_id
    return organisation.region_id


@transaction.atomic
def nominate(
    *,
    category: AwardCategory,
    reason: str,
    by: User | None,
    household: Household | None = None,
    person: Person | None = None,
    organisation: Organisation | None = None,
) -> Nomination:
    """Nominate a household, a person or an organisation, as the category takes; an office
    nominates in its region, for a category of its region or above."""
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, max_length=2000, multiline=True, field="reason", errors=errors)
    if not reason and "reason" not in errors:
        errors.setdefault("reason", []).append(_("Say why the nominee deserves it."))
    category = AwardCategory.objects.select_related("region").get(pk=category.pk)
    region_code = _nominee_region(category, household, person, organisation, errors)
    refuse(errors)
    require_scope(by, rights.NOMINATORS, region_code)
    # The category must be one the nominator's region takes part in: its region or above.
    if not region_code.startswith(category.region.prefix):
        raise PermissionDenied
    if Nomination.objects.filter(
        category=category, household=household, person=person, organisation=organisation
    ).exists():
        refuse({"nominee": [_("This nominee is already nominated in the category.")]})
    nomination = Nomination.objects.create(
        category=category,
        household=household,
        person=person,
        organisation=organisation,
        region_id=region_code,
        reason=reason,
        nominated_by=by,
    )
    audit(
        by,
        "award.nominated",
        nomination,
        region_code,
        after={"category": category.key, "year": category.year},
    )
    return nomination


@transaction.atomic
def decide_nomination(
    *,
    nomination: Nomination,
    selected: bool,
    reason: str,
    by: User | None,
    on: datetime.date | None = None,
) -> Nomination:
    """Select a nomination or not, with the reason; once decided, it stays decided."""
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, max_length=2000, multiline=True, field="reason", errors=errors)
    if not reason and "reason" not in errors:
        errors.setdefault("reason", []).append(_("Give the reason of the decision."))
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    require_scope(by, rights.AWARD_KEEPERS, nomination.region_id)
    if nomination.status != NominationStatus.NOMINATED:
        errors.setdefault("status", []).append(_("This nomination has been decided."))
    refuse(errors)
    status = NominationStatus.SELECTED if selected else NominationStatus.NOT_SELECTED
    record_update(
        nomination,
        {"status": status, "decision_reason": reason, "decided_on": on or today()},
        actor=by,
        action="award.decided",
        fields=("status", "decision_reason", "decided_on"),
        region_code=nomination.region_id,
    )
    return nomination


def _clean_story(campaign, title, author, text, errors) -> dict:
    values = {
        "campaign": clean_text(campaign, max_length=100, field="campaign", errors=errors),
        "title": clean_text(title, max_length=200, field="title", errors=errors),
        "author": clean_text(author, max_length=50, field="author", errors=errors),
        "text": clean_text(text, max_length=20000, multiline=True, field="text", errors=errors),
    }
    for name, message in (
        ("campaign", _("Name the campaign.")),
        ("title", _("Enter a title.")),
        ("author", _("Name the author.")),
        ("text", _("Enter the story.")),
    ):
        if not values[name] and name not in errors:
            errors.setdefault(name, []).append(message)
    _check_story_text(values, errors)
    return values


def _check_story_text(values: dict, errors: dict[str, list[str]]) -> None:
    """A story becomes public: no ID, phone or bank number in what the public reads."""
    for name in ("title", "text"):
        if name not in errors:
            check_public_text(values[name], field=name, errors=errors)


@transaction.atomic
def submit_story(
    *,
    campaign: str,
    title: str,
    author: str,
    text: str,
    region: Region,
    by: User | None,
    submitted_on: datetime.date | None = None,
) -> StorySubmission:
    errors: dict[str, list[str]] = {}
    values = _clean_story(campaign, title, author, text, errors)
    refuse(errors)
    require_scope(by, rights.STORY_SENDERS, region.code)
    story = StorySubmission.objects.create(
        **values, region=region, submitted_on=submitted_on or today(), submitted_by=by
    )
    audit(by, "story.submitted", story, region.code, after={"title": values["title"]})
    return story


@transaction.atomic
def review_story(
    *, story: StorySubmission, accepted: bool, reason: str, by: User | None
) -> StorySubmission:
    """Accept a story (checked again for personal data) or reject it, with the reason."""
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, max_length=2000, multiline=True, field="reason", errors=errors)
    story = StorySubmission.objects.select_for_update().get(pk=story.pk)
    require_scope(by, rights.STORY_REVIEWERS, story.region_id)
    if story.status != ReviewStatus.SUBMITTED:
        errors.setdefault("status", []).append(_("This story has been reviewed."))
    if not accepted and not reason and "reason" not in errors:
        errors.setdefault("reason", []).append(_("Say why the story is rejected."))
    if accepted:
        _check_story_text({"title": story.title, "text": story.text}, errors)
    refuse(errors)
    record_update(
        story,
        {
            "status": ReviewStatus.ACCEPTED if accepted else ReviewStatus.REJECTED,
            "review_reason": reason,
        },
        actor=by,
        action="story.reviewed",
        fields=("status", "review_reason"),
        region_code=story.region_id,
    )
    return story
