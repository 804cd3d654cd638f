from django.urls import path

from tongxing.jobs import views

app_name = "jobs"
urlpatterns = [
    path("<int:job_id>/download/", views.download, name="download"),
]
