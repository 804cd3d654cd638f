"""Personal data at rest: encryption, lookup by keyed hash, and key rotation."""

import base64
import hashlib
import hmac

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from conftest import TEST_DATA_KEY, TEST_INDEX_KEY
from tongxing import personal_data
from tongxing.audit.models import AuditEvent
from tongxing.registry.actions import RotationRefused, rotate_data_key
from tongxing.registry.models import Household, Member, Person
from tongxing.registry.selectors import search_households
from tongxing.registry.tests.factories import id_number, person, phone, register


def test_a_value_encrypts_to_new_text_each_time_and_decrypts_back(db):
    first, second = (
        personal_data.encrypt("420981199001011235"),
        personal_data.encrypt("420981199001011235"),
    )
    assert first != second and "420981" not in first
    assert personal_data.decrypt(first) == personal_data.decrypt(second) == "420981199001011235"


def test_tampered_ciphertext_is_refused(db):
    token = personal_data.encrypt("13800138000")
    version, kid, payload = token.split(".")
    tampered = f"{version}.{kid}.{payload[:-4]}AAAA"
    with pytest.raises(Exception):  # noqa: B017 - any failure of authentication will do
        personal_data.decrypt(tampered)


def test_the_keyed_hash_depends_on_the_index_key_and_never_on_the_data_key(settings):
    first = personal_data.blind_index("id", "420981199001011235")
    assert first == personal_data.blind_index("id", "420981199001011235")
    settings.TONGXING_DATA_KEY = personal_data.new_key()
    assert personal_data.blind_index("id", "420981199001011235") == first
    settings.TONGXING_INDEX_KEY = personal_data.new_key()
    assert personal_data.blind_index("id", "420981199001011235") != first


@pytest.mark.parametrize("name", ["TONGXING_DATA_KEY", "TONGXING_INDEX_KEY"])
@pytest.mark.parametrize("key", ["short", "not base64 at all!!"])
def test_a_bad_key_is_named(settings, name, key):
    setattr(settings, name, key)
    with pytest.raises(personal_data.DataKeyError, match=name):
        personal_data.encrypt("x")


def rotate_to_a_new_key(settings) -> str:
    """Make a new data key current, keeping the test key readable as the old one."""
    settings.TONGXING_DATA_KEY = personal_data.new_key()
    settings.TONGXING_DATA_OLD_KEYS = TEST_DATA_KEY
    return settings.TONGXING_DATA_KEY


def test_the_same_id_number_is_refused_while_and_after_the_data_key_rotates(vera, settings):
    register(by=vera, number="H-001")
    rotate_to_a_new_key(settings)
    # The new key is current and no row has been rotated yet: the number is still known.
    with pytest.raises(ValidationError) as refused:
        register(by=vera, number="H-002", head_id=id_number(0))
    assert refused.value.message_dict == {
        "members.0.id_number": ["This ID number is already registered in another household."]
    }
    call_command("datakey", "rotate")
    with pytest.raises(ValidationError) as refused:
        register(by=vera, number="H-003", head_id=id_number(0))
    assert refused.value.message_dict == {
        "members.0.id_number": ["This ID number is already registered in another household."]
    }
    assert list(Household.objects.values_list("registry_number", flat=True)) == ["H-001"]
    assert Member.objects.count() == 1


def test_rotation_re_encrypts_everything_and_the_old_key_may_then_go(vera, settings, capsys):
    household = register(by=vera)
    helper = person()
    head = household.members.get(relation="head")
    full = personal_data.decrypt(head.id_number_ciphertext)
    hashes = (head.id_number_hash, head.phone_hash, helper.phone_hash)
    rotate_to_a_new_key(settings)
    call_command("datakey", "rotate")
    assert capsys.readouterr().out.splitlines() == [
        "Wrote 1 members and 1 people again with the current keys.",
        "Done: the old keys may now be removed from TONGXING_DATA_OLD_KEYS.",
    ]
    head.refresh_from_db()
    helper.refresh_from_db()
    assert personal_data.is_current(head.id_number_ciphertext)
    assert personal_data.is_current(head.phone_ciphertext)
    assert personal_data.is_current(helper.phone_ciphertext)
    assert (head.id_number_hash, head.phone_hash, helper.phone_hash) == hashes
    # Once rotated, the old key may go: everything reads with the new one alone.
    settings.TONGXING_DATA_OLD_KEYS = ""
    assert personal_data.decrypt(Member.objects.get(pk=head.pk).id_number_ciphertext) == full
    assert personal_data.decrypt(Member.objects.get(pk=head.pk).phone_ciphertext) == phone(0)
    assert personal_data.decrypt(Person.objects.get(pk=helper.pk).phone_ciphertext) == (
        "13900139000"
    )
    assert list(search_households(vera, query=full)) == [household]
    events = AuditEvent.objects.filter(action__startswith="datakey.").order_by("id")
    assert [(e.action, e.object_type, e.after) for e in events] == [
        (
            "datakey.rotation_start",
            "registry.personal_data",
            {"members": 1, "people": 1, "reindex": False},
        ),
        (
            "datakey.rotation_finish",
            "registry.personal_data",
            {"members": 1, "people": 1, "left": 0, "duplicates": 0},
        ),
    ]


def three_households(vera) -> list[Household]:
    return [
        register(by=vera, number=f"H-00{n}", head_id=id_number(n), head_phone=phone(n))
        for n in range(3)
    ]


def on_current_key(model=Member) -> int:
    current = personal_data.token_prefix(personal_data.current_key_id())
    return model.objects.filter(id_number_ciphertext__startswith=current).count()


class Interrupted(Exception):
    pass


def test_a_rotation_interrupted_after_one_batch_finishes_when_run_again(vera, settings):
    three_households(vera)
    rotate_to_a_new_key(settings)

    def stop(label, rows, total):
        raise Interrupted  # as Ctrl+C or a killed process after the first batch committed

    with pytest.raises(Interrupted):
        rotate_data_key(by=None, batch_size=1, progress=stop)
    assert on_current_key() == 1
    result = rotate_data_key(by=None, batch_size=1)
    assert (result.members, result.people, result.left, result.duplicates) == (2, 0, 0, [])
    assert result.finished
    assert on_current_key() == 3
    settings.TONGXING_DATA_OLD_KEYS = ""
    assert sorted(personal_data.decrypt(m.phone_ciphertext) for m in Member.objects.all()) == [
        phone(0),
        phone(1),
        phone(2),
    ]
    events = AuditEvent.objects.filter(action__startswith="datakey.").order_by("id")
    assert [(e.action, e.after) for e in events] == [
        ("datakey.rotation_start", {"members": 3, "people": 0, "reindex": False}),
        ("datakey.rotation_start", {"members": 2, "people": 0, "reindex": False}),
        ("datakey.rotation_finish", {"members": 2, "people": 0, "left": 0, "duplicates": 0}),
    ]


def test_a_search_by_id_finds_every_household_before_during_and_after_a_rotation(vera, settings):
    households = three_households(vera)

    def found() -> list[list[Household]]:
        return [list(search_households(vera, query=id_number(n))) for n in range(3)]

    expected = [[household] for household in households]
    assert found() == expected
    rotate_to_a_new_key(settings)
    during = []

    def look(label, rows, total):
        during.append((on_current_key(), found()))

    rotate_data_key(by=None, batch_size=1, progress=look)
    assert during == [(1, expected), (2, expected), (3, expected)]
    assert found() == expected


def test_rotation_refuses_to_start_without_the_index_key_in_the_environment(
    vera, settings, tmp_path
):
    register(by=vera)
    settings.BASE_DIR = tmp_path
    settings.TONGXING_INDEX_KEY = ""
    rotate_to_a_new_key(settings)
    with pytest.raises(CommandError, match="Set TONGXING_INDEX_KEY first"):
        call_command("datakey", "rotate")
    with pytest.raises(RotationRefused):
        rotate_data_key(by=None)
    assert on_current_key() == 0
    assert not AuditEvent.objects.filter(action__startswith="datakey.").exists()


def test_rotation_refuses_to_start_when_a_key_that_wrote_a_number_is_not_given(vera, settings):
    register(by=vera)
    settings.TONGXING_DATA_KEY = personal_data.new_key()  # the old key forgotten
    old_id = personal_data.key_id(base64.urlsafe_b64decode(TEST_DATA_KEY))
    with pytest.raises(CommandError) as refused:
        call_command("datakey", "rotate")
    assert str(refused.value) == (
        f"Some numbers were written with a key that is not given (key id {old_id}): "
        "put it in TONGXING_DATA_OLD_KEYS."
    )
    assert on_current_key() == 0
    assert not AuditEvent.objects.filter(action__startswith="datakey.").exists()


def test_rotation_refuses_an_index_key_that_did_not_make_the_hashes_and_reindex_remakes_them(
    vera, settings
):
    household = register(by=vera)
    settings.TONGXING_INDEX_KEY = personal_data.new_key()
    assert list(search_households(vera, query=id_number(0))) == []
    with pytest.raises(CommandError, match="TONGXING_INDEX_KEY is not the key"):
        call_command("datakey", "rotate")
    call_command("datakey", "reindex")
    assert list(search_households(vera, query=id_number(0))) == [household]
    with pytest.raises(ValidationError):
        register(by=vera, number="H-002", head_id=id_number(0))


def test_only_a_superuser_or_the_command_may_rotate(vera, alice, settings):
    register(by=vera)
    rotate_to_a_new_key(settings)
    with pytest.raises(PermissionDenied):
        rotate_data_key(by=alice)
    assert on_current_key() == 0
    assert not AuditEvent.objects.filter(action__startswith="datakey.").exists()


def legacy_hash(data_key: str, kind: str, value: str) -> str:
    """The keyed hash as versions before the index key made it: keyed by the data key."""
    key = hmac.new(base64.urlsafe_b64decode(data_key), b"tongxing blind index", hashlib.sha256)
    return hmac.new(key.digest(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def test_an_installation_from_before_the_index_key_keeps_its_hashes_and_then_rotates_safely(
    vera, settings, tmp_path, capsys
):
    # No index key set: the one pinned in var/ on first use is the one hashes were made with.
    settings.BASE_DIR = tmp_path
    settings.TONGXING_INDEX_KEY = ""
    household = register(by=vera)
    head = household.members.get(relation="head")
    assert head.id_number_hash == legacy_hash(TEST_DATA_KEY, "id", id_number(0))
    assert head.phone_hash == legacy_hash(TEST_DATA_KEY, "phone", phone(0))
    # The upgrade: the index key in use goes into the environment, then the data key rotates.
    call_command("datakey", "index-key")
    settings.TONGXING_INDEX_KEY = capsys.readouterr().out.strip()
    assert (tmp_path / "var" / "index.key").read_text() == settings.TONGXING_INDEX_KEY
    rotate_to_a_new_key(settings)
    call_command("datakey", "rotate")
    head.refresh_from_db()
    assert personal_data.is_current(head.id_number_ciphertext)
    assert head.id_number_hash == legacy_hash(TEST_DATA_KEY, "id", id_number(0))
    with pytest.raises(ValidationError):
        register(by=vera, number="H-002", head_id=id_number(0))
    assert list(search_households(vera, query=id_number(0))) == [household]


def test_a_rotation_left_half_done_by_an_earlier_version_finishes_and_names_the_duplicate(
    vera, settings
):
    """The earlier rotation re-hashed with the new data key and died half way; meanwhile the
    same person was registered again. The hashes now come from the index key derived from
    the new data key; the rows left on the old key still hold hashes of the old one."""
    old_key, new_key = TEST_DATA_KEY, personal_data.new_key()
    settings.TONGXING_INDEX_KEY = base64.urlsafe_b64encode(
        personal_data.derived_index_key(base64.urlsafe_b64decode(new_key))
    ).decode()
    left_behind = three_households(vera)  # on the old key, hashes of the old key below
    for n, household in enumerate(left_behind):
        household.members.update(
            id_number_hash=legacy_hash(old_key, "id", id_number(n)),
            phone_hash=legacy_hash(old_key, "phone", phone(n)),
        )
    settings.TONGXING_DATA_KEY, settings.TONGXING_DATA_OLD_KEYS = new_key, old_key
    twice = register(by=vera, number="H-009", head_id=id_number(0), head_phone=phone(9))
    result = rotate_data_key(by=None, batch_size=2)
    first = left_behind[0].members.get()
    assert result.duplicates == [(first.pk, twice.members.get().pk)]
    assert (result.members, result.left, result.finished) == (2, 1, False)
    first.refresh_from_db()
    assert not personal_data.is_current(first.id_number_ciphertext)
    for n in (1, 2):
        assert list(search_households(vera, query=id_number(n))) == [left_behind[n]]
    with pytest.raises(CommandError, match="1 members hold an ID number registered to another"):
        call_command("datakey", "rotate")


def test_datakey_new_prints_a_usable_key_and_index_key_prints_the_one_in_use(capsys, settings):
    call_command("datakey", "new")
    settings.TONGXING_DATA_KEY = capsys.readouterr().out.strip()
    assert personal_data.decrypt(personal_data.encrypt("x")) == "x"
    call_command("datakey", "index-key")
    assert capsys.readouterr().out.strip() == TEST_INDEX_KEY
