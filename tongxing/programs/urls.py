from django.urls import path

from tongxing.programs import views

app_name = "programs"

urlpatterns = [
    path("", views.programme_list, name="programmes"),
    path("new/", views.programme_create, name="create"),
    path("record/", views.record, name="record"),
    path("record/pledge/", views.record_pledge, name="record_pledge"),
    path("record/disbursement/", views.record_disbursement, name="record_disbursement"),
    path("evidence/<int:evidence_id>/", views.evidence_photo, name="evidence"),
    path("review/", views.review, name="review"),
    path("review/pledges/<int:pledge_id>/", views.review_pledge, name="review_pledge"),
    path(
        "review/disbursements/<int:disbursement_id>/",
        views.review_disbursement,
        name="review_disbursement",
    ),
    path("review/exchanges/<int:exchange_id>/", views.review_exchange, name="review_exchange"),
    path(
        "review/labour/<int:activity_id>/",
        views.review_labour_activity,
        name="review_labour_activity",
    ),
    path("<int:programme_id>/", views.programme_page, name="programme"),
    path("<int:programme_id>/export/", views.programme_export, name="export"),
    path("<int:programme_id>/targets/", views.add_targets, name="add_targets"),
    path("<int:programme_id>/edit/", views.programme_edit, name="edit"),
    path("<int:programme_id>/exchanges/", views.record_exchange, name="record_exchange"),
    path("<int:programme_id>/labour/", views.record_labour_activity, name="record_labour"),
    path("<int:programme_id>/pair/", views.pair, name="pair"),
    path("<int:programme_id>/end/", views.end_pairing, name="end_pairing"),
    path("<int:programme_id>/import/pairings/", views.import_pairings, name="import_pairings"),
    path(
        "<int:programme_id>/import/disbursements/",
        views.import_disbursements,
        name="import_disbursements",
    ),
    path("<int:programme_id>/change/", views.change_pairing, name="change_pairing"),
]
