"""What a user may do with events, exemplars, publicity and policies: the one place each
right of the app is decided, on the scope of `tongxing.access`.

- Events: the city office and the township stations record the events of their region; an
  organisation's representative records only the events its organisation organises (and
  creates them only as their organiser, in its organisation's region).
- Exemplars: the city office keeps the award categories and selects; the city and township
  offices nominate in their region; the village information points, too, send stories,
  which the city and township offices review.
- Publicity and the policy library: the city and township offices, each in its region.

Each right is read from the database when asked, so a representative whose person record
moved to another organisation counts for nothing for the old one's events.
"""

from django.core.exceptions import PermissionDenied

from tongxing.access import REGION_SCOPED_ROLES, Role, in_scope
from tongxing.accounts.models import User
from tongxing.registry.models import Organisation

EVENT_EDITORS = frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN})
EVENT_READERS = REGION_SCOPED_ROLES | {Role.ORG_REP}
AWARD_KEEPERS = frozenset({Role.CITY_ADMIN})
NOMINATORS = frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN})
STORY_SENDERS = frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN, Role.VILLAGE_ADMIN})
STORY_REVIEWERS = frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN})
PUBLICITY_EDITORS = frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN})
READERS = REGION_SCOPED_ROLES


def organisation_of(user: User | None) -> Organisation | None:
    """The organisation an org_rep account speaks for, as its person record says today."""
    if user is None or not user.is_authenticated or user.role != Role.ORG_REP:
        return None
    # Read afresh: the person may have moved to another organisation since login.
    from tongxing.registry.models import Person

    person = Person.objects.filter(account=user).select_related("organisation__region").first()
    return person.organisation if person is not None else None


def _active(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_active


# --- Events ---------------------------------------------------------------------------------


def records_events(user: User | None) -> bool:
    """Whether the account's role records events at all (the pages offer the form)."""
    return _active(user) and (user.role in EVENT_EDITORS or user.role == Role.ORG_REP)


def may_create_event(by: User | None, *, region_code: str, organiser_ids: list[int]) -> bool:
    """An office in its region; a representative for its organisation as an organiser, in
    its organisation's region."""
    if in_scope(by, EVENT_EDITORS, region_code):
        return True
    organisation = organisation_of(by)
    return (
        organisation is not None
        and organisation.pk in organiser_ids
        and region_code.startswith(_prefix(organisation.region))
    )


def may_record_event(by: User | None, event) -> bool:
    """Change an event and its outcomes: an office of its region, or a representative of
    one of its organisers."""
    if in_scope(by, EVENT_EDITORS, event.region.code):
        return True
    organisation = organisation_of(by)
    return (
        organisation is not None
        and event.organisations.filter(organisation=organisation, role="organiser").exists()
    )


def may_place_site(by: User | None, event, region_code: str) -> bool:
    """A site lies in the actor's region (an office) or its organisation's (a representative)."""
    if in_scope(by, EVENT_EDITORS, region_code):
        return True
    organisation = organisation_of(by)
    return organisation is not None and region_code.startswith(_prefix(organisation.region))


def require_event_right(by: User | None, event) -> None:
    if not may_record_event(by, event):
        raise PermissionDenied


def _prefix(region) -> str:
    return region.prefix


# --- Exemplars, publicity, policies ---------------------------------------------------------


def keeps_awards(user: User | None) -> bool:
    return _active(user) and user.role in AWARD_KEEPERS


def nominates(user: User | None) -> bool:
    return _active(user) and user.role in NOMINATORS


def sends_stories(user: User | None) -> bool:
    return _active(user) and user.role in STORY_SENDERS


def reviews_stories(user: User | None) -> bool:
    return _active(user) and user.role in STORY_REVIEWERS


def edits_publicity(user: User | None) -> bool:
    return _active(user) and user.role in PUBLICITY_EDITORS


def require(by: User | None, roles: frozenset[str], region_code: str) -> None:
    """Refuse unless the actor holds one of the roles over the region (None: everywhere)."""
    if not in_scope(by, roles, region_code):
        raise PermissionDenied
