"""Personal data left in a need's public text masked, with the copies its audit events and
notifications keep (`tongxing scan-public-text --fix`)."""

from django.core.exceptions import PermissionDenied

from tongxing import public_cache
from tongxing.accounts.models import User
from tongxing.audit.log import redact_events
from tongxing.audit.models import AuditEvent
from tongxing.needs import public_text
from tongxing.needs.actions.common import current_moment, locked_need, record_need_event
from tongxing.needs.models import Feedback, Need, Pledge, Status
from tongxing.needs.rights import is_system
from tongxing.notifications.actions import replace_quoted_text
from tongxing.text import mask_personal_data


@public_cache.changes("board")
def mask_public_text(*, need: Need, by: User | None) -> list[str]:
    """Mask the personal data in what the public and donors read of a need, and in the
    copies its audit events keep; return where it masked (`story`, `pledge 7 note`, …).

    For text stored before it was checked (`tongxing scan-public-text --fix`): numbers
    become 427101********1234 and 138****5678, the household's members' full names 朱**;
    stored notifications that quote a masked text (a title, a reason, the thanks) quote
    its masked form. The system's own path: the command runs it, no account does.
    """
    if not is_system(by):
        raise PermissionDenied
    need = locked_need(need)
    names = public_text.names_of(need.household_id)
    masked: list[str] = []
    quoted: dict[str, str] = {}  # each text masked, to its masked form: notifications quote it
    if need.status in (Status.PUBLISHED, Status.CLOSED, Status.EXPIRED):
        changes = _masked_texts(need, public_text.PUBLIC_NEED_FIELDS, names, quoted)
        if changes:
            Need.objects.filter(pk=need.pk).update(**changes, updated_at=current_moment())
            masked += list(changes)
    for pledge in Pledge.objects.filter(need=need).order_by("pk"):
        changes = _masked_texts(pledge, public_text.DONOR_PLEDGE_FIELDS, names, quoted)
        if changes:
            Pledge.objects.filter(pk=pledge.pk).update(**changes)
            masked += [f"pledge {pledge.pk} {name}" for name in changes]
    for feedback in Feedback.objects.filter(pledge__need=need).order_by("pk"):
        changes = _masked_texts(feedback, ("thanks",), names, quoted)
        if changes:
            Feedback.objects.filter(pk=feedback.pk).update(**changes)
            masked.append(f"pledge {feedback.pledge_id} thanks")
    notifications = replace_quoted_text(texts=quoted)
    events = AuditEvent.objects.filter(object_type="needs.need", object_id=str(need.pk))
    redacted = redact_events(
        events=events.order_by("pk"), names=names, actor=by, region_code=need.village_id
    )
    if masked or redacted:
        after = {"masked": masked, "events": redacted, "notifications": notifications}
        record_need_event(by, "masked", need, after=after)
    return masked


def _masked_texts(obj, fields: tuple[str, ...], names: list[str], quoted: dict) -> dict[str, str]:
    """The fields of an object whose text changes when masked, with their masked text (each
    also noted in `quoted`, from the text it replaces)."""
    changes = {}
    for name in fields:
        text = getattr(obj, name)
        masked = mask_personal_data(text, names=names)
        if masked != text:
            changes[name] = quoted[text] = masked
    return changes
