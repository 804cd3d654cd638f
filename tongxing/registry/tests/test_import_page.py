"""The roster pages: upload with row errors and a marked copy, and export to Excel."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from conftest import client_for
from tongxing.accounts.models import AuditEvent
from tongxing.registry.models import Household, Member
from tongxing.registry.tests.factories import id_number, register

HEADER = "户编号,所在村,姓名,与户主关系,身份证号,户类型\n"


def roster(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


GOOD = roster(
    f"H100,桃李村,刘一,户主,{id_number(40)},建档立卡户", f"H100,桃李村,刘二,之子,{id_number(41)},"
)
MIXED = roster(
    f"H100,桃李村,刘一,户主,{id_number(40)},建档立卡户",
    f"H101,桃李村,王二,户主,{id_number(42)[:-1]}Z,建档立卡户",
)


def upload(client, content: bytes, **fields):
    return client.post(
        "/registry/households/import/",
        {"file": SimpleUploadedFile("roster.csv", content), **fields},
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("dora", 403), ("olga", 403), ("tom", 400), ("vera", 200), ("alice", 200)],
)
def test_importing_a_roster_into_village_a1(request, tree, persona, status):
    response = upload(client_for(request.getfixturevalue(persona)), GOOD)
    assert response.status_code == status
    assert Household.objects.filter(registry_number="H100").exists() == (status == 200)


def test_a_bad_row_is_listed_nothing_is_imported_and_the_marked_copy_is_the_importers(vera, tina):
    client = client_for(vera)
    response = upload(client, MIXED)
    assert response.status_code == 400
    assert response.context["errors"] == [
        (3, "身份证号", 'An ID number has 17 digits followed by a digit or X; character 18 is "Z".')
    ]
    assert Household.objects.count() == 0
    token = response.context["report_token"]
    marked = client.get(f"/registry/households/import/{token}/")
    assert marked.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(marked.streaming_content))).active
    assert sheet.cell(row=3, column=5).comment is not None
    # Another user cannot fetch it, even with the token.
    assert client_for(tina).get(f"/registry/households/import/{token}/").status_code == 404


def test_partial_imports_the_good_household(vera):
    response = upload(client_for(vera), MIXED, partial="on")
    assert response.status_code == 200  # something was imported; the rest is still shown
    assert [row for row, _column, _message in response.context["errors"]] == [3]
    assert response.context["result"].households_created == 1
    assert list(Member.objects.values_list("name", flat=True)) == ["刘一"]


def test_partial_with_no_good_household_is_a_400(vera):
    response = upload(client_for(vera), roster(MIXED.decode().splitlines()[2]), partial="on")
    assert response.status_code == 400
    assert Member.objects.count() == 0


def test_check_only_saves_nothing(vera):
    response = upload(client_for(vera), GOOD, dry_run="on")
    assert response.status_code == 200 and response.context["result"].members_created == 2
    assert Member.objects.count() == 0


def test_an_unreadable_file_is_named_on_the_form(vera):
    response = client_for(vera).post(
        "/registry/households/import/", {"file": SimpleUploadedFile("roster.pdf", b"%PDF")}
    )
    assert response.status_code == 400
    assert "Unsupported file type" in response.context["form"].errors["file"][0]


def export(user, query=""):
    response = client_for(user).get(f"/registry/households/export/{query}")
    if response.status_code != 200:
        return response.status_code, None
    return 200, load_workbook(io.BytesIO(response.content)).active


def test_the_export_is_masked_and_scoped(vera, tom):
    register(by=vera)
    status, sheet = export(vera)
    assert status == 200
    assert sheet.cell(row=2, column=6).value == id_number(0)[:6] + "********" + id_number(0)[-4:]
    status, sheet = export(tom)
    assert sheet.max_row == 1  # the header only: nothing of township A


def test_a_full_export_is_for_personal_data_readers_and_audited(vera, tree):
    from conftest import VILLAGE_A1, make_user

    register(by=vera)
    cadre = make_user("cai", "cadre", VILLAGE_A1)
    assert export(cadre, "?full=1")[0] == 403
    status, sheet = export(vera, "?full=1")
    assert sheet.cell(row=2, column=6).value == id_number(0)
    assert AuditEvent.objects.filter(action="household.export_full", actor=vera).count() == 1


@pytest.mark.parametrize("persona", ["dora", "olga"])
def test_the_public_cannot_export(request, tree, persona):
    assert export(request.getfixturevalue(persona))[0] == 403


def post_roster(user, content: bytes, **fields):
    from conftest import api_client_for

    return api_client_for(user).post(
        "/api/v1/households/import",
        {"file": SimpleUploadedFile("roster.csv", content), **fields},
    )


@pytest.mark.parametrize(
    ("persona", "status"), [(None, 401), ("dora", 403), ("tom", 400), ("vera", 200)]
)
def test_importing_through_the_api(request, tree, persona, status):
    user = request.getfixturevalue(persona) if persona else None
    response = post_roster(user, GOOD)
    assert response.status_code == status
    assert Household.objects.filter(registry_number="H100").exists() == (status == 200)
    if status == 200:
        assert response.json()["members_created"] == 2


def test_the_api_lists_every_bad_row_and_partial_takes_the_good(vera):
    response = post_roster(vera, MIXED)
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(3, "id_number")]
    assert Household.objects.count() == 0
    response = post_roster(vera, MIXED, partial="true")
    assert response.status_code == 200
    assert (response.json()["rows_imported"], response.json()["rows_rejected"]) == (1, 1)
    assert list(Member.objects.values_list("name", flat=True)) == ["刘一"]


def test_organisations_export_to_excel_within_the_region(tina, tom):
    from tongxing.registry.tests.factories import organisation

    organisation(name="柳塘种植合作社", serial=3)
    response = client_for(tina).get("/registry/organisations/export/")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0] == ("名称", "类型", "统一社会信用代码", "区划代码", "所在区域")
    assert rows[1][0] == "柳塘种植合作社" and rows[1][3] == "590101001001"
    response = client_for(tom).get("/registry/organisations/export/")
    assert len(list(load_workbook(io.BytesIO(response.content)).active.values)) == 1


def test_a_village_admin_of_another_village_exports_nothing_of_ours(vera, tree):
    from conftest import VILLAGE_A2, make_user

    register(by=vera)
    neighbour = make_user("nina", "village_admin", VILLAGE_A2)
    status, sheet = export(neighbour, "?full=1")
    assert status == 200 and sheet.max_row == 1
