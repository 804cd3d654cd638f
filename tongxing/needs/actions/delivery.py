"""Delivery and confirmation: the donor says the help arrived, the household (or staff for
it, with evidence) confirms receipt, and thanks; a need closes once all is confirmed."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from tongxing import public_cache
from tongxing.accounts.models import User
from tongxing.needs.actions.common import (
    check_donor_text,
    current_moment,
    manage_url,
    posters_of,
    record_need_event,
)
from tongxing.needs.amounts import amount_text
from tongxing.needs.models import Feedback, Kind, Need, Pledge, PledgeStatus, Status
from tongxing.needs.rights import is_own_household, may_act_for_household, may_change_pledge
from tongxing.notifications.actions import notify
from tongxing.photos import clean_photo
from tongxing.text import clean_text


@public_cache.changes("board")
def deliver_pledge(*, pledge: Pledge, by: User, note: str = "") -> Pledge:
    """The donor says the goods (or the service) reached the household."""
    pledge = Pledge.objects.select_for_update().select_related("need").get(pk=pledge.pk)
    if not may_change_pledge(by, pledge):
        raise PermissionDenied
    if pledge.status != PledgeStatus.PLEDGED:
        raise ValidationError(_("This pledge is not waiting for delivery."))
    if pledge.need.kind == Kind.FUNDS:
        raise ValidationError(_("Contributions are delivered when the need is fully funded."))
    errors: dict[str, list[str]] = {}
    note = clean_text(note, max_length=300, field="note", errors=errors)
    check_donor_text(note, need=pledge.need, field="note", errors=errors)
    if errors:
        raise ValidationError(errors)
    now = current_moment()
    pledge.status, pledge.delivered_at = PledgeStatus.DELIVERED, now
    if note:
        pledge.note = note
    pledge.save(update_fields=["status", "delivered_at", "note"])
    Need.objects.filter(pk=pledge.need_id).update(
        delivered=F("delivered") + pledge.quantity, updated_at=now
    )
    need = pledge.need
    record_need_event(by, "delivered", need, after={"pledge": pledge.pk, "note": note})
    mark_fully_delivered(need.pk)
    notify(
        recipients=posters_of(need),
        kind="pledge_delivered",
        params={
            "title": need.title,
            "donor": str(by),
            "amount": amount_text(need, pledge.quantity),
        },
        url=manage_url(need),
    )
    return pledge


def mark_fully_delivered(need_id: int) -> None:
    Need.objects.filter(pk=need_id, delivered__gte=F("target"), delivered_at__isnull=True).update(
        delivered_at=current_moment()
    )


@public_cache.changes("board")
def confirm_pledge(
    *, pledge: Pledge, by: User, note: str = "", evidence: UploadedFile | None = None
) -> Pledge:
    """The household confirms receipt; staff confirming on its behalf give evidence.

    A pledge the donor forgot to mark delivered can be confirmed directly: the household's
    word that it arrived is what counts.
    """
    pledge = Pledge.objects.select_for_update().select_related("need").get(pk=pledge.pk)
    need = pledge.need
    if not may_act_for_household(by, need):
        raise PermissionDenied
    if pledge.status not in (PledgeStatus.PLEDGED, PledgeStatus.DELIVERED):
        raise ValidationError(_("This pledge is not waiting for confirmation."))
    if need.kind == Kind.FUNDS and pledge.status != PledgeStatus.DELIVERED:
        raise ValidationError(_("The money is released when the need is fully funded."))
    on_behalf = not is_own_household(by, need.household_id) and by is not None
    # Read by the need's staff and the household, not by the donor: cleaned, not checked.
    note = clean_text(note, max_length=300, field="note")
    photo = clean_photo(evidence, field="evidence")  # re-encoded: no place, no device
    if on_behalf and evidence is None and not note:
        raise ValidationError(
            {"evidence": [_("Confirming for the household: add a photo or a note.")]}
        )
    now = current_moment()
    was_delivered = pledge.status == PledgeStatus.DELIVERED
    pledge.status = PledgeStatus.CONFIRMED
    pledge.confirmed_at = now
    pledge.delivered_at = pledge.delivered_at or now
    pledge.confirmed_by = by
    pledge.confirmed_on_behalf = on_behalf
    pledge.confirmation_note = note
    if photo is not None:
        pledge.evidence.save(photo.name, photo, save=False)
    pledge.save()
    Need.objects.filter(pk=need.pk).update(
        delivered=F("delivered") + (0 if was_delivered else pledge.quantity),
        confirmed=F("confirmed") + pledge.quantity,
        updated_at=now,
    )
    mark_fully_delivered(need.pk)
    Need.objects.filter(pk=need.pk, confirmed__gte=F("target"), confirmed_at__isnull=True).update(
        confirmed_at=now
    )
    record_need_event(
        by,
        "confirmed",
        need,
        after={
            "pledge": pledge.pk,
            "on_behalf": on_behalf,
            "note": note,
            "photo": photo is not None,
        },
    )
    notify(
        recipients=[pledge.donor],
        kind="pledge_confirmed",
        params={"title": need.title, "amount": amount_text(need, pledge.quantity)},
        url=reverse("needs:my_pledges"),
    )
    close_if_done(need.pk, by)
    return pledge


def close_if_done(need_id: int, by: User | None) -> None:
    """Close a need once everything pledged is confirmed, and the need is fully pledged
    or past its deadline (an expired need closes with what it got)."""
    need = Need.objects.select_related("village").get(pk=need_id)
    if need.status not in (Status.PUBLISHED, Status.EXPIRED):
        return
    if need.confirmed != need.pledged or need.pledged == 0:
        return
    if need.status == Status.PUBLISHED and not need.is_matched:
        return  # still on the board: it closes when full, or after the sweep expires it
    need.status = Status.CLOSED
    need.closed_at = current_moment()
    need.save(update_fields=["status", "closed_at", "updated_at"])
    record_need_event(by, "closed", need)


@public_cache.changes("board")
def give_feedback(*, pledge: Pledge, by: User, rating: int, thanks: str = "") -> Feedback:
    """The household thanks the donor and rates the help (1 to 5)."""
    pledge = Pledge.objects.select_for_update().select_related("need").get(pk=pledge.pk)
    need = pledge.need
    if not may_act_for_household(by, need):
        raise PermissionDenied
    if pledge.status != PledgeStatus.CONFIRMED:
        raise ValidationError(_("Thank the donor once the help has arrived."))
    if Feedback.objects.filter(pledge=pledge).exists():
        raise ValidationError(_("This pledge has been thanked already."))
    errors = {}
    if rating not in (1, 2, 3, 4, 5):
        errors["rating"] = [_("Give a rating from 1 to 5.")]
    thanks = clean_text(thanks, max_length=300, field="thanks", errors=errors)
    check_donor_text(thanks, need=need, field="thanks", errors=errors)
    if errors:
        raise ValidationError(errors)
    feedback = Feedback.objects.create(
        pledge=pledge,
        rating=rating,
        thanks=thanks,
        by=by,
        on_behalf=not is_own_household(by, need.household_id),
    )
    record_need_event(
        by, "thanked", need, after={"pledge": pledge.pk, "rating": rating, "thanks": thanks}
    )
    notify(
        recipients=[pledge.donor],
        kind="pledge_thanked",
        params={"title": need.title, "thanks": thanks or "—", "rating": rating},
        url=reverse("needs:my_pledges"),
    )
    return feedback
