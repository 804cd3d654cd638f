"""The notifications page: one's own messages, newest first, written in one's language."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tongxing.access import EVERY_ROLE, allow
from tongxing.notifications import actions, selectors
from tongxing.paging import page_of

PAGE_SIZE = 30


@allow(EVERY_ROLE)
def notification_list(request):
    notifications = selectors.notifications_of(request.user).order_by("-created_at", "-pk")
    page = page_of(request, notifications, PAGE_SIZE)
    return render(request, "notifications/list.html", {"page": page})


@require_POST
@allow(EVERY_ROLE)
def mark_all_read(request):
    actions.mark_read(user=request.user)
    return redirect("notifications:list")


@require_POST
@allow(EVERY_ROLE)
def mark_read(request, notification_id: int):
    """Mark one notification read; with `open`, go on to the page it is about."""
    notification = selectors.notifications_of(request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    actions.mark_read(user=request.user, ids=[notification.pk])
    url = notification.url
    local = url_has_allowed_host_and_scheme(url, allowed_hosts=None) and url.startswith("/")
    if request.POST.get("open") and url and local:
        return redirect(url)
    return redirect("notifications:list")
