"""The import benchmark's baseline: read the roster and store its raw rows, nothing more.

    import_baseline.py FILE.xlsx

It reads the file with the import's own reader (tongxing.tabular.read_table with the
registry's column aliases), creates a bare table `bench_raw_roster` of text columns and
inserts every row as it was read, with executemany in batches, in one transaction, into
the database of DATABASE_URL. What `tongxing import-households` takes beyond this is the
cost of checking, matching, encrypting and recording the rows. Prints the rows stored.
"""

import itertools
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 1000


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxing.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from tongxing.registry.roster_columns import COLUMN_ALIASES, REQUIRED_COLUMNS
    from tongxing.tabular import read_table

    table = read_table(Path(sys.argv[1]), aliases=COLUMN_ALIASES, required=REQUIRED_COLUMNS)
    columns = list(table.columns)  # our names, ASCII: safe as SQL column names
    definitions = ", ".join(f"{column} text" for column in columns)
    insert = (
        f"INSERT INTO bench_raw_roster (row_number, {', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * (len(columns) + 1))})"
    )
    stored = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_roster")
        cursor.execute(f"CREATE TABLE bench_raw_roster (row_number integer, {definitions})")
        # The rows stream from the file: take them a batch at a time.
        rows = iter(table.rows)
        while batch := list(itertools.islice(rows, BATCH)):
            cursor.executemany(
                insert, [(number, *(row[c] for c in columns)) for number, row in batch]
            )
            stored += len(batch)
    print(stored)


if __name__ == "__main__":
    main()
