"""A person of the directory logs in with an account: how a cadre's login reaches the
households the person is assigned to help. The township station or the city office links
it, on the people page or through the API; the link is audited."""

import pytest
from django.core.exceptions import ValidationError

from conftest import TOWNSHIP_A, TOWNSHIP_B, api_client_for, client_for, make_user
from tongxing.access import Role
from tongxing.audit.models import AuditEvent
from tongxing.regions.models import Region
from tongxing.registry import actions
from tongxing.registry.models import Person
from tongxing.registry.tests.factories import register


def persona(request, name):
    return request.getfixturevalue(name) if name else None


@pytest.fixture
def home(tree):
    return register(number="H-1", head="张建国")


@pytest.fixture
def liu(tree):
    """A cadre of township A in the directory, assigned to the household, with no login."""
    return actions.create_person(
        name="刘干部",
        position="assigned_cadre",
        region=Region.objects.get(code=TOWNSHIP_A),
        by=None,
    )


@pytest.fixture
def assigned(liu, home):
    return actions.assign_helper(person=liu, household=home, since=home.status_since, by=None)


def test_a_new_cadre_reaches_the_assigned_households_once_the_login_is_linked(
    assigned, liu, home, cody, tina
):
    cadre = client_for(cody)
    assert cadre.get(f"/registry/households/{home.pk}/").status_code == 404
    page = client_for(tina).get(f"/registry/people/{liu.pk}/account/")
    assert page.status_code == 200 and "cody" in page.content.decode()

    response = client_for(tina).post(
        f"/registry/people/{liu.pk}/account/", {"account": str(cody.pk)}
    )

    assert response.status_code == 302 and response.url == "/registry/people/"
    assert cadre.get(f"/registry/households/{home.pk}/").status_code == 200
    people = client_for(tina).get("/registry/people/").content.decode()
    assert "logs in as cody" in people
    event = AuditEvent.objects.get(action="person.link_account")
    assert (event.actor, event.region_code, event.after) == (tina, TOWNSHIP_A, {"account": cody.pk})


def test_a_person_can_be_added_with_the_login_at_once(tree, tina, cody):
    response = client_for(tina).post(
        "/registry/people/new/",
        {"name": "王干部", "position": "assigned_cadre", "region": TOWNSHIP_A, "account": cody.pk},
    )
    assert response.status_code == 302
    assert Person.objects.get(name="王干部").account == cody


def test_unlinking_takes_the_households_away(assigned, liu, home, cody, tina):
    actions.link_person_account(person=liu, account=cody, by=tina)
    response = client_for(tina).post(f"/registry/people/{liu.pk}/account/", {"account": ""})
    assert response.status_code == 302
    assert client_for(cody).get(f"/registry/households/{home.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="person.link_account").count() == 2


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 403),
        ("victor", 403),
        ("cody", 403),
        ("vera", 403),
        ("tom", 404),
        ("carl", 404),
        ("tina", 302),
        ("alice", 302),
    ],
)
def test_only_the_directorys_editors_of_the_region_link_a_login(request, liu, cody, who, status):
    response = client_for(persona(request, who)).post(
        f"/registry/people/{liu.pk}/account/", {"account": str(cody.pk)}
    )
    assert response.status_code == status
    liu.refresh_from_db()
    assert liu.account == (cody if status == 302 and who else None)


def test_an_account_of_another_region_or_already_taken_or_a_viewers_is_not_offered(
    liu, cody, tina, tom, victor
):
    other_cadre = make_user("otto", Role.CADRE, TOWNSHIP_B)
    actions.create_person(
        name="占用", position="assigned_cadre", region=liu.region, account=cody, by=None
    )
    response = client_for(tina).post(
        f"/registry/people/{liu.pk}/account/", {"account": str(other_cadre.pk)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "otto" not in html and "victor" not in html
    for account in (other_cadre, cody, victor):
        with pytest.raises(ValidationError) as refused:
            actions.link_person_account(person=liu, account=account, by=tina)
        assert "account" in refused.value.message_dict
    liu.refresh_from_db()
    assert (
        liu.account is None and not AuditEvent.objects.filter(action="person.link_account").exists()
    )


def test_the_api_links_and_unlinks_a_login(assigned, liu, home, cody, tina, tom):
    url = f"/api/v1/people/{liu.pk}/account"
    answer = api_client_for(tina).put(url, {"account": cody.pk}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["account"] == "cody"
    assert api_client_for(cody).get(f"/api/v1/households/{home.pk}").status_code == 200
    refused = api_client_for(tom).put(url, {"account": None}, content_type="application/json")
    assert refused.status_code == 404
    bad = api_client_for(tina).put(url, {"account": 999999}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "account"
    gone = api_client_for(tina).put(url, {"account": None}, content_type="application/json")
    assert gone.status_code == 200 and gone.json()["account"] is None
    assert api_client_for(cody).get(f"/api/v1/households/{home.pk}").status_code == 404
