"""The registry's pages: who may open and change what, and what each form says back."""

import datetime
import re

import pytest
from django.utils import timezone

from conftest import TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, client_for, make_user
from tongxing.access import Role
from tongxing.audit.models import AuditEvent
from tongxing.registry import records
from tongxing.registry.models import (
    HelperAssignment,
    Household,
    HouseholdStatusChange,
    Member,
    Organisation,
    Person,
)
from tongxing.registry.tests import factories
from tongxing.registry.tests.factories import id_number
from tongxing.registry.validators import make_credit_code

# Everyone who works in township A, and those who must not touch it: the directory of the
# region (organisations, people) is read by every cadre and viewer of it.
READ_MATRIX = [
    (None, 302),
    ("dora", 403),
    ("olga", 403),
    ("tom", 404),
    ("carl", 404),
    ("cody", 200),
    ("victor", 200),
    ("vera", 200),
    ("tina", 200),
    ("alice", 200),
]
# A household's record: its cadre reads it; a cadre who does not help it finds nothing there,
# as if it lay outside the region.
HOUSEHOLD_READ_MATRIX = [
    (None, 302),
    ("dora", 403),
    ("olga", 403),
    ("tom", 404),
    ("carl", 404),
    ("cleo", 200),
    ("cody", 404),
    ("victor", 200),
    ("vera", 200),
    ("tina", 200),
    ("alice", 200),
]


@pytest.fixture
def cleo(household):
    """The cadre of township A assigned to the household: reads it, changes nothing."""
    account = make_user("cleo", Role.CADRE, TOWNSHIP_A)
    factories.assign(account, household)
    return account


@pytest.fixture
def vicky(tree):
    """The village admin of A2, the other village of township A."""
    return make_user("vicky", Role.VILLAGE_ADMIN, VILLAGE_A2)


@pytest.fixture
def household(tree):
    return factories.register(number="H-001", village=VILLAGE_A1, head="张建国")


@pytest.fixture
def head(household):
    return household.members.get(relation="head")


def persona(request, name):
    return request.getfixturevalue(name) if name else None


def login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith("/accounts/login/")


# --- The household list -------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), HOUSEHOLD_READ_MATRIX)
def test_the_household_list_is_for_staff_of_a_region(request, household, who, status):
    response = client_for(persona(request, who)).get("/registry/households/")
    if who is None:
        assert login_redirect(response)
        return
    expected = 200 if status == 404 else status  # a list of another region is just empty
    assert response.status_code == expected
    if expected == 200:
        listed = [h.registry_number for h in response.context["page"]]
        assert listed == ([] if status == 404 else ["H-001"])


def test_the_list_shows_number_head_masked_id_village_and_status(vera, household):
    html = client_for(vera).get("/registry/households/").content.decode()
    assert "H-001" in html
    assert "张建国" in html
    assert "420981********0015" in html
    assert "桃李村" in html
    assert "registered in need" in html
    assert id_number(0) not in html


def test_the_list_has_column_headers_and_labels_the_numbers_for_phones(vera, household):
    html = client_for(vera).get("/registry/households/").content.decode()
    headers = re.findall(r'<th scope="col">([^<]*)</th>', html)
    assert headers == ["Head of household", "Status", "Registry number", "ID number", "Village"]
    # On a phone the headers fold away; the numbers carry their own labels.
    assert '<td class="number" data-label="Registry number">H-001</td>' in html
    assert '<td class="id" data-label="ID number">420981********0015</td>' in html
    row = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    assert f'<a href="/registry/households/{household.pk}/">张建国</a>' in row


def numbers_listed(client, query: str) -> list[str]:
    response = client.get("/registry/households/" + query)
    assert response.status_code == 200
    return [h.registry_number for h in response.context["page"]]


@pytest.fixture
def three_households(tree):
    factories.register(number="H-001", head="张建国", disability=True, serious_illness=True)
    factories.register(
        number="H-002",
        head="李秀英",
        head_id=id_number(1, sex="female"),
        head_phone=factories.phone(1),
        village=VILLAGE_A2,
        status="exited",
        disability=True,
    )
    factories.register(
        number="X-003",
        head="王强",
        head_id=id_number(2),
        head_phone=factories.phone(2),
        village=VILLAGE_B1,
        status="under_monitoring",
    )


def test_searching_by_name_registry_number_or_full_id_number(alice, three_households):
    client = client_for(alice)
    assert numbers_listed(client, "?q=李秀") == ["H-002"]
    assert numbers_listed(client, "?q=H-00") == ["H-001", "H-002"]
    # An ID number goes by POST, out of the address (see test_search_by_post.py).
    response = client.post("/registry/households/", {"q": id_number(2)})
    assert [h.registry_number for h in response.context["page"]] == ["X-003"]
    # An ID number is matched whole, by its keyed hash: part of one finds nothing.
    assert numbers_listed(client, f"?q={id_number(2)[:14]}") == []


def test_filtering_by_village_status_and_flags(alice, three_households):
    client = client_for(alice)
    assert numbers_listed(client, f"?village={VILLAGE_A2}") == ["H-002"]
    assert numbers_listed(client, "?status=under_monitoring") == ["X-003"]
    assert numbers_listed(client, "?flag=disability") == ["H-001", "H-002"]
    assert numbers_listed(client, "?flag=disability&flag=serious_illness") == ["H-001"]


def test_a_filter_outside_the_scope_is_ignored_not_obeyed(tina, three_households):
    client = client_for(tina)
    assert numbers_listed(client, f"?village={VILLAGE_B1}") == ["H-001", "H-002"]
    assert numbers_listed(client, "?status=king") == ["H-001", "H-002"]


def test_the_village_select_offers_only_the_villages_in_scope(tina, vera):
    def codes(user):
        form = client_for(user).get("/registry/households/").context["form"]
        return [code for code, _label in form.fields["village"].choices]

    assert codes(tina) == ["", VILLAGE_A1, VILLAGE_A2]
    assert codes(vera) == ["", VILLAGE_A1]


def test_htmx_gets_only_the_results_and_the_page_varies_on_it(vera, household):
    client = client_for(vera)
    response = client.get("/registry/households/?q=张", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "H-001" in html
    assert "HX-Request" in response["Vary"]
    assert "HX-Push-Url" not in response
    full = client.get("/registry/households/?q=张")
    assert "<html" in full.content.decode()


def test_going_back_with_htmx_gets_the_whole_page(vera, household):
    response = client_for(vera).get(
        "/registry/households/",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


def test_a_search_by_id_number_is_kept_out_of_the_browser_history(vera, household):
    response = client_for(vera).post(
        "/registry/households/", {"q": id_number(0)}, headers={"HX-Request": "true"}
    )
    assert response["HX-Push-Url"] == "false"
    assert [h.registry_number for h in response.context["page"]] == ["H-001"]


def test_the_list_pages_by_fifty_and_keeps_every_filter(alice, tree):
    for i in range(51):
        factories.register(
            number=f"H-{i:03d}",
            head=f"户主{i}",
            head_id=id_number(i),
            head_phone=factories.phone(i),
            disability=True,
            serious_illness=True,
        )
    client = client_for(alice)
    first = client.get("/registry/households/?flag=disability&flag=serious_illness")
    assert len(first.context["page"]) == 50
    html = first.content.decode()
    assert 'href="?flag=disability&amp;flag=serious_illness&amp;page=2"' in html
    second = client.get("/registry/households/?flag=disability&flag=serious_illness&page=2")
    assert [h.registry_number for h in second.context["page"]] == ["H-050"]


# --- The household page -------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), HOUSEHOLD_READ_MATRIX)
def test_the_household_page_is_for_staff_of_its_region(request, household, who, status):
    response = client_for(persona(request, who)).get(f"/registry/households/{household.pk}/")
    if who is None:
        assert login_redirect(response)
    else:
        assert response.status_code == status


def test_an_unknown_household_is_404(alice):
    assert client_for(alice).get("/registry/households/999999/").status_code == 404


def test_the_household_page_shows_fields_members_history_and_helpers(vera, tree):
    household = factories.register(
        number="H-001",
        hardship_causes=["illness", "lack_of_skills"],
        elderly_living_alone=True,
        others=[
            records.MemberData(
                name="张小红",
                relation="child",
                id_number=id_number(5, born=datetime.date(2012, 9, 1), sex="female"),
                student=True,
                left_behind_child=True,
            )
        ],
    )
    helper = factories.person(name="李帮扶")
    factories.actions.assign_helper(
        person=helper, household=household, since=datetime.date(2021, 4, 1), by=None
    )
    response = client_for(vera).get(f"/registry/households/{household.pk}/")
    html = response.content.decode()
    assert [m.name for m in response.context["members"]] == ["张建国", "张小红"]
    assert response.context["causes"] == ["illness", "lack of skills"]
    assert response.context["flags"] == ["Elderly living alone"]
    assert "420981********0015" in html and "138****0000" in html
    assert "420981********0100" in html
    assert "李帮扶" in html and "since 2021-04-01" in html
    assert "2019-03-01" in html and "registered in need" in html
    assert "Needs" in html and "Visits" in html


@pytest.mark.parametrize("who", ["cleo", "victor"])
def test_readers_see_no_edit_buttons_and_no_reveal_button(request, household, who):
    response = client_for(persona(request, who)).get(f"/registry/households/{household.pk}/")
    html = response.content.decode()
    assert (response.status_code, "张建国" in html) == (200, True)
    assert "Edit household" not in html
    assert "Show full numbers" not in html


def test_editors_see_a_reveal_button_for_each_member_with_numbers(vera, household, head):
    html = client_for(vera).get(f"/registry/households/{household.pk}/").content.decode()
    assert "Edit household" in html
    assert f'hx-post="/registry/members/{head.pk}/reveal/"' in html
    assert f'hx-target="#numbers-{head.pk}"' in html


# --- A cadre's households -------------------------------------------------------------------


def test_a_cadre_lists_only_the_households_assigned_to_them(cleo, household):
    factories.register(number="H-002", head="李四", head_id=id_number(1), head_phone="")
    response = client_for(cleo).get("/registry/households/")
    assert [h.registry_number for h in response.context["page"]] == ["H-001"]
    assert "No households are assigned to you yet" not in response.content.decode()


def test_a_cadre_with_no_household_is_told_who_assigns_them(cody, household):
    response = client_for(cody).get("/registry/households/")
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<p class="notice" role="status" data-testid="nothing-assigned">No households are '
        "assigned to you yet; the township station assigns them.</p>"
    ) in html
    assert "H-001" not in html and 'data-testid="household-table"' not in html


def test_a_cadre_reads_no_household_of_their_township_they_do_not_help(cody, household, head):
    """The issue's cadre: township A's, assigned to no one, opened any household of it."""
    client = client_for(cody)
    assert client.get(f"/registry/households/{household.pk}/").status_code == 404
    assert client.post(f"/registry/members/{head.pk}/reveal/").status_code == 403
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


def test_an_ended_assignment_closes_the_household_to_its_cadre(cody, household):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    factories.assign(cody, household, until=yesterday)
    client = client_for(cody)
    assert client.get(f"/registry/households/{household.pk}/").status_code == 404
    assert list(client.get("/registry/households/").context["page"]) == []


def test_an_assignment_holds_through_its_last_day(cody, household):
    factories.assign(cody, household, until=timezone.localdate())
    assert client_for(cody).get(f"/registry/households/{household.pk}/").status_code == 200


def test_a_cadre_assigned_outside_their_region_still_reads_nothing_there(cody, tree):
    """An assignment does not widen the account's region: a cadre of township A helping a
    household of township B (a mistake of the directory) still cannot open it."""
    elsewhere = factories.register(number="B-001", village=VILLAGE_B1, head="王五")
    factories.assign(cody, elsewhere)
    client = client_for(cody)
    assert client.get(f"/registry/households/{elsewhere.pk}/").status_code == 404
    assert list(client.get("/registry/households/").context["page"]) == []


# --- Registering and editing a household ----------------------------------------------------


def new_household(**changes):
    return {
        "registry_number": "H-100",
        "village": VILLAGE_A1,
        "status": "registered_poor",
        "status_since": "2020-01-15",
        "hardship_causes": ["illness", "lack_of_skills"],
        "disability": "on",
        "head-name": "王秀兰",
        "head-id_number": id_number(7, sex="female"),
        "head-phone": "13800138000",
        "head-labour_ability": "ordinary",
        **changes,
    }


# A new household: no cadre or viewer registers one.
NEW_HOUSEHOLD_MATRIX = [
    (None, 302),
    ("dora", 403),
    ("olga", 403),
    ("cody", 403),
    ("victor", 403),
    ("tom", 404),
    ("carl", 404),
    ("vera", 302),
    ("tina", 302),
    ("alice", 302),
]
# A household on file: not even its own cadre changes it.
WRITE_MATRIX = [
    (None, 302),
    ("dora", 403),
    ("olga", 403),
    ("cleo", 403),
    ("cody", 403),
    ("victor", 403),
    ("tom", 404),
    ("carl", 404),
    ("vera", 302),
    ("tina", 302),
    ("alice", 302),
]


@pytest.mark.parametrize(("who", "status"), NEW_HOUSEHOLD_MATRIX)
def test_registering_a_household_from_the_page(request, tree, who, status):
    user = persona(request, who)
    response = client_for(user).post("/registry/households/new/", new_household())
    if who is None:
        assert login_redirect(response)
    elif status == 404:
        # Village A1 is not among the choices of another region's staff.
        assert response.status_code == 400
        assert set(response.context["sections"][0][1].errors) == {"village"}
    else:
        assert response.status_code == status
    created = Household.objects.filter(registry_number="H-100").first()
    assert (created is not None) == (who in ("vera", "tina", "alice"))
    if created is None:
        assert Member.objects.count() == 0
        return
    assert response.url == f"/registry/households/{created.pk}/"
    assert (created.village_id, created.status, created.status_since) == (
        VILLAGE_A1,
        "registered_poor",
        datetime.date(2020, 1, 15),
    )
    assert created.hardship_causes == ["illness", "lack_of_skills"]
    assert (created.disability, created.serious_illness) == (True, False)
    head = created.members.get()
    assert (head.name, head.relation, head.sex, head.birth_date, head.labour_ability) == (
        "王秀兰",
        "head",
        "female",
        datetime.date(1970, 5, 17),
        "ordinary",
    )
    assert (head.id_number_masked, head.phone_masked) == ("420981********0146", "138****8000")
    assert AuditEvent.objects.filter(action="household.create", actor=user).count() == 1


def test_the_new_household_form_offers_only_villages_in_scope(vera):
    form = client_for(vera).get("/registry/households/new/").context["sections"][0][1]
    assert [code for code, _label in form.fields["village"].choices] == ["", VILLAGE_A1]


def test_the_new_household_form_shows_each_error_beside_its_field(vera, household):
    right = id_number(9)
    wrong = right[:-1] + ("1" if right[-1] != "1" else "2")
    response = client_for(vera).post(
        "/registry/households/new/",
        new_household(
            **{"registry_number": "H-001", "head-id_number": wrong, "head-phone": "0712-1234567"}
        ),
    )
    assert response.status_code == 400
    (_legend, form), (_head_legend, head_form) = response.context["sections"]
    assert form.errors == {"registry_number": ["This registry number is taken."]}
    assert head_form.errors == {
        "id_number": [f"The check digit is wrong: the last character should be {right[-1]}."],
        "phone": [
            "This looks like a landline number (it starts with 0). Please give a mobile number."
        ],
    }
    assert "This registry number is taken." in response.content.decode()
    assert Household.objects.count() == 1


def test_an_id_number_of_another_household_is_refused_on_the_head(vera, household):
    response = client_for(vera).post(
        "/registry/households/new/", new_household(**{"head-id_number": id_number(0)})
    )
    head_form = response.context["sections"][1][1]
    assert head_form.errors == {
        "id_number": ["This ID number is already registered in another household."]
    }
    assert Household.objects.count() == 1


def test_missing_fields_are_named_in_the_users_language(vera):
    response = client_for(vera).post(
        "/registry/households/new/",
        new_household(**{"registry_number": "", "head-name": ""}),
        headers={"Accept-Language": "zh-Hans"},
    )
    assert response.status_code == 400
    form, head_form = (section[1] for section in response.context["sections"])
    assert set(form.errors) == {"registry_number"} and set(head_form.errors) == {"name"}
    assert response.content.decode().count("这个字段是必填项。") == 2
    assert Household.objects.count() == 0


def edited_household(**changes):
    return {
        "registry_number": "H-001",
        "village": VILLAGE_A1,
        "status": "exited",
        "status_since": "2023-06-30",
        "hardship_causes": ["illness"],
        "serious_illness": "on",
        **changes,
    }


@pytest.mark.parametrize(("who", "status"), WRITE_MATRIX)
def test_editing_a_household_from_the_page(request, household, who, status):
    user = persona(request, who)
    response = client_for(user).post(
        f"/registry/households/{household.pk}/edit/", edited_household()
    )
    if who is None:
        assert login_redirect(response)
    else:
        assert response.status_code == status
    household.refresh_from_db()
    changed = who in ("vera", "tina", "alice")
    assert household.status == ("exited" if changed else "registered_poor")
    assert HouseholdStatusChange.objects.filter(household=household).count() == (
        2 if changed else 1
    )
    if changed:
        assert response.url == f"/registry/households/{household.pk}/"
        assert household.serious_illness and household.hardship_causes == ["illness"]


def test_the_edit_form_starts_from_the_household(vera, household):
    form = (
        client_for(vera).get(f"/registry/households/{household.pk}/edit/").context["sections"][0][1]
    )
    assert form.initial["registry_number"] == "H-001"
    assert form.initial["village"] == VILLAGE_A1
    assert form.initial["status_since"] == datetime.date(2019, 3, 1)


def test_a_status_date_in_the_future_is_refused_beside_its_field(vera, household):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    response = client_for(vera).post(
        f"/registry/households/{household.pk}/edit/",
        edited_household(status_since=tomorrow.isoformat()),
    )
    assert response.status_code == 400
    form = response.context["sections"][0][1]
    assert form.errors == {"status_since": ["The date lies in the future."]}


# --- Members -------------------------------------------------------------------------------


def new_member(**changes):
    return {
        "name": "张小红",
        "relation": "child",
        "id_number": id_number(5, born=datetime.date(2012, 9, 1), sex="female"),
        "phone": "",
        "student": "on",
        **changes,
    }


@pytest.mark.parametrize(("who", "status"), WRITE_MATRIX)
def test_adding_a_member_from_the_page(request, household, who, status):
    user = persona(request, who)
    response = client_for(user).post(
        f"/registry/households/{household.pk}/members/new/", new_member()
    )
    if who is None:
        assert login_redirect(response)
    else:
        assert response.status_code == status
    added = household.members.filter(name="张小红").first()
    assert (added is not None) == (who in ("vera", "tina", "alice"))
    if added:
        assert (added.relation, added.birth_date, added.sex, added.student) == (
            "child",
            datetime.date(2012, 9, 1),
            "female",
            True,
        )
        assert added.id_number_masked == "420981********0100"


def test_a_second_head_and_a_wrong_birth_date_are_refused_beside_their_fields(vera, household):
    response = client_for(vera).post(
        f"/registry/households/{household.pk}/members/new/",
        new_member(relation="head", birth_date="2012-09-02"),
    )
    assert response.status_code == 400
    assert response.context["sections"][0][1].errors == {
        "relation": ["This household already has a head."],
        "birth_date": ["The ID number gives the birth date 2012-09-01."],
    }
    assert household.members.count() == 1


@pytest.mark.parametrize(("who", "status"), WRITE_MATRIX)
def test_editing_a_member_from_the_page(request, head, who, status):
    user = persona(request, who)
    response = client_for(user).post(
        f"/registry/members/{head.pk}/edit/",
        {"name": "张建军", "relation": "head", "id_number": "", "phone": ""},
    )
    if who is None:
        assert login_redirect(response)
    else:
        assert response.status_code == status
    before = (head.id_number_hash, head.phone_hash, head.birth_date)
    head.refresh_from_db()
    assert head.name == ("张建军" if who in ("vera", "tina", "alice") else "张建国")
    # Empty number inputs keep the numbers on file, and the birth date they carry.
    assert (head.id_number_hash, head.phone_hash, head.birth_date) == before


def test_the_member_form_leaves_the_numbers_empty_and_says_what_is_on_file(vera, head):
    response = client_for(vera).get(f"/registry/members/{head.pk}/edit/")
    form = response.context["sections"][0][1]
    assert "id_number" not in form.initial and "phone" not in form.initial
    assert form.fields["id_number"].help_text == (
        "On file: 420981********0015. Leave empty to keep it; type a new number to replace it."
    )
    assert form.fields["phone"].help_text == (
        "On file: 138****0000. Leave empty to keep it; type a new number to replace it."
    )
    assert id_number(0) not in response.content.decode()


def test_a_new_phone_number_replaces_the_one_on_file(vera, head):
    response = client_for(vera).post(
        f"/registry/members/{head.pk}/edit/",
        {"name": "张建国", "relation": "head", "phone": "139 0013 9000"},
    )
    assert response.status_code == 302
    head.refresh_from_db()
    assert head.phone_masked == "139****9000"
    assert head.id_number_masked == "420981********0015"


def test_an_id_number_registered_elsewhere_is_refused_on_edit(vera, household, tree):
    other = factories.register(
        number="H-002", head="李四", head_id=id_number(1), head_phone=factories.phone(1)
    )
    member = other.members.get()
    response = client_for(vera).post(
        f"/registry/members/{member.pk}/edit/",
        {"name": "李四", "relation": "head", "id_number": id_number(0)},
    )
    assert response.status_code == 400
    assert response.context["sections"][0][1].errors == {
        "id_number": ["This ID number is already registered."]
    }


# --- Revealing the full numbers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 403),
        ("cleo", 403),
        ("cody", 403),
        ("victor", 403),
        ("tom", 404),
        ("carl", 404),
        ("vicky", 404),
        ("vera", 200),
        ("tina", 200),
        ("alice", 200),
    ],
)
def test_revealing_a_members_numbers(request, head, who, status):
    user = persona(request, who)
    response = client_for(user).post(
        f"/registry/members/{head.pk}/reveal/", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    if who is None:
        assert login_redirect(response)
    else:
        assert response.status_code == status
    reveals = AuditEvent.objects.filter(action="member.reveal")
    if status == 200:
        assert id_number(0) in html and "13800000000" in html
        assert "<html" not in html
        assert "no-store" in response["Cache-Control"]
        assert [(e.actor, e.object_id, e.region_code) for e in reveals] == [
            (user, str(head.pk), VILLAGE_A1)
        ]
    else:
        assert id_number(0) not in html and "13800000000" not in html
        assert reveals.count() == 0


def test_revealing_without_javascript_shows_a_page_with_a_way_back(vera, head):
    response = client_for(vera).post(f"/registry/members/{head.pk}/reveal/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and id_number(0) in html
    assert f'href="/registry/households/{head.household_id}/"' in html


def test_revealing_takes_a_post(vera, head):
    assert client_for(vera).get(f"/registry/members/{head.pk}/reveal/").status_code == 405
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


# --- Assigned helpers ----------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), WRITE_MATRIX)
def test_assigning_a_helper_from_the_page(request, household, who, status):
    helper = factories.person(name="李帮扶", region=VILLAGE_A1)
    user = persona(request, who)
    response = client_for(user).post(
        f"/registry/households/{household.pk}/helpers/new/",
        {"person": str(helper.pk), "since": "2021-04-01"},
    )
    if who is None:
        assert login_redirect(response)
    else:
        assert response.status_code == status
    assigned = HelperAssignment.objects.filter(household=household, person=helper)
    assert assigned.exists() == (who in ("vera", "tina", "alice"))


def test_only_people_of_the_region_can_be_assigned(vera, household):
    stranger = factories.person(name="外人", region=VILLAGE_B1)
    response = client_for(vera).post(
        f"/registry/households/{household.pk}/helpers/new/",
        {"person": str(stranger.pk), "since": "2021-04-01"},
    )
    assert response.status_code == 400
    assert set(response.context["sections"][0][1].errors) == {"person"}
    assert not HelperAssignment.objects.exists()


# --- Organisations and people --------------------------------------------------------------


@pytest.fixture
def cooperative(tree):
    return factories.organisation(name="青禾农业合作社", region=VILLAGE_A1)


@pytest.mark.parametrize(("who", "status"), READ_MATRIX)
def test_the_organisation_list_is_for_staff_of_a_region(request, cooperative, who, status):
    response = client_for(persona(request, who)).get("/registry/organisations/")
    if who is None:
        assert login_redirect(response)
        return
    expected = 200 if status == 404 else status
    assert response.status_code == expected
    if expected == 200:
        names = [o.name for o in response.context["page"]]
        assert names == ([] if status == 404 else ["青禾农业合作社"])


def test_organisations_are_searched_by_name_and_filtered_by_kind(tina, cooperative):
    factories.organisation(name="柳塘小学", kind="school", region=VILLAGE_A2, serial=2)
    client = client_for(tina)

    def names(query):
        return [o.name for o in client.get("/registry/organisations/" + query).context["page"]]

    assert names("") == ["柳塘小学", "青禾农业合作社"]
    assert names("?q=合作") == ["青禾农业合作社"]
    assert names("?kind=school") == ["柳塘小学"]


DIRECTORY_WRITE_MATRIX = [
    (None, 302),
    ("dora", 403),
    ("cody", 403),
    ("victor", 403),
    ("vera", 403),
    ("tom", 404),
    ("carl", 404),
    ("tina", 302),
    ("alice", 302),
]


@pytest.mark.parametrize(("who", "status"), DIRECTORY_WRITE_MATRIX)
def test_adding_an_organisation_from_the_page(request, tree, who, status):
    user = persona(request, who)
    code = make_credit_code(region_code="420981", serial=77)
    response = client_for(user).post(
        "/registry/organisations/new/",
        {
            "name": "柳塘电商公司",
            "kind": "ecommerce_company",
            "credit_code": code,
            "region": VILLAGE_A1,
        },
    )
    if who is None:
        assert login_redirect(response)
    elif status == 404:
        assert response.status_code == 400  # village A1 is not among their choices
    else:
        assert response.status_code == status
    added = Organisation.objects.filter(name="柳塘电商公司").first()
    assert (added is not None) == (status == 302 and who is not None)
    if added:
        assert (added.kind, added.credit_code, added.region_id) == (
            "ecommerce_company",
            code,
            VILLAGE_A1,
        )


def test_a_wrong_credit_code_is_refused_beside_its_field(tina):
    right = make_credit_code(region_code="420981", serial=77)
    wrong = right[:-1] + ("1" if right[-1] != "1" else "2")
    response = client_for(tina).post(
        "/registry/organisations/new/",
        {
            "name": "柳塘电商公司",
            "kind": "ecommerce_company",
            "credit_code": wrong,
            "region": VILLAGE_A1,
        },
    )
    assert response.status_code == 400
    assert response.context["sections"][0][1].errors == {
        "credit_code": [f"The check character is wrong: the last character should be {right[-1]}."]
    }
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(("who", "status"), DIRECTORY_WRITE_MATRIX)
def test_editing_an_organisation_from_the_page(request, cooperative, who, status):
    response = client_for(persona(request, who)).post(
        f"/registry/organisations/{cooperative.pk}/edit/",
        {"name": "青禾合作社", "kind": "cooperative", "credit_code": "", "region": VILLAGE_A1},
    )
    if who is None:
        assert login_redirect(response)
    else:
        assert response.status_code == status
    cooperative.refresh_from_db()
    changed = status == 302 and who is not None
    assert cooperative.name == ("青禾合作社" if changed else "青禾农业合作社")
    assert (cooperative.credit_code == "") == changed


@pytest.mark.parametrize(("who", "status"), READ_MATRIX)
def test_the_people_list_is_for_staff_of_a_region(request, tree, who, status):
    factories.person(name="李帮扶", region=VILLAGE_A1)
    response = client_for(persona(request, who)).get("/registry/people/")
    if who is None:
        assert login_redirect(response)
        return
    expected = 200 if status == 404 else status
    assert response.status_code == expected
    if expected == 200:
        names = [p.name for p in response.context["page"]]
        assert names == ([] if status == 404 else ["李帮扶"])


def test_people_are_filtered_by_position_and_shown_with_masked_phones(tina):
    factories.person(name="李帮扶", position="assigned_cadre")
    factories.person(name="赵书记", position="first_secretary", region=VILLAGE_A2)
    client = client_for(tina)
    response = client.get("/registry/people/?position=first_secretary")
    assert [p.name for p in response.context["page"]] == ["赵书记"]
    html = client.get("/registry/people/").content.decode()
    assert "139****9000" in html and "13900139000" not in html


@pytest.mark.parametrize(("who", "status"), DIRECTORY_WRITE_MATRIX)
def test_adding_a_person_from_the_page(request, cooperative, who, status):
    response = client_for(persona(request, who)).post(
        "/registry/people/new/",
        {
            "name": "周志愿",
            "position": "volunteer",
            "region": VILLAGE_A1,
            "organisation": str(cooperative.pk),
            "phone": "13700137000",
        },
    )
    if who is None:
        assert login_redirect(response)
    elif status == 404:
        assert response.status_code == 400
    else:
        assert response.status_code == status
    added = Person.objects.filter(name="周志愿").first()
    assert (added is not None) == (status == 302 and who is not None)
    if added:
        assert (added.position, added.organisation, added.phone_masked) == (
            "volunteer",
            cooperative,
            "137****7000",
        )


def test_a_bad_phone_number_of_a_person_is_refused_beside_its_field(tina):
    response = client_for(tina).post(
        "/registry/people/new/",
        {"name": "周志愿", "position": "volunteer", "region": VILLAGE_A1, "phone": "12345"},
    )
    assert response.status_code == 400
    assert response.context["sections"][0][1].errors == {
        "phone": ["A mobile number has 11 digits; this one has 5."]
    }
    assert not Person.objects.exists()


# --- Navigation ----------------------------------------------------------------------------


def test_staff_find_the_registry_in_the_menu_and_the_workspace(vera):
    html = client_for(vera).get("/workspace/").content.decode()
    assert 'href="/registry/households/"' in html
    assert 'href="/registry/organisations/"' in html


def test_the_directory_menu_item_is_current_on_the_people_page(vera):
    items = client_for(vera).get("/registry/people/").context["nav_items"]
    assert [str(item["label"]) for item in items if item["active"]] == ["Directory"]


def test_donors_find_no_registry_in_the_menu(dora):
    response = client_for(dora).get("/workspace/")
    assert response.status_code == 200
    assert "/registry/" not in response.content.decode()
