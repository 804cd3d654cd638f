"""The indicators benchmark: the whole catalogue and the township table of a year.

    indicators_bench.py [--repeat 5] [--level city|province]

On the demo in the database of DATABASE_URL, for the first city (or, with `--level
province`, the top region: the whole province demo) and this year to today, it
times (`--repeat` times after one untimed run, p50 and worst):
- `engine.compute`: every computed code of the catalogue, one query per table;
- `engine.compute_by(…, TOWNSHIP)`: the same for every township, one grouped query per table;
- each computed code alone (its measures evaluated by themselves), for the ten slowest;
- the baseline: the same figures by one hand-written SQL query per section of the report
  (section 4, the micro-wishes; section 6, the platform), whose values it checks against
  the engine's.
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


def hand_written(region: str, start: datetime.date, end: datetime.date) -> dict:
    """The computed figures by one SQL query per section, written by hand."""
    from django.db import connection

    from tongxing.access import Role
    from tongxing.figures import window
    from tongxing.needs.models import ACTIVE_PLEDGE, Kind, PledgeStatus
    from tongxing.queries import TOP
    from tongxing.registry.models import HouseholdStatus

    w = window(start, end)
    low, high = region, region + TOP
    active = tuple(str(s) for s in ACTIVE_PLEDGE)
    given = (str(PledgeStatus.DELIVERED), str(PledgeStatus.CONFIRMED))
    in_need = (str(HouseholdStatus.REGISTERED_POOR), str(HouseholdStatus.UNDER_MONITORING))
    admins = (str(Role.CITY_ADMIN), str(Role.TOWNSHIP_ADMIN), str(Role.VILLAGE_ADMIN))
    wish_pledges = """FROM needs_pledge p JOIN needs_need n ON n.id = p.need_id
        WHERE n.village_id >= %s AND n.village_id < %s AND n.kind = %s"""
    section_4 = f"""SELECT
        (SELECT COUNT(DISTINCT child_id) FROM needs_need WHERE village_id >= %s
            AND village_id < %s AND kind = %s AND published_at >= %s AND published_at < %s),
        (SELECT COALESCE(SUM(p.value_fen), 0) {wish_pledges} AND p.status IN (%s, %s, %s)
            AND p.created_at >= %s AND p.created_at < %s),
        (SELECT COUNT(DISTINCT substr(n.village_id, 1, 9)) {wish_pledges}
            AND p.status IN (%s, %s, %s) AND p.created_at >= %s AND p.created_at < %s),
        (SELECT COUNT(DISTINCT n.child_id) {wish_pledges} AND p.status IN (%s, %s)
            AND p.delivered_at >= %s AND p.delivered_at < %s),
        (SELECT COUNT(*) FROM registry_member m JOIN registry_household h
            ON h.id = m.household_id WHERE h.village_id >= %s AND h.village_id < %s
            AND m.left_behind_child AND h.status IN (%s, %s))"""
    wish = str(Kind.WISH)
    params_4 = [
        *(low, high, wish, w.start, w.end),
        *(low, high, wish, *active, w.start, w.end),
        *(low, high, wish, *active, w.start, w.end),
        *(low, high, wish, *given, w.start, w.end),
        *(low, high, *in_need),
    ]
    kinds = (str(Kind.GOODS), str(Kind.FUNDS))
    section_6 = """SELECT
        (SELECT COUNT(*) FROM accounts_user WHERE role = %s AND date_joined < %s),
        (SELECT COUNT(*) FROM registry_household WHERE village_id >= %s AND village_id < %s
            AND created_at < %s),
        (SELECT COUNT(*) FROM accounts_user WHERE region_id >= %s AND region_id < %s
            AND role IN (%s, %s, %s) AND is_active AND date_joined < %s),
        n.goods_posted, n.goods_matched, n.funds_posted, n.funds_matched, n.matched, n.confirmed
        FROM (SELECT
            SUM(CASE WHEN kind = %s THEN 1 ELSE 0 END) AS goods_posted,
            SUM(CASE WHEN kind = %s AND matched_at < %s THEN 1 ELSE 0 END) AS goods_matched,
            SUM(CASE WHEN kind = %s THEN 1 ELSE 0 END) AS funds_posted,
            SUM(CASE WHEN kind = %s AND matched_at < %s THEN 1 ELSE 0 END) AS funds_matched,
            SUM(CASE WHEN matched_at < %s THEN 1 ELSE 0 END) AS matched,
            SUM(CASE WHEN matched_at < %s AND confirmed_at < %s THEN 1 ELSE 0 END) AS confirmed
            FROM needs_need WHERE village_id >= %s AND village_id < %s AND published_at < %s
        ) n"""
    params_6 = [
        str(Role.DONOR),
        w.end,
        *(low, high, w.end),
        *(low, high, *admins, w.end),
        kinds[0],
        *(kinds[0], w.end),
        kinds[1],
        *(kinds[1], w.end),
        w.end,
        *(w.end, w.end),
        *(low, high, w.end),
    ]
    with connection.cursor() as cursor:
        cursor.execute(section_4, params_4)
        children, raised, townships, fulfilled, children_in_need = cursor.fetchone()
        cursor.execute(section_6, params_6)
        row = cursor.fetchone()
    donors, households, admins_count, gp, gm, fp, fm, matched, confirmed = row
    return {
        "wishes.children": children,
        "wishes.raised_fen": raised,
        "wishes.townships": townships,
        "wishes.fulfilled_children": fulfilled,
        "wishes.children_in_need": children_in_need,
        "platform.donors_registered": donors,
        "platform.households_registered": households,
        "platform.admins": admins_count,
        "needs.goods.posted": gp or 0,
        "needs.goods.matched": gm or 0,
        "needs.funds.posted": fp or 0,
        "needs.funds.matched": fm or 0,
        "needs.matched": matched or 0,
        "needs.confirmed": confirmed or 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--level", choices=("city", "province"), default="city")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxing.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from tongxing import figures
    from tongxing.indicators import engine
    from tongxing.indicators.catalogue import INDICATORS, MEASURES
    from tongxing.regions.codes import Level
    from tongxing.regions.models import Region

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    level = Level.CITY if args.level == "city" else Level.PROVINCE
    city = Region.objects.filter(level=level).order_by("code").first()
    region = city.prefix
    end = timezone.localdate()
    start = datetime.date(end.year, 1, 1)
    period = figures.window(start, end)

    computed = engine.compute(region, start, end)
    baseline = hand_written(region, start, end)
    engine_values = figures.evaluate({code: MEASURES[code] for code in baseline}, region, period)
    mismatched = {
        code: (engine_values[code], value)
        for code, value in baseline.items()
        if engine_values[code] != value
    }
    alone = {}
    for indicator in INDICATORS:
        if not indicator.recorded or indicator.of_period is not None:
            continue
        measures = {code: MEASURES[code] for code in indicator.parts or (indicator.code,)}
        alone[indicator.code] = timed(
            lambda measures=measures: figures.evaluate(measures, region, period), args.repeat
        )["p50_ms"]
    slowest = sorted(alone.items(), key=lambda item: -item[1])[:10]
    result = {
        "engine": connection.vendor,
        "region": city.code,
        "level": args.level,
        "period": [start.isoformat(), end.isoformat()],
        "computed_codes": sum(1 for f in computed.values() if f.state == "computed"),
        "catalogue": timed(lambda: engine.compute(region, start, end), args.repeat),
        "township_table": timed(
            lambda: engine.compute_by(region, start, end, Level.TOWNSHIP), args.repeat
        ),
        "townships": Region.objects.filter(level=Level.TOWNSHIP, code__startswith=region).count(),
        "hand_written_sql": timed(lambda: hand_written(region, start, end), args.repeat),
        "engine_same_figures": timed(
            lambda: figures.evaluate({c: MEASURES[c] for c in baseline}, region, period),
            args.repeat,
        ),
        "slowest_alone_ms": slowest,
        "mismatched": mismatched,
        "figures": {code: baseline[code] for code in sorted(baseline)},
    }
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
