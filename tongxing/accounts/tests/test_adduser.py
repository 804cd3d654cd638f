import pytest
from django.core.management import CommandError, call_command

from conftest import TOWNSHIP_A
from tongxing.accounts.models import User


def test_it_creates_a_staff_account_with_its_region(tree, capsys):
    call_command(
        "adduser",
        "zhao",
        "--role",
        "township_admin",
        "--region",
        TOWNSHIP_A,
        "--password",
        "a long secret 42",
    )
    user = User.objects.get(username="zhao")
    assert (user.role, user.region_id) == ("township_admin", TOWNSHIP_A)
    assert user.check_password("a long secret 42")
    assert "Created zhao, township_admin in 柳塘镇" in capsys.readouterr().out


def test_the_region_may_be_given_by_its_short_prefix(tree):
    call_command(
        "adduser", "qian", "--role", "township_admin", "--region", "590101001", "--no-password"
    )
    assert User.objects.get(username="qian").region_id == TOWNSHIP_A


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "township_admin"], "--region is required"),
        (
            ["--role", "township_admin", "--region", "12ab"],
            "--region: A region code has only digits",
        ),
        (["--role", "township_admin", "--region", "590199001000"], "no region with the code"),
        (
            ["--role", "village_admin", "--region", TOWNSHIP_A],
            "region: A Village information point cannot",
        ),
        (["--role", "donor", "--region", TOWNSHIP_A], "has no region scope"),
        (["--role", "donor", "--password", "123"], "password:"),
    ],
)
def test_bad_flags_get_a_clear_message_and_create_nothing(tree, args, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "adduser", "sun", *args, "--no-password" if "--password" not in args else "--name=x"
        )
    assert not User.objects.filter(username="sun").exists()


def test_createsuperuser_works_without_a_role(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long secret 42")
    call_command(
        "createsuperuser", "--noinput", "--username", "root", "--email", "root@example.org"
    )
    user = User.objects.get(username="root")
    assert user.is_superuser and user.role == "city_admin"


def test_without_a_terminal_it_asks_for_the_password_flag_instead_of_hanging(tree):
    with pytest.raises(CommandError, match="Give --password, or --no-password"):
        call_command("adduser", "li", "--role", "donor")
    assert not User.objects.filter(username="li").exists()
