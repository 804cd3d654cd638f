"""Shared fixtures: a small region tree and personas who work in it.

The tree: city 5901 with township A (villages A1, A2) and township B (village B1).
Alice runs the city office; Tina runs township A's station and Tom township B's; Vera is the
village admin of A1; Carl runs the office of the neighbouring city 5902; Dora is a caring
person (donor); Olga represents an enterprise. Cody is a cadre of township A with no
household assigned to him (a test's own `cleo` is the cadre assigned to its household);
Victor is a viewer (supervisor) of township A, who reads and changes nothing.
"""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from tongxing.access import Role
from tongxing.accounts.actions import create_user, issue_token
from tongxing.regions.actions import import_regions
from tongxing.regions.models import Region

# The browser tests' fixtures (a phone-sized Chromium), for tests in any directory.
pytest_plugins = ["tests.browser.fixtures"]

CITY = "590100000000"
COUNTY = "590101000000"
TOWNSHIP_A = "590101001000"
VILLAGE_A1 = "590101001001"
VILLAGE_A2 = "590101001002"
TOWNSHIP_B = "590101002000"
VILLAGE_B1 = "590101002001"
OTHER_CITY = "590200000000"

TREE = [
    {"code": CITY, "name": "青禾市"},
    {"code": COUNTY, "name": "安平区"},
    {"code": TOWNSHIP_A, "name": "柳塘镇"},
    {"code": VILLAGE_A1, "name": "桃李村", "tags": "重点贫困村"},
    {"code": VILLAGE_A2, "name": "杏花村", "tags": "移民村 重点贫困村"},
    {"code": TOWNSHIP_B, "name": "松林乡"},
    {"code": VILLAGE_B1, "name": "梅竹村", "tags": "省定重点攻坚村"},
]
PASSWORD = "correct horse battery"


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 still, with a small memory cost: production's costs would dominate the suite."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["conftest.QuickArgon2PasswordHasher"]


# Fixed keys for personal data, so tests never depend on a key file of the machine.
TEST_DATA_KEY = "dGVzdC1rZXktZm9yLXRvbmd4aW5nLXRlc3RzLTMyYiE="
TEST_INDEX_KEY = "aW5kZXgta2V5LWZvci10b25neGluZy10ZXN0cy0zMiE="


@pytest.fixture(autouse=True)
def test_data_key(settings):
    settings.TONGXING_DATA_KEY = TEST_DATA_KEY
    settings.TONGXING_DATA_OLD_KEYS = ""
    settings.TONGXING_INDEX_KEY = TEST_INDEX_KEY


@pytest.fixture(scope="session")
def media_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def media_root(settings, media_folder):
    """Uploaded files and the files of jobs go to a folder of the test run, not to var/."""
    settings.MEDIA_ROOT = media_folder


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, as a freshly started server does."""
    cache.clear()


@pytest.fixture(autouse=True)
def english_by_default(settings):
    """Tests read English messages; the tests of the languages themselves set their own."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def tree(db) -> dict[str, Region]:
    result = import_regions(rows=list(enumerate(TREE, start=2)), by=None)
    assert result.ok, result.errors
    return Region.objects.in_bulk()


def add_other_city() -> Region:
    """Load a neighbouring city, 5902, with the province that holds both cities."""
    rows = [{"code": "590000000000", "name": "示范省"}, {"code": OTHER_CITY, "name": "远山市"}]
    result = import_regions(rows=list(enumerate(rows, start=2)), by=None)
    assert result.ok, result.errors
    return Region.objects.get(code=OTHER_CITY)


def make_user(username: str, role: str, code: str | None = None, password: str | None = None):
    region = Region.objects.get(code=code) if code else None
    return create_user(
        username=username,
        role=role,
        region=region,
        password=password,
        display_name=username.title(),
        by=None,
    )


@pytest.fixture
def alice(tree):
    return make_user("alice", Role.CITY_ADMIN, CITY)


@pytest.fixture
def tina(tree):
    return make_user("tina", Role.TOWNSHIP_ADMIN, TOWNSHIP_A)


@pytest.fixture
def tom(tree):
    return make_user("tom", Role.TOWNSHIP_ADMIN, TOWNSHIP_B)


@pytest.fixture
def vera(tree):
    return make_user("vera", Role.VILLAGE_ADMIN, VILLAGE_A1)


@pytest.fixture
def carl(tree):
    """The office of the neighbouring city."""
    add_other_city()
    return make_user("carl", Role.CITY_ADMIN, OTHER_CITY)


@pytest.fixture
def cody(tree):
    """A cadre of township A with no household assigned: he helps no one yet."""
    return make_user("cody", Role.CADRE, TOWNSHIP_A)


@pytest.fixture
def victor(tree):
    """A viewer (supervisor) of township A: reads its records, changes nothing."""
    return make_user("victor", Role.VIEWER, TOWNSHIP_A)


@pytest.fixture
def dora(db):
    return make_user("dora", Role.DONOR)


@pytest.fixture
def olga(db):
    return make_user("olga", Role.ORG_REP)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_client_for(user) -> Client:
    """Return a client that sends a fresh bearer token of the user, as API clients do."""
    if user is None:
        return Client()
    raw, _token = issue_token(user=user)
    return Client(headers={"Authorization": f"Bearer {raw}"})
