"""The sales benchmark: a large sales file, and the sales figures of a year for the city.

    commerce_bench.py sales FILE.xlsx [--rows 200000]   write the sales file
    commerce_bench.py baseline FILE.xlsx                store its raw rows, nothing more
    commerce_bench.py figures [--repeat 5]              time the figures beside SQL
    commerce_bench.py phases FILE.xlsx                  import it, timing each phase

`sales` writes, from the suppliers and budget units of the demo in the database of
DATABASE_URL, a spreadsheet of sales as a platform sends one: every channel, the days of the
demo's year of sales, sellers by their unified social credit code (organisations) or their
registry number (households), the budget unit named for the procurement platform, an order
number on most rows and none on the others. The same demo gives the same file.

`baseline` reads the file with the import's own reader (`read_sales_table`), creates a bare
table `bench_raw_sales` of text columns and inserts every row as it was read, in batches, in
one transaction: what `tongxing import-sales` takes beyond this is the cost of checking,
matching and recording the sales. Prints the rows stored.

`phases` imports the file in process, as the administrator, and prints how long each
phase took: reading and checking the rows, preparing the sales and their audit rows, and
the write transaction alone (on SQLite, how long every other write waits for the import).

`figures`, on the demo, for the first city and the demo's year of sales, times (`--repeat`
times after one untimed run, p50 and worst) the consumption codes of the catalogue
(`engine.compute` of consumption.*) and one hand-written SQL query computing the same
figures, whose values it checks against the engine's. It prints one line of JSON. On
PostgreSQL it runs ANALYZE first, as autovacuum would.
"""

import argparse
import datetime
import itertools
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = "bench:sales"
HEADERS = ("销售日期", "销售主体", "统一社会信用代码", "销售渠道", "销售金额", "订单数", "数量")
HEADERS += ("采购单位", "订单号")
CHANNEL_WORDS = {
    "online": "线上",
    "offline": "线下",
    "procurement": "采购平台",
    "fair_online": "消费会线上",
    "fair_offline": "消费会线下",
}
CHANNEL_SHARES = {
    "online": 40,
    "offline": 30,
    "procurement": 15,
    "fair_online": 8,
    "fair_offline": 7,
}
WITHOUT_ORDER_NUMBER = 0.1  # a tenth of the rows: identified by their cells
BATCH = 1000


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxing.settings")
    import django

    django.setup()


def sales_year() -> tuple[datetime.date, datetime.date]:
    """The demo's year of sales: the year of its last sale, from 1 January to that sale."""
    from django.db.models import Max

    from tongxing.commerce.models import Sale

    last = Sale.objects.aggregate(last=Max("sold_on"))["last"]
    return datetime.date(last.year, 1, 1), last


# --- The file --------------------------------------------------------------------------------


def sales_rows(count: int):
    """Yield `count` rows of sales (tuples in the order of HEADERS)."""
    from collections import Counter

    from tongxing.commerce.models import BUDGET_UNIT_KINDS, Supplier
    from tongxing.registry.models import Organisation

    rng = random.Random(SEED)
    sellers: list[tuple[str, str, bool]] = []  # (name, code, a household's)
    for supplier in Supplier.objects.select_related("organisation", "household").order_by("pk"):
        if supplier.organisation_id:
            organisation = supplier.organisation
            if organisation.credit_code:
                sellers.append(("", organisation.credit_code, False))
        else:
            sellers.append((supplier.household.registry_number, "", True))
    units = Organisation.objects.filter(kind__in=BUDGET_UNIT_KINDS).order_by("pk")
    names = Counter(unit.name for unit in units)
    buyers = [unit.name for unit in units if names[unit.name] == 1]
    first, last = sales_year()
    days = (last - first).days + 1
    channels = list(CHANNEL_SHARES)
    shares = list(CHANNEL_SHARES.values())
    for number in range(count):
        name, code, household = rng.choice(sellers)
        channel = rng.choices(channels, shares)[0]
        day = first + datetime.timedelta(days=rng.randrange(days))
        scale = 1 if household else 20
        amount = rng.randint(20, 2000) * scale + rng.randint(0, 99) / 100
        orders = rng.randint(1, 20)
        buyer = rng.choice(buyers) if channel == "procurement" and buyers else ""
        order = "" if rng.random() < WITHOUT_ORDER_NUMBER else f"BENCH-{number + 1:07d}"
        yield (
            day.isoformat(),
            name,
            code,
            CHANNEL_WORDS[channel],
            f"{amount:.2f}",
            orders,
            orders * rng.randint(1, 5),
            buyer,
            order,
        )


def write_sales(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("销售明细")
    sheet.append(["消费帮扶销售明细表"])  # a title row above the header, as offices write
    sheet.append(HEADERS)
    for row in sales_rows(rows):
        sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


# --- The baseline ----------------------------------------------------------------------------


def store_raw(path: Path) -> int:
    from django.db import connection, transaction

    from tongxing.commerce.imports import read_sales_table

    table = read_sales_table(path)
    columns = list(table.columns)  # our names, ASCII: safe as SQL column names
    definitions = ", ".join(f"{column} text" for column in columns)
    insert = (
        f"INSERT INTO bench_raw_sales (row_number, {', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * (len(columns) + 1))})"
    )
    stored = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_sales")
        cursor.execute(f"CREATE TABLE bench_raw_sales (row_number integer, {definitions})")
        # The rows stream from the file: take them a batch at a time.
        rows = iter(table.rows)
        while batch := list(itertools.islice(rows, BATCH)):
            cursor.executemany(
                insert, [(number, *(row.get(c, "") for c in columns)) for number, row in batch]
            )
            stored += len(batch)
    return stored


# --- The figures -----------------------------------------------------------------------------


HAND_WRITTEN = """
SELECT
  COALESCE(SUM(CASE WHEN s.channel = 'online' THEN s.amount_fen ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN s.channel = 'offline' THEN s.amount_fen ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN p.household_id IS NOT NULL THEN s.amount_fen ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN p.organisation_id IS NOT NULL THEN s.amount_fen ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN s.channel = 'procurement' THEN s.amount_fen ELSE 0 END), 0),
  (SELECT COUNT(DISTINCT l.supplier_id) FROM commerce_pavilionlisting l
    WHERE l.region_id >= %(low)s AND l.region_id < %(high)s AND l.listed_from < %(after)s
      AND (l.listed_until IS NULL OR l.listed_until >= %(first)s)),
  (SELECT COUNT(DISTINCT l.product_id) FROM commerce_pavilionlisting l
    WHERE l.region_id >= %(low)s AND l.region_id < %(high)s AND l.listed_from < %(after)s
      AND (l.listed_until IS NULL OR l.listed_until >= %(first)s))
FROM commerce_sale s JOIN commerce_supplier p ON p.id = s.seller_id
WHERE s.region_id >= %(low)s AND s.region_id < %(high)s
  AND s.sold_on >= %(first)s AND s.sold_on < %(after)s AND s.assisted
"""
CODES = (
    "consumption.sales.online_fen",
    "consumption.sales.offline_fen",
    "consumption.sales.household_own_fen",
    "consumption.sales.other_entities_fen",
    "consumption.procurement_fen",
    "consumption.pavilion.suppliers",
    "consumption.pavilion.products",
)


def hand_written(prefix: str, first: datetime.date, last: datetime.date) -> dict:
    from django.db import connection

    from tongxing.queries import TOP

    with connection.cursor() as cursor:
        cursor.execute(
            HAND_WRITTEN,
            {
                "low": prefix,
                "high": prefix + TOP,
                "first": first,
                "after": last + datetime.timedelta(days=1),
            },
        )
        values = cursor.fetchone()
    return {code: int(value or 0) for code, value in zip(CODES, values, strict=True)}


def timed(fn, repeat: int) -> dict:
    fn()  # untimed: warms the caches as a second reader finds them
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return {"p50_ms": statistics.median(times), "max_ms": max(times)}


def figures(repeat: int) -> dict:
    from django.db import connection

    from tongxing.commerce.models import Sale
    from tongxing.indicators import engine
    from tongxing.indicators.catalogue import BY_CODE
    from tongxing.regions.codes import Level
    from tongxing.regions.models import Region

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    city = Region.objects.filter(level=Level.CITY).order_by("code").first()
    year = sales_year()[1].year
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    codes = sorted(code for code in BY_CODE if code.startswith("consumption."))

    def computed() -> dict:
        found = engine.compute(city.prefix, first, last, codes=codes)
        return {code: found[code].value for code in codes}

    mine = computed()
    baseline = hand_written(city.prefix, first, last)
    return {
        "engine": connection.vendor,
        "region": city.code,
        "period": [first.isoformat(), last.isoformat()],
        "sales": Sale.objects.filter(sold_on__gte=first, sold_on__lte=last).count(),
        "codes": codes,
        "values": mine,
        "mismatched": {
            code: (mine.get(code), baseline.get(code))
            for code in sorted(set(mine) | set(baseline))
            if mine.get(code) != baseline.get(code)
        },
        "engine_compute": timed(computed, repeat),
        "hand_written_sql": timed(lambda: hand_written(city.prefix, first, last), repeat),
    }


def phases(path: Path) -> dict:
    from tongxing.commerce import actions
    from tongxing.commerce.imports import import_sales, read_sales_table

    marks: dict[str, float] = {}
    write = actions.write_sales

    def timed_write(plan, *, by):
        marks["prepared"] = time.perf_counter()
        try:
            return write(plan, by=by)
        finally:
            marks["written"] = time.perf_counter()

    # Timed from outside: the import calls the action through its module.
    actions.write_sales = timed_write
    started = time.perf_counter()
    table = read_sales_table(path)
    result = import_sales(
        rows=table.rows, by=None, saving=lambda: marks.setdefault("checked", time.perf_counter())
    )
    ended = time.perf_counter()
    return {
        "rows_read": result.rows_read,
        "rows_imported": result.rows_imported,
        "errors": len(result.errors),
        "read_and_check_s": marks["checked"] - started,
        "prepare_s": marks["prepared"] - marks["checked"],
        "transaction_s": marks["written"] - marks["prepared"],
        "total_s": ended - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    sales = commands.add_parser("sales", help="write the sales file from the demo's suppliers")
    sales.add_argument("file", type=Path)
    sales.add_argument("--rows", type=int, default=200_000)
    baseline = commands.add_parser("baseline", help="store the file's raw rows in a bare table")
    baseline.add_argument("file", type=Path)
    phased = commands.add_parser("phases", help="import the file, timing each phase")
    phased.add_argument("file", type=Path)
    timing = commands.add_parser("figures", help="the sales figures beside hand-written SQL")
    timing.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_django()
    if args.command == "sales":
        write_sales(args.file, args.rows)
    elif args.command == "baseline":
        print(store_raw(args.file))
    elif args.command == "phases":
        print(json.dumps(phases(args.file)))
    else:
        print(json.dumps(figures(args.repeat), default=str))


if __name__ == "__main__":
    main()
