"""Query pieces that must use an index on both engines."""

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
