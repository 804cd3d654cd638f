"""Reads of the registry, cut to the reader's region."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from tongxing.access import scope_prefix
from tongxing.accounts.models import User
from tongxing.queries import prefix_q
from tongxing.regions.codes import Level
from tongxing.regions.models import Region
from tongxing.regions.selectors import regions_visible_to
from tongxing.registry import protection, rights
from tongxing.registry.models import (
    HelperAssignment,
    Household,
    HouseholdStatusChange,
    Member,
    Organisation,
    Person,
    Relation,
)
from tongxing.registry.validators import normalize_id_number, validate_id_number
from tongxing.text import find_personal_data, search_text

HOUSEHOLD_FLAGS = ("disability", "serious_illness", "left_behind_children", "elderly_living_alone")


def assigned_household_ids(user: User) -> QuerySet:
    """The households a cadre helps today, as a subquery of their ids.

    An assignment counts from its `since` through its `until` (the last day it holds; open
    when empty), through the directory's Person record that the account belongs to. The
    region is not checked here: the callers cut to the account's region as well.
    """
    today = timezone.localdate()
    return (
        HelperAssignment.objects.filter(person__account=user, since__lte=today)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .values("household_id")
    )


def households_visible_to(user: User) -> QuerySet[Household]:
    """The households of the user's region; for a cadre only those assigned to them today."""
    prefix = scope_prefix(user)
    if prefix is None:
        return Household.objects.none()
    households = Household.objects.filter(prefix_q("village__code", prefix))
    if rights.sees_assigned_only(user):
        households = households.filter(pk__in=assigned_household_ids(user))
    return households


def household_count_under(prefix: str) -> int:
    """How many households the region of the code prefix holds (its size, not a list)."""
    return Household.objects.filter(prefix_q("village__code", prefix)).count()


def has_nothing_assigned(user: User) -> bool:
    """Whether the user is a cadre with no household to help today, which their pages say."""
    return rights.sees_assigned_only(user) and not households_visible_to(user).exists()


def villages_visible_to(user: User) -> QuerySet[Region]:
    """The villages of the user's region, with their townships, in code order."""
    return (
        regions_visible_to(user)
        .filter(level=Level.VILLAGE)
        .select_related("parent")
        .order_by("code")
    )


def access_household(user: User, household_id: int) -> Household:
    try:
        return households_visible_to(user).select_related("village").get(pk=household_id)
    except Household.DoesNotExist:
        raise Http404 from None


def household_of_account(user: User) -> Household | None:
    """The household a household account belongs to, if one is linked."""
    if not (user.is_authenticated and user.is_active and rights.is_household_login(user)):
        return None
    return Household.objects.select_related("village").filter(account=user).first()


def access_member(user: User, member_id: int) -> Member:
    try:
        return (
            Member.objects.select_related("household__village")
            .filter(household__in=households_visible_to(user))
            .get(pk=member_id)
        )
    except Member.DoesNotExist:
        raise Http404 from None


def with_head(households: QuerySet[Household]) -> QuerySet[Household]:
    """Annotate each household with its head's name and masked ID number."""
    heads = Member.objects.filter(household=OuterRef("pk"), relation=Relation.HEAD)
    return households.annotate(
        head_name=Subquery(heads.values("name")[:1]),
        head_id_masked=Subquery(heads.values("id_number_masked")[:1]),
    )


def search_households(
    user: User,
    *,
    query: str = "",
    village: str = "",
    status: str = "",
    flags: tuple[str, ...] = (),
) -> QuerySet[Household]:
    """Search by the start of a member's name or of the registry number, or an exact ID number.

    An ID number is never searched as text: its keyed hash is looked up, so a partial
    number finds nothing and the database holds no number to match against. Names and
    numbers match from their start (张, 张建, 4271…), which their indexes answer at once;
    a match anywhere inside would read every member of the region for each search.
    """
    households = households_visible_to(user).select_related("village")
    query = search_text(query)
    if query is None:  # characters no record holds (a NUL would be an error on PostgreSQL)
        return households.none()
    if query:
        id_hash = _id_hash_or_none(query)
        if id_hash:
            holders = Member.objects.with_id_hash(id_hash).values("household_id")
            households = households.filter(pk__in=holders)
        else:
            named = Member.objects.filter(prefix_q("name", query)).order_by()
            named = named.values("household_id")
            if query.isascii():
                # The households of either match, as one set: each side read through its own
                # index (an OR of the two read every household of the scope, 60 ms a city).
                numbered = Household.objects.filter(prefix_q("registry_number", query))
                named = numbered.order_by().values("pk").union(named)
            households = households.filter(pk__in=named)
    if village:
        households = households.filter(prefix_q("village__code", village))
    if status:
        households = households.filter(status=status)
    for flag in flags:
        if flag in HOUSEHOLD_FLAGS:
            households = households.filter(**{flag: True})
    return with_head(households).order_by("village_id", "registry_number")


# What no search may carry in its address: a GET's query string is written to every access
# log, kept in the browser's history and sent on as the next page's Referer. A search for an
# ID or phone number goes by POST (the list's form always posts; the API has a POST route).
NUMBERS_KEPT_OUT_OF_ADDRESSES = frozenset({"id_number", "mobile", "landline"})


def search_goes_by_post(query: str) -> bool:
    """Return whether a search holds an ID or phone number, which only a POST may carry.

    A number of 15 to 17 digits that begins like an ID number (a birth date after its six
    digits of region) counts too: a mistyped or unfinished one leaks as much. A registry
    number (a village's code and a serial) does not, however long.
    """
    digits = normalize_id_number(query)
    if len(digits) >= 15 and digits[:14].isdigit():
        try:
            born = datetime.date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
        except ValueError:
            born = None
        if born is not None and born.year >= 1900:
            return True
    return any(
        finding.kind in NUMBERS_KEPT_OUT_OF_ADDRESSES for finding in find_personal_data(query)
    )


def _id_hash_or_none(text: str) -> str | None:
    normalized = normalize_id_number(text)
    if len(normalized) != 18 or not normalized[:17].isdigit():
        return None
    try:
        validate_id_number(normalized)
    except ValidationError:
        return None
    return protection.id_number_hash(normalized)


def status_as_of(household: Household, day: datetime.date) -> str | None:
    """Return the household's status on a day, from its history."""
    change = (
        HouseholdStatusChange.objects.filter(household=household, since__lte=day)
        .order_by("-since", "-id")
        .first()
    )
    return change.status if change else None


def helpers_of(household: Household) -> QuerySet[HelperAssignment]:
    return household.assignments.filter(until__isnull=True).select_related("person")


def organisations_visible_to(user: User) -> QuerySet[Organisation]:
    prefix = scope_prefix(user)
    if prefix is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(prefix_q("region__code", prefix)).select_related("region")


def access_organisation(user: User, organisation_id: int) -> Organisation:
    try:
        return organisations_visible_to(user).get(pk=organisation_id)
    except Organisation.DoesNotExist:
        raise Http404 from None


def people_visible_to(user: User) -> QuerySet[Person]:
    prefix = scope_prefix(user)
    if prefix is None:
        return Person.objects.none()
    return Person.objects.filter(prefix_q("region__code", prefix)).select_related(
        "region", "organisation", "account"
    )


def access_person(user: User, person_id: int) -> Person:
    try:
        return people_visible_to(user).get(pk=person_id)
    except Person.DoesNotExist:
        raise Http404 from None


def linkable_accounts(user: User, person: Person | None = None) -> QuerySet[User]:
    """The accounts a directory editor may let a person log in with: staff and cadres of
    the editor's region that are active and not another person's already."""
    from tongxing.accounts.selectors import users_visible_to

    accounts = users_visible_to(user).filter(role__in=rights.LINKABLE_ROLES, is_active=True)
    taken = Person.objects.filter(account__isnull=False)
    if person is not None:
        taken = taken.exclude(pk=person.pk)
    return accounts.exclude(pk__in=taken.values("account")).order_by("username")


def search_organisations(user: User, *, query: str = "", kind: str = "") -> QuerySet[Organisation]:
    organisations = organisations_visible_to(user)
    query = search_text(query)
    if query is None:
        return organisations.none()
    if query:
        organisations = organisations.filter(name__contains=query)
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations


def search_people(
    user: User, *, position: str = "", organisation: int | None = None
) -> QuerySet[Person]:
    people = people_visible_to(user)
    if position:
        people = people.filter(position=position)
    if organisation:
        people = people.filter(organisation_id=organisation)
    return people
