"""Personal data at rest: encryption, lookup by keyed hash, and key rotation."""

import pytest
from django.core.management import call_command

from conftest import TEST_DATA_KEY
from tongxing import personal_data
from tongxing.registry.models import Member
from tongxing.registry.selectors import search_households
from tongxing.registry.tests.factories import phone, register


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


def test_the_keyed_hash_is_stable_and_depends_on_the_key(settings):
    first = personal_data.blind_index("id", "420981199001011235")
    assert first == personal_data.blind_index("id", "420981199001011235")
    settings.TONGXING_DATA_KEY = personal_data.new_key()
    assert personal_data.blind_index("id", "420981199001011235") != first


@pytest.mark.parametrize("key", ["short", "not base64 at all!!"])
def test_a_bad_key_is_named(settings, key):
    settings.TONGXING_DATA_KEY = key
    with pytest.raises(personal_data.DataKeyError):
        personal_data.encrypt("x")


def test_rotation_re_encrypts_everything_and_lookups_keep_working(vera, settings, capsys):
    household = register(by=vera)
    head = household.members.get(relation="head")
    full = personal_data.decrypt(head.id_number_ciphertext)
    settings.TONGXING_DATA_KEY = personal_data.new_key()
    settings.TONGXING_DATA_OLD_KEYS = TEST_DATA_KEY
    call_command("datakey", "rotate")
    head.refresh_from_db()
    assert personal_data.is_current(head.id_number_ciphertext)
    assert personal_data.decrypt(head.id_number_ciphertext) == full
    # Once rotated, the old key may go: everything reads with the new one alone.
    settings.TONGXING_DATA_OLD_KEYS = ""
    assert personal_data.decrypt(Member.objects.get(pk=head.pk).phone_ciphertext) == phone(0)
    assert list(search_households(vera, query=full)) == [household]


def test_datakey_new_prints_a_usable_key(capsys, settings):
    call_command("datakey", "new")
    settings.TONGXING_DATA_KEY = capsys.readouterr().out.strip()
    assert personal_data.decrypt(personal_data.encrypt("x")) == "x"
