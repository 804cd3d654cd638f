"""Approving a region's figures for a period, and withdrawing an approval: each in one
transaction, audited, with the rights (`indicators.rights`) checked on the region of the
object, whatever was sent."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxing.audit import log
from tongxing.indicators import approvals, engine, rights
from tongxing.indicators.catalogue import CATALOGUE_VERSION
from tongxing.indicators.engine import Period
from tongxing.indicators.models import Approval
from tongxing.queries import prefix_q
from tongxing.regions.codes import Level
from tongxing.regions.models import Region

APPROVED = "approval.approved"
WITHDRAWN = "approval.withdrawn"
ALREADY_APPROVED = gettext_lazy("These figures are approved already; withdraw the approval first.")


def approve(*, region: Region, period: Period, by) -> Approval:
    """Freeze the region's figures of the period: a township's first, then its city's once
    every township of the city with records has approved."""
    if not rights.is_approved_level(region):
        raise ValidationError({"region": [_("Figures are approved for a township or a city.")]})
    if not rights.may_approve(by, region):
        raise PermissionDenied
    with transaction.atomic():
        if region.level == Level.CITY:
            # Locked: a township's approval cannot be withdrawn while the city's is made.
            list(
                Approval.objects.select_for_update().filter(
                    prefix_q("region__code", region.prefix),
                    **approvals.might_cover(period),
                    withdrawn_at__isnull=True,
                )
            )
            missing = approvals.townships_not_approved(region, period)
            if missing:
                names = "、".join(township.name for township in missing)
                raise ValidationError(
                    {
                        "region": [
                            _("These townships have not approved their figures yet: %(names)s.")
                            % {"names": names}
                        ]
                    }
                )
        if approvals.approval_in_force(region.code, period) is not None:
            raise ValidationError({"period": [ALREADY_APPROVED]})
        figures = engine.compute(region.prefix, period.start, period.end)
        try:
            with transaction.atomic():
                approval = Approval.objects.create(
                    region=region,
                    start=period.start,
                    end=period.end,
                    approved_by=by,
                    approved_at=timezone.now(),
                    catalogue_version=CATALOGUE_VERSION,
                    figures=approvals.stored_figures(region.prefix, period, figures),
                )
        except IntegrityError:
            raise ValidationError({"period": [ALREADY_APPROVED]}) from None
        log.record(
            actor=by,
            action=APPROVED,
            target=approval,
            region_code=region.code,
            after={
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "catalogue_version": CATALOGUE_VERSION,
            },
        )
    return approval


def withdraw(*, approval: Approval, reason: str, by) -> Approval:
    """Withdraw an approval in force, with a reason, so the figures can be corrected and
    approved again; a township's only once no city approval of its period stands above it."""
    with transaction.atomic():
        approval = Approval.objects.select_for_update().select_related("region").get(pk=approval.pk)
        if not rights.may_withdraw(by, approval.region):
            raise PermissionDenied
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": [_("Say why the approval is withdrawn.")]})
        if not approval.in_force:
            raise ValidationError({"approval": [_("This approval was withdrawn already.")]})
        if approval.region.level == Level.TOWNSHIP and list(
            approvals.city_approvals_over(approval).select_for_update()
        ):
            raise ValidationError(
                {"approval": [_("Withdraw the city's approval of this period first.")]}
            )
        log.record_update(
            approval,
            {"withdrawn_by": by, "withdrawn_at": timezone.now(), "withdraw_reason": reason},
            actor=by,
            action=WITHDRAWN,
            fields=["withdraw_reason"],
            region_code=approval.region_id,
        )
    return approval
