"""Profile the household import in process: where does its time go?

    profile_import.py FILE.xlsx [--rows 10000] [--twice] [--top 30]

Reads the roster, then runs `import_households` on its first rows under cProfile, in the
database of DATABASE_URL (which must hold the roster's villages: `import_setup.py regions`).
With --twice it imports once unprofiled and profiles the second import, which must change
nothing. Prints the functions with the most time of their own and the most time overall.
"""

import argparse
import cProfile
import itertools
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--twice", action="store_true", help="profile a second import")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxing.settings")
    import django

    django.setup()
    from tongxing.registry.actions import import_households
    from tongxing.registry.roster_columns import COLUMN_ALIASES, REQUIRED_COLUMNS
    from tongxing.tabular import read_table

    started = time.perf_counter()
    table = read_table(args.file, aliases=COLUMN_ALIASES, required=REQUIRED_COLUMNS)
    # The rows stream from the file: the first N, held for the profile's two imports.
    rows = list(itertools.islice(table.rows, args.rows))
    print(f"read {len(rows)} rows in {time.perf_counter() - started:.1f} s")
    if args.twice:
        import_households(rows=rows, by=None)
    profile = cProfile.Profile()
    started = time.perf_counter()
    result = profile.runcall(import_households, rows=rows, by=None)
    seconds = time.perf_counter() - started
    print(f"imported {len(rows)} rows in {seconds:.1f} s under the profiler: {result.as_dict()}")
    stats = pstats.Stats(profile).strip_dirs()
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
