"""Consumption assistance in the Django admin: read-only, for superusers. Suppliers,
certifications, products, listings, sales and targets change only through the actions,
which check the rights and write the audit log."""

from django.contrib import admin

from tongxing.admin_base import ReadOnlyAdmin
from tongxing.commerce.models import (
    PavilionListing,
    ProcurementTarget,
    Product,
    Sale,
    Supplier,
    SupplierCertification,
)


@admin.register(Supplier)
class SupplierAdmin(ReadOnlyAdmin):
    list_display = ("id", "organisation", "household", "region", "created_at")
    raw_id_fields = ("organisation", "household", "region")


@admin.register(Sale)
class SaleAdmin(ReadOnlyAdmin):
    list_display = ("id", "sold_on", "channel", "seller", "event", "amount_fen", "source", "region")
    list_filter = ("channel", "source")
    raw_id_fields = ("seller", "buyer", "event", "region")


admin.site.register(SupplierCertification, ReadOnlyAdmin)
admin.site.register(Product, ReadOnlyAdmin)
admin.site.register(PavilionListing, ReadOnlyAdmin)
admin.site.register(ProcurementTarget, ReadOnlyAdmin)
