"""A roster cannot be turned against another region's households, through any door.

The victim is a household of township B (village B1, Tom's), with a head and a spouse, ID
and phone numbers, a status and its history. The attacker is Vera, the village admin of A1
in township A, who writes rows carrying the victim's registry number (or one of its
members' ID numbers) under her own village's code.
"""

import datetime
import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from conftest import TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1, api_client_for, client_for, make_user
from tongxing.audit.models import AuditEvent
from tongxing.regions.models import Region
from tongxing.registry import actions, records
from tongxing.registry.actions import import_households
from tongxing.registry.models import Household, HouseholdStatusChange, Member, Relation
from tongxing.registry.tests.factories import id_number, phone, register

HEADER = ["户编号", "村代码", "姓名", "与户主关系", "身份证号", "户类型", "状态起始日期"]
VICTIM_NUMBER = "B1-0001"
WIFE_ID = id_number(1, born=datetime.date(1972, 8, 9), sex="female")


@pytest.fixture
def victim(tree):
    """Township B's household: 张建国 (ID 0, phone 0) and his wife (ID 1, phone 1)."""
    return register(
        number=VICTIM_NUMBER,
        village=VILLAGE_B1,
        others=[
            records.MemberData(
                name="王秀英", relation=Relation.SPOUSE, id_number=WIFE_ID, phone=phone(1)
            )
        ],
    )


def state(household: Household) -> dict:
    """Every column of the household, of its members and of its status history."""
    return {
        "household": Household.objects.filter(pk=household.pk).values().get(),
        "members": list(Member.objects.filter(household=household).order_by("pk").values()),
        "history": list(
            HouseholdStatusChange.objects.filter(household=household).order_by("pk").values()
        ),
    }


def csv(*rows: list[str]) -> bytes:
    return "\n".join(",".join(row) for row in [HEADER, *rows]).encode() + b"\n"


# The attack as it was reproduced: a spouse row first, the head row after, the victim's
# registry number under the attacker's own village, another status.
TAKEOVER = csv(
    [VICTIM_NUMBER, VILLAGE_A1, "李四", "配偶", "", "脱贫户", "2024-01-01"],
    [VICTIM_NUMBER, VILLAGE_A1, "张建国", "户主", "", "脱贫户", "2024-01-01"],
)
# The same with a new registry number and the victim's wife's ID number on the spouse row.
BORROWED_ID = csv(
    ["A1-0777", VILLAGE_A1, "王秀英", "配偶", WIFE_ID, "", ""],
    ["A1-0777", VILLAGE_A1, "赵六", "户主", id_number(77), "建档立卡户", ""],
)
OUTSIDE_NUMBER = "This registry number belongs to a household outside your region."
OUTSIDE_ID = "This ID number is registered in a household outside your region."


def post_api(user, content: bytes, **fields):
    return api_client_for(user).post(
        "/api/v1/households/import", {"file": SimpleUploadedFile("r.csv", content), **fields}
    )


def upload_page(user, content: bytes, **fields):
    return client_for(user).post(
        "/registry/households/import/", {"file": SimpleUploadedFile("r.csv", content), **fields}
    )


def assert_untouched(victim: Household, before: dict, attacker, owner) -> None:
    assert state(victim) == before
    assert not Household.objects.filter(village_id=VILLAGE_A1).exists()
    assert (
        not AuditEvent.objects.filter(actor=attacker)
        .exclude(action__startswith="account.token")
        .exists()
    )
    head = victim.members.get(relation=Relation.HEAD)
    # The attacker still cannot read it, the owning office still can.
    assert api_client_for(attacker).get(f"/api/v1/members/{head.pk}?reveal=true").status_code == 404
    assert api_client_for(attacker).get(f"/api/v1/households/{victim.pk}").status_code == 404
    answer = api_client_for(owner).get(f"/api/v1/members/{head.pk}?reveal=true")
    assert answer.status_code == 200 and answer.json()["id_number"] == id_number(0)


@pytest.mark.parametrize(
    "fields",
    [
        {"partial": "true"},
        {},
        {"dry_run": "true"},
        {"partial": "true", "dry_run": "true"},
    ],
    ids=["partial", "all-or-nothing", "dry-run", "partial-dry-run"],
)
def test_the_api_refuses_every_row_of_another_regions_household_and_changes_nothing(
    victim, vera, tom, fields
):
    before = state(victim)
    response = post_api(vera, TAKEOVER, **fields)
    assert response.status_code == 400
    answer = response.json()
    assert [(e["row"], e["column"], e["message"]) for e in answer["errors"]] == [
        (2, "registry_number", OUTSIDE_NUMBER),
        (3, "registry_number", OUTSIDE_NUMBER),
    ]
    assert (answer["households_created"], answer["households_updated"]) == (0, 0)
    assert (answer["members_created"], answer["members_updated"], answer["rows_imported"]) == (
        0,
        0,
        0,
    )
    assert answer["rows_rejected"] == 2
    assert_untouched(victim, before, vera, tom)


@pytest.mark.parametrize(
    "fields", [{"partial": "true"}, {}, {"dry_run": "true"}], ids=["partial", "all", "dry-run"]
)
def test_a_member_id_of_another_regions_household_refuses_the_whole_household_unnamed(
    victim, vera, tom, fields
):
    before = state(victim)
    response = post_api(vera, BORROWED_ID, **fields)
    assert response.status_code == 400
    assert [(e["row"], e["column"], e["message"]) for e in response.json()["errors"]] == [
        (2, "id_number", OUTSIDE_ID),
        (
            3,
            "",
            "Not imported: the ID number of row 2 is registered in a household outside your "
            "region.",
        ),
    ]
    # The answer names nothing of township B: not its household, not its village.
    assert VICTIM_NUMBER not in response.content.decode()
    assert VILLAGE_B1 not in response.content.decode()
    assert not Household.objects.filter(registry_number="A1-0777").exists()
    assert_untouched(victim, before, vera, tom)


def test_the_head_id_of_another_regions_household_is_refused_unnamed_in_a_dry_run(
    victim, vera, tom
):
    rows = csv(["A1-0778", VILLAGE_A1, "张建国", "户主", id_number(0), "建档立卡户", ""])
    before = state(victim)
    response = post_api(vera, rows, dry_run="true")
    assert response.status_code == 400
    assert [e["message"] for e in response.json()["errors"]] == [OUTSIDE_ID]
    assert VICTIM_NUMBER not in response.content.decode()
    assert_untouched(victim, before, vera, tom)


def test_an_id_in_a_household_of_ones_own_region_is_named(victim, tom):
    rows = csv(["B1-0002", VILLAGE_B1, "张建国", "户主", id_number(0), "建档立卡户", ""])
    response = post_api(tom, rows, dry_run="true")
    assert [e["message"] for e in response.json()["errors"]] == [
        f"This ID number is already registered in household {VICTIM_NUMBER}."
    ]


def test_a_partial_import_takes_the_good_households_and_answers_200_with_the_rest(
    victim, vera, tom
):
    before = state(victim)
    rows = csv(
        [VICTIM_NUMBER, VILLAGE_A1, "李四", "配偶", "", "脱贫户", ""],
        ["A1-0001", VILLAGE_A1, "刘一", "户主", id_number(40), "建档立卡户", ""],
        [VICTIM_NUMBER, VILLAGE_A1, "张建国", "户主", "", "脱贫户", ""],
        ["A1-0001", VILLAGE_A1, "刘二", "之子", id_number(41), "", ""],
    )
    response = post_api(vera, rows, partial="true")
    assert response.status_code == 200
    answer = response.json()
    assert (answer["households_created"], answer["members_created"]) == (1, 2)
    assert (answer["rows_imported"], answer["rows_rejected"]) == (2, 2)
    assert [e["row"] for e in answer["errors"]] == [2, 4]
    assert list(Household.objects.filter(village_id=VILLAGE_A1).values_list("registry_number")) == [
        ("A1-0001",)
    ]
    assert state(victim) == before


def test_the_page_refuses_the_takeover_and_changes_nothing(victim, vera, tom):
    before = state(victim)
    response = upload_page(vera, TAKEOVER, partial="on")
    assert response.status_code == 400
    assert [(row, message) for row, _column, message in response.context["errors"]] == [
        (2, OUTSIDE_NUMBER),
        (3, OUTSIDE_NUMBER),
    ]
    assert_untouched(victim, before, vera, tom)


def test_the_command_run_for_an_account_keeps_to_its_region(victim, vera, tom, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(TAKEOVER)
    before = state(victim)
    out = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_households", str(path), "--partial", "--json", "--user", "vera", stdout=out
        )
    assert [e["message"] for e in json.loads(out.getvalue())["errors"]] == [OUTSIDE_NUMBER] * 2
    assert_untouched(victim, before, vera, tom)


def test_the_command_names_an_unknown_account(tree, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(TAKEOVER)
    with pytest.raises(CommandError, match="No account nobody"):
        call_command("import_households", str(path), "--user", "nobody")


def test_a_household_moved_out_of_the_region_while_the_file_is_checked_is_not_written(tree):
    """The write checks the region again: the household left it after the rows were read."""
    tina = make_user("tina", "township_admin", TOWNSHIP_A)
    household = register(number="A1-0100", village=VILLAGE_A1)
    rows = [
        (2, {"registry_number": "A1-0100", "village_code": VILLAGE_A1, "name": "张建国",
             "relation": "户主", "status": "脱贫户"}),
        (3, {"registry_number": "A1-0101", "village_code": VILLAGE_A1, "name": "刘一",
             "relation": "户主", "id_number": id_number(50)}),
    ]  # fmt: skip

    def move_away(_rows):
        moved = records.HouseholdData(
            registry_number="A1-0100",
            village=Region.objects.get(code=VILLAGE_B1),
            status=household.status,
            status_since=household.status_since,
        )
        actions.update_household(household=household, data=moved, by=None)

    before_events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        import_households(rows=rows, by=tina, progress=move_away)
    household.refresh_from_db()
    assert (household.village_id, household.status) == (VILLAGE_B1, "registered_poor")
    assert not Household.objects.filter(registry_number="A1-0101").exists()
    assert AuditEvent.objects.count() == before_events + 1  # the move, nothing of the import


@pytest.mark.parametrize("role", ["cadre", "viewer"])
def test_cadres_and_viewers_cannot_import(victim, role, tmp_path):
    user = make_user(f"u-{role}", role, VILLAGE_A1)
    good = csv(["A1-0001", VILLAGE_A1, "刘一", "户主", id_number(40), "建档立卡户", ""])
    before = state(victim)
    assert post_api(user, good).status_code == 403
    assert post_api(user, good, partial="true", dry_run="true").status_code == 403
    assert upload_page(user, good).status_code == 403
    rows = [(2, {"registry_number": "A1-0001", "village_code": VILLAGE_A1, "name": "刘一",
                 "relation": "户主"})]  # fmt: skip
    with pytest.raises(PermissionDenied):
        import_households(rows=rows, by=user, partial=True)
    path = tmp_path / "r.csv"
    path.write_bytes(good)
    with pytest.raises(CommandError, match=f"u-{role} may not import these households"):
        call_command("import_households", str(path), "--user", f"u-{role}")
    assert not Household.objects.filter(village_id=VILLAGE_A1).exists()
    assert not Member.objects.exclude(household=victim).exists()
    assert (
        not AuditEvent.objects.filter(actor=user)
        .exclude(action__startswith="account.token")
        .exists()
    )
    assert state(victim) == before
