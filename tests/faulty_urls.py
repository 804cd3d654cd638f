"""The site's URLs and two that fail unexpectedly, a page's and the API's: the error tests
see how an unexpected exception is logged and answered."""

from django.urls import path

from tongxing import urls as site_urls
from tongxing.access import public


@public
def fail(request):
    raise RuntimeError("an unexpected fault")


urlpatterns = [
    path("api/v1/test-fault", fail),
    path("test-fault/", fail),
    *site_urls.urlpatterns,
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500
