"""Default deny: every page and API operation must declare who may open it."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tongxing.api import api

# Routes that are not ours to declare: Django's admin (superusers only, its own checks),
# set_language (changes only the visitor's own language cookie) and the API's dispatcher,
# whose operations are checked one by one below.
FOREIGN_PREFIXES = ("admin/", "i18n/", "api/v1/")


def walk(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.callback


def test_every_page_declares_its_roles():
    undeclared = [
        route
        for route, view in walk(get_resolver())
        if not route.startswith(FOREIGN_PREFIXES) and not hasattr(view, "access")
    ]
    assert undeclared == []


def test_every_api_operation_declares_its_roles_and_needs_auth_unless_public():
    problems = []
    # The routers as mounted on the API, with the auth each operation inherits.
    for router in api._get_bound_routers():
        prefix = router.prefix
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                access = getattr(operation.view_func, "access", None)
                name = f"{operation.methods} {prefix}{path}"
                if access is None:
                    problems.append(f"{name}: no declaration")
                elif access == "public" and operation.auth_callbacks:
                    problems.append(f"{name}: public but requires auth")
                elif access != "public" and not operation.auth_callbacks:
                    problems.append(f"{name}: open to anonymous callers")
    assert problems == []


def test_allow_takes_the_named_role_sets_and_single_roles():
    from tongxing.access import NEED_REVIEWERS, Role, allow

    view = allow(NEED_REVIEWERS, Role.DONOR)(lambda request: None)
    assert view.access == {Role.CITY_ADMIN, Role.TOWNSHIP_ADMIN, Role.DONOR}
    with pytest.raises(ValueError):
        allow(frozenset())
