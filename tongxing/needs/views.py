"""Pages of the needs board (being built: see the needs issue)."""

from django.http import HttpResponse

from tongxing.accounts.access import allow, public
from tongxing.accounts.models import NEED_REVIEWERS, PLEDGERS


@public
def board(request):
    return HttpResponse("")


@public
def detail(request, need_id: int):
    return HttpResponse("")


@allow(*NEED_REVIEWERS)
def review_queue(request):
    return HttpResponse("")


@allow(*PLEDGERS)
def my_pledges(request):
    return HttpResponse("")
