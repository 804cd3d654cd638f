"""What a user may do with a programme and its records: the one place each right of the
pairing programmes is decided.

- The city office runs programmes: creates and changes them, adds targets, pairs, ends and
  changes pairings, in its region.
- The offices of a target's region (the city office and the township station) record
  pledges, disbursements, exchanges and labour activities, and review what an
  organisation's representative recorded.
- An organisation's representative records pledges, disbursements, exchanges and labour
  activities for its own organisation's pairings only; they wait for the office's review.

A command or the demo (no actor) and the server's administrator may do everything an
action allows. Each right is read from the database when it is asked.
"""

from django.core.exceptions import PermissionDenied

from tongxing.access import REGION_SCOPED_ROLES, Role, in_scope
from tongxing.accounts.models import User
from tongxing.programs.models import Pairing, Programme, ProgrammeTarget
from tongxing.registry.models import Organisation

# The named role sets of the programmes: the pages, the API operations and the rights
# below ask for these, never for roles of their own.

# Who runs programmes (creates them, adds targets, pairs, imports): the city office.
PROGRAMME_RUNNERS = frozenset({Role.CITY_ADMIN})
# Who records and reviews a target's pledges, disbursements, exchanges and labour
# activities: the offices of its region.
RECORD_KEEPERS = frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN})
# Who records on a pairing: its offices, and the helper's representative, whose records
# wait for the offices' review.
RECORDERS = RECORD_KEEPERS | {Role.ORG_REP}
# Who reads programmes: the staff of a region, and organisations for their own pairings.
PROGRAMME_READERS = REGION_SCOPED_ROLES | {Role.ORG_REP}


def is_system(by: User | None) -> bool:
    return by is None or by.is_superuser


def organisation_of(user: User | None) -> Organisation | None:
    """The organisation an org_rep account speaks for, as its person record says."""
    if user is None or not user.is_authenticated or not user.has_role(Role.ORG_REP):
        return None
    person = getattr(user, "person", None)
    return person.organisation if person is not None else None


def runs_programmes(user) -> bool:
    return user.is_authenticated and user.role in PROGRAMME_RUNNERS


def may_run(by: User | None, programme: Programme) -> bool:
    """Change the programme, its targets and its pairings."""
    return is_system(by) or in_scope(by, PROGRAMME_RUNNERS, programme.region_id)


def may_create_in(by: User | None, region_code: str) -> bool:
    return is_system(by) or in_scope(by, PROGRAMME_RUNNERS, region_code)


def is_helper_rep(by: User | None, pairing: Pairing) -> bool:
    """Whether the actor represents the pairing's helper organisation."""
    organisation = organisation_of(by)
    return organisation is not None and organisation.pk == pairing.helper_id


def is_helper_rep_of_target(by: User | None, target: ProgrammeTarget) -> bool:
    """Whether the actor represents an organisation ever paired with the target."""
    organisation = organisation_of(by)
    return organisation is not None and target.pairings.filter(helper=organisation).exists()


def keeps_records_of(by: User | None, region_code: str) -> bool:
    """An office of the record's region: it records and reviews there."""
    return is_system(by) or in_scope(by, RECORD_KEEPERS, region_code)


def may_record_on(by: User | None, pairing: Pairing) -> bool:
    """Record a pledge, a disbursement or an exchange on a pairing: the office of the
    target's region, or the helper's own representative (whose records then wait for
    review)."""
    return keeps_records_of(by, pairing.region_code) or is_helper_rep(by, pairing)


def may_review(by: User | None, record) -> bool:
    """Accept or reject what a rep recorded (a pledge, a disbursement, an exchange, a labour
    activity): the office of the target's region, never the one who recorded it."""
    if by is not None and record.recorded_by_id == by.pk:
        return False
    return keeps_records_of(by, record.region_code)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
