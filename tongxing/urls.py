from django.contrib import admin
from django.urls import include, path

from tongxing import views
from tongxing.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("workspace/", views.workspace, name="workspace"),
    path("accounts/", include("tongxing.accounts.urls")),
    path("regions/", include("tongxing.regions.urls")),
    path("registry/", include("tongxing.registry.urls")),
    path("jobs/", include("tongxing.jobs.urls")),
    path("needs/", include("tongxing.needs.urls")),
    path("programmes/", include("tongxing.programs.urls")),
    path("visits/", include("tongxing.visits.urls")),
    path("commerce/", include("tongxing.commerce.urls")),
    path("events/", include("tongxing.events.urls")),
    path("reports/", include("tongxing.reports.urls")),
    path("dashboard/", include("tongxing.indicators.dashboard_urls")),
    path("notifications/", include("tongxing.notifications.urls")),
    path("indicators/", include("tongxing.indicators.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "tongxing.views.bad_request"
handler403 = "tongxing.views.permission_denied"
handler404 = "tongxing.views.page_not_found"
handler500 = "tongxing.views.server_error"
