"""The audit log benchmark: the page `/accounts/audit/` as the city office reads it.

    audit_bench.py [--user office-4271] [--repeat 20]

On the city demo in the database of DATABASE_URL (about 680,000 events), as the given user,
it times each case two ways, `--repeat` times after two untimed runs: the whole page,
through Django's test client in this process (the view, its queries, the sentences and the
template; no network), and the SQL alone (the count and the page's fifty events, as the
view asks for them). The cases: the newest events; a page deep in the log; each filter
(who, what, which object, which days) alone and two together. It prints one line of JSON:
p50 and p99 per case, with how many events the case finds. On PostgreSQL it runs VACUUM
ANALYZE on the log and ANALYZE on the rest first, as autovacuum would.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARMUP = 2


def cases(user) -> dict[str, dict[str, str]]:
    """The filters of each case, picked from the demo's own log."""
    from django.db.models import Count
    from django.utils import timezone

    from tongxing.accounts.models import User
    from tongxing.accounts.selectors import audit_events_visible_to

    visible = audit_events_visible_to(user)
    # A day in the thick of the log: the day of its middle event (the demo's recorded year).
    middle = visible.order_by("at").values_list("at", flat=True)[visible.count() // 2]
    day = timezone.localtime(middle).date()
    busiest = (
        visible.exclude(actor=None)
        .values("actor")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("actor", flat=True)
        .first()
    )
    staff = User.objects.filter(pk=busiest).values_list("username", flat=True).first()
    household = (
        visible.filter(object_type="registry.household").values_list("object_id", flat=True).last()
    )
    need = visible.filter(action="need.closed").values_list("object_id", flat=True).last()
    month_ago = day - datetime.timedelta(days=30)
    return {
        "newest": {},
        "page 100": {"page": "100"},
        "who: the busiest staff account": {"actor": staff or ""},
        "who: the office itself": {"actor": user.username},
        "what: need.created (common)": {"action": "need.created"},
        "what: need.reopened (rare)": {"action": "need.reopened"},
        "object: a household's history": {
            "object_type": "registry.household",
            "object_id": household or "",
        },
        "object: a need's history": {"object_type": "needs.need", "object_id": need or ""},
        "days: one day": {"since": str(day), "until": str(day)},
        "days: 30 days": {"since": str(month_ago), "until": str(day)},
        "what and days: published in 30 days": {
            "action": "need.published",
            "since": str(month_ago),
            "until": str(day),
        },
    }


def page_ms(client, query: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.get("/accounts/audit/", query)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{query}: status {response.status_code}")
    return elapsed


def sql_ms(user, query: dict[str, str]) -> tuple[float, int]:
    from tongxing.accounts import selectors

    filters = {k: v for k, v in query.items() if k != "page"}
    for name in ("since", "until"):
        if name in filters:
            filters[name] = datetime.date.fromisoformat(filters[name])
    page = int(query.get("page", "1"))
    started = time.perf_counter()
    cleaned = selectors.AuditFilters(**filters)
    found = selectors.count_audit_events_visible_to(user, cleaned)
    start = (page - 1) * 50
    list(
        selectors.audit_events_visible_to(user, cleaned).select_related("actor")[start : start + 50]
    )
    return (time.perf_counter() - started) * 1000, found


def centiles(times: list[float]) -> dict:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49], 2),
        "p99_ms": round(cuts[98], 2),
        "max_ms": round(max(times), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--user", default="office-4271")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxing.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from tongxing.accounts.models import User
    from tongxing.audit.models import AuditEvent

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if connection.vendor == "postgresql":
        # As autovacuum would after the demo's bulk loads: statistics, and the visibility
        # map without which a count cannot be answered from an index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE accounts_auditevent")
            cursor.execute("ANALYZE")
    user = User.objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    results = {}
    for name, query in cases(user).items():
        for _ in range(WARMUP):
            page_ms(client, query)
            sql_ms(user, query)
        pages = [page_ms(client, query) for _ in range(args.repeat)]
        sqls, found = zip(*(sql_ms(user, query) for _ in range(args.repeat)), strict=True)
        results[name] = {
            "query": query,
            "found": found[0],
            "page": centiles(pages),
            "sql": centiles(list(sqls)),
        }
    print(
        json.dumps(
            {
                "engine": connection.vendor,
                "user": args.user,
                "events": AuditEvent.objects.count(),
                "repeat": args.repeat,
                "cases": results,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
