"""The search benchmark: `search_households` as the household list runs it, timed query by query.

    search_bench.py [--user office-4271] [--queries 200]

On the city demo in the database of DATABASE_URL, as the given user, it times each query
of three kinds, fully evaluated as the list page does (the count, then the first page of
50): a name fragment (surname and first given-name character of a random member), the
exact full ID number of a random member (decrypted here from the member's ciphertext)
and a registry number prefix (the first 15 of a random household's 16 characters). It
prints one line of JSON: p50, p99, mean and worst time per kind, and how many households
the queries found. The ID numbers are never printed. On PostgreSQL it runs ANALYZE first.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = 50  # the household list's page
WARMUP_QUERIES = 5
REGISTRY_PREFIX_LENGTH = 15  # all but the last digit: up to 10 households of a village


def sample_queries(user, count: int, seed: str) -> dict[str, list[str]]:
    """Pick `count` random members the user sees; return each kind's queries from them."""
    from tongxing.personal_data import decrypt
    from tongxing.registry.models import Member
    from tongxing.registry.selectors import households_visible_to

    members = Member.objects.filter(household__in=households_visible_to(user))
    ids = sorted(members.values_list("pk", flat=True))
    picked = random.Random(seed).sample(ids, count)
    by_pk = members.select_related("household").in_bulk(picked)
    chosen = [by_pk[pk] for pk in picked]
    return {
        "name fragment": [m.name[:2] for m in chosen],
        "ID number": [decrypt(m.id_number_ciphertext) for m in chosen],
        "registry number prefix": [
            m.household.registry_number[:REGISTRY_PREFIX_LENGTH] for m in chosen
        ],
    }


def run_query(user, query: str) -> tuple[float, int]:
    """Return the milliseconds the list page's two queries take, and the households found."""
    from tongxing.registry.selectors import search_households

    started = time.perf_counter()
    households = search_households(user, query=query)
    found = households.count()
    list(households[:PAGE_SIZE])
    return (time.perf_counter() - started) * 1000, found


def measure(user, queries: list[str]) -> dict:
    for query in queries[:WARMUP_QUERIES]:
        run_query(user, query)
    times, found = zip(*(run_query(user, query) for query in queries), strict=True)
    centiles = statistics.quantiles(times, n=100, method="inclusive")
    return {
        "queries": len(queries),
        "p50_ms": centiles[49],
        "p99_ms": centiles[98],
        "mean_ms": statistics.fmean(times),
        "max_ms": max(times),
        "median_found": statistics.median(found),
        "found_none": sum(1 for n in found if n == 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--user", default="office-4271")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", default="bench:search")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxing.settings")
    import django

    django.setup()
    from django.db import connection

    from tongxing.accounts.models import User
    from tongxing.registry.selectors import households_visible_to

    analyzed = connection.vendor == "postgresql"
    if analyzed:
        # Gather the planner's statistics, as autovacuum does after a bulk load on a server
        # that runs it; without them PostgreSQL plans the searches for nearly empty tables.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    user = User.objects.get(username=args.user)
    queries = sample_queries(user, args.queries, args.seed)
    report = {
        "user": args.user,
        "households": households_visible_to(user).count(),
        "analyzed": analyzed,
        "kinds": {kind: measure(user, values) for kind, values in queries.items()},
        # One query of each kind but the ID number, for measuring the API over HTTP.
        "examples": {kind: values[0] for kind, values in queries.items() if kind != "ID number"},
    }
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
