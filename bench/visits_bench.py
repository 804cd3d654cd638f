"""The visits benchmark: the coverage of the whole city for a year.

    visits_bench.py [--repeat 5]

On the demo in the database of DATABASE_URL, for the first city and the demo's year (the
last year with visits), it times (`--repeat` times after one untimed run, p50 and worst):
- `visits.selectors.coverage`: every poor household of the city marked visited or not by
  its assigned cadre, by its township's party secretary and by anyone, with the gaps by
  village and by cadre and the villages the city's leaders visited (what the coverage
  page and its export show);
- the visit figures of the catalogue (`engine.compute` of the visits' codes);
- the baseline: one hand-written SQL query counting the poor households visited by
  anyone, by their cadre and by their township's secretary, whose counts it checks
  against the coverage's.
It prints one line of JSON. On PostgreSQL it runs ANALYZE first, as autovacuum would.
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


def timed(fn, repeat: int) -> dict:
    fn()  # untimed: warms the caches as a second reader finds them
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return {"p50_ms": statistics.median(times), "max_ms": max(times)}


HAND_WRITTEN = """
SELECT COUNT(*),
  SUM(CASE WHEN EXISTS (SELECT 1 FROM visits_visit v WHERE v.household_id = h.id
        AND v.visited_on BETWEEN %(first)s AND %(last)s) THEN 1 ELSE 0 END),
  SUM(CASE WHEN EXISTS (SELECT 1 FROM visits_visit v
        JOIN registry_helperassignment a ON a.person_id = v.visitor_id AND a.household_id = h.id
        WHERE v.household_id = h.id AND v.visited_on BETWEEN %(first)s AND %(last)s
          AND a.since <= %(last)s AND (a.until IS NULL OR a.until >= %(first)s))
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN EXISTS (SELECT 1 FROM visits_visit v WHERE v.household_id = h.id
        AND v.visited_on BETWEEN %(first)s AND %(last)s
        AND v.position = 'township_party_secretary'
        AND v.visitor_region_id = SUBSTR(h.village_id, 1, 9) || '000') THEN 1 ELSE 0 END)
FROM registry_household h
WHERE h.village_id >= %(low)s AND h.village_id < %(high)s AND h.status IN %(in_need)s
"""


def hand_written(prefix: str, first: datetime.date, last: datetime.date) -> dict:
    from django.db import connection

    from tongxing.needs.figures import IN_NEED
    from tongxing.queries import TOP

    with connection.cursor() as cursor:
        sql = HAND_WRITTEN.replace("%(in_need)s", "(%(need_a)s, %(need_b)s)")
        cursor.execute(
            sql,
            {
                "first": first,
                "last": last,
                "low": prefix,
                "high": prefix + TOP,
                "need_a": str(IN_NEED[0]),
                "need_b": str(IN_NEED[1]),
            },
        )
        poor, anyone, cadre, secretary = cursor.fetchone()
    return {
        "poor_households": poor,
        "by_anyone": anyone or 0,
        "by_cadre": cadre or 0,
        "by_township_secretary": secretary or 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxing.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Max

    from tongxing.indicators import engine
    from tongxing.regions.codes import Level
    from tongxing.regions.models import Region
    from tongxing.visits import selectors
    from tongxing.visits.figures import MEASURES
    from tongxing.visits.models import Visit

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    city = Region.objects.filter(level=Level.CITY).order_by("code").first()
    year = Visit.objects.aggregate(last=Max("visited_on"))["last"].year
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    found = selectors.coverage(city, first, last)
    baseline = hand_written(city.prefix, first, last)
    mine = {
        "poor_households": found.poor_households,
        "by_anyone": found.poor_households - len(found.not_by_anyone),
        "by_cadre": found.poor_households - len(found.not_by_cadre),
        "by_township_secretary": found.poor_households - len(found.not_by_township_secretary),
    }
    codes = [code for code in engine.BY_CODE if code.startswith("visits.")]
    result = {
        "engine": connection.vendor,
        "region": city.code,
        "period": [first.isoformat(), last.isoformat()],
        "visits": Visit.objects.filter(visited_on__gte=first, visited_on__lte=last).count(),
        "counts": mine,
        "mismatched": {k: (mine[k], baseline[k]) for k in mine if mine[k] != baseline[k]},
        "coverage": timed(lambda: selectors.coverage(city, first, last), args.repeat),
        "hand_written_sql": timed(lambda: hand_written(city.prefix, first, last), args.repeat),
        "visit_figures": timed(
            lambda: engine.compute(city.prefix, first, last, codes=codes), args.repeat
        ),
        "measures": sorted(MEASURES),
    }
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
