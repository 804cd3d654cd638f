"""The import page: the city office uploads a region file and sees every bad row."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import client_for
from tongxing.audit.models import AuditEvent
from tongxing.regions.models import Region

NEW_VILLAGES = "区划代码,名称,标签\n590101001003,新建村,移民村\n590101002002,新松村,\n"


def upload(client, content: str, name="regions.csv"):
    return client.post("/regions/import/", {"file": SimpleUploadedFile(name, content.encode())})


@pytest.mark.parametrize(
    ("persona", "status"),
    [("dora", 403), ("cody", 403), ("victor", 403), ("tina", 403), ("carl", 400), ("alice", 200)],
)
def test_only_the_city_office_loads_regions_of_its_own_city(request, tree, persona, status):
    response = upload(client_for(request.getfixturevalue(persona)), NEW_VILLAGES)
    assert response.status_code == status
    assert Region.objects.filter(code="590101001003").exists() == (status == 200)


def test_anonymous_visitors_go_to_login(tree):
    response = client_for(None).get("/regions/import/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_good_file_is_loaded_and_audited_as_the_uploader(alice):
    response = upload(client_for(alice), NEW_VILLAGES)
    assert response.context["result"].created == 2
    assert Region.objects.get(code="590101001003").relocation_village
    assert AuditEvent.objects.get(action="region.create", object_id="590101001003").actor == alice


def test_bad_rows_are_listed_with_the_column_as_written_and_nothing_is_loaded(alice):
    content = NEW_VILLAGES + "590101009001,孤村,\n59010100200X,坏码,\n"
    response = upload(client_for(alice), content)
    assert response.status_code == 400
    assert response.context["errors"] == [
        (4, "区划代码", "Unknown parent region 590101009000."),
        (5, "区划代码", "A region code has only digits."),
    ]
    assert not Region.objects.filter(code="590101001003").exists()


def test_regions_outside_the_uploaders_city_are_refused(carl):
    response = upload(client_for(carl), NEW_VILLAGES)
    assert [message for _row, _col, message in response.context["errors"]] == [
        "590101001003 is outside your region.",
        "590101002002 is outside your region.",
    ]


def test_an_unreadable_file_is_named_on_the_form(alice):
    response = upload(client_for(alice), "just words", name="regions.pdf")
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "Unsupported file type: use .xlsx, .xls or .csv."
    ]
