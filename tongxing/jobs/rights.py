"""Who may start, run and fetch a background job. A job carries the roles its work asks
for; its owner must hold one of them when it is made, when it runs and when its file is
fetched, so an account whose role changed meanwhile is refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from tongxing.accounts.models import User
    from tongxing.jobs.models import Job


def may_hold(owner: User, roles: Iterable[str]) -> bool:
    """Whether the account may (still) do the work of a job asking for these roles."""
    return owner.is_active and (owner.is_superuser or owner.role in roles)


def may_fetch(by: User, job: Job) -> bool:
    """Whether the account may fetch the job's file: its owner, still in one of its roles."""
    return by.pk == job.owner_id and may_hold(by, job.roles)
