from django.urls import path

from tongxing.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_page, name="page"),
    path("jobs/<int:job_id>/", views.report_job, name="job"),
]
