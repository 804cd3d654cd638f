"""Who may open what. Every page and API operation declares it; nothing is open by default.

`allow(*roles)` wraps a Django view or a ninja operation: anonymous users go to the login
page (the API's bearer auth has already turned them away with 401), any other role gets 403.
`public` marks the few things anyone may open. Both leave an `access` attribute that the
test of the URL map checks on every route, so a route without a declaration fails CI.
"""

import functools
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

PUBLIC = "public"


def allow(*roles: "str | frozenset[str]") -> Callable:
    """Open a view to the accounts of these roles: role names, or the named role sets of
    `accounts.models` (`@allow(NEED_REVIEWERS)`), or both."""
    roles = tuple(role for item in roles for role in ((item,) if isinstance(item, str) else item))
    if not roles:
        raise ValueError("allow() needs at least one role; use @public for open pages.")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_active and user.role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access = frozenset(roles)
        return wrapper

    return decorator


def public(view: Callable) -> Callable:
    view.access = PUBLIC
    return view
