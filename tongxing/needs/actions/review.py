"""The review of submitted needs: publish or reject (one need, or many with one decision),
and put an expired need back on the board. Who reviews: the township, else the city office."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tongxing import public_cache
from tongxing.access import Role
from tongxing.accounts.models import User
from tongxing.needs import public_text
from tongxing.needs.actions.common import (
    LONGEST_DEADLINE,
    current_date,
    current_moment,
    locked_need,
    manage_url,
    posters_of,
    record_need_event,
)
from tongxing.needs.models import Need, Status
from tongxing.needs.rights import may_review, reviews_own_need
from tongxing.needs.rules import check_rules
from tongxing.notifications.actions import notify
from tongxing.regions.codes import Level, ancestor_code
from tongxing.text import clean_text


def reviewers_of(need: Need) -> list[User]:
    """The township's reviewers; the city office's when the township has none but the
    need's own poster (who may not review it)."""
    township = ancestor_code(need.village_id, Level.TOWNSHIP)
    found = User.objects.filter(role=Role.TOWNSHIP_ADMIN, region_id=township, is_active=True)
    found = list(found.exclude(pk=need.posted_by_id)) if need.posted_by_id else list(found)
    return found or offices_of(need)


def offices_of(need: Need) -> list[User]:
    """The city (or county) office accounts whose region holds the need's village."""
    above = [ancestor_code(need.village_id, level) for level in (Level.CITY, Level.COUNTY)]
    return list(User.objects.filter(role=Role.CITY_ADMIN, region_id__in=above, is_active=True))


@public_cache.changes("board")
def review_need(
    *, need: Need, by: User | None, approve: bool, reason: str = "", override_reason: str = ""
) -> Need:
    """Publish a submitted need, or reject it with a reason.

    The rules run again at review (another need may have opened since submission); a need
    that breaks one is published only with the reviewer's reason for overriding it.
    """
    need = locked_need(need)
    if not may_review(by, need):
        raise PermissionDenied
    if need.status != Status.SUBMITTED:
        raise ValidationError(_("Only a need waiting for review can be reviewed."))
    if reviews_own_need(by, need):
        raise ValidationError(
            _(
                "You posted this need: another reviewer of the township or the city office "
                "reviews it."
            )
        )
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, max_length=300, field="reason", errors=errors)
    override_reason = clean_text(
        override_reason, max_length=300, field="override_reason", errors=errors
    )
    if errors:
        raise ValidationError(errors)
    now = current_moment()
    need.reviewed_at, need.reviewed_by = now, by if by is not None and by.pk else None
    if approve:
        _check_public_text_at_review(need)
        need.rule_findings = check_rules(need)
        if need.rule_findings and not override_reason:
            # Name what fired: a rule may have come into force since the submission.
            raise ValidationError(
                {
                    "override_reason": [
                        _("The review rules flag this need: give your reason to publish it."),
                        *(finding["message"] for finding in need.rule_findings),
                    ]
                }
            )
        if need.deadline < current_date():
            raise ValidationError({"deadline": [_("The deadline has passed.")]})
        need.status = Status.PUBLISHED
        need.published_at = now
        need.override_reason = override_reason if need.rule_findings else ""
        kind = "need_published"
    else:
        if not reason:
            raise ValidationError({"reason": [_("Say why the need is rejected.")]})
        need.status = Status.REJECTED
        need.status_reason = reason
        kind = "need_rejected"
    need.save()
    record_need_event(
        by,
        "published" if approve else "rejected",
        need,
        after={
            "reason": reason,
            "override_reason": need.override_reason,
            "rule_findings": need.rule_findings,
        },
    )
    notify(
        recipients=posters_of(need),
        kind=kind,
        params={"title": need.title, "reason": reason},
        url=manage_url(need),
    )
    return need


def _check_public_text_at_review(need: Need) -> None:
    """Refuse to publish a need whose public text holds personal data.

    Checked again here, not only when the text was written: a member may have joined the
    household with a name the story spells, and text may have come in another way (a
    recorded history, an edit of the database). No reason overrides it.
    """
    errors: dict[str, list[str]] = {}
    public_text.check_need_text(
        {name: getattr(need, name) for name in public_text.PUBLIC_NEED_FIELDS},
        names=public_text.names_of(need.household_id),
        errors=errors,
    )
    if errors:
        errors["__all__"] = [
            _(
                "This need cannot be published while its public text holds personal data: "
                "reject it with a reason, or have it changed first."
            )
        ]
        raise ValidationError(errors)


@public_cache.changes("board")
def review_needs(
    *, needs: list[Need], by: User | None, approve: bool, reason: str = ""
) -> list[Need]:
    """Review several needs with one decision: all of them, or none if any is refused (needs
    that break a rule need their own review). Each refusal names its need's title."""
    reviewed, refused = [], []
    for need in needs:
        try:
            # A savepoint each: the next needs are still checked, to name every refusal.
            with transaction.atomic():
                reviewed.append(review_need(need=need, by=by, approve=approve, reason=reason))
        except ValidationError as exc:
            refused += [f"“{need.title}”: {message}" for message in exc.messages]
    if refused:
        raise ValidationError(refused)
    return reviewed


@public_cache.changes("board")
def reopen_need(*, need: Need, by: User | None, deadline: datetime.date) -> Need:
    """Put an expired need back on the board with a new deadline (the office's answer to
    an escalation)."""
    need = locked_need(need)
    if not may_review(by, need):
        raise PermissionDenied
    if need.status != Status.EXPIRED:
        raise ValidationError(_("Only an expired need can be put back on the board."))
    if (
        deadline is None
        or deadline <= current_date()
        or deadline > current_date() + LONGEST_DEADLINE
    ):
        raise ValidationError({"deadline": [_("Give a deadline within the coming year.")]})
    before = {"status": need.status, "deadline": str(need.deadline)}
    need.status = Status.PUBLISHED
    need.deadline = deadline
    need.expired_at = None
    need.expiry_warned_at = None
    need.save()
    record_need_event(by, "reopened", need, before=before, after={"deadline": str(deadline)})
    return need
