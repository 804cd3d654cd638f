"""The product's URLs plus `bench/constant`, a bare Django view: the ceiling of the stack."""

from django.http import JsonResponse
from django.urls import path

from tongxing.urls import urlpatterns as product_urlpatterns


def constant(request):
    return JsonResponse({"ok": True})


urlpatterns = [*product_urlpatterns, path("bench/constant", constant, name="bench-constant")]
