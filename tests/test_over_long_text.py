"""Text over its length, wherever people type it: refused with a message that names the
field (or the row and column), never cut, and nothing is stored."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import VILLAGE_A1, api_client_for, client_for
from tongxing.jobs.models import Job
from tongxing.regions.actions import import_regions
from tongxing.regions.models import Region
from tongxing.registry import jobs as registry_jobs
from tongxing.registry.actions import import_households
from tongxing.registry.models import Household, Member
from tongxing.registry.tests import factories
from tongxing.registry.tests.factories import id_number

LONG_NAME = "张" * 51
NAME_MESSAGE = "Keep it to 50 characters (this has 51)."


@pytest.fixture
def household(tree):
    return factories.register(number="H-001", village=VILLAGE_A1, head="张建国")


def new_member(name: str) -> dict:
    return {
        "name": name,
        "relation": "child",
        "id_number": id_number(5, born=datetime.date(2012, 9, 1), sex="female"),
    }


def test_the_member_form_refuses_a_long_name_on_the_field(vera, household):
    response = client_for(vera).post(
        f"/registry/households/{household.pk}/members/new/", new_member(LONG_NAME)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert Member.objects.count() == 1


def test_the_api_refuses_a_long_member_name_naming_the_field(vera, household):
    response = api_client_for(vera).post(
        f"/api/v1/households/{household.pk}/members",
        new_member(LONG_NAME),
        content_type="application/json",
    )
    # The schema holds the model's length, so the API refuses it before the action does.
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {"name"}
    assert Member.objects.count() == 1


def test_a_roster_row_with_a_long_name_is_refused_with_its_row_and_column(tree):
    row = {
        "registry_number": "H-009",
        "village": "桃李村",
        "name": LONG_NAME,
        "relation": "户主",
        "id_number": id_number(9),
    }
    result = import_households(rows=[(2, row)], by=None)
    assert [(error.row, error.column, error.message) for error in result.errors] == [
        (2, "name", NAME_MESSAGE)
    ]
    assert not Household.objects.filter(registry_number="H-009").exists()


def test_a_region_row_with_a_long_name_is_refused_with_its_row(tree):
    name = "村" * 101
    result = import_regions(rows=[(2, {"code": "590101001009", "name": name})], by=None)
    assert [(error.row, error.message) for error in result.errors] == [
        (2, "Keep it to 100 characters (this has 101).")
    ]
    assert not Region.objects.filter(code="590101001009").exists()


def test_an_uploaded_files_long_name_is_refused_not_cut(vera):
    name = "花名册" * 90 + ".csv"  # 274 characters: a job keeps 255
    content = f"户编号,所在村,姓名,与户主关系,身份证号\nH100,桃李村,刘一,户主,{id_number(40)}\n"
    with pytest.raises(ValidationError) as refused:
        registry_jobs.import_roster(
            upload=SimpleUploadedFile("roster.csv", content.encode()),
            filename=name,
            by=vera,
            partial=False,
            dry_run=False,
        )
    assert refused.value.message_dict == {"file": ["Keep it to 255 characters (this has 274)."]}
    assert Job.objects.count() == 0 and Household.objects.count() == 0


def test_the_account_list_refuses_long_search_words_with_a_message(alice):
    response = client_for(alice).get("/accounts/users/?q=" + "林" * 51)
    assert response.status_code == 400
    assert NAME_MESSAGE in response.content.decode()
    assert list(response.context["page"]) == []


def test_the_account_api_refuses_long_search_words_naming_the_field(alice):
    response = api_client_for(alice).get("/api/v1/users?q=" + "林" * 51)
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {"query.q"}
