"""The address of the client making a request: the one function every caller reads it with.

Behind the reverse proxy the README describes, REMOTE_ADDR is the proxy's own address, the
same for every visitor: counting failed logins per REMOTE_ADDR there let twenty strangers'
mistakes lock a whole city out. The proxy appends the address that connected to it to
X-Forwarded-For (nginx: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`);
everything before that last entry came from the client, who may write anything there. So
with TONGXING_BEHIND_PROXY the client is the last entry, and without it the header is
ignored: a server reached directly must not believe a header anyone can send.

A few lines rather than django-ipware: ipware reads the leftmost, client-written address
unless told how many proxies stand in front, and the rule here fits in one sentence and
one test.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """Return the address of the client behind the request, or None if there is none."""
    direct = request.META.get("REMOTE_ADDR", "")
    if settings.TONGXING_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        # The proxy's own hop. Should it be no address (a proxy set up wrongly), count the
        # request against the proxy rather than against nobody.
        last_hop = _address(forwarded.rsplit(",", 1)[-1])
        if last_hop:
            return last_hop
    return _address(direct)


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None
