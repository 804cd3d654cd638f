"""Tongxing's benchmarks: what `make bench` runs. They print figures; they are not tests.

1. The demo: `tongxing demo --scale city --no-serve` on a fresh SQLite file and on a fresh
   PostgreSQL database. Wall time and peak memory (max RSS of the process), then a second
   run on the same database, which must add no row. Target: the first run under 5 minutes
   (the city in about 1.5, its year of needs, made through the actions, in up to 3).
2. HTTP: gunicorn (2 sync workers, DEBUG off, 127.0.0.1) serves the city demo database;
   wrk (2 threads, 16 connections, 10 s) measures requests/s and p50/p99 latency of the
   public home page `/`, of `GET /api/v1/regions` with the city office's bearer token, and
   of a bare Django view returning constant JSON (bench/urls.py), which the others are
   compared with.
3. Import: a roster of 100,000 members (about 33,000 households, bench/import_setup.py) as
   a real .xlsx file, imported with `tongxing import-households FILE --json` into a fresh
   database holding the city demo's regions. Wall time, rows/s and peak memory, against a
   baseline in the same run (bench/import_baseline.py: the same reader, the raw rows
   inserted into a bare table); then the same file again, which must change nothing.
   Target: the first import under 30 s.
4. Search: on the city demo, `search_households` as the city office, for a name fragment,
   an exact ID number and a registry number prefix (bench/search_bench.py, a process per
   engine): p50 and p99 of 200 queries each. If gunicorn and wrk are there, also
   `GET /api/v1/households?q=` with wrk, as in the HTTP part.
5. Board: the public needs board as in the HTTP part (gunicorn, wrk, next to the bare
   view). As anonymous visitors read them, from the kept answers (tongxing.public_cache):
   `GET /api/v1/needs` and the board page `/needs/`, against the target of at least 0.5×
   the bare view's requests/s with a p99 of at most 50 ms. Then built at every request
   (a second server with the cache off, `TONGXING_PUBLIC_CACHE_ENTRIES=0`), what a new
   version's first reader waits: the same two and `GET /api/v1/needs` with filters (a
   kind, the township with most needs, a sort by progress, a text search). First on the
   demo's needs, then with its published needs copied until the board holds 10,000
   (bench/needs_bench.py), a board some thirty times fuller than the city demo's.
6. Contributions: 32 clients at once, each with its own donor's token, POST 40
   contributions of ¥100 to `/api/v1/needs/{id}/pledges` with an Idempotency-Key (every 5th
   sent twice, as a retry), first all to one hot funding need, then spread over 100 needs
   that fill up. Accepted, refused and replayed, contributions/s, latency; then the check
   that no need took more than its target or differs from the sum of its pledge lines.
7. Lock wait: while `tongxing import-households` imports the roster of part 3 into a fresh
   database holding the city's regions, another process makes a short write transaction
   every 50 ms (bench/lockwait_probe.py: one row, the product's settings) and times each: how
   long another user's write waits for the import, next to the same write's time alone.
8. Audit log: the page `/accounts/audit/` as the city office reads it, in process, for
   the newest events, a deep page and each filter (who, what, which object, which days),
   with its SQL alone beside it (bench/audit_bench.py, a process per engine): p50 and p99
   of 20 runs each. It runs on the demo right after the search.

9. Indicators: on the demo, every computed code of the catalogue for the city and this year
   (`engine.compute`), the township table (`engine.compute_by`), each code alone for the
   ten slowest, and the same figures by one hand-written SQL query per section of the
   report, whose values must be the engine's (bench/indicators_bench.py, a process per
   engine). Targets: the catalogue within 2 s on PostgreSQL and 5 s on SQLite, and at most
   1.5x the hand-written SQL. On the province demo (`--scale province`), the same for the
   first city and for the whole province.

10. The annual report: on the demo, `tongxing report` of this year for the city in each
   format (docx, html, md, json), each in its own process: wall time, CPU time, peak memory.

11. Visits: on the demo, the coverage of the whole city for the demo's year (every poor
   household visited or not by its cadre, its township's secretary, anyone; the gaps by
   village and cadre) and the visit figures, next to one hand-written SQL query counting
   the same, whose counts must be the coverage's (bench/visits_bench.py). Then visits
   under load: 16 cadres at once, each with its own bearer token, POST 40 visits each to
   `/api/v1/visits` (gunicorn as in the HTTP part) for the households assigned to them,
   with an Idempotency-Key (every 5th sent twice, as a retry): visits/s, p50 and p99; then
   the check that every visit was saved once, as sent.

13. Sales: on the demo, a generated .xlsx of 200,000 sales (the demo's suppliers, every
   channel; bench/commerce_bench.py) imported with `tongxing import-sales FILE --json` into
   a copy of the demo's database: wall time, rows/s and peak memory, against a baseline in
   the same run (the same reader, the raw rows inserted into a bare table); then the same
   file again, which must add nothing. And the sales figures of the demo's year for the
   city (the consumption codes through `engine.compute`) next to one hand-written SQL
   query computing the same figures, whose values must be the engine's.

Next to each figure it records how busy other processes kept the CPUs just before and
after ("others CPU"): on a shared machine, a high value means a low figure.

Usage: `make bench [ARGS="--only PART"]`, PART one of demo, http, import, search, audit,
indicators, report, visits, commerce, board, contrib, lockwait
(and `--skip-postgres` or `--skip-sqlite`, and `--scale small` to measure on the small
demo, built in seconds:
`make bench ARGS="--only board --scale small"`, or `--scale province`, ten cities; and
`--database ENGINE=URL` to measure on a demo already built at that scale instead of
building one: `make bench ARGS="--only indicators --only report --scale province
--database sqlite=sqlite:///var/province.sqlite3 --skip-postgres"`),
or `.venv/bin/python bench/run.py [--only PART]... [--skip-postgres]`; `--only` may be
repeated (`--only board --only contrib` builds the demo once for both).
The figures are printed and written, with the logs, to bench/results/<date-time>/.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import asdict, dataclass
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent  # the virtualenv's bin, where `tongxing` and gunicorn live
TONGXING = BIN / "tongxing"
GUNICORN = BIN / "gunicorn"
IMPORT_SETUP = ROOT / "bench" / "import_setup.py"
IMPORT_BASELINE = ROOT / "bench" / "import_baseline.py"
SEARCH_BENCH = ROOT / "bench" / "search_bench.py"
NEEDS_BENCH = ROOT / "bench" / "needs_bench.py"
LOCKWAIT_PROBE = ROOT / "bench" / "lockwait_probe.py"
AUDIT_BENCH = ROOT / "bench" / "audit_bench.py"
INDICATORS_BENCH = ROOT / "bench" / "indicators_bench.py"
VISITS_BENCH = ROOT / "bench" / "visits_bench.py"
COMMERCE_BENCH = ROOT / "bench" / "commerce_bench.py"
PARTS = [
    "demo",
    "http",
    "import",
    "search",
    "audit",
    "indicators",
    "report",
    "visits",
    "commerce",
    "board",
    "contrib",
    "lockwait",
]
# The parts that measure on a city demo, built once per engine.
ON_THE_DEMO = {
    "demo",
    "http",
    "search",
    "audit",
    "indicators",
    "report",
    "visits",
    "commerce",
    "board",
    "contrib",
}
REPORT_FORMATS = ("docx", "html", "md", "json")
REPORT_TIMEOUT_SECONDS = 600
INDICATORS_REPEAT = 5

PG_HOST_ARGS = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
PG_URL = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "tongxing_bench"

DEMO_SCALES = ["city", "small", "province"]
DEMO_ARGS = ["demo", "--scale", "city", "--no-serve"]  # --scale small: see parse_args
DEMO_TARGET_SECONDS = 300
DEMO_TIMEOUT_SECONDS = 1800
CITY_OFFICE = {"username": "office-4271", "password": "tongxing-demo"}

IMPORT_ROWS = 100_000
IMPORT_TARGET_SECONDS = 30
IMPORT_TIMEOUT_SECONDS = 900
# What the import's JSON counts as changes; a second import of the same file makes none.
IMPORT_CHANGES = ("households_created", "households_updated", "members_created", "members_updated")
ROSTER_TIMEOUT_SECONDS = 600
SALES_ROWS = 200_000
SALES_COPY = "tongxing_bench_sales"  # the copy of the demo the sales are imported into
SEARCH_QUERIES = 200
SEARCH_TIMEOUT_SECONDS = 900
AUDIT_REPEAT = 20
AUDIT_TIMEOUT_SECONDS = 900
BOARD_GROWN_PUBLISHED = 10_000  # a board some thirty times fuller than the demo's
CONTRIB_TIMEOUT_SECONDS = 900
LOCKWAIT_ALONE_SECONDS = 3  # the probe's writes alone, before the import starts
LOCKWAIT_SLOW_SECONDS = 1.0  # a write that took longer waited for the import

WRK_ARGS = ["-t2", "-c16", "-d10s", "--latency", "--timeout", "5s"]
WRK_WARMUP_ARGS = ["-t2", "-c16", "-d2s"]
WRK_TIMEOUT_SECONDS = 60
SERVER_START_SECONDS = 30
BUSY_WARNING_PERCENT = 15

# Counts every model's rows, one JSON object on the last line of the output.
COUNT_ROWS = (
    "import json; from django.apps import apps; "
    "print(json.dumps({m._meta.label: m._default_manager.count() for m in apps.get_models()}))"
)

# urllib without any proxy from the environment: the benchmark talks to 127.0.0.1 only.
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class BenchError(Exception):
    """A step failed; the message says which one and why."""


@dataclass(frozen=True)
class Database:
    key: str  # "sqlite" or "postgresql": names the logs and the JSON
    engine: str  # as printed: "SQLite", "PostgreSQL"
    url: str


@dataclass(frozen=True)
class TimedRun:
    seconds: float
    cpu_seconds: float  # the process's own, user and system: below `seconds` when it waited
    peak_rss_mib: float
    background_cpu_percent: float | None  # others' load just before and after (the higher)


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    headers: dict[str, str]
    slug: str = ""  # names wrk's output file; by default, from the path


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx responses plus socket errors


# --- Small helpers ----------------------------------------------------------------------------


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def background_cpu_percent(seconds: float = 1.0) -> float | None:
    """Return how busy all CPUs are while the benchmark itself is idle: others' load.

    Other processes on the machine (tests, builds) take CPU from the measured ones; the
    figure is recorded beside each result, and a warning printed when it is high.
    """

    def sample() -> tuple[int, int]:
        ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
        idle = ticks[3] + ticks[4]  # idle and iowait
        return sum(ticks) - idle, sum(ticks)

    try:
        busy_before, total_before = sample()
        time.sleep(seconds)
        busy_after, total_after = sample()
    except (OSError, ValueError, IndexError):
        return None  # not Linux: no figure
    return 100 * (busy_after - busy_before) / max(total_after - total_before, 1)


def check_quiet(when: str) -> float | None:
    """Measure the background load next to a measurement; warn if the machine is busy."""
    time.sleep(1)  # let the server finish the requests a previous wrk left in flight
    busy = background_cpu_percent()
    if busy is not None and busy > BUSY_WARNING_PERCENT:
        print(
            f"    WARNING: {when} it, other processes kept the CPUs {busy:.0f}% busy; "
            "this figure may be low",
            flush=True,
        )
    return busy


def worst(*values: float | None) -> float | None:
    known = [value for value in values if value is not None]
    return max(known) if known else None


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}%"


def tail(path: Path, lines: int = 20) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def run(command: list[str], *, env: dict[str, str] | None = None, timeout: float = 120) -> str:
    """Run a command to its end and return its standard output; raise BenchError if it fails."""
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BenchError(f"`{' '.join(command)}` could not run: {exc}") from exc
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip()[-2000:]
        raise BenchError(f"`{' '.join(command)}` failed (exit {done.returncode}):\n{output}")
    return done.stdout


def app_env(db: Database, settings: str = "tongxing.settings") -> dict[str, str]:
    """The environment of the product's processes: this database, DEBUG unset."""
    env = dict(os.environ)
    env.pop("DEBUG", None)
    env["DATABASE_URL"] = db.url
    env["DJANGO_SETTINGS_MODULE"] = settings
    env["PYTHONPATH"] = str(ROOT)
    return env


def check_tools(parts: list[str], engines: list[str]) -> None:
    if not TONGXING.exists():
        raise BenchError(f"{TONGXING} not found: install the project first (`make bench` does).")
    if {"http", "board", "contrib", "visits"} & set(parts) and not GUNICORN.exists():
        raise BenchError(f"{GUNICORN} not found: install the extra: pip install -e '.[bench]'")
    if {"http", "board"} & set(parts):
        ensure_wrk()
    if "postgresql" in engines:
        for tool in ("psql", "createdb", "dropdb"):
            if shutil.which(tool) is None:
                raise BenchError(f"{tool} not found; run with --skip-postgres to measure SQLite.")
        try:
            run(["psql", *PG_HOST_ARGS, "-d", "postgres", "-tAc", "select 1"], timeout=15)
        except BenchError as exc:
            raise BenchError(
                f"PostgreSQL is not reachable at 127.0.0.1:5432 as postgres; "
                f"run with --skip-postgres to measure SQLite only.\n{exc}"
            ) from exc


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise BenchError(
            "wrk is not installed. Install it (Debian/Ubuntu: `sudo apt-get install wrk`), "
            "or run `make bench ARGS='--only demo'`."
        )
    step("wrk is missing: installing it with apt-get")
    try:
        run(["apt-get", "install", "-y", "wrk"], timeout=600)
    except BenchError:
        run(["apt-get", "update"], timeout=600)
        run(["apt-get", "install", "-y", "wrk"], timeout=600)
    found = shutil.which("wrk")
    if not found:
        raise BenchError("apt-get installed wrk, but it is not on PATH.")
    return found


# --- Databases --------------------------------------------------------------------------------


@contextmanager
def fresh_database(engine: str) -> Iterator[Database]:
    """Yield a new, empty database of the engine; remove it afterwards."""
    if engine == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="tongxing-bench-"))
        try:
            yield Database("sqlite", "SQLite", f"sqlite:///{folder / 'bench.sqlite3'}")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    run(["dropdb", *PG_HOST_ARGS, "--if-exists", "--force", PG_DATABASE])
    run(["createdb", *PG_HOST_ARGS, PG_DATABASE])
    try:
        yield Database("postgresql", "PostgreSQL", f"{PG_URL}/{PG_DATABASE}")
    finally:
        try:
            run(["dropdb", *PG_HOST_ARGS, "--if-exists", "--force", PG_DATABASE])
        except BenchError as exc:
            print(f"warning: could not drop {PG_DATABASE}: {exc}", file=sys.stderr)


@contextmanager
def built_database(engine: str, url: str) -> Iterator[Database]:
    """Yield a database built before the run (`--database`); it is neither emptied nor
    removed."""
    yield Database(engine, {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[engine], url)


def count_rows(db: Database) -> dict[str, int]:
    output = run([str(TONGXING), "shell", "--no-imports", "-c", COUNT_ROWS], env=app_env(db))
    return json.loads(output.strip().splitlines()[-1])


def rows_changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Return the models whose row counts differ, with the difference."""
    return {
        label: after.get(label, 0) - before.get(label, 0)
        for label in sorted(before.keys() | after.keys())
        if after.get(label, 0) != before.get(label, 0)
    }


def timed_run(
    db: Database, command: list[str], log: Path, *, timeout: float, output: Path | None = None
) -> TimedRun:
    """Run a command on the database; return its wall time and the peak RSS of its process.

    Its standard output goes to `output` if given, else to the log with its errors.
    """
    label = " ".join(Path(part).name for part in command[:2])  # "tongxing demo"
    busy_before = check_quiet("before")
    with log.open("w") as out, output.open("w") if output else nullcontext(out) as stdout:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, env=app_env(db), stdout=stdout, stderr=out)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            # wait4 gives this child's own resource usage, not the sum of all children.
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        why = "timed out" if seconds >= timeout else f"exit {proc.returncode}"
        raise BenchError(f"`{label}` on {db.engine} failed ({why}):\n{tail(log)}")
    busy = worst(busy_before, check_quiet("after"))
    return TimedRun(
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_rss_mib=usage.ru_maxrss / 1024,  # Linux gives ru_maxrss in KiB
        background_cpu_percent=busy,
    )


# --- 1. The demo ------------------------------------------------------------------------------


def run_demo(db: Database, log: Path) -> TimedRun:
    """Run the city demo once; return its wall time and the peak RSS of its process."""
    return timed_run(db, [str(TONGXING), *DEMO_ARGS], log, timeout=DEMO_TIMEOUT_SECONDS)


def bench_demo(db: Database, folder: Path) -> dict:
    step(f"{db.engine}: tongxing {' '.join(DEMO_ARGS)}, first run on a fresh database")
    first = run_demo(db, folder / f"demo-{db.key}-first.log")
    print(f"    {first.seconds:.1f} s, peak RSS {first.peak_rss_mib:.0f} MiB", flush=True)
    before = count_rows(db)
    step(f"{db.engine}: second run on the same database")
    second = run_demo(db, folder / f"demo-{db.key}-second.log")
    after = count_rows(db)
    changed = rows_changed(before, after)
    print(f"    {second.seconds:.1f} s, peak RSS {second.peak_rss_mib:.0f} MiB", flush=True)
    if changed:
        print(f"    WARNING: the second run changed row counts: {changed}", flush=True)
    return {
        "first": asdict(first),
        "second": asdict(second),
        "rows": sum(after.values()),
        "rows_by_model": after,
        "rows_changed_by_second_run": changed,
        "target_seconds": DEMO_TARGET_SECONDS,
        "target_met": first.seconds < DEMO_TARGET_SECONDS and not changed,
    }


def build_demo_untimed(db: Database, folder: Path) -> None:
    step(f"{db.engine}: building the {DEMO_ARGS[2]} demo to measure on")
    built = run_demo(db, folder / f"demo-{db.key}.log")
    print(f"    {built.seconds:.1f} s", flush=True)


def print_demo_table(demo: dict[str, dict]) -> None:
    print()
    print(
        "tongxing demo --scale city --no-serve "
        f"(target: first run under {DEMO_TARGET_SECONDS // 60} minutes)"
    )
    print(
        f"{'engine':<12}{'first run':>11}{'peak RSS':>11}{'re-run':>9}{'re-run RSS':>12}"
        f"{'rows':>9}{'rows added':>12}{'target':>9}{'others CPU':>12}"
    )
    for engine, result in demo.items():
        first, second = result["first"], result["second"]
        added = sum(result["rows_changed_by_second_run"].values())
        print(
            f"{engine:<12}{first['seconds']:>9.1f} s{first['peak_rss_mib']:>7.0f} MiB"
            f"{second['seconds']:>7.1f} s{second['peak_rss_mib']:>8.0f} MiB"
            f"{result['rows']:>9}{added:>12}{'met' if result['target_met'] else 'NOT MET':>9}"
            f"{percent(first['background_cpu_percent']):>12}"
        )


# --- 2. HTTP ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(url: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with HTTP.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def obtain_token(base: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token",
        data=json.dumps(CITY_OFFICE).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with HTTP.open(request, timeout=30) as response:
            return json.load(response)["token"]
    except (urllib.error.URLError, KeyError, ValueError) as exc:
        raise BenchError(f"could not log in as {CITY_OFFICE['username']}: {exc}") from exc


def wait_until_up(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"gunicorn exited (code {proc.returncode}):\n{tail(log)}")
        try:
            if http_status(url) == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer {url} within {SERVER_START_SECONDS} s:\n{tail(log)}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
    # The server runs in a session of its own: kill whatever is left of it (its workers).
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@contextmanager
def gunicorn_server(db: Database, log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve the bench settings (product URLs plus the bare view); yield the base URL."""
    port = free_port()
    command = [
        str(GUNICORN),
        "tongxing.wsgi:application",
        "--workers=2",
        "--worker-class=sync",
        f"--bind=127.0.0.1:{port}",
        f"--chdir={ROOT}",
        "--graceful-timeout=5",
        "--log-level=warning",
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=app_env(db, settings="bench.settings") | (env or {}),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(proc, f"{base}/bench/constant", log)
            yield base
        finally:
            stop_server(proc)


def latency_ms(text: str, percentile: str) -> float:
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.MULTILINE)
    if not match:
        raise BenchError(f"no {percentile}% latency in wrk's output:\n{text}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[match.group(2)]
    return float(match.group(1)) * scale


def parse_wrk(text: str) -> WrkResult:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    if not rate or not total:
        raise BenchError(f"cannot read wrk's output:\n{text}")
    errors = 0
    if non_2xx := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text):
        errors += int(non_2xx.group(1))
    if socket_errors := re.search(r"Socket errors:(.*)", text):
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return WrkResult(
        requests_per_second=float(rate.group(1)),
        p50_ms=latency_ms(text, "50"),
        p99_ms=latency_ms(text, "99"),
        requests=int(total.group(1)),
        errors=errors,
    )


def wrk(args: list[str], url: str, headers: dict[str, str]) -> str:
    header_args = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    return run([ensure_wrk(), *args, *header_args, url], timeout=WRK_TIMEOUT_SECONDS)


def measure_endpoints(
    db: Database, base: str, endpoints: list[Endpoint], folder: Path, bare: float | None = None
) -> dict:
    """Load each endpoint with wrk, after checking that they all answer 200.

    The first endpoint is the bare view, which the others are compared with, unless its
    requests/s are given (`bare`, measured on another server of the same part).
    """
    for endpoint in endpoints:
        status = http_status(base + endpoint.path, endpoint.headers)
        if status != 200:
            raise BenchError(f"{endpoint.path} answered {status}, not 200")
    results = {}
    for endpoint in endpoints:
        step(f"{db.engine}: wrk {' '.join(WRK_ARGS)} {endpoint.path}")
        busy_before = check_quiet("before")
        wrk(WRK_WARMUP_ARGS, base + endpoint.path, endpoint.headers)
        output = wrk(WRK_ARGS, base + endpoint.path, endpoint.headers)
        busy = worst(busy_before, check_quiet("after"))
        slug = endpoint.slug or endpoint.path.strip("/").replace("/", "-") or "home"
        (folder / f"wrk-{db.key}-{slug}.txt").write_text(output)
        result = parse_wrk(output)
        if result.errors:
            print(f"    WARNING: {result.errors} errors or non-2xx responses", flush=True)
        results[endpoint.name] = {
            "path": endpoint.path,
            **asdict(result),
            "background_cpu_percent": busy,
        }
    if bare is None:
        bare = results[endpoints[0].name]["requests_per_second"]
    for result in results.values():
        result["ratio_to_bare"] = result["requests_per_second"] / bare if bare else None
    return results


def bench_http(db: Database, folder: Path) -> dict:
    step(f"{db.engine}: starting gunicorn (2 sync workers) on 127.0.0.1")
    with gunicorn_server(db, folder / f"gunicorn-{db.key}.log") as base:
        token = obtain_token(base)
        endpoints = [
            Endpoint("bare view", "/bench/constant", {}),
            Endpoint("home page /", "/", {}),
            Endpoint(
                "GET /api/v1/regions", "/api/v1/regions", {"Authorization": f"Bearer {token}"}
            ),
        ]
        return measure_endpoints(db, base, endpoints, folder)


def print_http_table(engine: str, results: dict[str, dict]) -> None:
    print()
    print(f"HTTP, {engine}: gunicorn 2 sync workers, wrk {' '.join(WRK_ARGS)}")
    print(
        f"{'endpoint':<34}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'vs bare':>10}{'errors':>8}"
        f"{'others CPU':>12}"
    )
    for name, r in results.items():
        print(
            f"{name:<34}{r['requests_per_second']:>10.0f}{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}"
            f"{r['ratio_to_bare']:>10.2f}{r['errors']:>8}{percent(r['background_cpu_percent']):>12}"
        )


# --- 3. Import --------------------------------------------------------------------------------


def write_roster(folder: Path) -> Path:
    path = folder / f"roster-{IMPORT_ROWS // 1000}k.xlsx"
    step(f"writing the roster: {IMPORT_ROWS:,} rows, about 33,000 households ({path.name})")
    started = time.perf_counter()
    command = [sys.executable, str(IMPORT_SETUP), "roster", str(path), "--rows", str(IMPORT_ROWS)]
    run(command, timeout=ROSTER_TIMEOUT_SECONDS)
    print(f"    {time.perf_counter() - started:.1f} s, {path.stat().st_size / 2**20:.1f} MiB")
    return path


def run_import(db: Database, roster: Path, folder: Path, which: str) -> tuple[TimedRun, dict]:
    """Import the roster once; return the timing and the command's JSON result."""
    output = folder / f"import-{db.key}-{which}.json"
    timed = timed_run(
        db,
        [str(TONGXING), "import-households", str(roster), "--json"],
        folder / f"import-{db.key}-{which}.log",
        output=output,
        timeout=IMPORT_TIMEOUT_SECONDS,
    )
    result = json.loads(output.read_text())
    rate = result["rows_imported"] / timed.seconds
    print(
        f"    {timed.seconds:.1f} s ({timed.cpu_seconds:.1f} s CPU), {rate:,.0f} rows/s, "
        f"peak RSS {timed.peak_rss_mib:.0f} MiB"
    )
    return timed, result


def bench_import(db: Database, folder: Path, roster: Path) -> dict:
    step(f"{db.engine}: building the city demo's regions (bench/import_setup.py regions)")
    run([sys.executable, str(IMPORT_SETUP), "regions"], env=app_env(db), timeout=300)
    step(f"{db.engine}: baseline: read the roster, insert the raw rows into a bare table")
    baseline = timed_run(
        db,
        [sys.executable, str(IMPORT_BASELINE), str(roster)],
        folder / f"import-{db.key}-baseline.log",
        timeout=IMPORT_TIMEOUT_SECONDS,
    )
    print(f"    {baseline.seconds:.1f} s, peak RSS {baseline.peak_rss_mib:.0f} MiB", flush=True)
    step(f"{db.engine}: tongxing import-households {roster.name} --json, first import")
    first, first_result = run_import(db, roster, folder, "first")
    before = count_rows(db)
    step(f"{db.engine}: the same file again")
    second, second_result = run_import(db, roster, folder, "second")
    changed = rows_changed(before, count_rows(db))
    reported = {key: second_result[key] for key in IMPORT_CHANGES if second_result[key]}
    print(f"    {second_result['rows_unchanged']:,} rows unchanged", flush=True)
    if changed or reported:
        print(f"    WARNING: the second import changed {changed or reported}", flush=True)
    rows = first_result["rows_imported"]
    return {
        "rows": rows,
        "households": first_result["households_created"],
        "baseline": asdict(baseline),
        "first": {**asdict(first), "rows_per_second": rows / first.seconds},
        "second": {**asdict(second), "rows_per_second": rows / second.seconds},
        "ratio_to_baseline": first.seconds / baseline.seconds,
        "first_result": first_result,
        "second_result": second_result,
        "rows_changed_by_second_import": changed,
        "second_import_changed_nothing": not changed and not reported,
        "target_seconds": IMPORT_TARGET_SECONDS,
        "target_met": first.seconds < IMPORT_TARGET_SECONDS,
    }


def print_import_table(results: dict[str, dict]) -> None:
    print()
    print(
        f"tongxing import-households, {IMPORT_ROWS:,} rows "
        f"(target: under {IMPORT_TARGET_SECONDS} s)"
    )
    print(
        f"{'engine':<12}{'import':>9}{'rows/s':>9}{'peak RSS':>11}{'baseline':>10}"
        f"{'ratio':>7}{'re-import':>11}{'RSS':>9}{'unchanged':>11}{'target':>9}"
        f"{'others CPU':>12}"
    )
    for engine, r in results.items():
        first, second = r["first"], r["second"]
        busy = worst(*(r[key]["background_cpu_percent"] for key in ("baseline", "first", "second")))
        print(
            f"{engine:<12}{first['seconds']:>7.1f} s{first['rows_per_second']:>9,.0f}"
            f"{first['peak_rss_mib']:>7.0f} MiB{r['baseline']['seconds']:>8.1f} s"
            f"{r['ratio_to_baseline']:>7.1f}{second['seconds']:>9.1f} s"
            f"{second['peak_rss_mib']:>5.0f} MiB{r['second_result']['rows_unchanged']:>11,}"
            f"{'met' if r['target_met'] else 'NOT MET':>9}"
            f"{percent(busy):>12}"
        )


# --- 4. Search --------------------------------------------------------------------------------


def bench_search(db: Database, folder: Path) -> dict:
    step(
        f"{db.engine}: search_households as {CITY_OFFICE['username']}, "
        f"{SEARCH_QUERIES} queries of each kind (bench/search_bench.py)"
    )
    command = [
        sys.executable,
        str(SEARCH_BENCH),
        f"--user={CITY_OFFICE['username']}",
        f"--queries={SEARCH_QUERIES}",
    ]
    busy_before = check_quiet("before")
    output = run(command, env=app_env(db), timeout=SEARCH_TIMEOUT_SECONDS)
    busy = worst(busy_before, check_quiet("after"))
    (folder / f"search-{db.key}.json").write_text(output)
    results = json.loads(output.strip().splitlines()[-1])
    results["background_cpu_percent"] = busy
    results["http"] = bench_search_http(db, folder, results["examples"])
    return results


def bench_search_http(db: Database, folder: Path, examples: dict[str, str]) -> dict | None:
    """Measure `GET /api/v1/households?q=` with wrk, if gunicorn, wrk and the endpoint are there."""
    if not GUNICORN.exists() or shutil.which("wrk") is None:
        print("    no gunicorn or wrk: the API's search is not measured over HTTP", flush=True)
        return None
    step(f"{db.engine}: starting gunicorn (2 sync workers) on 127.0.0.1")
    with gunicorn_server(db, folder / f"gunicorn-search-{db.key}.log") as base:
        auth = {"Authorization": f"Bearer {obtain_token(base)}"}
        if http_status(f"{base}/api/v1/households", auth) == 404:
            print("    no GET /api/v1/households yet: not measured over HTTP", flush=True)
            return None
        endpoints = [Endpoint("bare view", "/bench/constant", {})]
        for n, (kind, query) in enumerate(examples.items(), start=1):
            path = f"/api/v1/households?q={urllib.parse.quote(query)}"
            endpoints.append(Endpoint(f"q= {kind}", path, auth, slug=f"households-q{n}"))
        return measure_endpoints(db, base, endpoints, folder)


def print_search_table(engine: str, results: dict) -> None:
    print()
    print(
        f"search_households, {engine}: as {results['user']} ({results['households']:,} "
        f"households), the count and the first page of 50"
    )
    print(
        f"{'query':<26}{'queries':>9}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}{'found':>7}"
        f"{'none':>6}{'others CPU':>12}"
    )
    for kind, r in results["kinds"].items():
        print(
            f"{kind:<26}{r['queries']:>9}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}"
            f"{r['mean_ms']:>9.1f}{r['median_found']:>7.0f}{r['found_none']:>6}"
            f"{percent(results['background_cpu_percent']):>12}"
        )
    if results["http"]:
        print_http_table(engine, results["http"])


# --- 8. Audit log ------------------------------------------------------------------------------


def bench_audit(db: Database, folder: Path) -> dict:
    step(
        f"{db.engine}: the audit log page as {CITY_OFFICE['username']}, each case "
        f"{AUDIT_REPEAT} times (bench/audit_bench.py)"
    )
    command = [
        sys.executable,
        str(AUDIT_BENCH),
        f"--user={CITY_OFFICE['username']}",
        f"--repeat={AUDIT_REPEAT}",
    ]
    busy_before = check_quiet("before")
    output = run(command, env=app_env(db), timeout=AUDIT_TIMEOUT_SECONDS)
    busy = worst(busy_before, check_quiet("after"))
    (folder / f"audit-{db.key}.json").write_text(output)
    results = json.loads(output.strip().splitlines()[-1])
    results["background_cpu_percent"] = busy
    return results


def print_audit_table(engine: str, results: dict) -> None:
    print()
    print(
        f"the audit log page, {engine}: as {results['user']} ({results['events']:,} events "
        f"in the log), in process; the SQL alone is the count and the page's 50 events"
    )
    print(
        f"{'case':<40}{'found':>9}{'page p50':>10}{'page p99':>10}{'SQL p50':>9}{'SQL p99':>9}"
        f"{'others CPU':>12}"
    )
    for case, r in results["cases"].items():
        print(
            f"{case:<40}{r['found']:>9,}{r['page']['p50_ms']:>10.1f}{r['page']['p99_ms']:>10.1f}"
            f"{r['sql']['p50_ms']:>9.1f}{r['sql']['p99_ms']:>9.1f}"
            f"{percent(results['background_cpu_percent']):>12}"
        )


# --- 9. Indicators ---------------------------------------------------------------------------


def bench_indicators(db: Database, folder: Path) -> dict:
    """The indicators for the (first) city; on the province demo, for the province too."""
    results = bench_indicators_of(db, folder, "city")
    if DEMO_ARGS[2] == "province":
        results["province"] = bench_indicators_of(db, folder, "province")
    return results


def bench_indicators_of(db: Database, folder: Path, level: str) -> dict:
    step(
        f"{db.engine}: the indicators of this year for the {level}, each {INDICATORS_REPEAT} "
        "times (bench/indicators_bench.py)"
    )
    command = [
        sys.executable,
        str(INDICATORS_BENCH),
        f"--repeat={INDICATORS_REPEAT}",
        f"--level={level}",
    ]
    busy_before = check_quiet("before")
    output = run(command, env=app_env(db), timeout=AUDIT_TIMEOUT_SECONDS)
    busy = worst(busy_before, check_quiet("after"))
    (folder / f"indicators-{db.key}-{level}.json").write_text(output)
    results = json.loads(output.strip().splitlines()[-1])
    results["background_cpu_percent"] = busy
    if results["mismatched"]:
        raise BenchError(f"the engine and the hand-written SQL differ: {results['mismatched']}")
    return results


def print_indicators_table(engine: str, results: dict) -> None:
    print()
    print(
        f"the indicators, {engine}: {results['computed_codes']} computed codes for the "
        f"{results.get('level', 'city')} {results['region']}, {results['period'][0]} to "
        f"{results['period'][1]}, in process"
    )
    sql = results["hand_written_sql"]["p50_ms"]
    same = results["engine_same_figures"]["p50_ms"]
    print(f"{'what':<52}{'p50 ms':>10}{'max ms':>10}{'others CPU':>12}")
    busy = percent(results["background_cpu_percent"])
    for label, key in (
        ("the whole catalogue (engine.compute)", "catalogue"),
        (f"the township table ({results['townships']} townships)", "township_table"),
        ("the same figures, hand-written SQL (a query a section)", "hand_written_sql"),
        ("the same figures, the engine", "engine_same_figures"),
    ):
        r = results[key]
        print(f"{label:<52}{r['p50_ms']:>10.1f}{r['max_ms']:>10.1f}{busy:>12}")
    print(f"engine / hand-written SQL: {same / sql:.2f}x")
    print(
        "the ten slowest codes, each alone (p50 ms): "
        + ", ".join(f"{code} {ms:.1f}" for code, ms in results["slowest_alone_ms"])
    )
    if "province" in results:
        print_indicators_table(engine, results["province"])


# --- 10. The annual report ----------------------------------------------------------------------


def bench_report(db: Database, folder: Path) -> dict:
    """`tongxing report` of this year for the demo's top region (the city; on the province
    demo, the province), each format in its own process:
    wall time, CPU time and peak memory (its process's own, from wait4)."""
    year = datetime.now().year
    results = {}
    for format in REPORT_FORMATS:
        step(f"{db.engine}: the annual report of {year} as .{format}")
        out = folder / f"report-{db.key}.{format}"
        command = [str(TONGXING), "report", f"--year={year}", f"--format={format}", "-o", str(out)]
        run_ = timed_run(
            db, command, folder / f"report-{db.key}-{format}.log", timeout=REPORT_TIMEOUT_SECONDS
        )
        results[format] = asdict(run_) | {"bytes": out.stat().st_size}
    return results


def print_report_table(engine: str, results: dict) -> None:
    print()
    top = "province" if DEMO_ARGS[2] == "province" else "city"
    print(f"the annual report of the {top}, {engine}: each format in its own process")
    print(f"{'format':<8}{'seconds':>9}{'CPU s':>8}{'peak MiB':>10}{'bytes':>11}{'others CPU':>12}")
    for format, r in results.items():
        print(
            f"{format:<8}{r['seconds']:>9.2f}{r['cpu_seconds']:>8.2f}{r['peak_rss_mib']:>10.1f}"
            f"{r['bytes']:>11,}{percent(r['background_cpu_percent']):>12}"
        )


def bench_visits(db: Database, folder: Path) -> dict:
    step(f"{db.engine}: the visit coverage of the city for the demo's year (bench/visits_bench.py)")
    busy_before = check_quiet("before")
    output = run(
        [sys.executable, str(VISITS_BENCH), "coverage", f"--repeat={INDICATORS_REPEAT}"],
        env=app_env(db),
        timeout=AUDIT_TIMEOUT_SECONDS,
    )
    busy = worst(busy_before, check_quiet("after"))
    (folder / f"visits-{db.key}.json").write_text(output)
    results = json.loads(output.strip().splitlines()[-1])
    results["background_cpu_percent"] = busy
    if results["mismatched"]:
        raise BenchError(f"the coverage and the hand-written SQL differ: {results['mismatched']}")
    results["load"] = bench_visit_load(db, folder)
    return results


def bench_visit_load(db: Database, folder: Path) -> dict:
    """16 cadres POST visits at once over HTTP; then every visit is checked saved once."""
    with tempfile.TemporaryDirectory(prefix="tongxing-visits-") as private:
        setup = Path(private) / "setup.json"  # holds the cadres' tokens: kept out of results
        step(f"{db.engine}: 16 cadres of the demo and a bearer token each")
        run(
            [sys.executable, str(VISITS_BENCH), "load-setup", str(setup)],
            env=app_env(db),
            timeout=CONTRIB_TIMEOUT_SECONDS,
        )
        step(f"{db.engine}: starting gunicorn (2 sync workers) on 127.0.0.1")
        with gunicorn_server(db, folder / f"gunicorn-visits-{db.key}.log") as base:
            step(f"{db.engine}: 16 cadres post their visits at once")
            busy_before = check_quiet("before")
            output = run(
                [sys.executable, str(VISITS_BENCH), "load", str(setup), f"--base={base}"],
                timeout=CONTRIB_TIMEOUT_SECONDS,
            )
            load = json.loads(output.strip().splitlines()[-1])
            load["background_cpu_percent"] = worst(busy_before, check_quiet("after"))
        output = run(
            [sys.executable, str(VISITS_BENCH), "load-check", str(setup)],
            env=app_env(db),
            timeout=CONTRIB_TIMEOUT_SECONDS,
        )
    load["check"] = json.loads(output.strip().splitlines()[-1])
    load["check"]["ok"] = load["check"]["ok"] and load["saved"] == load["check"]["sent"]
    (folder / f"visits-load-{db.key}.json").write_text(json.dumps(load))
    print(
        f"    {load['saved']} saved, {load['replayed']} replayed, {load['errors']} errors in "
        f"{load['seconds']:.1f} s: {load['visits_per_second']:.0f} visits/s, "
        f"p99 {load['p99_ms']:.0f} ms; check {'ok' if load['check']['ok'] else 'FAILED'}",
        flush=True,
    )
    if not load["check"]["ok"]:
        print(f"    WARNING: the check failed: {load['check']}", flush=True)
    return load


def print_visits_table(engine: str, results: dict) -> None:
    print()
    print(
        f"the visit coverage, {engine}: the city {results['region']}, {results['period'][0]} to "
        f"{results['period'][1]}, {results['visits']:,} visits, "
        f"{results['counts']['poor_households']:,} poor households, in process"
    )
    print(f"{'what':<52}{'p50 ms':>10}{'max ms':>10}{'others CPU':>12}")
    busy = percent(results["background_cpu_percent"])
    for label, key in (
        ("the coverage (visits.selectors.coverage)", "coverage"),
        ("the same counts, one hand-written SQL query", "hand_written_sql"),
        ("the visit figures of the catalogue (engine)", "visit_figures"),
    ):
        r = results[key]
        print(f"{label:<52}{r['p50_ms']:>10.1f}{r['max_ms']:>10.1f}{busy:>12}")
    ratio = results["coverage"]["p50_ms"] / results["hand_written_sql"]["p50_ms"]
    print(f"coverage / hand-written SQL: {ratio:.2f}x")
    load = results.get("load")
    if load:
        print(
            f"visits under load, {engine}: {load['cadres']} cadres at once over HTTP "
            "(gunicorn 2 sync workers), every 5th retried with its key"
        )
        print(
            f"{'requests':>9}{'saved':>7}{'replayed':>9}{'errors':>7}{'seconds':>8}"
            f"{'visits/s':>9}{'req/s':>7}{'p50 ms':>8}{'p99 ms':>8}{'check':>7}{'others CPU':>12}"
        )
        print(
            f"{load['requests']:>9}{load['saved']:>7}{load['replayed']:>9}{load['errors']:>7}"
            f"{load['seconds']:>8.1f}{load['visits_per_second']:>9.1f}"
            f"{load['requests_per_second']:>7.0f}{load['p50_ms']:>8.0f}{load['p99_ms']:>8.0f}"
            f"{'ok' if load['check']['ok'] else 'FAILED':>7}"
            f"{percent(load['background_cpu_percent']):>12}"
        )


# --- 13. Sales --------------------------------------------------------------------------------


@contextmanager
def copied_database(db: Database) -> Iterator[Database]:
    """Yield a copy of the database (the sales import must leave the demo as it was)."""
    if db.key == "sqlite":
        import sqlite3

        folder = Path(tempfile.mkdtemp(prefix="tongxing-bench-"))
        target = folder / "sales.sqlite3"
        source = sqlite3.connect(db.url.removeprefix("sqlite:///"))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        try:
            yield Database(db.key, db.engine, f"sqlite:///{target}")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = urllib.parse.urlparse(db.url).path.lstrip("/")
    run(["dropdb", *PG_HOST_ARGS, "--if-exists", "--force", SALES_COPY])
    run(["createdb", *PG_HOST_ARGS, "-T", name, SALES_COPY], timeout=600)
    try:
        yield Database(db.key, db.engine, f"{PG_URL}/{SALES_COPY}")
    finally:
        try:
            run(["dropdb", *PG_HOST_ARGS, "--if-exists", "--force", SALES_COPY])
        except BenchError as exc:
            print(f"warning: could not drop {SALES_COPY}: {exc}", file=sys.stderr)


def run_sales_import(db: Database, path: Path, folder: Path, which: str) -> tuple[TimedRun, dict]:
    """Import the sales file once; return the timing and the command's JSON result."""
    output = folder / f"sales-{db.key}-{which}.json"
    timed = timed_run(
        db,
        [str(TONGXING), "import-sales", str(path), "--json"],
        folder / f"sales-{db.key}-{which}.log",
        output=output,
        timeout=IMPORT_TIMEOUT_SECONDS,
    )
    result = json.loads(output.read_text())
    if result["errors"]:
        raise BenchError(f"the sales file has bad rows: {result['errors'][:3]}")
    rate = result["rows_read"] / timed.seconds
    print(
        f"    {timed.seconds:.1f} s ({timed.cpu_seconds:.1f} s CPU), {rate:,.0f} rows/s, "
        f"{result['rows_imported']:,} imported, {result['rows_on_file']:,} on file, "
        f"peak RSS {timed.peak_rss_mib:.0f} MiB"
    )
    return timed, result


def bench_commerce(db: Database, folder: Path) -> dict:
    step(f"{db.engine}: the sales figures of the city for a year (bench/commerce_bench.py)")
    busy_before = check_quiet("before")
    output = run(
        [sys.executable, str(COMMERCE_BENCH), "figures", f"--repeat={INDICATORS_REPEAT}"],
        env=app_env(db),
        timeout=AUDIT_TIMEOUT_SECONDS,
    )
    busy = worst(busy_before, check_quiet("after"))
    (folder / f"sales-figures-{db.key}.json").write_text(output)
    figures = json.loads(output.strip().splitlines()[-1])
    figures["background_cpu_percent"] = busy
    if figures["mismatched"]:
        raise BenchError(f"the figures and the hand-written SQL differ: {figures['mismatched']}")
    path = folder / f"sales-{db.key}-{SALES_ROWS // 1000}k.xlsx"
    step(f"writing the sales file from the demo's suppliers: {SALES_ROWS:,} rows ({path.name})")
    started = time.perf_counter()
    run(
        [sys.executable, str(COMMERCE_BENCH), "sales", str(path), f"--rows={SALES_ROWS}"],
        env=app_env(db),
        timeout=ROSTER_TIMEOUT_SECONDS,
    )
    print(f"    {time.perf_counter() - started:.1f} s, {path.stat().st_size / 2**20:.1f} MiB")
    step(f"{db.engine}: a copy of the demo to import into")
    with copied_database(db) as copy:
        step(f"{db.engine}: baseline: read the sales file, insert the raw rows into a bare table")
        baseline = timed_run(
            copy,
            [sys.executable, str(COMMERCE_BENCH), "baseline", str(path)],
            folder / f"sales-{db.key}-baseline.log",
            timeout=IMPORT_TIMEOUT_SECONDS,
        )
        print(f"    {baseline.seconds:.1f} s, peak RSS {baseline.peak_rss_mib:.0f} MiB")
        step(f"{db.engine}: tongxing import-sales {path.name} --json, first import")
        first, first_result = run_sales_import(copy, path, folder, "first")
        before = count_rows(copy)
        step(f"{db.engine}: the same file again")
        second, second_result = run_sales_import(copy, path, folder, "second")
        changed = rows_changed(before, count_rows(copy))
    if changed or second_result["rows_imported"]:
        print(f"    WARNING: the second import changed {changed}", flush=True)
    rows = first_result["rows_read"]
    return {
        "rows": rows,
        "baseline": asdict(baseline),
        "first": {**asdict(first), "rows_per_second": rows / first.seconds},
        "second": {**asdict(second), "rows_per_second": rows / second.seconds},
        "ratio_to_baseline": first.seconds / baseline.seconds,
        "first_result": {k: v for k, v in first_result.items() if k != "errors"},
        "second_result": {k: v for k, v in second_result.items() if k != "errors"},
        "rows_changed_by_second_import": changed,
        "second_import_added_nothing": not changed and not second_result["rows_imported"],
        "figures": figures,
    }


def print_commerce_table(engine: str, r: dict) -> None:
    print()
    print(f"tongxing import-sales, {r['rows']:,} rows, {engine}, into a copy of the demo")
    print(
        f"{'import':>9}{'rows/s':>9}{'peak RSS':>11}{'baseline':>10}{'ratio':>7}"
        f"{'re-import':>11}{'RSS':>9}{'on file':>10}{'others CPU':>12}"
    )
    first, second = r["first"], r["second"]
    busy = worst(*(r[key]["background_cpu_percent"] for key in ("baseline", "first", "second")))
    print(
        f"{first['seconds']:>7.1f} s{first['rows_per_second']:>9,.0f}"
        f"{first['peak_rss_mib']:>7.0f} MiB{r['baseline']['seconds']:>8.1f} s"
        f"{r['ratio_to_baseline']:>7.1f}{second['seconds']:>9.1f} s"
        f"{second['peak_rss_mib']:>5.0f} MiB{r['second_result']['rows_on_file']:>10,}"
        f"{percent(busy):>12}"
    )
    f = r["figures"]
    print(
        f"the sales figures, {engine}: the city {f['region']}, {f['period'][0]} to "
        f"{f['period'][1]}, {f['sales']:,} sales, in process"
    )
    print(f"{'what':<52}{'p50 ms':>10}{'max ms':>10}{'others CPU':>12}")
    busy = percent(f["background_cpu_percent"])
    for label, key in (
        ("the consumption codes (engine.compute)", "engine_compute"),
        ("the same figures, one hand-written SQL query", "hand_written_sql"),
    ):
        print(f"{label:<52}{f[key]['p50_ms']:>10.1f}{f[key]['max_ms']:>10.1f}{busy:>12}")
    ratio = f["engine_compute"]["p50_ms"] / f["hand_written_sql"]["p50_ms"]
    print(f"engine / hand-written SQL: {ratio:.2f}x")


# --- 5. Board ---------------------------------------------------------------------------------


def needs_script(db: Database, *args: str, timeout: float = 600) -> dict:
    """Run bench/needs_bench.py on the database; return the JSON of its last line."""
    output = run([sys.executable, str(NEEDS_BENCH), *args], env=app_env(db), timeout=timeout)
    return json.loads(output.strip().splitlines()[-1])


BOARD_TARGET_RATIO = 0.5  # of the bare view's requests/s
BOARD_TARGET_P99_MS = 50.0
KEPT = " (kept)"  # served from the kept answer, as anonymous visitors read it


def board_kept_endpoints(label: str) -> list[Endpoint]:
    return [
        Endpoint("bare view", "/bench/constant", {}, slug=f"{label}-bare"),
        Endpoint(f"GET /api/v1/needs{KEPT}", "/api/v1/needs", {}, slug=f"{label}-needs-kept"),
        Endpoint(f"board page /needs/{KEPT}", "/needs/", {}, slug=f"{label}-page-kept"),
    ]


def board_built_endpoints(label: str, township: str) -> list[Endpoint]:
    api = "/api/v1/needs"
    return [
        Endpoint(f"GET {api}", api, {}, slug=f"{label}-needs"),
        Endpoint(
            "?kind=goods&sort=urgency", f"{api}?kind=goods&sort=urgency", {}, slug=f"{label}-goods"
        ),
        Endpoint(
            "?region=<township>&sort=deadline",
            f"{api}?region={township}&sort=deadline",
            {},
            slug=f"{label}-township",
        ),
        Endpoint("?sort=progress", f"{api}?sort=progress", {}, slug=f"{label}-progress"),
        # The text search reads every need the rest of the WHERE leaves (no index answers a
        # match inside a title): a common word, a word no need holds (every open need read),
        # and that word over every published need.
        Endpoint("?q=棉被", f"{api}?q=%E6%A3%89%E8%A2%AB", {}, slug=f"{label}-search"),
        Endpoint("?q=<no match>", f"{api}?q=%E6%97%A0%E6%AD%A4%E7%89%A9", {}, slug=f"{label}-miss"),
        Endpoint(
            "?q=<no match>&open_only=false",
            f"{api}?q=%E6%97%A0%E6%AD%A4%E7%89%A9&open_only=false",
            {},
            slug=f"{label}-miss-all",
        ),
        Endpoint("board page /needs/", "/needs/", {}, slug=f"{label}-page"),
        Endpoint(
            "board page /needs/?q=棉被", "/needs/?q=%E6%A3%89%E8%A2%AB", {}, slug=f"{label}-page-q"
        ),
    ]


def bench_board(db: Database, folder: Path) -> dict:
    results = {}
    for label in ("demo", "grown"):
        if label == "demo":
            step(f"{db.engine}: the board of the demo's needs")
            table = needs_script(db, "board-info")
        else:
            step(
                f"{db.engine}: copying published needs until the board holds "
                f"{BOARD_GROWN_PUBLISHED:,}"
            )
            table = needs_script(db, "grow", "--to", str(BOARD_GROWN_PUBLISHED))
        print(
            f"    {table['needs']:,} needs, {table['published']:,} published, "
            f"{table['open']:,} open; township {table['township']} has "
            f"{table['township_published']:,} published",
            flush=True,
        )
        step(f"{db.engine}: starting gunicorn (2 sync workers) on 127.0.0.1, answers kept")
        with gunicorn_server(db, folder / f"gunicorn-board-{label}-{db.key}.log") as base:
            kept = measure_endpoints(db, base, board_kept_endpoints(label), folder)
        bare = kept["bare view"]["requests_per_second"]
        step(f"{db.engine}: starting gunicorn again, every answer built (the cache off)")
        log = folder / f"gunicorn-board-{label}-built-{db.key}.log"
        with gunicorn_server(db, log, env={"TONGXING_PUBLIC_CACHE_ENTRIES": "0"}) as base:
            endpoints = board_built_endpoints(label, table["township"])
            built = measure_endpoints(db, base, endpoints, folder, bare=bare)
        results[label] = {"table": table, "endpoints": kept | built}
    return results


def board_targets(endpoints: dict[str, dict]) -> list[str]:
    """The issue's target for the kept answers, met or not, one line each."""
    lines = []
    for name, r in endpoints.items():
        if not name.endswith(KEPT):
            continue
        met = r["ratio_to_bare"] >= BOARD_TARGET_RATIO and r["p99_ms"] <= BOARD_TARGET_P99_MS
        lines.append(
            f"  {'met' if met else 'NOT MET'}: {name}: {r['ratio_to_bare']:.2f}× the bare view "
            f"(target ≥ {BOARD_TARGET_RATIO}×), p99 {r['p99_ms']:.1f} ms "
            f"(target ≤ {BOARD_TARGET_P99_MS:.0f} ms)"
        )
    return lines


def print_board_table(engine: str, results: dict) -> None:
    for label, result in results.items():
        table = result["table"]
        what = "the demo's needs" if label == "demo" else "published needs copied, needs"
        print_http_table(
            f"{engine}, board, {what} {table['needs']:,} ({table['published']:,} published, "
            f"{table['open']:,} open)",
            result["endpoints"],
        )
        for line in board_targets(result["endpoints"]):
            print(line)


# --- 6. Contributions -------------------------------------------------------------------------


def bench_contrib(db: Database, folder: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="tongxing-contrib-") as private:
        setup = Path(private) / "setup.json"  # holds the donors' tokens: kept out of results
        step(f"{db.engine}: publishing the funding needs and issuing 32 donors' tokens")
        run(
            [sys.executable, str(NEEDS_BENCH), "contrib-setup", str(setup)],
            env=app_env(db),
            timeout=CONTRIB_TIMEOUT_SECONDS,
        )
        results: dict = {}
        step(f"{db.engine}: starting gunicorn (2 sync workers) on 127.0.0.1")
        with gunicorn_server(db, folder / f"gunicorn-contrib-{db.key}.log") as base:
            for case in ("hot", "many"):
                step(f"{db.engine}: 32 clients contribute at once, case {case}")
                busy_before = check_quiet("before")
                output = run(
                    [
                        sys.executable,
                        str(NEEDS_BENCH),
                        "contrib-load",
                        str(setup),
                        f"--base={base}",
                        f"--case={case}",
                    ],
                    timeout=CONTRIB_TIMEOUT_SECONDS,
                )
                load = json.loads(output.strip().splitlines()[-1])
                load["background_cpu_percent"] = worst(busy_before, check_quiet("after"))
                results[case] = load
                print(
                    f"    {load['accepted']} accepted, {load['refused']} refused, "
                    f"{load['replayed']} replayed, {load['errors']} errors in "
                    f"{load['seconds']:.1f} s: {load['accepted_per_second']:.0f} "
                    "contributions/s",
                    flush=True,
                )
        check = needs_script(db, "contrib-check", str(setup))
    made = {"hot": check["pledges_hot"], "many": check["pledges_many"]}
    check["accepted_equals_pledges"] = all(results[case]["accepted"] == made[case] for case in made)
    check["ok"] = (
        not check["over_funded"]
        and not check["not_equal_to_their_lines"]
        and not check["over_target_anywhere"]
        and not check["keys_without_pledge"]
        and check["accepted_equals_pledges"]
    )
    if not check["ok"]:
        print(f"    WARNING: the check failed: {check}", flush=True)
    results["check"] = check
    return results


def print_contrib_table(engine: str, results: dict) -> None:
    print()
    print(
        f"Contributions, {engine}: 32 clients, ¥100 each over HTTP (gunicorn 2 sync workers), "
        "every 5th retried with its key"
    )
    print(
        f"{'case':<10}{'requests':>9}{'accepted':>9}{'refused':>8}{'replayed':>9}{'errors':>7}"
        f"{'seconds':>8}{'contrib/s':>10}{'req/s':>7}{'p50 ms':>8}{'p99 ms':>8}{'others CPU':>12}"
    )
    for case in ("hot", "many"):
        r = results[case]
        print(
            f"{case:<10}{r['requests']:>9}{r['accepted']:>9}{r['refused']:>8}{r['replayed']:>9}"
            f"{r['errors']:>7}{r['seconds']:>8.1f}{r['accepted_per_second']:>10.1f}"
            f"{r['requests_per_second']:>7.0f}{r['p50_ms']:>8.0f}{r['p99_ms']:>8.0f}"
            f"{percent(r['background_cpu_percent']):>12}"
        )
    check = results["check"]
    hot_pledged, hot_target = check["hot_pledged_of_target"]
    print(
        f"check: {'ok' if check['ok'] else 'FAILED'}: hot need {hot_pledged:,} of {hot_target:,} "
        f"fen; {check['many_full']} of 100 needs full; over-funded {len(check['over_funded'])}; "
        f"not equal to their lines {len(check['not_equal_to_their_lines'])}"
    )


# --- 7. Lock wait -----------------------------------------------------------------------------


def milliseconds(values: list[float], fraction: float) -> float | None:
    """The value below which `fraction` of the values lie, in milliseconds."""
    if not values:
        return None
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def bench_lockwait(db: Database, folder: Path, roster: Path) -> dict:
    step(f"{db.engine}: building the city demo's regions (bench/import_setup.py regions)")
    run([sys.executable, str(IMPORT_SETUP), "regions"], env=app_env(db), timeout=300)
    step(
        f"{db.engine}: a short write every 50 ms, alone for {LOCKWAIT_ALONE_SECONDS} s, "
        f"then during tongxing import-households {roster.name}"
    )
    busy_before = check_quiet("before")
    output = folder / f"lockwait-{db.key}-import.json"
    with (
        (folder / f"lockwait-{db.key}-probe.log").open("w") as probe_log,
        (folder / f"lockwait-{db.key}-import.log").open("w") as import_log,
        output.open("w") as import_out,
    ):
        probe = subprocess.Popen(
            [sys.executable, str(LOCKWAIT_PROBE)],
            cwd=ROOT,
            env=app_env(db),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=probe_log,
            text=True,
        )
        try:
            if probe.stdout.readline().strip() != "ready":
                log = tail(Path(probe_log.name))
                raise BenchError(f"the lock-wait probe did not start:\n{log}")
            time.sleep(LOCKWAIT_ALONE_SECONDS)
            started = time.time()
            done = subprocess.run(
                [str(TONGXING), "import-households", str(roster), "--json"],
                cwd=ROOT,
                env=app_env(db),
                stdout=import_out,
                stderr=import_log,
                timeout=IMPORT_TIMEOUT_SECONDS,
            )
            ended = time.time()
            if done.returncode != 0:
                raise BenchError(f"the import failed (exit {done.returncode})")
            time.sleep(1)
            text, _ = probe.communicate(timeout=60)  # closing its input stops it
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"lock wait: {exc}") from exc
        finally:
            if probe.poll() is None:
                probe.kill()
                probe.wait()
    writes = json.loads(text.strip().splitlines()[-1])
    alone = [seconds for at, seconds, error in writes if at < started and not error]
    during = [(seconds, error) for at, seconds, error in writes if started <= at <= ended]
    waits = [seconds for seconds, _error in during]
    errors = sorted({error for _seconds, error in during if error})
    result = json.loads(output.read_text())
    figures = {
        "rows": result["rows_imported"],
        "import_seconds": ended - started,
        "alone": {
            "writes": len(alone),
            "p50_ms": milliseconds(alone, 0.5),
            "max_ms": milliseconds(alone, 1.0),
        },
        "during": {
            "writes": len(during),
            "p50_ms": milliseconds(waits, 0.5),
            "p99_ms": milliseconds(waits, 0.99),
            "max_ms": milliseconds(waits, 1.0),
            "slow": sum(1 for seconds in waits if seconds > LOCKWAIT_SLOW_SECONDS),
            "seconds_in_slow_writes": sum(s for s in waits if s > LOCKWAIT_SLOW_SECONDS),
            "errors": sum(1 for _seconds, error in during if error),
            "error_messages": errors,
        },
        "background_cpu_percent": worst(busy_before, check_quiet("after")),
    }
    longest, alone_p50 = figures["during"]["max_ms"] or 0, figures["alone"]["p50_ms"] or 0
    print(
        f"    import {figures['import_seconds']:.1f} s; longest write during it {longest:,.0f} ms "
        f"(alone: {alone_p50:.1f} ms)",
        flush=True,
    )
    return figures


def print_lockwait_table(results: dict[str, dict]) -> None:
    print()
    print(
        f"Lock wait: a short write transaction every 50 ms during tongxing import-households "
        f"({IMPORT_ROWS:,} rows); a write over {LOCKWAIT_SLOW_SECONDS:.0f} s is slow"
    )
    print(
        f"{'engine':<12}{'import':>8}{'alone p50':>11}{'writes':>8}{'p50':>9}{'p99':>11}"
        f"{'max':>11}{'slow':>6}{'in slow':>9}{'errors':>8}{'others CPU':>12}"
    )

    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:,.0f} ms"

    for engine, r in results.items():
        during = r["during"]
        print(
            f"{engine:<12}{r['import_seconds']:>6.1f} s{r['alone']['p50_ms'] or 0:>8.1f} ms"
            f"{during['writes']:>8}{ms(during['p50_ms']):>9}{ms(during['p99_ms']):>11}"
            f"{ms(during['max_ms']):>11}{during['slow']:>6}"
            f"{during['seconds_in_slow_writes']:>7.1f} s{during['errors']:>8}"
            f"{percent(r['background_cpu_percent']):>12}"
        )
        for message in during["error_messages"]:
            print(f"    error: {message}")


# --- Main -------------------------------------------------------------------------------------


def code_version() -> str | None:
    """The last commit that changed tongxing/, with "+" when tongxing/ differs from it."""
    try:
        commit = run(["git", "log", "-1", "--format=%h", "--", "tongxing"], timeout=10).strip()
        changed = run(["git", "diff", "--name-only", "HEAD", "--", "tongxing"], timeout=10)
    except BenchError:
        return None
    return commit + ("+" if changed.strip() else "")


def environment() -> dict:
    return {
        "code": code_version(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "django": version("django"),
        "gunicorn": version("gunicorn"),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", choices=PARTS, action="append", help="run this part only (may be repeated)"
    )
    parser.add_argument(
        "--skip-postgres", action="store_true", help="measure SQLite only (no PostgreSQL)"
    )
    parser.add_argument(
        "--skip-sqlite", action="store_true", help="measure PostgreSQL only (no SQLite)"
    )
    parser.add_argument(
        "--scale",
        choices=DEMO_SCALES,
        default="city",
        help="the demo to measure on (small: built in seconds; part 1's target is the city's)",
    )
    parser.add_argument(
        "--database",
        action="append",
        default=[],
        metavar="ENGINE=URL",
        help=(
            "measure on this database, already built at --scale, instead of building a new "
            "one (sqlite=sqlite:///…, postgresql=postgres://…); it is left as it is"
        ),
    )
    args = parser.parse_args(argv)
    built = {}
    for given in args.database:
        engine, _, url = given.partition("=")
        if engine not in ("sqlite", "postgresql") or not url:
            parser.error(f"--database {given!r}: give sqlite=URL or postgresql=URL")
        built[engine] = url
    args.database = built
    if built and args.only and "demo" in args.only:
        parser.error("--database measures on a demo already built: not with --only demo")
    return args


def run_benchmarks(
    parts: list[str], engines: list[str], folder: Path, report: dict, built: dict[str, str]
) -> None:
    roster = write_roster(folder) if {"import", "lockwait"} & set(parts) else None
    for engine in engines:
        if ON_THE_DEMO & set(parts):
            database = built_database(engine, built[engine]) if engine in built else None
            with database or fresh_database(engine) as db:
                if database is not None:
                    step(f"{db.engine}: measuring on the {DEMO_ARGS[2]} demo already built")
                elif "demo" in parts:
                    report["demo"][db.engine] = bench_demo(db, folder)
                else:
                    build_demo_untimed(db, folder)
                if "http" in parts:
                    report["http"][db.engine] = bench_http(db, folder)
                    print_http_table(db.engine, report["http"][db.engine])
                if "search" in parts:
                    report["search"][db.engine] = bench_search(db, folder)
                    print_search_table(db.engine, report["search"][db.engine])
                if "audit" in parts:
                    report["audit"][db.engine] = bench_audit(db, folder)
                    print_audit_table(db.engine, report["audit"][db.engine])
                if "indicators" in parts:
                    report["indicators"][db.engine] = bench_indicators(db, folder)
                    print_indicators_table(db.engine, report["indicators"][db.engine])
                if "report" in parts:
                    report["report"][db.engine] = bench_report(db, folder)
                    print_report_table(db.engine, report["report"][db.engine])
                if "visits" in parts:
                    report["visits"][db.engine] = bench_visits(db, folder)
                    print_visits_table(db.engine, report["visits"][db.engine])
                if "commerce" in parts:
                    report["commerce"][db.engine] = bench_commerce(db, folder)
                    print_commerce_table(db.engine, report["commerce"][db.engine])
                if "board" in parts:  # grows the needs table: after the parts that read it
                    report["board"][db.engine] = bench_board(db, folder)
                    print_board_table(db.engine, report["board"][db.engine])
                if "contrib" in parts:
                    report["contrib"][db.engine] = bench_contrib(db, folder)
                    print_contrib_table(db.engine, report["contrib"][db.engine])
        if "import" in parts:
            # The import needs only the regions: a database of its own.
            with fresh_database(engine) as db:
                report["import"][db.engine] = bench_import(db, folder, roster)
        if "lockwait" in parts:
            with fresh_database(engine) as db:
                report["lockwait"][db.engine] = bench_lockwait(db, folder, roster)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    DEMO_ARGS[2] = args.scale
    parts = [part for part in PARTS if part in args.only] if args.only else PARTS
    engines = ["sqlite"] if args.skip_postgres else ["sqlite", "postgresql"]
    if args.skip_sqlite:
        engines.remove("sqlite")
    started = datetime.now()
    folder = RESULTS / started.strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    report: dict = {"date": started.isoformat(timespec="seconds"), "scale": args.scale}
    report.update({part: {} for part in PARTS})
    failure = None
    try:
        check_tools(parts, engines)
        report["environment"] = environment()
        step(f"measuring tongxing at {report['environment']['code']}")
        run_benchmarks(parts, engines, folder, report, args.database)
        if code_version() != report["environment"]["code"]:
            print(f"WARNING: the code changed during the run (now {code_version()})", flush=True)
    except BenchError as exc:
        failure = str(exc)
    except KeyboardInterrupt:
        failure = "interrupted"
    finally:
        report["failure"] = failure
        (folder / "results.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    if report["demo"]:
        print_demo_table(report["demo"])
    for engine, results in report["http"].items():
        print_http_table(engine, results)
    if report["import"]:
        print_import_table(report["import"])
    for engine, results in report["search"].items():
        print_search_table(engine, results)
    for engine, results in report["audit"].items():
        print_audit_table(engine, results)
    for engine, results in report["indicators"].items():
        print_indicators_table(engine, results)
    for engine, results in report["report"].items():
        print_report_table(engine, results)
    for engine, results in report["visits"].items():
        print_visits_table(engine, results)
    for engine, results in report["commerce"].items():
        print_commerce_table(engine, results)
    for engine, results in report["board"].items():
        print_board_table(engine, results)
    for engine, results in report["contrib"].items():
        print_contrib_table(engine, results)
    if report["lockwait"]:
        print_lockwait_table(report["lockwait"])
    print(f"\nresults and logs: {folder.relative_to(ROOT)}/")
    if failure:
        print(f"\nbench FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
