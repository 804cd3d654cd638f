"""The visits' pages: the visit form (a cadre's households, an office's registry number, the
answer the phone's script reads), the list with its campaign-day filter, and the coverage
with its Excel export; each with its permission matrix, a refused post saving nothing.

Cleo is the cadre of township A assigned to 张建国's household (village A1); Cody a cadre
helping no one; Tina township A's station, Tom township B's; Vera village A1's point;
Victor a viewer of township A; Dora a caring person; Olga an organisation's rep.
"""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from conftest import CITY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1, client_for, make_user
from tongxing.access import Role
from tongxing.needs.models import Need, Status
from tongxing.needs.tests import factories as nf
from tongxing.needs.tests.factories import picture, png
from tongxing.registry.models import Person
from tongxing.registry.tests.factories import assign
from tongxing.visits import actions
from tongxing.visits.models import Visit, VisitDelivery
from tongxing.visits.tests import factories as f

D = datetime.date


@pytest.fixture
def home(tree):
    return nf.household(head="张建国")


@pytest.fixture
def cleo(home):
    account = make_user("cleo", Role.CADRE, TOWNSHIP_A)
    assign(account, home)
    return account


def visit_form(home=None, **changes) -> dict:
    body = {
        "visited_on": f.days_ago(0).isoformat(),
        "purpose": "condolence",
        "clothing_pieces": "3",
        "grain_oil_jin": "",
        "cash_yuan": "200.50",
        "findings": "屋顶漏雨",
        "client_key": "form-1",
    }
    if home is not None:
        body["household"] = str(home.pk)
    body.update(changes)
    return body


def test_a_cadre_picks_one_of_their_households_and_visits_as_themselves(cleo, home):
    other = nf.household(head="李四")
    page = client_for(cleo).get("/visits/new/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f'value="{home.pk}"' in text and f'value="{other.pk}"' not in text
    assert 'name="visitor"' not in text and 'name="registry_number"' not in text
    response = client_for(cleo).post("/visits/new/", visit_form(home))
    assert response.status_code == 302 and response["Location"] == "/visits/"
    visit = Visit.objects.get()
    assert (visit.visitor, visit.household, visit.recorded_by) == (
        Person.objects.get(account=cleo),
        home,
        cleo,
    )
    lines = sorted(VisitDelivery.objects.values_list("kind", "quantity"))
    assert lines == [("cash", 20050), ("clothing", 3)]


def test_the_phones_script_reads_json_and_a_resend_saves_once(cleo, home):
    client = client_for(cleo)
    first = client.post("/visits/new/", visit_form(home), headers={"Accept": "application/json"})
    again = client.post("/visits/new/", visit_form(home), headers={"Accept": "application/json"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and again.json()["replayed"] is True
    assert Visit.objects.count() == 1


def test_a_refused_visit_answers_its_faults_by_field_and_saves_nothing(cleo, home):
    body = visit_form(home, visited_on=f.days_ago(-2).isoformat(), clothing_pieces="20000")
    response = client_for(cleo).post("/visits/new/", body, headers={"Accept": "application/json"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert sorted(errors) == ["clothing_pieces", "visited_on"]
    assert errors["clothing_pieces"][0]["message"] == "Give a quantity from 1 to 10,000."
    page = client_for(cleo).post("/visits/new/", body)
    assert page.status_code == 400 and "Give a quantity from 1 to 10,000." in page.content.decode()
    assert Visit.objects.count() == 0


def test_a_cadre_cannot_post_a_household_not_theirs(cleo, home):
    other = nf.household(head="李四")
    response = client_for(cleo).post("/visits/new/", visit_form(other))
    assert response.status_code == 400
    assert Visit.objects.count() == 0


def test_an_office_names_the_household_by_its_number_and_the_visitor(home, tina):
    secretary = f.visitor(position="township_party_secretary", region=TOWNSHIP_A)
    city_secretary = f.visitor(position="city_party_secretary", region=CITY)
    elsewhere = f.visitor(region=TOWNSHIP_B)
    page = client_for(tina).get("/visits/new/").content.decode()
    assert f'value="{secretary.pk}"' in page and f'value="{city_secretary.pk}"' in page
    assert f'value="{elsewhere.pk}"' not in page
    body = visit_form(registry_number=home.registry_number, visitor=str(secretary.pk))
    assert client_for(tina).post("/visits/new/", body).status_code == 302
    assert Visit.objects.get().position == "township_party_secretary"


def test_a_number_of_another_township_reads_as_unknown(home, tom):
    secretary = f.visitor(position="township_party_secretary", region=TOWNSHIP_B)
    body = visit_form(registry_number=home.registry_number, visitor=str(secretary.pk))
    response = client_for(tom).post("/visits/new/", body)
    assert response.status_code == 400
    assert "No household of your region has this number." in response.content.decode()
    assert "张建国" not in response.content.decode()
    assert Visit.objects.count() == 0


def test_who_opens_the_visit_form(cleo, tina, vera, victor, dora, olga):
    assert client_for(None).get("/visits/new/").status_code == 302
    for user, status in (
        (cleo, 200),
        (tina, 200),
        (vera, 200),
        (victor, 403),
        (dora, 403),
        (olga, 403),
    ):
        assert client_for(user).get("/visits/new/").status_code == status, user


def test_the_list_is_cut_to_the_region_and_the_campaign_day(home, alice, tina, tom, victor, dora):
    other = nf.household(village=VILLAGE_B1, head="钱五")
    who = f.visitor(region=CITY)
    on_day = f.visit(who, household=home, on=D(2025, 10, 17), lines=[("clothing", 2)])
    spring = f.visit(who, household=home, on=D(2025, 3, 1))
    f.visit(who, household=other, on=D(2025, 10, 17))

    def shown(user, query=""):
        page = client_for(user).get(f"/visits/{query}")
        assert page.status_code == 200
        return page.content.decode().count('data-testid="visit-row"')

    assert (shown(alice), shown(tina), shown(tom), shown(victor)) == (3, 2, 1, 2)
    page = client_for(tina).get("/visits/?campaign=on").content.decode()
    assert f'data-visit="{on_day.pk}"' in page and f'data-visit="{spring.pk}"' not in page
    assert shown(alice, "?start=2025-01-01&end=2025-06-30") == 1
    assert client_for(dora).get("/visits/").status_code == 403
    assert client_for(None).get("/visits/").status_code == 302


def test_the_coverage_page_shows_the_gaps_and_exports_them(cleo, home, tina):
    unvisited = nf.household(head="李四")
    f.visit(Person.objects.get(account=cleo), household=home, on=f.days_ago(0))
    page = client_for(tina).get("/visits/coverage/")
    assert page.status_code == 200
    text = page.content.decode()
    assert unvisited.registry_number in text
    export = client_for(tina).get("/visits/coverage/export/")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[2] == ("桃李村", 2, 1, 2, 1)
    not_visited = list(book.worksheets[2].iter_rows(values_only=True))
    assert not_visited[2:] == [(unvisited.registry_number, "桃李村")]


def test_who_reads_the_coverage(home, alice, tina, tom, vera, victor, cody, dora, olga):
    for user, status in (
        (alice, 200),
        (tina, 200),
        (vera, 200),
        (victor, 200),
        (cody, 403),
        (dora, 403),
        (olga, 403),
    ):
        assert client_for(user).get("/visits/coverage/").status_code == status, user
    assert client_for(tom).get(f"/visits/coverage/?region={TOWNSHIP_A}").status_code == 404
    assert client_for(tom).get(f"/visits/coverage/export/?region={TOWNSHIP_A}").status_code == 404
    assert client_for(vera).get(f"/visits/coverage/?region={TOWNSHIP_A}").status_code == 404
    assert client_for(alice).get(f"/visits/coverage/?region={VILLAGE_A1}").status_code == 200
    assert client_for(None).get("/visits/coverage/").status_code == 302


def test_a_visits_photo_is_shown_to_its_region_only(home, tina, tom, dora):

    upload = SimpleUploadedFile("IMG_2.png", png(size=(3, 2)), content_type="image/png")
    visit = actions.record_visit(
        data=f.visit_data(f.visitor(), household=home), by=None, photo=upload
    )
    shown = client_for(tina).get(f"/visits/{visit.pk}/photo/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert picture(b"".join(shown.streaming_content)) == ("PNG", (3, 2), (255, 0, 0))
    assert "private" in shown["Cache-Control"]
    assert client_for(tom).get(f"/visits/{visit.pk}/photo/").status_code == 404
    assert client_for(dora).get(f"/visits/{visit.pk}/photo/").status_code == 403
    assert client_for(None).get(f"/visits/{visit.pk}/photo/").status_code == 302


def test_a_need_is_raised_from_the_visit_form_with_what_was_found(cleo, home):
    need = {
        "need_kind": "goods",
        "need_category": "clothing",
        "need_title": "棉被",
        "need_deadline": f.days_ago(-30).isoformat(),
        "need_quantity": "2",
        "need_unit": "床",
        "need_unit_value_yuan": "150",
    }
    response = client_for(cleo).post("/visits/new/", visit_form(home, **need))
    assert response.status_code == 302
    visit = Visit.objects.get()
    raised = Need.objects.get()
    assert (raised.household, raised.status, raised.story, raised.unit_value_fen) == (
        home,
        Status.SUBMITTED,
        "屋顶漏雨",  # the visit's findings, entered once
        150_00,
    )
    assert visit.need == raised


def test_a_need_refused_on_the_form_keeps_the_visit_unsaved(cleo, home):
    body = visit_form(home, need_kind="goods", need_category="clothing", need_title="")
    response = client_for(cleo).post("/visits/new/", body, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == [
        "need_deadline",
        "need_quantity",
        "need_title",
        "need_unit",
    ]
    assert Visit.objects.count() == 0 and Need.objects.count() == 0
