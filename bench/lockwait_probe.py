"""A short write, again and again, timed: what another user's write waits while an import runs.

    lockwait_probe.py      on DATABASE_URL, until its standard input closes

Each write is one transaction of the product's own settings (on SQLite: BEGIN IMMEDIATE,
which takes the database's one write lock, and the busy timeout, SQLITE_BUSY_TIMEOUT,
20 s by default) inserting one row into a table of the benchmark's own, `bench_probe`: about
what a contribution's own writes take, without the need and the donor it would need. It
writes every INTERVAL seconds; a write that waits for the lock simply starts the next one
later. It prints "ready" once its table exists, and at the end one JSON line: every write's
start (wall clock, as time.time()), its duration and its error, if any.
"""

import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INTERVAL = 0.05


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxing.settings")
    import django

    django.setup()
    from django.db import DatabaseError, connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_probe")
        cursor.execute("CREATE TABLE bench_probe (id integer PRIMARY KEY, at varchar(40))")
    stop = threading.Event()
    # The runner closes our standard input to stop us.
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    print("ready", flush=True)
    writes = []
    number = 0
    while not stop.is_set():
        number += 1
        started_at, started = time.time(), time.perf_counter()
        error = None
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO bench_probe (id, at) VALUES (%s, %s)", [number, str(started_at)]
                )
        except DatabaseError as exc:
            error = str(exc)
        writes.append([started_at, time.perf_counter() - started, error])
        stop.wait(INTERVAL)
    print(json.dumps(writes), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
