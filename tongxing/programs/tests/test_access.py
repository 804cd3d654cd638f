"""Who may open each programme page and API operation, spelled out role by role: the named
role sets of `programs/rights.py` must open exactly these."""

from django.urls import get_resolver

from tests.test_access_declared import walk
from tongxing.access import Role
from tongxing.api import api

CITY = {Role.CITY_ADMIN}
OFFICES = {Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN}
OFFICES_AND_REPS = {Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN, Role.ORG_REP}
READERS = {
    Role.CITY_ADMIN,
    Role.TOWNSHIP_ADMIN,
    Role.VILLAGE_ADMIN,
    Role.CADRE,
    Role.VIEWER,
    Role.ORG_REP,
}

PAGES = {
    "programmes/": READERS,
    "programmes/new/": CITY,
    "programmes/record/": OFFICES_AND_REPS,
    "programmes/record/pledge/": OFFICES_AND_REPS,
    "programmes/record/disbursement/": OFFICES_AND_REPS,
    "programmes/evidence/<int:evidence_id>/": READERS,
    "programmes/review/": OFFICES,
    "programmes/review/pledges/<int:pledge_id>/": OFFICES,
    "programmes/review/disbursements/<int:disbursement_id>/": OFFICES,
    "programmes/review/exchanges/<int:exchange_id>/": OFFICES,
    "programmes/review/labour/<int:activity_id>/": OFFICES,
    "programmes/<int:programme_id>/": READERS,
    "programmes/<int:programme_id>/export/": READERS,
    "programmes/<int:programme_id>/targets/": CITY,
    "programmes/<int:programme_id>/edit/": CITY,
    # An organisation records exchanges and labour activities for its own pairings.
    "programmes/<int:programme_id>/exchanges/": OFFICES_AND_REPS,
    "programmes/<int:programme_id>/labour/": OFFICES_AND_REPS,
    "programmes/<int:programme_id>/pair/": CITY,
    "programmes/<int:programme_id>/end/": CITY,
    "programmes/<int:programme_id>/import/pairings/": CITY,
    "programmes/<int:programme_id>/import/disbursements/": CITY,
    "programmes/<int:programme_id>/change/": CITY,
}

OPERATIONS = {
    "GET /programmes/pairings": READERS,
    "GET /programmes/targets": READERS,
    "POST /programmes/pairings/{pairing_id}/end": CITY,
    "POST /programmes/pairings/{pairing_id}/change": CITY,
    "POST /programmes/pairings/{pairing_id}/pledges": OFFICES_AND_REPS,
    "POST /programmes/pairings/{pairing_id}/disbursements": OFFICES_AND_REPS,
    "POST /programmes/pairings/{pairing_id}/exchanges": OFFICES_AND_REPS,
    "GET /programmes/pledges": READERS,
    "POST /programmes/pledges/{pledge_id}/review": OFFICES,
    "GET /programmes/disbursements": READERS,
    "POST /programmes/disbursements/{disbursement_id}/review": OFFICES,
    "GET /programmes/exchanges": READERS,
    "POST /programmes/exchanges/{exchange_id}/review": OFFICES,
    "GET /programmes/labour-activities": READERS,
    "POST /programmes/labour-activities/{activity_id}/review": OFFICES,
    "POST /programmes/targets/{target_id}/labour-activities": OFFICES_AND_REPS,
    "GET /programmes": READERS,
    "POST /programmes": CITY,
    "GET /programmes/{programme_id}": READERS,
    "PUT /programmes/{programme_id}": CITY,
    "POST /programmes/{programme_id}/targets": CITY,
    "GET /programmes/{programme_id}/coverage": READERS,
    "POST /programmes/{programme_id}/pairings": CITY,
    "POST /programmes/{programme_id}/pairings/import": CITY,
    "POST /programmes/{programme_id}/disbursements/import": CITY,
}


def test_each_programme_page_opens_to_exactly_its_roles():
    declared = {
        route: set(view.access)
        for route, view in walk(get_resolver())
        if route.startswith("programmes/")
    }
    assert declared == PAGES


def test_each_programme_operation_opens_to_exactly_its_roles():
    declared = {
        f"{method} {path}": set(operation.view_func.access)
        for router in api._get_bound_routers()
        for path, path_view in router.path_operations.items()
        if path.startswith("/programmes")
        for operation in path_view.operations
        for method in operation.methods
    }
    assert declared == OPERATIONS
