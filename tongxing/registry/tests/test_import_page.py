"""Importing a roster through the page and the API: the checks of the file as a whole, row
errors, the marked copy (masked, the importer's only, each download audited), and large
files in the background with their progress."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from conftest import VILLAGE_A1, api_client_for, client_for, make_user
from tongxing.audit.models import AuditEvent
from tongxing.jobs import actions as jobs_actions
from tongxing.jobs import files
from tongxing.jobs.models import Job, JobStatus
from tongxing.registry.models import Household, Member
from tongxing.registry.tests.factories import id_number

HEADER = "户编号,所在村,姓名,与户主关系,身份证号,户类型,联系电话,备注\n"


def roster(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


GOOD = roster(
    f"H100,桃李村,刘一,户主,{id_number(40)},建档立卡户,13812345678,",
    f"H100,桃李村,刘二,之子,{id_number(41)},,,",
)
BAD_ID = f"{id_number(42)[:-1]}Z"
MIXED = roster(
    f"H100,桃李村,刘一,户主,{id_number(40)},建档立卡户,13812345678,",
    f"H101,桃李村,王二,户主,{BAD_ID},建档立卡户,13912345678,户主身份证{id_number(43)}",
)


@pytest.fixture
def cadre(tree):
    return make_user("cai", "cadre", VILLAGE_A1)


@pytest.fixture
def viewer(tree):
    return make_user("wei", "viewer", VILLAGE_A1)


def upload(client, content: bytes, name="roster.csv", **fields):
    return client.post(
        "/registry/households/import/", {"file": SimpleUploadedFile(name, content), **fields}
    )


def all_file_bytes(root) -> bytes:
    return b"".join(path.read_bytes() for path in root.rglob("*") if path.is_file())


# --- The page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("dora", 403),
        ("olga", 403),
        ("cadre", 403),
        ("viewer", 403),
        ("tom", 400),
        ("vera", 200),
        ("alice", 200),
    ],
)
def test_importing_a_roster_into_village_a1(request, tree, persona, status):
    response = upload(client_for(request.getfixturevalue(persona)), GOOD)
    assert response.status_code == status
    assert Household.objects.filter(registry_number="H100").exists() == (status == 200)
    if status == 403:
        assert not Job.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(tree):
    response = upload(client_for(None), GOOD)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not Household.objects.exists() and not Job.objects.exists()


def test_a_bad_row_is_listed_nothing_is_imported_and_the_marked_copy_is_the_importers(vera, tina):
    client = client_for(vera)
    response = upload(client, MIXED)
    assert response.status_code == 400
    assert response.context["errors"] == [
        (3, "身份证号", 'An ID number has 17 digits followed by a digit or X; character 18 is "Z".')
    ]
    assert Household.objects.count() == 0
    job = response.context["job"]
    url = f"/jobs/{job.pk}/download/"
    assert url in response.content.decode()
    marked = client.get(url)
    assert marked.status_code == 200
    assert marked["Content-Disposition"] == 'attachment; filename="roster-checked.xlsx"'
    sheet = load_workbook(io.BytesIO(marked.content)).active
    assert sheet.cell(row=3, column=5).comment is not None
    # Another user cannot fetch it, even knowing its address, and nothing is audited for them.
    assert client_for(tina).get(url).status_code == 404
    downloads = AuditEvent.objects.filter(action="job.download")
    assert [(e.actor, e.object_id, e.after["file"]) for e in downloads] == [
        (vera, str(job.pk), "roster-checked.xlsx")
    ]


def test_the_marked_copy_masks_every_id_and_phone_number(vera):
    response = upload(client_for(vera), MIXED)
    job = response.context["job"]
    content = client_for(vera).get(f"/jobs/{job.pk}/download/").content
    rows = [[cell.value for cell in row] for row in load_workbook(io.BytesIO(content)).active]
    assert rows[1][:8] == [
        "H100",
        "桃李村",
        "刘一",
        "户主",
        id_number(40)[:6] + "********" + id_number(40)[-4:],
        "建档立卡户",
        "138****5678",
        None,
    ]
    assert rows[2][4] == BAD_ID[:6] + "********" + BAD_ID[-4:]  # masked, right or wrong
    assert rows[2][6] == "139****5678"
    assert rows[2][7] == f"户主身份证{id_number(43)[:6]}********{id_number(43)[-4:]}"
    for number in (id_number(40), id_number(43), BAD_ID, "13812345678", "13912345678"):
        assert number.encode() not in all_file_bytes(files.root())


def test_partial_imports_the_good_household(vera):
    response = upload(client_for(vera), MIXED, partial="on")
    assert response.status_code == 200  # something was imported; the rest is still shown
    assert [row for row, _column, _message in response.context["errors"]] == [3]
    assert response.context["result"]["households_created"] == 1
    assert list(Member.objects.values_list("name", flat=True)) == ["刘一"]


def test_partial_with_no_good_household_is_a_400(vera):
    response = upload(client_for(vera), roster(MIXED.decode().splitlines()[2]), partial="on")
    assert response.status_code == 400
    assert Member.objects.count() == 0


def test_check_only_saves_nothing(vera):
    response = upload(client_for(vera), GOOD, dry_run="on")
    assert response.status_code == 200 and response.context["result"]["members_created"] == 2
    assert Member.objects.count() == 0


def test_an_unreadable_file_is_named_on_the_form(vera):
    response = upload(client_for(vera), b"%PDF", name="roster.pdf")
    assert response.status_code == 400
    assert "Unsupported file type" in response.context["form"].errors["file"][0]


def test_a_file_over_the_size_limit_is_refused_on_the_form_and_nothing_is_kept(vera, settings):
    settings.TONGXING_UPLOAD_MAX_MB = 1
    response = upload(client_for(vera), GOOD + b" " * (1024 * 1024))
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["The file is larger than 1 MB."]
    assert not Household.objects.exists() and not Job.objects.exists()


def test_a_file_over_the_row_limit_is_refused_on_the_form(vera, settings):
    settings.TONGXING_IMPORT_MAX_ROWS = 1
    response = upload(client_for(vera), GOOD)
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "The file has more than 1 rows: split it into smaller files."
    ]
    assert not Household.objects.exists() and not Job.objects.exists()


def test_a_large_roster_is_imported_in_the_background_and_its_page_follows_it(vera, settings):
    settings.TONGXING_BACKGROUND_ROWS = 1
    client = client_for(vera)
    response = upload(client, GOOD)
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == f"/registry/households/import/{job.pk}/"
    assert (job.status, job.kind, job.owner, job.total) == (
        JobStatus.QUEUED,
        "household_import",
        vera,
        2,
    )
    # The upload waits sealed: its ID numbers are nowhere on disk in the clear.
    assert id_number(40).encode() not in all_file_bytes(files.root())
    page = client.get(response.url)
    assert page.status_code == 200
    assert 'hx-trigger="every 2s"' in page.content.decode()
    assert not Household.objects.exists()

    jobs_actions.run_job(job=job)  # what the thread of start_job does

    page = client.get(response.url, headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert "hx-trigger" not in page.content.decode()
    assert page.context["result"]["members_created"] == 2
    assert Household.objects.get().registry_number == "H100"
    assert not (files.folder(job.directory) / files.INPUT).exists()


def test_htmx_is_sent_to_the_job_page_with_a_full_page_load(vera, settings):
    settings.TONGXING_BACKGROUND_ROWS = 1
    response = client_for(vera).post(
        "/registry/households/import/",
        {"file": SimpleUploadedFile("roster.csv", GOOD)},
        headers={"HX-Request": "true"},
    )
    assert response["HX-Redirect"] == f"/registry/households/import/{Job.objects.get().pk}/"


def test_the_page_of_an_import_is_its_importers_only(vera, tina, settings):
    settings.TONGXING_BACKGROUND_ROWS = 1
    upload(client_for(vera), GOOD)
    job = Job.objects.get()
    assert client_for(tina).get(f"/registry/households/import/{job.pk}/").status_code == 404
    assert client_for(vera).get(f"/registry/households/export/{job.pk}/").status_code == 404


# --- The API --------------------------------------------------------------------------------


def post_roster(user, content: bytes, **fields):
    return api_client_for(user).post(
        "/api/v1/households/import",
        {"file": SimpleUploadedFile("roster.csv", content), **fields},
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (None, 401),
        ("dora", 403),
        ("olga", 403),
        ("cadre", 403),
        ("viewer", 403),
        ("tom", 400),
        ("vera", 200),
    ],
)
def test_importing_through_the_api(request, tree, persona, status):
    user = request.getfixturevalue(persona) if persona else None
    response = post_roster(user, GOOD)
    assert response.status_code == status
    assert Household.objects.filter(registry_number="H100").exists() == (status == 200)
    if status == 200:
        assert response.json()["members_created"] == 2
        assert response.json()["marked_copy_url"] is None


def test_the_api_lists_every_bad_row_and_partial_takes_the_good(vera):
    response = post_roster(vera, MIXED)
    assert response.status_code == 400
    body = response.json()
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "id_number")]
    assert body["error_count"] == 1
    assert Household.objects.count() == 0
    marked = api_client_for(vera).get(body["marked_copy_url"])
    assert marked.status_code == 200 and marked.content.startswith(b"PK")
    response = post_roster(vera, MIXED, partial="true")
    assert response.status_code == 200
    assert (response.json()["rows_imported"], response.json()["rows_rejected"]) == (1, 1)
    assert list(Member.objects.values_list("name", flat=True)) == ["刘一"]


def test_the_api_refuses_a_file_over_the_size_limit_with_413(vera, settings):
    settings.TONGXING_UPLOAD_MAX_MB = 1
    response = post_roster(vera, GOOD + b" " * (1024 * 1024))
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The file is larger than 1 MB.",
        "errors": [{"field": "file", "message": "The file is larger than 1 MB."}],
    }
    assert not Household.objects.exists() and not Job.objects.exists()


def test_the_api_imports_a_large_roster_in_the_background_with_a_status_url(vera, tina, settings):
    settings.TONGXING_BACKGROUND_ROWS = 1
    response = post_roster(vera, MIXED)
    assert response.status_code == 202
    body = response.json()
    job = Job.objects.get()
    assert (body["id"], body["status"], body["kind"], body["total"]) == (
        job.pk,
        "queued",
        "household_import",
        2,
    )
    assert body["status_url"] == f"/api/v1/jobs/{job.pk}"
    assert body["download_url"] is None
    assert api_client_for(tina).get(body["status_url"]).status_code == 404
    assert api_client_for(None).get(body["status_url"]).status_code == 401

    jobs_actions.run_job(job=job)

    status = api_client_for(vera).get(body["status_url"]).json()
    assert (status["status"], status["done"], status["total"]) == ("done", 2, 2)
    assert status["result"]["error_count"] == 1
    assert status["result"]["errors"][0]["row"] == 3
    assert status["download_url"] == f"/api/v1/jobs/{job.pk}/download"
    assert api_client_for(tina).get(status["download_url"]).status_code == 404
    marked = api_client_for(vera).get(status["download_url"])
    assert marked.status_code == 200
    assert AuditEvent.objects.filter(action="job.download", actor=vera).count() == 1


# --- Region files: the same limits --------------------------------------------------------


def test_the_region_import_page_and_api_refuse_a_file_over_the_size_limit(alice, settings):
    settings.TONGXING_UPLOAD_MAX_MB = 1
    content = "区划代码,名称\n590101001003,新建村\n".encode() + b" " * (1024 * 1024)
    response = client_for(alice).post(
        "/regions/import/", {"file": SimpleUploadedFile("regions.csv", content)}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["The file is larger than 1 MB."]
    response = api_client_for(alice).post(
        "/api/v1/regions/import", {"file": SimpleUploadedFile("regions.csv", content)}
    )
    assert response.status_code == 413
    assert response.json()["errors"] == [
        {"field": "file", "message": "The file is larger than 1 MB."}
    ]
    from tongxing.regions.models import Region

    assert not Region.objects.filter(code="590101001003").exists()
