"""The visits benchmark: the coverage of the whole city for a year, and visits saved through
the API by 16 cadres at once.

    visits_bench.py coverage [--repeat 5]     the coverage (JSON)
    visits_bench.py load-setup FILE           16 cadres of the demo, their households and a
                                              bearer token each, written to FILE
    visits_bench.py load FILE --base URL      the 16 cadres POST visits at once over HTTP (JSON)
    visits_bench.py load-check FILE           every visit of the run saved once, as sent (JSON)

All but `load` work on the database of DATABASE_URL; `load` talks HTTP only.

The coverage: on the demo, for the first city and the demo's year (the last year with
visits), it times (`--repeat` times after one untimed run, p50 and worst):
- `visits.selectors.coverage`: every poor household of the city marked visited or not by
  its assigned cadre, by its township's party secretary and by anyone, with the gaps by
  village and by cadre and the villages the city's leaders visited (what the coverage
  page and its export show);
- the visit figures of the catalogue (`engine.compute` of the visits' codes);
- the baseline: one hand-written SQL query counting the poor households visited by
  anyone, by their cadre and by their township's secretary, whose counts it checks
  against the coverage's.
On PostgreSQL it runs ANALYZE first, as autovacuum would.

The load: 16 cadres of the demo (each township's cadre login, with the households assigned
to it), each with a bearer token of their own, POST 40 visits each to `/api/v1/visits`
with an Idempotency-Key (every 5th sent twice, as a phone retries after a lost answer), to
the households assigned to them, on days of the last four weeks, each with a line of grain
and oil. Then the check: one visit per key, by the cadre's own person, to the household
sent, and one `visit.recorded` event each.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

from needs_bench import post_with_key  # run as a script: bench/ is on the path

ROOT = Path(__file__).resolve().parent.parent
CADRES = 16
VISITS_PER_CADRE = 40
RETRY_EVERY = 5  # every 5th visit is sent twice with the same key, as a retry would


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxing.settings")
    import django

    django.setup()


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


def coverage(repeat: int) -> dict:
    from django.db import connection
    from django.db.models import Max

    from tongxing.indicators import engine
    from tongxing.indicators.catalogue import BY_CODE
    from tongxing.regions.codes import Level
    from tongxing.regions.models import Region
    from tongxing.visits import selectors
    from tongxing.visits.figures import MEASURES
    from tongxing.visits.models import Visit

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    city = Region.objects.filter(level=Level.CITY).order_by("code").first()
    # The demo's year: the visits of a load run (keys `vb-…`, dated this month) left out.
    demo_visits = Visit.objects.exclude(client_key__startswith="vb-")
    year = demo_visits.aggregate(last=Max("visited_on"))["last"].year
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    found = selectors.coverage(city, first, last)
    baseline = hand_written(city.prefix, first, last)
    mine = {
        "poor_households": found.poor_households,
        "by_anyone": found.poor_households - len(found.not_by_anyone),
        "by_cadre": found.poor_households - len(found.not_by_cadre),
        "by_township_secretary": found.poor_households - len(found.not_by_township_secretary),
    }
    codes = [code for code in BY_CODE if code.startswith("visits.")]
    result = {
        "engine": connection.vendor,
        "region": city.code,
        "period": [first.isoformat(), last.isoformat()],
        "visits": Visit.objects.filter(visited_on__gte=first, visited_on__lte=last).count(),
        "counts": mine,
        "mismatched": {k: (mine[k], baseline[k]) for k in mine if mine[k] != baseline[k]},
        "coverage": timed(lambda: selectors.coverage(city, first, last), repeat),
        "hand_written_sql": timed(lambda: hand_written(city.prefix, first, last), repeat),
        "visit_figures": timed(
            lambda: engine.compute(city.prefix, first, last, codes=codes), repeat
        ),
        "measures": sorted(MEASURES),
    }
    return result


# --- Visits under load ----------------------------------------------------------------------


def load_setup(path: Path) -> None:
    """Pick the cadres and their households; issue each a token (kept out of the results)."""
    from django.db.models import Q
    from django.utils import timezone

    from tongxing.access import Role
    from tongxing.accounts.actions import issue_token
    from tongxing.accounts.models import User
    from tongxing.registry.selectors import households_visible_to

    today = timezone.localdate()
    cadres = []
    accounts = User.objects.filter(role=Role.CADRE, is_active=True, person__isnull=False)
    for account in accounts.order_by("username"):
        open_now = Q(assignments__until__isnull=True) | Q(assignments__until__gte=today)
        households = list(
            households_visible_to(account)
            .filter(open_now, assignments__person__account=account)
            .values_list("pk", flat=True)
            .distinct()
            .order_by("pk")
        )
        if households:
            cadres.append({"user": account, "households": households})
        if len(cadres) == CADRES:
            break
    if len(cadres) < CADRES:
        raise SystemExit(f"only {len(cadres)} cadres with households: build the city demo first")
    run = f"{int(time.time())}"  # the run's keys: a second run saves its own visits
    path.write_text(
        json.dumps(
            {
                "run": run,
                "today": today.isoformat(),
                "cadres": [
                    {
                        "id": cadre["user"].pk,
                        "households": cadre["households"],
                        "token": issue_token(user=cadre["user"])[0],
                    }
                    for cadre in cadres
                ],
            }
        )
    )


def visit_body(household: int, day: datetime.date, n: int, i: int) -> dict:
    return {
        "visited_on": day.isoformat(),
        "household_id": household,
        "purpose": "condolence",
        "findings": f"压力测试：第 {n} 位干部的第 {i} 次走访。",
        "deliveries": [{"kind": "grain_oil", "quantity": 20}],
    }


def send_visit(base: str, token: str, body: dict, key: str) -> tuple[int, bool, float]:
    """POST one visit; return the status, whether it was a replay, and the seconds."""
    return post_with_key(f"{base}/api/v1/visits", token, body, key)


def planned(setup: dict):
    """Every visit of the run: (cadre's index, its number, key, body)."""
    today = datetime.date.fromisoformat(setup["today"])
    for n, cadre in enumerate(setup["cadres"]):
        rng = random.Random(f"visits-bench:{n}")
        for i in range(VISITS_PER_CADRE):
            household = cadre["households"][i % len(cadre["households"])]
            day = today - datetime.timedelta(days=rng.randrange(28))
            yield n, i, f"vb-{setup['run']}-{n}-{i}", visit_body(household, day, n, i)


def load(path: Path, base: str) -> dict:
    """Run the cadres at once; each sends its visits one after another."""
    setup = json.loads(path.read_text())
    plans: list[list[tuple[str, dict]]] = [[] for _ in setup["cadres"]]
    for n, _i, key, body in planned(setup):
        plans[n].append((key, body))
    results: list[list[tuple[int, bool, float]]] = [[] for _ in setup["cadres"]]
    start = threading.Barrier(len(plans) + 1)

    def cadre(n: int) -> None:
        token = setup["cadres"][n]["token"]
        start.wait()
        for i, (key, body) in enumerate(plans[n]):
            results[n].append(send_visit(base, token, body, key))
            if i % RETRY_EVERY == 0:  # the phone did not see the answer: it sends again
                results[n].append(send_visit(base, token, body, key))

    threads = [threading.Thread(target=cadre, args=(n,)) for n in range(len(plans))]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    answers = [answer for cadre_results in results for answer in cadre_results]
    times = [elapsed * 1000 for _status, _replayed, elapsed in answers]
    centiles = statistics.quantiles(times, n=100, method="inclusive")
    saved = sum(1 for status, _replayed, _ in answers if status == 201)
    return {
        "cadres": len(plans),
        "requests": len(answers),
        "saved": saved,
        "replayed": sum(1 for status, replayed, _ in answers if status == 200 and replayed),
        "errors": sum(1 for status, _replayed, _ in answers if status not in (200, 201)),
        "seconds": seconds,
        "requests_per_second": len(answers) / seconds,
        "visits_per_second": saved / seconds,
        "p50_ms": centiles[49],
        "p99_ms": centiles[98],
    }


def load_check(path: Path) -> dict:
    """Every visit of the run saved once, by the cadre's own person, as it was sent."""
    from tongxing.audit.models import AuditEvent
    from tongxing.registry.models import Person
    from tongxing.visits.models import Visit, VisitDelivery

    setup = json.loads(path.read_text())
    sent = {key: (n, body) for n, _i, key, body in planned(setup)}
    persons = dict(
        Person.objects.filter(
            account_id__in=[cadre["id"] for cadre in setup["cadres"]]
        ).values_list("account_id", "pk")
    )
    visits = list(
        Visit.objects.filter(client_key__startswith=f"vb-{setup['run']}-").values(
            "pk", "client_key", "visitor_id", "household_id", "visited_on", "recorded_by_id"
        )
    )
    keys = [visit["client_key"] for visit in visits]
    wrong = []
    for visit in visits:
        n, body = sent.get(visit["client_key"], (None, None))
        cadre = setup["cadres"][n]["id"] if n is not None else None
        if body is None or (
            visit["visitor_id"],
            visit["recorded_by_id"],
            visit["household_id"],
            visit["visited_on"].isoformat(),
        ) != (persons.get(cadre), cadre, body["household_id"], body["visited_on"]):
            wrong.append(visit["client_key"])
    ids = [visit["pk"] for visit in visits]
    events = AuditEvent.objects.filter(
        action="visit.recorded", object_type="visits.visit", object_id__in=[str(pk) for pk in ids]
    ).count()
    lines = VisitDelivery.objects.filter(visit_id__in=ids).count()
    result = {
        "sent": len(sent),
        "saved": len(visits),
        "missing": len(set(sent) - set(keys)),
        "saved_twice": len(keys) - len(set(keys)),
        "not_as_sent": len(wrong),
        "recorded_events": events,
        "delivery_lines": lines,
    }
    result["ok"] = (
        result["saved"] == result["sent"] == events == lines
        and not result["missing"]
        and not result["saved_twice"]
        and not result["not_as_sent"]
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("coverage").add_argument("--repeat", type=int, default=5)
    for name in ("load-setup", "load-check"):
        commands.add_parser(name).add_argument("file", type=Path)
    load_parser = commands.add_parser("load")
    load_parser.add_argument("file", type=Path)
    load_parser.add_argument("--base", required=True)
    args = parser.parse_args()
    if args.command == "load":
        print(json.dumps(load(args.file, args.base)))
        return
    setup_django()
    if args.command == "coverage":
        print(json.dumps(coverage(args.repeat), default=str))
    elif args.command == "load-setup":
        load_setup(args.file)
    else:
        print(json.dumps(load_check(args.file)))


if __name__ == "__main__":
    main()
