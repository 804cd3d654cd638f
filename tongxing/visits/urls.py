from django.urls import path

from tongxing.visits import views

app_name = "visits"

urlpatterns = [
    path("", views.visit_list, name="list"),
    path("new/", views.visit_create, name="new"),
    path("<int:visit_id>/photo/", views.visit_photo, name="photo"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/export/", views.coverage_export, name="coverage_export"),
    path("campaign-days/", views.campaign_days, name="campaign_days"),
    path(
        "campaign-days/<str:day>/remove/",
        views.remove_campaign_day,
        name="remove_campaign_day",
    ),
]
