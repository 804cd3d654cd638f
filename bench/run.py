"""Tongxing's benchmarks: what `make bench` runs. They print figures; they are not tests.

1. The demo: `tongxing demo --scale city --no-serve` on a fresh SQLite file and on a fresh
   PostgreSQL database. Wall time and peak memory (max RSS of the process), then a second
   run on the same database, which must add no row. Target: the first run under 2 minutes.
2. HTTP: gunicorn (2 sync workers, DEBUG off, 127.0.0.1) serves the city demo database;
   wrk (2 threads, 16 connections, 10 s) measures requests/s and p50/p99 latency of the
   public home page `/`, of `GET /api/v1/regions` with the city office's bearer token, and
   of a bare Django view returning constant JSON (bench/urls.py), which the others are
   compared with.

Next to each figure it records how busy other processes kept the CPUs just before and
after ("others CPU"): on a shared machine, a high value means a low figure.

Usage: `make bench [ARGS="--only demo|http --skip-postgres"]`, or
`.venv/bin/python bench/run.py [--only demo|http] [--skip-postgres]`.
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
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent  # the virtualenv's bin, where `tongxing` and gunicorn live
TONGXING = BIN / "tongxing"
GUNICORN = BIN / "gunicorn"

PG_HOST_ARGS = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
PG_URL = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "tongxing_bench"

DEMO_ARGS = ["demo", "--scale", "city", "--no-serve"]
DEMO_TARGET_SECONDS = 120
DEMO_TIMEOUT_SECONDS = 900
CITY_OFFICE = {"username": "office-4271", "password": "tongxing-demo"}

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
class DemoRun:
    seconds: float
    peak_rss_mib: float
    background_cpu_percent: float | None  # others' load just before and after (the higher)


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    headers: dict[str, str]


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
    if "http" in parts and not GUNICORN.exists():
        raise BenchError(f"{GUNICORN} not found: install the extra: pip install -e '.[bench]'")
    if "http" in parts:
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


def count_rows(db: Database) -> dict[str, int]:
    output = run([str(TONGXING), "shell", "--no-imports", "-c", COUNT_ROWS], env=app_env(db))
    return json.loads(output.strip().splitlines()[-1])


# --- 1. The demo ------------------------------------------------------------------------------


def run_demo(db: Database, log: Path) -> DemoRun:
    """Run the city demo once; return its wall time and the peak RSS of its process."""
    busy_before = check_quiet("before")
    with log.open("w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(TONGXING), *DEMO_ARGS],
            cwd=ROOT,
            env=app_env(db),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        timer = threading.Timer(DEMO_TIMEOUT_SECONDS, proc.kill)
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
        why = "timed out" if seconds >= DEMO_TIMEOUT_SECONDS else f"exit {proc.returncode}"
        raise BenchError(f"`tongxing demo` on {db.engine} failed ({why}):\n{tail(log)}")
    peak_rss_mib = usage.ru_maxrss / 1024  # Linux gives ru_maxrss in KiB
    busy = worst(busy_before, check_quiet("after"))
    return DemoRun(seconds=seconds, peak_rss_mib=peak_rss_mib, background_cpu_percent=busy)


def bench_demo(db: Database, folder: Path) -> dict:
    step(f"{db.engine}: tongxing demo --scale city --no-serve, first run on a fresh database")
    first = run_demo(db, folder / f"demo-{db.key}-first.log")
    print(f"    {first.seconds:.1f} s, peak RSS {first.peak_rss_mib:.0f} MiB", flush=True)
    before = count_rows(db)
    step(f"{db.engine}: second run on the same database")
    second = run_demo(db, folder / f"demo-{db.key}-second.log")
    after = count_rows(db)
    changed = {
        label: after.get(label, 0) - before.get(label, 0)
        for label in sorted(before.keys() | after.keys())
        if after.get(label, 0) != before.get(label, 0)
    }
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
    step(f"{db.engine}: building the city demo for the HTTP benchmark")
    built = run_demo(db, folder / f"demo-{db.key}.log")
    print(f"    {built.seconds:.1f} s", flush=True)


def print_demo_table(demo: dict[str, dict]) -> None:
    print()
    print("tongxing demo --scale city --no-serve (target: first run under 2 minutes)")
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
def gunicorn_server(db: Database, log: Path) -> Iterator[str]:
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
            env=app_env(db, settings="bench.settings"),
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
            slug = endpoint.path.strip("/").replace("/", "-") or "home"
            (folder / f"wrk-{db.key}-{slug}.txt").write_text(output)
            result = parse_wrk(output)
            if result.errors:
                print(f"    WARNING: {result.errors} errors or non-2xx responses", flush=True)
            results[endpoint.name] = {
                "path": endpoint.path,
                **asdict(result),
                "background_cpu_percent": busy,
            }
    bare = results["bare view"]["requests_per_second"]
    for result in results.values():
        result["ratio_to_bare"] = result["requests_per_second"] / bare if bare else None
    return results


def print_http_table(engine: str, results: dict[str, dict]) -> None:
    print()
    print(f"HTTP, {engine}: gunicorn 2 sync workers, wrk {' '.join(WRK_ARGS)}")
    print(
        f"{'endpoint':<22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'vs bare':>10}{'errors':>8}"
        f"{'others CPU':>12}"
    )
    for name, r in results.items():
        print(
            f"{name:<22}{r['requests_per_second']:>10.0f}{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}"
            f"{r['ratio_to_bare']:>10.2f}{r['errors']:>8}{percent(r['background_cpu_percent']):>12}"
        )


# --- Main -------------------------------------------------------------------------------------


def environment() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "django": version("django"),
        "gunicorn": version("gunicorn"),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["demo", "http"], help="run one part only")
    parser.add_argument(
        "--skip-postgres", action="store_true", help="measure SQLite only (no PostgreSQL)"
    )
    return parser.parse_args(argv)


def run_benchmarks(parts: list[str], engines: list[str], folder: Path, report: dict) -> None:
    for engine in engines:
        with fresh_database(engine) as db:
            if "demo" in parts:
                report["demo"][db.engine] = bench_demo(db, folder)
            else:
                build_demo_untimed(db, folder)
            if "http" in parts:
                report["http"][db.engine] = bench_http(db, folder)
                print_http_table(db.engine, report["http"][db.engine])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    parts = [args.only] if args.only else ["demo", "http"]
    engines = ["sqlite"] if args.skip_postgres else ["sqlite", "postgresql"]
    started = datetime.now()
    folder = RESULTS / started.strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    report: dict = {"date": started.isoformat(timespec="seconds"), "demo": {}, "http": {}}
    failure = None
    try:
        check_tools(parts, engines)
        report["environment"] = environment()
        run_benchmarks(parts, engines, folder, report)
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
    print(f"\nresults and logs: {folder.relative_to(ROOT)}/")
    if failure:
        print(f"\nbench FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
