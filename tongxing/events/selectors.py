"""Reads of events, exemplars, publicity and policies, each cut to the reader's region.

Staff of a region read what belongs to it: an event by its own region or any of its
sites; a nomination by the nominee's region; a story by its region. An organisation's
representative reads the events its organisation organises or takes part in. Publicity
and policies also reach down: a township station reads the city's policy library.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tongxing.access import scope_prefix
from tongxing.accounts.models import User
from tongxing.events.models import (
    AwardCategory,
    Event,
    EventSite,
    Nomination,
    PolicyCompendium,
    PolicyDocument,
    PublicityItem,
    Residency,
    ServiceCentre,
    StorySubmission,
)
from tongxing.events.rights import READERS, organisation_of
from tongxing.queries import prefix_q
from tongxing.regions.codes import path_codes
from tongxing.regions.models import Region
from tongxing.registry.models import Household, Member, Organisation
from tongxing.registry.protection import id_number_hash
from tongxing.registry.selectors import households_visible_to
from tongxing.registry.validators import mask_id_number, validate_id_number

# --- Events ---------------------------------------------------------------------------------


def events_visible_to(user: User) -> QuerySet[Event]:
    organisation = organisation_of(user)
    if organisation is not None:
        return Event.objects.filter(organisations__organisation=organisation).distinct()
    prefix = scope_prefix(user, READERS)
    if prefix is None:
        return Event.objects.none()
    at_site = EventSite.objects.filter(prefix_q("region__code", prefix)).values("event_id")
    return Event.objects.filter(prefix_q("region__code", prefix) | Q(pk__in=at_site))


def access_event(user: User, event_id: int) -> Event:
    try:
        return events_visible_to(user).select_related("region").get(pk=event_id)
    except Event.DoesNotExist:
        raise Http404 from None


def search_events(
    user: User, *, kind: str = "", topic: str = "", year: int | None = None
) -> QuerySet[Event]:
    events = events_visible_to(user).select_related("region")
    if kind:
        events = events.filter(kind=kind)
    if topic:
        events = events.filter(topic=topic)
    if year:
        events = events.filter(starts_on__year=year)
    return events.order_by("-starts_on", "-id")


def centres_visible_to(user: User) -> QuerySet[ServiceCentre]:
    return _in_region_or_above(ServiceCentre.objects.all(), user)


def access_centre(user: User, centre_id: int) -> ServiceCentre:
    return _get(centres_visible_to(user), centre_id)


def residencies_visible_to(user: User) -> QuerySet[Residency]:
    return Residency.objects.filter(centre__in=centres_visible_to(user)).select_related(
        "organisation", "centre"
    )


# --- Exemplars ------------------------------------------------------------------------------


def categories_visible_to(user: User) -> QuerySet[AwardCategory]:
    return _in_region_or_above(AwardCategory.objects.all(), user)


def access_category(user: User, category_id: int) -> AwardCategory:
    return _get(categories_visible_to(user).select_related("region"), category_id)


def nominations_visible_to(user: User) -> QuerySet[Nomination]:
    prefix = scope_prefix(user, READERS)
    if prefix is None:
        return Nomination.objects.none()
    return Nomination.objects.filter(prefix_q("region__code", prefix)).select_related(
        "category", "household", "person", "organisation", "region"
    )


def access_nomination(user: User, nomination_id: int) -> Nomination:
    return _get(nominations_visible_to(user), nomination_id)


def stories_visible_to(user: User) -> QuerySet[StorySubmission]:
    prefix = scope_prefix(user, READERS)
    if prefix is None:
        return StorySubmission.objects.none()
    return StorySubmission.objects.filter(prefix_q("region__code", prefix))


def access_story(user: User, story_id: int) -> StorySubmission:
    return _get(stories_visible_to(user).select_related("region"), story_id)


# --- Publicity and policies -----------------------------------------------------------------


def publicity_visible_to(user: User) -> QuerySet[PublicityItem]:
    return _in_region_or_above(PublicityItem.objects.all(), user)


def access_publicity(user: User, item_id: int) -> PublicityItem:
    return _get(publicity_visible_to(user).select_related("region"), item_id)


def policies_visible_to(user: User) -> QuerySet[PolicyDocument]:
    return _in_region_or_above(PolicyDocument.objects.all(), user)


def access_policy(user: User, document_id: int) -> PolicyDocument:
    return _get(policies_visible_to(user).select_related("region"), document_id)


def compendia_visible_to(user: User) -> QuerySet[PolicyCompendium]:
    return _in_region_or_above(PolicyCompendium.objects.all(), user)


def access_compendium(user: User, compendium_id: int) -> PolicyCompendium:
    return _get(compendia_visible_to(user).select_related("region"), compendium_id)


# --- Helpers --------------------------------------------------------------------------------


def _in_region_or_above(qs: QuerySet, user: User) -> QuerySet:
    """What belongs to the reader's region or below it, and what the regions above it keep
    (a city's library, award categories and centre hold for its townships too)."""
    prefix = scope_prefix(user, READERS)
    if prefix is None:
        return qs.none()
    above = path_codes(user.region.code)
    return qs.filter(prefix_q("region__code", prefix) | Q(region_id__in=above))


def _get(qs: QuerySet, pk: int):
    try:
        return qs.get(pk=pk)
    except qs.model.DoesNotExist:
        raise Http404 from None


# --- What an event names --------------------------------------------------------------------


def _event_scope(user: User) -> str | None:
    """The prefix of the regions an account names in its events: its region's (an office),
    or its organisation's region's (a representative)."""
    organisation = organisation_of(user)
    if organisation is not None:
        return organisation.region.prefix
    return scope_prefix(user, READERS)


def region_for_events(user: User, code: str) -> Region:
    """A region an event of the account may belong to or be held in; 404 otherwise."""
    prefix = _event_scope(user)
    if prefix is None or not code.startswith(prefix):
        raise Http404
    return _get_region(code)


def organisations_for_events(user: User) -> QuerySet[Organisation]:
    """The organisations an account may name in an event: those of its region (or its
    organisation's) and of the regions above it (a city's hospital at a township's clinic)."""
    organisation = organisation_of(user)
    region = organisation.region if organisation is not None else None
    prefix = _event_scope(user)
    if prefix is None:
        return Organisation.objects.none()
    region = region or user.region
    return Organisation.objects.filter(
        prefix_q("region__code", prefix) | Q(region_id__in=path_codes(region.code))
    )


def access_organisation_for_events(user: User, organisation_id: int) -> Organisation:
    return _get(organisations_for_events(user), organisation_id)


def _get_region(code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None


def regions_for_events(user: User) -> QuerySet[Region]:
    """The regions an account may choose for its events and their sites, down to villages."""
    prefix = _event_scope(user)
    if prefix is None:
        return Region.objects.none()
    return Region.objects.filter(prefix_q("code", prefix)).order_by("code")


def members_by_id_numbers(user: User, lines: list[str]) -> tuple[list[Member], list[str]]:
    """The registry members the ID numbers name, each in a household the account may see,
    and what is wrong line by line. A message never repeats a number in full."""
    members: list[Member] = []
    errors: list[str] = []
    visible = households_visible_to(user)
    for number, line in enumerate(lines, start=1):
        raw = line.strip()
        if not raw:
            continue
        try:
            value = validate_id_number(raw).value
        except ValidationError:
            errors.append(_("Line %(line)s: not a valid ID number.") % {"line": number})
            continue
        member = (
            Member.objects.with_id_hash(id_number_hash(value)).filter(household__in=visible).first()
        )
        if member is None:
            errors.append(
                _("Line %(line)s: no member of your region has the ID number %(id)s.")
                % {"line": number, "id": mask_id_number(value)}
            )
            continue
        members.append(member)
    return members, errors


def household_by_number(user: User, registry_number: str) -> Household | None:
    return households_visible_to(user).filter(registry_number=registry_number.strip()).first()
