"""The pairing programmes in the Django admin: read-only, for superusers; they change only
through the actions, which check rights, keep pairings as history and write the audit log."""

from django.contrib import admin

from tongxing.admin_base import ReadOnlyAdmin
from tongxing.programs.models import (
    Disbursement,
    DisbursementEvidence,
    Exchange,
    LabourActivity,
    Pairing,
    PairingPledge,
    Programme,
    ProgrammeTarget,
)


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "name", "region", "starts_on", "ends_on")
    list_filter = ("kind",)


@admin.register(Pairing)
class PairingAdmin(ReadOnlyAdmin):
    list_display = ("id", "programme", "target", "helper", "since", "until")
    raw_id_fields = ("programme", "target", "helper", "replaces")


@admin.register(PairingPledge)
class PairingPledgeAdmin(ReadOnlyAdmin):
    list_display = ("id", "pairing", "amount_fen", "pledged_on", "status")
    list_filter = ("status",)


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "pairing",
        "kind",
        "amount_fen",
        "disbursed_on",
        "exceeds_pledge",
        "status",
    )
    list_filter = ("kind", "status", "exceeds_pledge")


for model in (ProgrammeTarget, DisbursementEvidence, Exchange, LabourActivity):
    admin.site.register(model, ReadOnlyAdmin)
