from django.urls import path

from tongxing.commerce import views

app_name = "commerce"

urlpatterns = [
    path("", views.supplier_list, name="suppliers"),
    path("suppliers/new/", views.supplier_create, name="supplier_create"),
    path("suppliers/<int:supplier_id>/", views.supplier_detail, name="supplier"),
    path("suppliers/<int:supplier_id>/certify/", views.supplier_certify, name="supplier_certify"),
    path("suppliers/<int:supplier_id>/revoke/", views.supplier_revoke, name="supplier_revoke"),
    path("suppliers/<int:supplier_id>/products/new/", views.product_create, name="product_create"),
    path("products/<int:product_id>/listing/", views.product_listing, name="product_listing"),
    path("sales/", views.sale_list, name="sales"),
    path("sales/new/", views.sale_create, name="sale_create"),
    path("sales/import/", views.sale_import, name="sale_import"),
    path("sales/import/<int:job_id>/", views.sale_import_job, name="sale_import_job"),
    path("sales/export/", views.sale_export, name="sale_export"),
    path("procurement/", views.procurement, name="procurement"),
    path("pavilion/", views.pavilion, name="pavilion"),
]
