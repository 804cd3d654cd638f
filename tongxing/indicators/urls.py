from django.urls import path

from tongxing.indicators import tables, views

app_name = "indicators"

urlpatterns = [
    path("", tables.figures, name="figures"),
    path("table/", tables.table, name="table"),
    path("table/export/", tables.table_export, name="table_export"),
    path("<str:code>/records/", tables.records, name="records"),
    path("<str:code>/records/export/", tables.records_export, name="records_export"),
    # Approvals: frozen figures beside live ones, approve and withdraw.
    path("approvals/", views.approvals_page, name="approvals"),
    path("approvals/approve/", views.approve, name="approve"),
    path("approvals/<int:approval_id>/withdraw/", views.withdraw, name="withdraw"),
]
