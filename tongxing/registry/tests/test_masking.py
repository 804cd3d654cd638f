"""Full ID and phone numbers: shown only on an explicit, audited request of those allowed.

Every page and endpoint that touches a household is read by people who may not see the
numbers, and their answers are searched for them. PIPL art. 28 counts ID numbers among
sensitive personal information; the national platform's published lists were the lesson.
"""

import datetime

import pytest

from conftest import TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, api_client_for, client_for, make_user
from tongxing.access import Role
from tongxing.audit.models import AuditEvent
from tongxing.registry.records import MemberData
from tongxing.registry.tests import factories
from tongxing.registry.tests.factories import id_number, phone

HEAD_ID, HEAD_PHONE = id_number(0), phone(0)
SPOUSE_ID, SPOUSE_PHONE = id_number(4, born=datetime.date(1972, 8, 8), sex="female"), phone(4)
FULL_NUMBERS = (HEAD_ID, HEAD_PHONE, SPOUSE_ID, SPOUSE_PHONE)


@pytest.fixture
def vicky(tree):
    """The village admin of A2: the same township, another village."""
    return make_user("vicky", Role.VILLAGE_ADMIN, VILLAGE_A2)


@pytest.fixture
def cleo(household):
    """The household's assigned cadre: reads it, without the right to full numbers."""
    account = make_user("cleo", Role.CADRE, TOWNSHIP_A)
    factories.assign(account, household)
    return account


@pytest.fixture
def household(tree):
    return factories.register(
        number="H-001",
        head="张建国",
        head_id=HEAD_ID,
        head_phone=HEAD_PHONE,
        others=[
            MemberData(name="刘桂芳", relation="spouse", id_number=SPOUSE_ID, phone=SPOUSE_PHONE)
        ],
    )


def members(household):
    return list(household.members.order_by("id"))


def page_answers(user, household) -> list[tuple[str, object]]:
    """Every page of the household, each answer with the kind of page it is."""
    client = client_for(user)
    urls = [
        ("workspace", "/workspace/"),
        ("list", "/registry/households/"),
        ("list", "/registry/households/?q=张建国"),
        ("household", f"/registry/households/{household.pk}/"),
        ("form", f"/registry/households/{household.pk}/edit/"),
        ("form", f"/registry/households/{household.pk}/members/new/"),
    ]
    answers = [(kind, client.get(url)) for kind, url in urls]
    fragment = client.get("/registry/households/?q=张", headers={"HX-Request": "true"})
    answers.append(("list", fragment))
    for member in members(household):
        answers.append(("form", client.get(f"/registry/members/{member.pk}/edit/")))
        reveal = f"/registry/members/{member.pk}/reveal/"
        answers.append(("reveal", client.post(reveal)))
        answers.append(("reveal", client.post(reveal, headers={"HX-Request": "true"})))
    return answers


def api_answers(user, household) -> list[tuple[str, object]]:
    api = api_client_for(user)
    search = {"q": HEAD_ID}
    answers = [
        ("list", api.get("/api/v1/households")),
        ("list", api.post("/api/v1/households/search", search, content_type="application/json")),
        ("household", api.get(f"/api/v1/households/{household.pk}")),
    ]
    for member in members(household):
        answers.append(("member", api.get(f"/api/v1/members/{member.pk}")))
        answers.append(("reveal", api.get(f"/api/v1/members/{member.pk}?reveal=true")))
    return answers


def full_numbers_in(answers) -> list[str]:
    bodies = [answer.content.decode() for answer in answers]
    return [number for number in FULL_NUMBERS if any(number in body for body in bodies)]


def statuses(answers) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for kind, answer in answers:
        found.setdefault(kind, set()).add(answer.status_code)
    return found


# What each persona gets: the lists, the household's page (or record), its forms (or its
# member's record) and the reveal. A cadre who does not help the household finds it nowhere
# (404), as a stranger does.
PAGE_STATUSES = {
    "dora": (403, 403, 403, 403),
    "vicky": (200, 404, 404, 404),
    "tom": (200, 404, 404, 404),
    "cleo": (200, 200, 403, 403),
    "cody": (200, 404, 403, 403),
    "victor": (200, 200, 403, 403),
}
API_STATUSES = {
    "dora": (403, 403, 403, 403),
    "vicky": (200, 404, 404, 404),
    "tom": (200, 404, 404, 404),
    "cleo": (200, 200, 200, 403),
    "cody": (200, 404, 404, 404),
    "victor": (200, 200, 200, 403),
}


@pytest.mark.parametrize("who", list(PAGE_STATUSES))
def test_no_page_shows_a_full_number_to_those_without_the_right(request, household, who):
    answers = page_answers(request.getfixturevalue(who), household)
    lists, page, forms, reveal = PAGE_STATUSES[who]
    assert statuses(answers) == {
        "workspace": {200},
        "list": {lists},
        "household": {page},
        "form": {forms},
        "reveal": {reveal},
    }
    assert full_numbers_in(answer for _kind, answer in answers) == []
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


@pytest.mark.parametrize("who", list(API_STATUSES))
def test_no_endpoint_gives_a_full_number_to_those_without_the_right(request, household, who):
    answers = api_answers(request.getfixturevalue(who), household)
    lists, record, member, reveal = API_STATUSES[who]
    assert statuses(answers) == {
        "list": {lists},
        "household": {record},
        "member": {member},
        "reveal": {reveal},
    }
    assert full_numbers_in(answer for _kind, answer in answers) == []
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


def test_a_search_by_id_number_tells_nothing_of_households_out_of_reach(vicky, tom, household):
    for user in (vicky, tom):
        # A search by ID number goes by POST (see test_search_by_post.py).
        page = client_for(user).post("/registry/households/", {"q": HEAD_ID})
        assert page.context["page"].paginator.count == 0
        api = api_client_for(user).post(
            "/api/v1/households/search", {"q": HEAD_ID}, content_type="application/json"
        )
        assert api.json() == {"items": [], "count": 0}


def test_the_household_page_never_holds_a_full_number_even_for_those_allowed(vera, household):
    client = client_for(vera)
    html = client.get(f"/registry/households/{household.pk}/").content.decode()
    assert "420981********0015" in html and "138****0000" in html
    assert full_numbers_in([client.get(f"/registry/households/{household.pk}/")]) == []
    answers = [
        client.get("/registry/households/"),
        client.get("/registry/households/?q=张", headers={"HX-Request": "true"}),
        *(client.get(f"/registry/members/{m.pk}/edit/") for m in members(household)),
    ]
    assert full_numbers_in(answers) == []
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


def test_the_api_masks_numbers_for_those_allowed_unless_they_ask(vera, household):
    api = api_client_for(vera)
    answers = [
        api.get("/api/v1/households"),
        api.get(f"/api/v1/households/{household.pk}"),
        *(api.get(f"/api/v1/members/{m.pk}") for m in members(household)),
    ]
    assert full_numbers_in(answers) == []
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


def test_an_explicit_reveal_shows_one_members_numbers_and_is_audited_once(vera, household):
    head, _spouse = members(household)
    response = client_for(vera).post(
        f"/registry/members/{head.pk}/reveal/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert full_numbers_in([response]) == [HEAD_ID, HEAD_PHONE]
    event = AuditEvent.objects.get(action="member.reveal")
    assert (event.actor, event.object_type, event.object_id, event.region_code) == (
        vera,
        "registry.member",
        str(head.pk),
        VILLAGE_A1,
    )
    assert event.after == {"fields": ["id_number", "phone"]}
    # Revealed once is not revealed for good: the page shows masks again.
    again = client_for(vera).get(f"/registry/households/{household.pk}/")
    assert full_numbers_in([again]) == []


def test_an_explicit_reveal_through_the_api_is_audited_once(vera, household):
    _head, spouse = members(household)
    response = api_client_for(vera).get(f"/api/v1/members/{spouse.pk}?reveal=true")
    assert (response.json()["id_number"], response.json()["phone"]) == (SPOUSE_ID, SPOUSE_PHONE)
    assert full_numbers_in([response]) == [SPOUSE_ID, SPOUSE_PHONE]
    assert list(
        AuditEvent.objects.filter(action="member.reveal").values_list("actor", "object_id")
    ) == [(vera.pk, str(spouse.pk))]


def test_the_audit_log_records_masked_numbers_only(alice, household):
    html = client_for(alice).get("/accounts/audit/").content.decode()
    assert "member.create" in html and "420981********0015" in html
    assert full_numbers_in([client_for(alice).get("/accounts/audit/")]) == []


def test_the_django_admin_shows_masked_numbers_only(household, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x" * 20)
    client = client_for(admin)
    head = members(household)[0]
    answers = [
        client.get("/admin/registry/household/"),
        client.get(f"/admin/registry/household/{household.pk}/change/"),
        client.get("/admin/registry/member/"),
        client.get(f"/admin/registry/member/{head.pk}/change/"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert "420981********0015" in answers[1].content.decode()
    assert full_numbers_in(answers) == []
