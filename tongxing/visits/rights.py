"""What a user may do with visits: the one place each right is decided.

- Record: the city, township and village offices for the households and villages of their
  region, with any visitor of the directory whose region is theirs or above it (the city's
  secretary visits a village); a cadre only their own visits (their own person of the
  directory), to a household assigned to them that day or to a village of their region.
- Change or delete: whoever recorded it within `EDIT_WINDOW` of recording it (a typo seen
  on the way back from the village), and at any time the city and township offices of its
  region, who answer for the records of their stations. A cadre's right still needs the
  household assigned to them when they act.
- Attach a photo to a visit afterwards (a phone sends it once it has signal): the visitor
  themselves, and the offices of the visit's region (not a viewer).
- Read: staff of the region (a viewer too); a cadre the visits they made and those to the
  households assigned to them.

A command or the demo (no actor) and the server's administrator may do everything an
action allows. Rights are read from the database at the moment they are asked.
"""

import datetime

from django.utils import timezone

from tongxing.access import REGION_SCOPED_ROLES, Role, acting_scope, in_scope
from tongxing.accounts.models import User
from tongxing.regions.models import Region
from tongxing.registry.models import Household, Person
from tongxing.registry.selectors import households_visible_to

# Who records visits: the offices of a region and the cadres (product.md, Module 3).
VISIT_RECORDERS = frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN, Role.VILLAGE_ADMIN, Role.CADRE})
# Who reads the visits of their region: every role with a region, viewers included.
VISIT_READERS = REGION_SCOPED_ROLES
# Who changes or deletes any visit of their region at any time.
VISIT_KEEPERS = frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN})
# Who reads the coverage of visits and acts on its gaps: the offices.
COVERAGE_READERS = frozenset(
    {Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN, Role.VILLAGE_ADMIN, Role.VIEWER}
)
# Who sets the campaign days, which hold for the whole platform: the city office.
CAMPAIGN_DAY_KEEPERS = frozenset({Role.CITY_ADMIN})
# How long the one who recorded a visit may still change or delete it.
EDIT_WINDOW = datetime.timedelta(days=7)


def is_system(by: User | None) -> bool:
    return by is None or by.is_superuser


def records_visits(user) -> bool:
    return user is not None and user.is_authenticated and user.role in VISIT_RECORDERS


def is_cadre(user) -> bool:
    return user is not None and user.is_authenticated and user.role == Role.CADRE


def own_person(user: User) -> Person | None:
    """The directory's person the account belongs to (a cadre visits as themselves)."""
    return Person.objects.filter(account=user).select_related("region").first()


def helps(by: User, household_id: int) -> bool:
    """Whether a cadre is assigned to the household today, inside their region."""
    return households_visible_to(by).filter(pk=household_id).exists()


def may_record(by: User | None, *, village: Region, household: Household | None) -> bool:
    """Record a visit to a household (or, without one, to the village)."""
    if is_system(by):
        return True
    if is_cadre(by):
        if household is not None:
            return helps(by, household.pk)
        return in_scope(by, {Role.CADRE}, village.code)
    return in_scope(by, VISIT_RECORDERS - {Role.CADRE}, village.code)


def may_name_visitor(by: User | None, visitor: Person) -> bool:
    """Whether the actor may record a visit made by this person: a cadre only their own;
    an office anyone whose region lies in theirs or above it."""
    if is_system(by):
        return True
    if is_cadre(by):
        return visitor.account_id == by.pk
    scope = acting_scope(by, VISIT_RECORDERS)
    if scope is None:
        return False
    return visitor.region_id.startswith(scope) or scope.startswith(visitor.region.prefix)


def may_change(by: User | None, visit, *, now: datetime.datetime | None = None) -> bool:
    """Change or delete a visit (see the module's rules)."""
    if is_system(by):
        return True
    if in_scope(by, VISIT_KEEPERS, visit.village_id):
        return True
    if visit.recorded_by_id != by.pk or not records_visits(by):
        return False
    now = now or timezone.now()
    if now - visit.recorded_at > EDIT_WINDOW:
        return False
    if is_cadre(by) and visit.household_id is not None:
        return helps(by, visit.household_id)
    return in_scope(by, VISIT_RECORDERS, visit.village_id)


def may_attach_photo(by: User | None, visit) -> bool:
    """Attach a photo to a visit: whoever made it (their own person of the directory, still
    in a role that records visits), and the offices over the visit's village."""
    if is_system(by):
        return True
    if not records_visits(by):
        return False
    if in_scope(by, VISIT_RECORDERS - {Role.CADRE}, visit.village_id):
        return True
    return Person.objects.filter(pk=visit.visitor_id, account=by).exists()


def reads_coverage(user) -> bool:
    return user is not None and user.is_authenticated and user.role in COVERAGE_READERS


def may_keep_campaign_days(by: User | None) -> bool:
    """Set the campaign days: the city office (they hold for the whole platform)."""
    if is_system(by):
        return True
    return by.is_active and by.role in CAMPAIGN_DAY_KEEPERS
