from django.urls import path

from tongxing.registry import views

app_name = "registry"
urlpatterns = [
    path("households/", views.household_list, name="households"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/import/", views.household_import, name="household_import"),
    path(
        "households/import/<int:job_id>/",
        views.household_import_job,
        name="household_import_job",
    ),
    path("households/export/", views.household_export, name="household_export"),
    path(
        "households/export/<int:job_id>/",
        views.household_export_job,
        name="household_export_job",
    ),
    path("households/<int:household_id>/", views.household_detail, name="household"),
    path("households/<int:household_id>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:household_id>/members/new/", views.member_create, name="member_create"),
    path("households/<int:household_id>/helpers/new/", views.helper_create, name="helper_create"),
    path("members/<int:member_id>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:member_id>/reveal/", views.member_reveal, name="member_reveal"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/export/", views.organisation_export, name="organisation_export"),
    path(
        "organisations/<int:organisation_id>/edit/",
        views.organisation_edit,
        name="organisation_edit",
    ),
    path("people/", views.person_list, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:person_id>/account/", views.person_account, name="person_account"),
]
