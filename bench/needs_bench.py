"""What the needs benchmarks need besides the server: a bigger board, funding needs to
contribute to, 32 clients contributing at once, and the check that nothing was over-funded.

    needs_bench.py board-info             the board's size and a township to filter by (JSON)
    needs_bench.py grow --to 10000        copy the published needs until the board holds that many
    needs_bench.py contrib-setup FILE     funding needs and 32 donors' tokens, written to FILE
    needs_bench.py contrib-load FILE --base URL --case hot|many
                                          32 clients contribute at once over HTTP (JSON)
    needs_bench.py contrib-check FILE     every need of the run: pledged within its target
                                          and equal to the sum of its active pledge lines

All but contrib-load work on the database of DATABASE_URL; contrib-load talks HTTP only.
"""

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 32
REQUESTS_PER_CLIENT = 40
RETRY_EVERY = 5  # every 5th contribution is sent twice with the same key, as a retry would
AMOUNT_FEN = 100_00  # ¥100 a contribution
# The hot need holds about two thirds of the run's contributions; the many needs together
# about four fifths: both fill up, so the run has refusals as well as acceptances.
HOT_CAPACITY = 850
MANY_NEEDS = 100
MANY_CAPACITY = 10  # contributions each
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxing.settings")
    import django

    django.setup()


def analyze() -> None:
    """Gather the planner's statistics after a bulk load, as PostgreSQL's autovacuum and
    the daily `tongxing needs-sweep` (SQLite) would."""
    from tongxing.queries import refresh_statistics

    refresh_statistics()


# --- The board ---------------------------------------------------------------------------------


def board_info() -> dict:
    from django.db.models import Count, F

    from tongxing.needs.models import Need, Status

    analyze()
    published = Need.objects.filter(status=Status.PUBLISHED)
    busiest = (
        published.values("village__parent_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "village__parent_id")
        .first()
    )
    return {
        "needs": Need.objects.count(),
        "published": published.count(),
        "open": published.filter(pledged__lt=F("target")).count(),
        "township": busiest["village__parent_id"] if busiest else "",
        "township_published": busiest["n"] if busiest else 0,
    }


def grow(target: int) -> dict:
    """Copy the published needs until the board holds `target` of them (a read benchmark's
    fixture: a board far fuller than the demo's).

    The copies keep every column but the key: the same villages, progress and deadlines.
    They are not made through the actions and have no pledge lines, events or
    notifications; the board reads the needs table alone.
    """
    from django.db import connection, transaction

    from tongxing import public_cache
    from tongxing.needs.models import Need, Status

    before = Need.objects.filter(status=Status.PUBLISHED).count()
    fields = [f for f in Need._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Need._meta.db_table)
    status = connection.ops.quote_name(Need._meta.get_field("status").column)
    with transaction.atomic(), connection.cursor() as cursor:
        # Written behind the actions' back: the kept public answers are old now.
        public_cache.bump("board")
        count = before
        while 0 < count < target:
            limit = target - count
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table} "
                f"WHERE {status} = %s ORDER BY id LIMIT %s",
                [Status.PUBLISHED.value, limit],
            )
            count += min(limit, count)
    analyze()
    return {"before": before, **board_info()}


# --- Contributions -------------------------------------------------------------------------------


def contrib_setup(path: Path) -> None:
    """Publish the funding needs of the run, through the actions, and issue the tokens."""
    import datetime

    from django.utils import timezone

    from tongxing.access import Role
    from tongxing.accounts.actions import issue_token
    from tongxing.accounts.models import User
    from tongxing.needs.actions import posting, review
    from tongxing.needs.models import Category, FundingPolicy, Kind
    from tongxing.regions.codes import Level
    from tongxing.regions.models import Region

    villages = list(Region.objects.filter(level=Level.VILLAGE).order_by("code")[:MANY_NEEDS])
    deadline = timezone.localdate() + datetime.timedelta(days=30)

    def publish(village, title: str, contributions: int) -> int:
        data = posting.NeedData(
            kind=Kind.FUNDS,
            category=Category.OTHER,
            title=title,
            story="压力测试：许多人同时捐助。",
            village=village,
            deadline=deadline,
            target_fen=contributions * AMOUNT_FEN,
            funding_policy=FundingPolicy.KEEP_WHAT_IS_RAISED,
        )
        need = posting.create_need(data=data, by=None, submit=True)
        return review.review_need(need=need, by=None, approve=True, override_reason="bench").pk

    hot = publish(villages[0], "村级光伏电站（压测）", HOT_CAPACITY)
    many = [publish(v, f"村道修缮（压测 {n}）", MANY_CAPACITY) for n, v in enumerate(villages)]
    donors = User.objects.filter(role=Role.DONOR, username__startswith="donor-0")
    tokens = [issue_token(user=donor)[0] for donor in donors.order_by("username")[:CLIENTS]]
    if len(tokens) < CLIENTS:
        raise SystemExit(f"only {len(tokens)} donors: build the city demo first")
    path.write_text(json.dumps({"hot": hot, "many": many, "tokens": tokens}))


def contribute(base: str, token: str, need: int, key: str) -> tuple[int, bool, float]:
    """POST one contribution; return the status, whether it was a replay, and the seconds."""
    body = {"amount_fen": AMOUNT_FEN, "payment_reference": f"BENCH-{key}"}
    return post_with_key(f"{base}/api/v1/needs/{need}/pledges", token, body, key)


def post_with_key(url: str, token: str, body: dict, key: str) -> tuple[int, bool, float]:
    """POST JSON as a client that may resend it (an Idempotency-Key); return the status,
    whether the server answered with the first sending's result, and the seconds."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": key,
        },
        method="POST",
    )
    started = time.perf_counter()
    try:
        with HTTP.open(request, timeout=60) as response:
            response.read()
            status = response.status
            replayed = response.headers.get("Idempotent-Replayed") == "true"
    except urllib.error.HTTPError as exc:
        exc.read()
        status, replayed = exc.code, False
    except OSError:
        status, replayed = 0, False  # no answer: counted as an error
    return status, replayed, time.perf_counter() - started


def contrib_load(path: Path, base: str, case: str) -> dict:
    """Run the clients at once; each sends its contributions one after another."""
    setup = json.loads(path.read_text())
    results: list[list[tuple[int, bool, float]]] = [[] for _ in range(CLIENTS)]
    start = threading.Barrier(CLIENTS + 1)

    def client(n: int) -> None:
        rng = random.Random(f"bench:{case}:{n}")
        start.wait()
        for i in range(REQUESTS_PER_CLIENT):
            need = setup["hot"] if case == "hot" else rng.choice(setup["many"])
            key = f"{case}-{n}-{i}"
            results[n].append(contribute(base, setup["tokens"][n], need, key))
            if i % RETRY_EVERY == 0:  # the client did not see the answer: it retries
                results[n].append(contribute(base, setup["tokens"][n], need, key))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    answers = [answer for client_results in results for answer in client_results]
    times = [elapsed * 1000 for _status, _replayed, elapsed in answers]
    centiles = statistics.quantiles(times, n=100, method="inclusive")
    accepted = sum(1 for status, replayed, _ in answers if status == 201 and not replayed)
    return {
        "case": case,
        "clients": CLIENTS,
        "requests": len(answers),
        "accepted": accepted,
        "replayed": sum(1 for status, replayed, _ in answers if status == 201 and replayed),
        "refused": sum(1 for status, _replayed, _ in answers if status == 400),
        "errors": sum(1 for status, _replayed, _ in answers if status not in (201, 400)),
        "seconds": seconds,
        "requests_per_second": len(answers) / seconds,
        "accepted_per_second": accepted / seconds,
        "p50_ms": centiles[49],
        "p99_ms": centiles[98],
    }


def contrib_check(path: Path) -> dict:
    """Check the run's needs: within target, and equal to the sum of their lines."""
    from django.db.models import F, Q, Sum

    from tongxing.needs.models import ACTIVE_PLEDGE, IdempotentRequest, Need, Pledge

    setup = json.loads(path.read_text())
    ids = [setup["hot"], *setup["many"]]
    needs = Need.objects.filter(pk__in=ids).annotate(
        lines=Sum("pledges__quantity", filter=Q(pledges__status__in=ACTIVE_PLEDGE))
    )
    over = [n.pk for n in needs if n.pledged > n.target]
    mismatched = [n.pk for n in needs if n.pledged != (n.lines or 0)]
    pledges = Pledge.objects.filter(need__in=ids)
    hot = needs.get(pk=setup["hot"])
    many = [n for n in needs if n.pk != setup["hot"]]
    return {
        "needs_checked": len(ids),
        "over_funded": over,
        "not_equal_to_their_lines": mismatched,
        "over_target_anywhere": Need.objects.filter(pledged__gt=F("target")).count(),
        "pledges_hot": pledges.filter(need_id=setup["hot"]).count(),
        "pledges_many": pledges.exclude(need_id=setup["hot"]).count(),
        "hot_pledged_of_target": [hot.pledged, hot.target],
        "many_full": sum(1 for n in many if n.pledged == n.target),
        "keys_without_pledge": IdempotentRequest.objects.filter(
            operation="contribute", pledge__isnull=True
        ).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("board-info")
    grow_parser = commands.add_parser("grow")
    grow_parser.add_argument("--to", type=int, default=50_000)
    for name in ("contrib-setup", "contrib-check"):
        commands.add_parser(name).add_argument("file", type=Path)
    load = commands.add_parser("contrib-load")
    load.add_argument("file", type=Path)
    load.add_argument("--base", required=True)
    load.add_argument("--case", choices=("hot", "many"), required=True)
    args = parser.parse_args()
    if args.command == "contrib-load":
        print(json.dumps(contrib_load(args.file, args.base, args.case)))
        return
    setup_django()
    if args.command == "board-info":
        print(json.dumps(board_info()))
    elif args.command == "grow":
        print(json.dumps(grow(args.to)))
    elif args.command == "contrib-setup":
        contrib_setup(args.file)
    else:
        print(json.dumps(contrib_check(args.file)))


if __name__ == "__main__":
    main()
