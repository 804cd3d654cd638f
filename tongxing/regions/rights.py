"""What an account may do with the region tree. The actions, the views and the API ask
here; which regions an account sees (its scope) is `tongxing.access`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from tongxing.access import REGION_EDITORS, in_scope

if TYPE_CHECKING:  # the accounts lie above the regions
    from tongxing.accounts.models import User


def may_edit_regions(by: User | None) -> bool:
    """Whether `by` may import, rename and tag regions: the city office, or a command run
    without an account (`by=None`) or by the server's administrator."""
    return by is None or by.is_superuser or by.has_role(*REGION_EDITORS)


def require_edit_regions(by: User | None) -> None:
    if not may_edit_regions(by):
        raise PermissionDenied


def may_edit_code(by: User | None, code: str) -> bool:
    """Whether the region of this code lies where `by` may shape the tree."""
    return in_scope(by, REGION_EDITORS, code)
