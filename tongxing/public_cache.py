"""One way to serve what everyone reads: a public answer rendered once per version.

What an anonymous visitor reads (the needs board, a need's public page) is the same for
every one of them, and building it again for each request cost most of the request. Such
an answer is kept in Django's cache under a *version* of what it shows, a counter in the
database (`PublicVersion`, one row per name: "board"). Every action that changes what the
answer shows calls `bump(name)` inside its own transaction, so the new version becomes
visible exactly when the change commits, never before and never after.

An action opts in with `@changes("board")` in place of `@transaction.atomic`, and a
view with `@cached("board")` (for a ninja operation, through
`ninja.decorators.decorate_view`). Only anonymous GET requests without a session, a
message or a bearer token are served from it: anything that names its reader is built
afresh. Only 200 answers are kept. The page's CSRF token is never kept: the answer is
built with a placeholder that each request fills in with its own token (see
`csrf_placeholder`).
"""

import functools
import hashlib
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from tongxing.models import PublicVersion

# Stands for the page's CSRF token in a kept answer; replaced by the reader's own token.
CSRF_PLACEHOLDER = "public-cache-csrf-token-placeholder"
KEPT_HEADERS = ("Content-Type", "Vary", "Content-Language")
# A version changes the key, so an old answer is never read again; it only waits to be
# pushed out (the cache's size limit) or to time out.
TIMEOUT_SECONDS = 24 * 60 * 60


def bump(name: str) -> None:
    """Make every kept answer of `name` old, when the caller's transaction commits.

    An UPDATE, so on PostgreSQL it holds the row until the commit: writers of the same
    name queue there for the rest of their transaction, which is short.
    """
    versions = PublicVersion.objects.filter(name=name)
    if not versions.update(version=F("version") + 1):
        # Its row is made by a migration; should it be missing, of two first writers the
        # one that finds the other's row still moves the version.
        _row, created = PublicVersion.objects.get_or_create(name=name, defaults={"version": 1})
        if not created:
            versions.update(version=F("version") + 1)


def changes(*names: str) -> Callable:
    """`transaction.atomic` for an action that changes what `names` show: bumped first.

    First, so that on PostgreSQL every such transaction takes the version's row before any
    other lock, and all take their locks in one order. Bumped last, or in the middle (at
    the first audit event), a transaction holding the row and then locking a need would
    deadlock with one holding that need and waiting for the row. The cost: writers of the
    board run one at a time on PostgreSQL too, as every writer does on SQLite.
    """

    def decorator(action: Callable) -> Callable:
        @functools.wraps(action)
        def wrapper(*args, **kwargs):
            with transaction.atomic():
                for name in names:
                    bump(name)
                return action(*args, **kwargs)

        return wrapper

    return decorator


def version(name: str) -> int:
    """The current version of `name` (0 before its first bump).

    Read at every anonymous request, so in plain SQL: through the ORM the same query cost
    three times as much (about 0.7 ms against 0.23 on PostgreSQL, on a busy machine).
    """
    table = connection.ops.quote_name(PublicVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {table} WHERE name = %s", [name])
        row = cursor.fetchone()
    return row[0] if row else 0


def is_anonymous_read(request) -> bool:
    """Whether the request's answer is the one every anonymous visitor gets."""
    if request.method not in ("GET", "HEAD"):
        return False
    if "Authorization" in request.headers:
        return False  # a token, even a bad one, gets its own answer (or its 401)
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False  # a signed-in user, or a message waiting for this reader
    return not request.user.is_authenticated


def cache_key(request, name: str, current: int) -> str:
    query = urlencode(sorted(parse_qsl(request.META.get("QUERY_STRING", ""), True)))
    parts = (
        name,
        str(current),
        # The board's open filter reads today's date: yesterday's answer is not today's.
        timezone.localdate().isoformat(),
        request.path,
        query,
        get_language() or "",
        request.headers.get("HX-Request", ""),
    )
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"public:{name}:{digest}"


def cached_response(request, name: str, build: Callable[[], HttpResponse]) -> HttpResponse:
    """The answer `build` makes, kept under the current version of `name` for anonymous reads.

    The version is read *before* the answer is built. A change that commits after that
    read is either in the answer (then it is kept under the older version, and read only by
    requests that read the older version, before the commit: a newer answer than they
    needed) or not; and every request that starts after the commit reads the new version,
    so it never gets an answer built before the change. Reading the version after building
    would keep a pre-commit answer under the new version: stale until the next change.
    """
    if not is_anonymous_read(request):
        return build()
    key = cache_key(request, name, version(name))
    kept = cache.get(key)
    if kept is None:
        request.public_cache_build = True  # the CSRF token goes in as the placeholder
        try:
            response = build()
        finally:
            request.public_cache_build = False
        if response.status_code != 200 or response.streaming or response.cookies:
            return fill_csrf_token(request, response)
        kept = (
            response.content,
            {header: response[header] for header in KEPT_HEADERS if header in response},
        )
        cache.set(key, kept, TIMEOUT_SECONDS)
    content, headers = kept
    response = HttpResponse(content)
    for header, value in headers.items():
        response[header] = value
    return fill_csrf_token(request, response)


def fill_csrf_token(request, response: HttpResponse) -> HttpResponse:
    """Put the reader's own CSRF token where the kept answer holds the placeholder.

    The page's forms (the language switcher) post with it; asking for it sets the CSRF
    cookie on this answer only, as any page with a form does.
    """
    if response.streaming:
        return response
    placeholder = CSRF_PLACEHOLDER.encode()
    if placeholder in response.content:
        response.content = response.content.replace(placeholder, get_token(request).encode())
    return response


def cached(name: str) -> Callable:
    """Serve a view's anonymous answers through `cached_response` under `name`."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            return cached_response(request, name, lambda: view(request, *args, **kwargs))

        return wrapper

    return decorator


def csrf_placeholder(request) -> dict:
    """Template context: the placeholder as the CSRF token while an answer is built to keep.

    Listed after Django's own csrf processor, so it wins only then; otherwise the page
    gets the reader's token as usual.
    """
    if getattr(request, "public_cache_build", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}
