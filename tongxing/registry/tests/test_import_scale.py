"""A roster larger than what one SQL statement may carry, on an SQLite that allows little."""

import datetime
import sqlite3

import pytest
from django.db import connection

from conftest import VILLAGE_A1, VILLAGE_A2
from tongxing.registry.actions import import_households
from tongxing.registry.models import Household, HouseholdStatusChange, Member
from tongxing.registry.tests.factories import id_number

HOUSEHOLDS = 1_200  # above the 999 variables a statement that some SQLite builds allow


@pytest.fixture
def few_sql_variables(tree):
    """Lower this connection's limit to 999 variables a statement; restore it afterwards."""
    if connection.vendor != "sqlite":
        pytest.skip("the variable limit is SQLite's")
    connection.ensure_connection()
    raw = connection.connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    yield
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)


def roster(status: str = "建档立卡户") -> list[tuple[int, dict[str, str]]]:
    rows = []
    for n in range(HOUSEHOLDS):
        head = id_number(n % 500, born=datetime.date(1950 + n // 500, 1, 1))
        village = VILLAGE_A1 if n % 2 else VILLAGE_A2
        rows.append(
            (
                n + 2,
                {
                    "registry_number": f"R{n:05d}",
                    "village_code": village,
                    "name": f"户主{n}",
                    "relation": "户主",
                    "id_number": head,
                    "status": status,
                },
            )
        )
    return rows


def test_a_roster_above_the_variable_limit_imports_and_reimports(few_sql_variables, alice):
    with pytest.raises(Exception, match="too many SQL variables"):
        Household.objects.filter(pk__in=range(1000)).count()  # the limit holds
    result = import_households(rows=roster(), by=alice)
    assert result.errors == []
    assert (result.households_created, result.members_created) == (HOUSEHOLDS, HOUSEHOLDS)
    assert Household.objects.count() == Member.objects.count() == HOUSEHOLDS
    # Again: every household and ID number is matched with the one on file.
    result = import_households(rows=roster(), by=alice)
    assert result.errors == []
    assert (result.households_created, result.rows_unchanged) == (0, HOUSEHOLDS)
    # And changed: every household is checked again just before it is written.
    result = import_households(rows=roster("脱贫户"), by=alice)
    assert result.errors == []
    assert result.households_updated == HOUSEHOLDS
    assert HouseholdStatusChange.objects.filter(status="exited").count() == HOUSEHOLDS
    assert Household.objects.filter(status="exited").count() == HOUSEHOLDS


def test_the_import_gives_the_connection_back_its_own_page_cache(few_sql_variables, alice):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
    result = import_households(rows=roster()[:10], by=alice)
    assert result.households_created == 10
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone() == (before,)
