from django.urls import path

from tongxing.indicators import dashboard

app_name = "dashboard"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
]
