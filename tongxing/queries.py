"""Query pieces that must use an index on both engines."""

from contextlib import contextmanager

from django.db import connection
from django.db.models import Q

# The highest code point: every string that starts with a prefix sorts below prefix + this.
TOP = "\U0010ffff"


def prefix_q(field: str, prefix: str) -> Q:
    """Match the values of a field that start with a prefix, through the field's index.

    SQLite uses an index for LIKE 'x%' only with case_sensitive_like on, which Django's
    case-insensitive lookups need off; its binary collation orders text by code point, so
    the range [prefix, prefix + TOP) is exactly the prefix and its B-tree answers it.
    PostgreSQL answers LIKE 'x%' from the varchar_pattern_ops index Django makes for
    indexed text columns, whatever the database's collation.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + TOP})
    return Q(**{f"{field}__startswith": prefix})


def refresh_statistics() -> None:
    """Bring the query planner's statistics up to date, after a bulk load or once a day.

    Without them SQLite guesses, and may pick the index of a column that narrows little
    (the board's count of goods read 30,000 goods rather than the few hundred needs on the
    board: 18 ms against 0.2). SQLite gathers them only when asked, over whole indexes (a
    sample, `analysis_limit`, guessed as badly): about a third of a second at city scale.
    PostgreSQL's autovacuum gathers them on its own, later; this is at once.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def insert_many(model, objects, *, batch_size: int = 2000, keep_moments: bool = False) -> None:
    """Insert model objects without reading back their keys.

    For imports and the demo: with no keys to return and no per-object bookkeeping, it
    takes about half the time of `bulk_create`, whose preparation of every field of every
    object dominates a 100,000-row import; on PostgreSQL the rows go by COPY. Fields are
    prepared as `save()` prepares them (`pre_save` fills auto_now_add dates), except that
    with `keep_moments` an auto_now_add date already set on an object is kept (a recorded
    history gives each event its own moment).
    """
    for start in range(0, len(objects), batch_size):
        chunk = objects[start : start + batch_size]
        insert_rows(model, prepare_rows(model, chunk, keep_moments=keep_moments))


def insert_columns(model) -> list:
    """The fields `prepare_rows` gives values for, in their order: all but the key."""
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def column_index(model, name: str) -> int:
    """Where a field's value sits in a row of `prepare_rows`."""
    return [field.name for field in insert_columns(model)].index(name)


def prepare_rows(model, objects, *, keep_moments: bool = False) -> list[list]:
    """Return the rows `insert_rows` writes for these objects, prepared as `save()` would.

    Preparing is most of an insert's time in Python: done before a transaction begins, it
    keeps the transaction (and on SQLite the one write lock) short. A value that is only
    known inside the transaction, such as the key of a row inserted there, can be set in
    the row afterwards (see `column_index`).
    """

    def prepared(field, obj):
        if keep_moments and getattr(field, "auto_now_add", False):
            value = getattr(obj, field.attname)
            if value is not None:
                return field.get_db_prep_save(value, connection)
        return field.get_db_prep_save(field.pre_save(obj, True), connection)

    fields = insert_columns(model)
    return [[prepared(field, obj) for field in fields] for obj in objects]


def insert_rows(model, rows: list[list], *, batch_size: int = 2000) -> None:
    """Insert rows made by `prepare_rows`: executemany on SQLite, COPY on PostgreSQL."""
    if not rows:
        return
    columns = ", ".join(connection.ops.quote_name(field.column) for field in insert_columns(model))
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows in one command; executemany would send one INSERT each.
            # It goes to the driver's own cursor: its errors are made Django's, as an
            # INSERT's are (a unique index broken is an IntegrityError on both engines).
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(rows[0]))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start : start + batch_size])


@contextmanager
def bulk_write_cache(mebibytes: int = 64):
    """On SQLite, give this connection a larger page cache for a bulk write, then its own.

    A bulk insert goes through indexes in random order (keyed hashes, names): with SQLite's
    default cache of 2 MiB it reads and writes their pages again and again, inside its
    transaction, which holds the database's one write lock. 64 MiB took the 100,000 members
    of the import benchmark from 8-10 s to 3-7 s on a busy machine. PostgreSQL: nothing.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-1024 * int(mebibytes)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")
