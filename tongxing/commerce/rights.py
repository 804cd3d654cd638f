"""What a user may do in consumption assistance: the one place each right is decided.

The offices keep the suppliers of their region: the city office and the township stations
register suppliers, add products and record sales; the city office alone certifies
suppliers, runs the special-products pavilion and sets budget units' procurement targets.
An organisation's representative adds products and records sales of its own organisation
only (the organisation of its person record). Every staff role of a region reads the
region's records. A command or the demo (no actor) and the server's administrator may do
all an action allows. Actions call `require_*`; views and the API ask `may_*`.
"""

from django.core.exceptions import PermissionDenied

from tongxing.access import REGION_SCOPED_ROLES, Role, in_scope, scope_prefix
from tongxing.accounts.models import User
from tongxing.commerce.models import Supplier
from tongxing.events.models import Event
from tongxing.regions.codes import path_codes, prefix_of
from tongxing.registry.models import Organisation, Person

SUPPLIER_KEEPERS = frozenset({Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN})
CERTIFIERS = frozenset({Role.CITY_ADMIN})
PAVILION_KEEPERS = frozenset({Role.CITY_ADMIN})
TARGET_SETTERS = frozenset({Role.CITY_ADMIN})
# Who opens the pages of consumption assistance at all (each still cut to its scope).
COMMERCE_READERS = REGION_SCOPED_ROLES | {Role.ORG_REP}
# Who records sales and products: the offices of the seller's region, or its own rep.
SALES_RECORDERS = SUPPLIER_KEEPERS | {Role.ORG_REP}


def is_system(by: User | None) -> bool:
    return by is None or by.is_superuser


def organisation_of(user: User | None) -> Organisation | None:
    """The organisation an org_rep account speaks for, read from its person record now."""
    if user is None or not user.is_authenticated or user.role != Role.ORG_REP:
        return None
    person = Person.objects.filter(account=user).select_related("organisation").first()
    return person.organisation if person is not None else None


def _speaks_for(by: User, supplier: Supplier) -> bool:
    if not (by.is_active and by.role == Role.ORG_REP) or supplier.organisation_id is None:
        return False
    organisation = organisation_of(by)
    return organisation is not None and organisation.pk == supplier.organisation_id


def may_register_supplier(by: User | None, region_code: str) -> bool:
    return is_system(by) or in_scope(by, SUPPLIER_KEEPERS, region_code)


def may_certify(by: User | None, supplier: Supplier) -> bool:
    return is_system(by) or in_scope(by, CERTIFIERS, supplier.region_id)


def may_keep_pavilion(by: User | None, supplier: Supplier) -> bool:
    return is_system(by) or in_scope(by, PAVILION_KEEPERS, supplier.region_id)


def may_record_for(by: User | None, supplier: Supplier) -> bool:
    """Add products and record sales of the supplier: the offices of its region, or the
    representative of its own organisation."""
    if is_system(by):
        return True
    if by.role == Role.ORG_REP:
        return _speaks_for(by, supplier)
    return in_scope(by, SUPPLIER_KEEPERS, supplier.region_id)


def fair_reach(by: User | None) -> tuple[str, list[str]] | None:
    """The fairs a sale recorded by the actor may name, as (the prefix of the regions below,
    the codes of the regions above): the fairs held in the actor's region or below it, and
    those of the regions above it, since the city's fair takes the townships' stalls. A
    representative reaches from its organisation's region. "" and no codes: every fair;
    None: none."""
    if is_system(by):
        return "", []
    if by.role == Role.ORG_REP:
        organisation = organisation_of(by)
        home = organisation.region_id if organisation is not None and by.is_active else None
    else:
        home = by.region_id if scope_prefix(by, SUPPLIER_KEEPERS) is not None else None
    if not home:
        return None
    return prefix_of(home), path_codes(home)


def may_name_fair(by: User | None, event: Event) -> bool:
    reach = fair_reach(by)
    if reach is None:
        return False
    below, above = reach
    return event.region_id.startswith(below) or event.region_id in above


def may_set_target(by: User | None, budget_unit: Organisation) -> bool:
    return is_system(by) or in_scope(by, TARGET_SETTERS, budget_unit.region_id)


def records_sales(user: User) -> bool:
    """Whether the account's role records sales somewhere (the pages offer the form)."""
    return user.is_authenticated and (user.is_superuser or user.role in SALES_RECORDERS)


def keeps_suppliers(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in SUPPLIER_KEEPERS)


def certifies(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in CERTIFIERS)


def sets_targets(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in TARGET_SETTERS)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def require_register_supplier(by: User | None, region_code: str) -> None:
    _require(may_register_supplier(by, region_code))


def require_certify(by: User | None, supplier: Supplier) -> None:
    _require(may_certify(by, supplier))


def require_pavilion(by: User | None, supplier: Supplier) -> None:
    _require(may_keep_pavilion(by, supplier))


def require_record_for(by: User | None, supplier: Supplier) -> None:
    _require(may_record_for(by, supplier))


def require_name_fair(by: User | None, event: Event) -> None:
    _require(may_name_fair(by, event))


def require_set_target(by: User | None, budget_unit: Organisation) -> None:
    _require(may_set_target(by, budget_unit))
