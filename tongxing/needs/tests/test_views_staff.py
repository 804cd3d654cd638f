"""The staff's pages (and the household's own): posting and editing a need, the needs of a
region, a need's management page, confirming receipt with a photo, thanking the donor."""

import datetime
import re
from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, client_for, make_user
from tongxing.access import Role
from tongxing.needs.actions import delivery, pledges, posting, review, rules
from tongxing.needs.models import Feedback, Kind, Need, Pledge, PledgeStatus, Status
from tongxing.needs.tests import factories
from tongxing.registry import actions as registry_actions
from tongxing.registry.tests.factories import assign, id_number, register


def persona(request, name):
    return request.getfixturevalue(name) if name else None


def login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded photos go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cleo(home):
    """The cadre of township A assigned to the household: posts and confirms for it."""
    account = make_user("cleo", Role.CADRE, TOWNSHIP_A)
    assign(account, home)
    return account


@pytest.fixture
def vicky(tree):
    """The village admin of A2, the other village of township A."""
    return make_user("vicky", Role.VILLAGE_ADMIN, VILLAGE_A2)


@pytest.fixture
def home(tree):
    """张建国's household in village A1, with a left-behind child, 张小明."""
    return factories.household(child="张小明")


@pytest.fixture
def hana(home):
    """The household's own account."""
    account = make_user("hana", Role.HOUSEHOLD)
    registry_actions.link_household_account(household=home, account=account, by=None)
    return account


@pytest.fixture
def quilts(home, tina):
    return factories.published(factories.goods_data(home), reviewer=tina)


@pytest.fixture
def pledge(quilts, dora):
    """Dora's pledge of 2 of the 3 quilts."""
    return pledges.pledge_goods(need=quilts, by=dora, quantity=2).pledge


def goods_form(**changes) -> dict:
    values = {
        "kind": "goods",
        "title": "棉被",
        "story": "冬天快到了，家里缺棉被。",
        "urgency": "2",
        "deadline": factories.in_days(20).isoformat(),
        "goods_category": "clothing",
        "quantity": "3",
        "unit": "床",
        "unit_value_yuan": "150",
        "then": "submit",
    }
    values.update(changes)
    return values


def errors(response) -> dict:
    return {field: list(messages) for field, messages in response.context["form"].errors.items()}


# --- Posting a need -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 403),
        ("olga", 403),
        ("victor", 403),
        ("cleo", 200),
        ("cody", 200),
        ("vera", 200),
        ("tina", 200),
        ("tom", 200),
        ("alice", 200),
    ],
)
def test_the_post_page_is_for_those_who_post_needs(request, tree, who, status):
    response = client_for(persona(request, who)).get("/needs/new/")
    assert response.status_code == status
    if who is None:
        assert login_redirect(response)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 403),
        ("victor", 403),
        ("cleo", 302),
        ("cody", 404),  # the household is not his to help
        ("vera", 302),
        ("vicky", 404),
        ("tina", 302),
        ("tom", 404),
        ("alice", 302),
        ("carl", 404),
    ],
)
def test_a_need_is_posted_for_a_household_of_ones_region_only(request, home, who, status):
    response = client_for(persona(request, who)).post(
        f"/needs/new/?household={home.pk}", goods_form()
    )
    assert response.status_code == status
    assert Need.objects.count() == (1 if status == 302 and who else 0)


def test_posting_goods_for_review_records_everything_and_opens_its_page(home, vera):
    response = client_for(vera).post(f"/needs/new/?household={home.pk}", goods_form())
    need = Need.objects.get()
    assert response.status_code == 302 and response.url == f"/needs/{need.pk}/manage/"
    assert (need.kind, need.category, need.title, need.status) == (
        Kind.GOODS,
        "clothing",
        "棉被",
        Status.SUBMITTED,
    )
    assert (need.target, need.unit, need.unit_value_fen, need.value_fen) == (3, "床", 15000, 45000)
    assert (need.household, need.village_id, need.urgency) == (home, VILLAGE_A1, 2)
    assert (need.posted_by, need.on_behalf, need.public_name) == (vera, True, "张**")


def test_saving_as_a_draft(home, vera):
    client_for(vera).post(f"/needs/new/?household={home.pk}", goods_form(then="draft"))
    assert Need.objects.get().status == Status.DRAFT


def test_posting_funds_a_service_and_a_wish(home, vera):
    client = client_for(vera)
    url = f"/needs/new/?household={home.pk}"
    base = {"urgency": "1", "deadline": factories.in_days(20).isoformat(), "then": "draft"}
    client.post(
        url,
        {
            **base,
            "kind": "funds",
            "title": "住院费用",
            "funds_category": "medical_bills",
            "target_yuan": "1000.50",
            "funding_policy": "keep",
        },
    )
    client.post(
        url,
        {
            **base,
            "kind": "service",
            "title": "就近务工",
            "service_category": "job",
            "places": "2",
            "place": "柳塘镇",
        },
    )
    child = home.members.get(name="张小明")
    client.post(
        url,
        {
            **base,
            "kind": "wish",
            "title": "新书包",
            "wish_category": "study",
            "child": str(child.pk),
            "wish_value_yuan": "80",
        },
    )
    got = {
        n.kind: (n.target, n.value_fen, n.funding_policy, n.place, n.child_id, n.public_name)
        for n in Need.objects.all()
    }
    assert got == {
        Kind.FUNDS: (100050, 100050, "keep", "", None, "张**"),
        Kind.SERVICE: (2, 0, "", "柳塘镇", None, "张**"),
        Kind.WISH: (1, 8000, "", "", child.pk, "张**"),
    }


def test_a_household_without_a_left_behind_child_is_offered_no_wish(tree, vera):
    plain = factories.household(head="李四")
    form = client_for(vera).get(f"/needs/new/?household={plain.pk}").context["form"]
    assert [kind for kind, _label in form.fields["kind"].choices] == [
        "goods",
        "funds",
        "service",
    ]
    assert "child" not in form.fields


def test_a_collective_need_of_the_village(tree, vera):
    response = client_for(vera).post(
        f"/needs/new/?village={VILLAGE_A1}", goods_form(title="村口路灯", goods_category="other")
    )
    assert response.status_code == 302
    need = Need.objects.get()
    assert (need.household, need.village_id, need.public_name) == (None, VILLAGE_A1, "")


def test_a_village_outside_the_scope_is_not_found(tree, vera):
    assert client_for(vera).get(f"/needs/new/?village={VILLAGE_B1}").status_code == 404
    response = client_for(vera).post(f"/needs/new/?village={VILLAGE_A2}", goods_form())
    assert response.status_code == 404
    assert Need.objects.count() == 0


def picked(response) -> list[str]:
    return [household.head_name for household in response.context["page"]]


def test_finding_the_household_searches_only_the_region(tree, tina):
    factories.household(head="张一")
    factories.household(village=VILLAGE_A2, head="张二")
    factories.household(village=VILLAGE_B1, head="张三")
    response = client_for(tina).post("/needs/new/", {"q": "张"})
    assert response.status_code == 200
    assert picked(response) == ["张一", "张二"]
    assert [code for code, _n in response.context["collective"].fields["village"].choices] == [
        "",
        VILLAGE_A1,
        VILLAGE_A2,
    ]
    assert Need.objects.count() == 0


def test_without_a_query_the_village_admin_sees_the_households_of_the_village(tree, vera):
    factories.household(head="王五")
    factories.household(head="赵六")
    factories.household(village=VILLAGE_A2, head="孙七")
    response = client_for(vera).get("/needs/new/")
    assert sorted(picked(response)) == ["王五", "赵六"]
    html = response.content.decode()
    assert 'data-testid="pick-household"' in html
    assert "2 households in your region: tap one, or search." in html


@pytest.fixture
def sixty(tree):
    """Sixty households in Vera's village, one of them 刘六十, the last by registry number."""
    homes = [factories.household(head=f"王{n:02d}") for n in range(1, 60)]
    return [*homes, factories.household(head="刘六十")]


def test_every_household_of_a_village_of_sixty_is_reachable_twenty_at_a_time(sixty, vera):
    client = client_for(vera)
    first = client.get("/needs/new/")
    assert len(picked(first)) == 20
    assert "Show more (20 of 60 shown)" in first.content.decode()
    seen = picked(first)
    number = 2
    while True:
        more = client.post("/needs/new/", {"q": "", "page": str(number)}, HTTP_HX_REQUEST="true")
        assert more.status_code == 200
        html = more.content.decode()
        # The next rows only, for htmx to put in place of the button.
        assert "<html" not in html and "<table" not in html and html.lstrip().startswith("<tr")
        seen += picked(more)
        if "show-more" not in html:
            break
        number += 1
    assert number == 3
    assert sorted(seen) == sorted(h.members.get(relation="head").name for h in sixty)
    assert f'data-household="{sixty[-1].pk}"' in html


def test_the_search_finds_a_household_by_name_or_registry_number_as_one_types(sixty, vera):
    client = client_for(vera)
    by_name = client.post("/needs/new/", {"q": "刘"}, HTTP_HX_REQUEST="true")
    assert picked(by_name) == ["刘六十"]
    html = by_name.content.decode()
    assert "<html" not in html and "1 household matches: tap it." in html
    assert f'href="?household={sixty[-1].pk}"' in html
    number = sixty[-1].registry_number
    assert picked(client.post("/needs/new/", {"q": number})) == ["刘六十"]


def test_a_search_by_id_number_finds_the_household_and_keeps_the_number_out_of_urls(tree, vera):
    full = id_number(77)
    register(number="H-777", head="刘建国", head_id=full)
    factories.household(head="王五")
    response = client_for(vera).post("/needs/new/", {"q": full})
    assert picked(response) == ["刘建国"]
    html = response.content.decode()
    hrefs = re.findall(r'(?:href|action|hx-post|hx-get)="([^"]*)"', html)
    assert hrefs and not [url for url in hrefs if full in url]


def test_the_search_form_posts_and_works_as_one_types(tree, vera):
    html = client_for(vera).get("/needs/new/").content.decode()
    assert 'method="post" action="/needs/new/"' in html
    assert "input changed delay:300ms from:#id_q" in html
    assert 'hx-post="/needs/new/"' in html


def test_the_picker_does_not_search_from_the_address(sixty, vera):
    # A search by the address would put an ID number in the logs: it is not one.
    response = client_for(vera).get("/needs/new/?q=刘")
    assert len(picked(response)) == 20


def test_the_picker_lists_households_under_column_headers(sixty, vera):
    html = client_for(vera).get("/needs/new/").content.decode()
    headers = re.findall(r'<th scope="col">([^<]*)</th>', html)
    assert headers == ["Head of household", "Status", "Registry number", "Village"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": ""}, {"title": ["This field is required."]}),
        ({"deadline": "2020-01-01"}, {"deadline": ["The deadline has passed."]}),
        ({"deadline": "soon"}, {"deadline": ["Enter a valid date."]}),
        (
            {"kind": "treadmill"},
            {"kind": ["Select a valid choice. treadmill is not one of the available choices."]},
        ),
        ({"quantity": ""}, {"quantity": ["Give a quantity from 1 to 10,000."]}),
        ({"unit": ""}, {"unit": ["Give the unit (piece, bag, set…)."]}),
        (
            {"unit_value_yuan": "-1"},
            {"unit_value_yuan": ["Ensure this value is greater than or equal to 0."]},
        ),
        (
            {
                "kind": "funds",
                "funds_category": "housing",
                "target_yuan": "",
                "funding_policy": "keep",
            },
            {"target_yuan": ["Give an amount from ¥1 to ¥100,000,000."]},
        ),
        (
            {"kind": "wish", "wish_category": "study", "child": "", "wish_value_yuan": "2000"},
            {
                "child": ["Choose the child whose wish it is."],
                "wish_value_yuan": ["A micro-wish is worth ¥1 to ¥1,000."],
            },
        ),
        (
            {"kind": "service", "service_category": "job", "places": "1", "place": ""},
            {"place": ["Say where the service is needed."]},
        ),
    ],
)
def test_a_bad_need_shows_field_errors_and_changes_nothing(home, vera, changes, expected):
    response = client_for(vera).post(f"/needs/new/?household={home.pk}", goods_form(**changes))
    assert response.status_code == 400
    assert errors(response) == expected
    assert Need.objects.count() == 0


def test_what_the_other_kinds_inputs_hold_is_ignored(home, vera):
    response = client_for(vera).post(
        f"/needs/new/?household={home.pk}", goods_form(target_yuan="lots", places="-3")
    )
    assert response.status_code == 302
    assert Need.objects.get().kind == Kind.GOODS


def test_a_household_posts_for_itself_without_choosing(home, hana):
    client = client_for(hana)
    page = client.get("/needs/new/")
    assert page.status_code == 200 and page.context["household"] == home
    assert client.post("/needs/new/", goods_form()).status_code == 302
    need = Need.objects.get()
    assert (need.household, need.posted_by, need.on_behalf) == (home, hana, False)


def test_a_household_account_not_linked_is_told_so(tree):
    lone = make_user("lone", Role.HOUSEHOLD)
    response = client_for(lone).post("/needs/new/", goods_form())
    assert response.status_code == 403
    assert Need.objects.count() == 0


# --- Editing --------------------------------------------------------------------------------


@pytest.fixture
def draft(home, vera):
    return posting.create_need(data=factories.goods_data(home), by=vera)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 403),
        ("victor", 403),
        ("cleo", 302),
        ("cody", 404),
        ("vicky", 404),
        ("tom", 404),
        ("carl", 404),
        ("olga", 403),
        ("vera", 302),
        ("tina", 302),
        ("alice", 302),
    ],
)
def test_a_draft_is_edited_by_staff_of_its_region(request, draft, who, status):
    response = client_for(persona(request, who)).post(
        f"/needs/{draft.pk}/edit/", goods_form(title="厚棉被", then="draft")
    )
    assert response.status_code == status
    draft.refresh_from_db()
    assert draft.title == ("厚棉被" if status == 302 and who else "棉被")


def test_the_edit_form_starts_from_the_need(draft, vera):
    form = client_for(vera).get(f"/needs/{draft.pk}/edit/").context["form"]
    assert form.initial["title"] == "棉被"
    assert (form.initial["quantity"], form.initial["unit"]) == (3, "床")
    assert form.initial["unit_value_yuan"] == 150


def test_editing_and_submitting_at_once(draft, vera):
    response = client_for(vera).post(f"/needs/{draft.pk}/edit/", goods_form(quantity="2"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.target) == (Status.SUBMITTED, 2)


def test_a_bad_edit_changes_nothing(draft, vera):
    response = client_for(vera).post(f"/needs/{draft.pk}/edit/", goods_form(unit=""))
    assert response.status_code == 400
    assert errors(response) == {"unit": ["Give the unit (piece, bag, set…)."]}
    draft.refresh_from_db()
    assert (draft.status, draft.unit) == (Status.DRAFT, "床")


def test_a_published_need_is_not_edited(quilts, vera):
    response = client_for(vera).post(f"/needs/{quilts.pk}/edit/", goods_form(title="改"))
    assert response.status_code == 302 and response.url == f"/needs/{quilts.pk}/manage/"
    quilts.refresh_from_db()
    assert quilts.title == "棉被"


# --- The needs of a region ------------------------------------------------------------------


@pytest.fixture
def three_needs(tree, tina):
    a1 = factories.household()
    a2 = factories.household(village=VILLAGE_A2, head="李四")
    b1 = factories.household(village=VILLAGE_B1, head="王五")
    factories.published(factories.goods_data(a1, title="A1 棉被"), reviewer=tina)
    posting.create_need(data=factories.funds_data(a2, title="A2 学费"), by=None)
    factories.published(factories.goods_data(b1, title="B1 大米", category="food"))


@pytest.mark.parametrize(
    ("who", "status", "titles"),
    [
        (None, 302, None),
        ("dora", 403, None),
        ("olga", 403, None),
        ("cleo", 200, []),  # she helps 张建国's household, which has no need here
        ("cody", 200, []),
        ("vera", 200, ["A1 棉被"]),
        ("vicky", 200, ["A2 学费"]),
        ("victor", 200, ["A2 学费", "A1 棉被"]),
        ("tina", 200, ["A2 学费", "A1 棉被"]),
        ("tom", 200, ["B1 大米"]),
        ("alice", 200, ["B1 大米", "A2 学费", "A1 棉被"]),
        ("carl", 200, []),
    ],
)
def test_the_needs_of_a_region_are_its_staffs(request, three_needs, who, status, titles):
    response = client_for(persona(request, who)).get("/needs/region/")
    assert response.status_code == status
    if titles is not None:
        assert [n.title for n in response.context["page"]] == titles


def test_the_needs_of_a_region_filter_by_status_kind_and_title(three_needs, alice):
    client = client_for(alice)

    def titles(query):
        return [n.title for n in client.get("/needs/region/" + query).context["page"]]

    assert titles("?status=draft") == ["A2 学费"]
    assert titles("?kind=goods") == ["B1 大米", "A1 棉被"]
    assert titles("?q=棉被") == ["A1 棉被"]
    assert titles("?status=nonsense") == ["B1 大米", "A2 学费", "A1 棉被"]


def test_a_household_sees_only_its_own_needs(three_needs, quilts, hana):
    response = client_for(hana).get("/needs/region/")
    assert [n.title for n in response.context["page"]] == ["棉被"]


# --- A need's management page ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 403),
        ("olga", 403),
        ("cleo", 200),
        ("cody", 404),
        ("vera", 200),
        ("vicky", 404),
        ("victor", 200),
        ("tina", 200),
        ("tom", 404),
        ("alice", 200),
        ("carl", 404),
        ("hana", 200),
    ],
)
def test_a_needs_management_page_is_for_its_region_and_household(request, quilts, who, status):
    response = client_for(persona(request, who)).get(f"/needs/{quilts.pk}/manage/")
    assert response.status_code == status


def test_another_households_account_does_not_see_the_need(quilts, tree):
    other = factories.household(head="李四")
    account = make_user("lee", Role.HOUSEHOLD)
    registry_actions.link_household_account(household=other, account=account, by=None)
    assert client_for(account).get(f"/needs/{quilts.pk}/manage/").status_code == 404


def test_the_management_page_shows_findings_pledges_donors_and_history(
    home, vera, tina, alice, dora
):
    from tongxing.regions.models import Region

    rules.set_value_cap(
        region=Region.objects.get(code="590100000000"),
        category="clothing",
        cap_fen=100_00,
        by=alice,
    )
    need = posting.create_need(data=factories.goods_data(home), by=vera, submit=True)
    review.review_need(need=need, by=tina, approve=True, override_reason="冬季特殊情况")
    pledges.pledge_goods(need=need, by=dora, quantity=2, note="周五送到")
    response = client_for(vera).get(f"/needs/{need.pk}/manage/")
    html = response.content.decode()
    assert "The estimated value ¥450 is above the cap of ¥100." in html
    assert "Published despite the rules because: 冬季特殊情况" in html
    assert "张建国" in html  # staff of the region see the head's name
    assert "Dora" in html and "周五送到" in html
    history = [(e["label"], str(e["actor"])) for e in response.context["events"]]
    assert history == [
        ("posted", "Vera"),
        ("submitted for review", "Vera"),
        ("approved and published", "Tina"),
        ("pledged", "Dora"),
    ]


def test_the_household_sees_its_need_without_the_heads_name_spelled_for_staff(quilts, hana):
    response = client_for(hana).get(f"/needs/{quilts.pk}/manage/")
    assert response.context["head_name"] == ""


@pytest.mark.parametrize(
    ("who", "buttons"),
    [
        ("vera", {"cancel": True, "review": False, "confirm": True}),
        ("tina", {"cancel": True, "review": False, "confirm": True}),
        ("cleo", {"cancel": True, "review": False, "confirm": True}),
        ("victor", {"cancel": False, "review": False, "confirm": False}),
        ("hana", {"cancel": True, "review": False, "confirm": True}),
    ],
)
def test_the_buttons_follow_the_viewers_rights(request, pledge, who, buttons):
    response = client_for(persona(request, who)).get(f"/needs/{pledge.need_id}/manage/")
    context = response.context
    shown = {
        "cancel": context["can_cancel"],
        "review": context["can_review"],
        "confirm": context["pledges"][0].can_confirm,
    }
    assert shown == buttons


# --- Submitting and cancelling --------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 403),
        ("olga", 403),
        ("victor", 403),
        ("cleo", 302),
        ("cody", 404),
        ("vicky", 404),
        ("tom", 404),
        ("carl", 404),
        ("vera", 302),
        ("tina", 302),
    ],
)
def test_submitting_a_draft(request, draft, who, status):
    response = client_for(persona(request, who)).post(f"/needs/{draft.pk}/submit/")
    assert response.status_code == status
    draft.refresh_from_db()
    assert draft.status == (Status.SUBMITTED if status == 302 and who else Status.DRAFT)


def test_submitting_twice_says_so(draft, vera):
    client_for(vera).post(f"/needs/{draft.pk}/submit/")
    response = client_for(vera).post(f"/needs/{draft.pk}/submit/")
    assert response.status_code == 400
    assert "This need has already been submitted." in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 403),
        ("victor", 403),
        ("cleo", 302),
        ("cody", 404),
        ("vicky", 404),
        ("tom", 404),
        ("carl", 404),
        ("olga", 403),
        ("vera", 302),
        ("tina", 302),
        ("hana", 302),
    ],
)
def test_cancelling_a_need(request, pledge, who, status):
    need_id = pledge.need_id
    response = client_for(persona(request, who)).post(
        f"/needs/{need_id}/cancel/", {"cancel-reason": "已由民政解决"}
    )
    assert response.status_code == status
    need = Need.objects.get(pk=need_id)
    pledge.refresh_from_db()
    if status == 302 and who:
        assert (need.status, need.status_reason, need.pledged) == (
            Status.CANCELLED,
            "已由民政解决",
            0,
        )
        assert pledge.status == PledgeStatus.WITHDRAWN
    else:
        assert (need.status, need.pledged, pledge.status) == (
            Status.PUBLISHED,
            2,
            PledgeStatus.PLEDGED,
        )


def test_cancelling_without_a_reason_is_refused_beside_the_reason(quilts, vera):
    response = client_for(vera).post(f"/needs/{quilts.pk}/cancel/", {"cancel-reason": ""})
    assert response.status_code == 400
    assert response.context["forms"]["cancel"].errors == {"reason": ["This field is required."]}
    quilts.refresh_from_db()
    assert quilts.status == Status.PUBLISHED


# --- Confirming receipt ---------------------------------------------------------------------


def photo(name="photo.png", content=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, factories.png() if content is None else content, "image/png")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 403),
        ("olga", 403),
        ("victor", 403),
        ("vicky", 404),
        ("tom", 404),
        ("carl", 404),
        ("cleo", 302),
        ("cody", 404),  # the cadre: of the township, helping no one
        ("vera", 302),
        ("tina", 302),
        ("alice", 302),
    ],
)
def test_staff_of_the_region_confirm_receipt_with_a_photo(request, pledge, who, status):
    response = client_for(persona(request, who)).post(
        f"/needs/pledges/{pledge.pk}/confirm/", {"evidence": photo(), "note": "已收到两床"}
    )
    assert response.status_code == status
    pledge.refresh_from_db()
    need = Need.objects.get(pk=pledge.need_id)
    if status == 302 and who:
        assert response.url == f"/needs/{pledge.need_id}/manage/"
        assert (pledge.status, pledge.confirmed_on_behalf) == (PledgeStatus.CONFIRMED, True)
        assert pledge.confirmation_note == "已收到两床"
        assert factories.picture(pledge.evidence.read()) == factories.picture(factories.png())
        assert (need.delivered, need.confirmed) == (2, 2)
    else:
        assert (pledge.status, bool(pledge.evidence)) == (PledgeStatus.PLEDGED, False)
        assert (need.delivered, need.confirmed) == (0, 0)


def test_the_confirm_form_asks_phones_for_the_camera(pledge, vera):
    html = client_for(vera).get(f"/needs/pledges/{pledge.pk}/confirm/").content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'accept="image/*"' in html and 'capture="environment"' in html


def test_confirming_for_the_household_needs_a_photo_or_a_note(pledge, vera):
    response = client_for(vera).post(f"/needs/pledges/{pledge.pk}/confirm/", {"note": ""})
    assert response.status_code == 400
    assert errors(response) == {
        "evidence": ["Confirming for the household: add a photo or a note."]
    }
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PLEDGED


def test_a_file_that_is_not_a_photo_is_refused(pledge, vera):
    response = client_for(vera).post(
        f"/needs/pledges/{pledge.pk}/confirm/",
        {"evidence": photo("list.png", b"name,id\n"), "note": "收到"},
    )
    assert response.status_code == 400
    assert errors(response) == {"evidence": ["Upload a photo (JPEG, PNG, WebP or GIF)."]}
    pledge.refresh_from_db()
    assert (pledge.status, bool(pledge.evidence)) == (PledgeStatus.PLEDGED, False)


def test_the_household_confirms_for_itself_without_a_photo(pledge, hana):
    form = client_for(hana).get(f"/needs/pledges/{pledge.pk}/confirm/").context["form"]
    assert "evidence" not in form.fields
    response = client_for(hana).post(f"/needs/pledges/{pledge.pk}/confirm/", {"note": ""})
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert (pledge.status, pledge.confirmed_on_behalf) == (PledgeStatus.CONFIRMED, False)


def test_a_confirmed_pledge_is_not_confirmed_again(pledge, vera):
    client_for(vera).post(f"/needs/pledges/{pledge.pk}/confirm/", {"note": "收到"})
    response = client_for(vera).post(f"/needs/pledges/{pledge.pk}/confirm/", {"note": "又收到"})
    assert response.status_code == 400
    assert errors(response) == {"__all__": ["This pledge is not waiting for confirmation."]}
    assert Need.objects.get(pk=pledge.need_id).confirmed == 2


# --- The photo ------------------------------------------------------------------------------


@pytest.fixture
def confirmed(pledge, vera):
    return delivery.confirm_pledge(pledge=pledge, by=vera, note="收到", evidence=photo())


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 200),
        ("olga", 404),
        ("vera", 200),
        ("tina", 200),
        ("victor", 200),
        ("cleo", 200),
        ("cody", 404),
        ("hana", 200),
        ("vicky", 404),
        ("tom", 404),
        ("carl", 404),
    ],
)
def test_the_photo_is_for_the_donor_and_staff_who_see_the_need(request, confirmed, who, status):
    response = client_for(persona(request, who)).get(f"/needs/pledges/{confirmed.pk}/photo/")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "image/png"
        assert factories.picture(b"".join(response.streaming_content)) == factories.picture(
            factories.png()
        )
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_pledge_without_a_photo_has_none_to_show(pledge, dora):
    assert client_for(dora).get(f"/needs/pledges/{pledge.pk}/photo/").status_code == 404


def test_the_photo_is_not_served_from_the_media_folder(confirmed, dora):
    assert client_for(dora).get(f"/media/{confirmed.evidence.name}").status_code == 404


# --- Thanking -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("dora", 403),
        ("victor", 403),
        ("cleo", 302),
        ("cody", 404),
        ("vicky", 404),
        ("tom", 404),
        ("carl", 404),
        ("olga", 403),
        ("vera", 302),
        ("tina", 302),
        ("hana", 302),
    ],
)
def test_the_household_or_its_staff_thank_the_donor(request, confirmed, who, status):
    response = client_for(persona(request, who)).post(
        f"/needs/pledges/{confirmed.pk}/thank/", {"rating": "5", "thanks": "谢谢好心人！"}
    )
    assert response.status_code == status
    if status == 302 and who:
        feedback = Feedback.objects.get()
        assert (feedback.pledge, feedback.rating, feedback.thanks) == (confirmed, 5, "谢谢好心人！")
    else:
        assert Feedback.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"rating": "9"},
            {"rating": ["Select a valid choice. 9 is not one of the available choices."]},
        ),
        ({"rating": ""}, {"rating": ["This field is required."]}),
        (
            {"rating": "4", "thanks": "谢" * 301},
            {"thanks": ["Ensure this value has at most 300 characters (it has 301)."]},
        ),
    ],
)
def test_bad_thanks_show_field_errors_and_change_nothing(confirmed, vera, data, expected):
    response = client_for(vera).post(f"/needs/pledges/{confirmed.pk}/thank/", data)
    assert response.status_code == 400
    assert errors(response) == expected
    assert Feedback.objects.count() == 0


def test_thanks_wait_for_the_help_to_arrive_and_come_once(pledge, vera):
    response = client_for(vera).post(f"/needs/pledges/{pledge.pk}/thank/", {"rating": "5"})
    assert errors(response) == {"__all__": ["Thank the donor once the help has arrived."]}
    delivery.confirm_pledge(pledge=pledge, by=vera, note="收到")
    client_for(vera).post(f"/needs/pledges/{pledge.pk}/thank/", {"rating": "5"})
    again = client_for(vera).post(f"/needs/pledges/{pledge.pk}/thank/", {"rating": "3"})
    assert again.status_code == 400
    assert errors(again) == {"__all__": ["This pledge has been thanked already."]}
    assert Feedback.objects.get().rating == 5


def test_the_management_page_offers_thanks_once_receipt_is_confirmed(confirmed, vera):
    pledges = client_for(vera).get(f"/needs/{confirmed.need_id}/manage/").context["pledges"]
    assert [(p.can_confirm, p.can_thank) for p in pledges] == [(False, True)]


def test_a_wish_confirmed_by_the_household_closes_the_need(tree, tina, dora):
    home = factories.household(child="王小丫")
    account = make_user("wang", Role.HOUSEHOLD)
    registry_actions.link_household_account(household=home, account=account, by=None)
    wish = factories.published(factories.wish_data(home), reviewer=tina)
    taken = pledges.pledge_goods(need=wish, by=dora).pledge
    client_for(account).post(f"/needs/pledges/{taken.pk}/confirm/", {"note": ""})
    assert Need.objects.get(pk=wish.pk).status == Status.CLOSED
    assert Pledge.objects.get(pk=taken.pk).status == PledgeStatus.CONFIRMED


def test_cancelling_a_cancelled_need_says_why_above_the_page(quilts, vera):
    client_for(vera).post(f"/needs/{quilts.pk}/cancel/", {"cancel-reason": "已解决"})
    response = client_for(vera).post(f"/needs/{quilts.pk}/cancel/", {"cancel-reason": "再次"})
    assert response.status_code == 400
    assert "This need is already closed or cancelled." in response.content.decode()
    quilts.refresh_from_db()
    assert quilts.status_reason == "已解决"


def test_a_double_tapped_post_saves_one_need(home, vera):
    page = client_for(vera).get(f"/needs/new/?household={home.pk}")
    token = page.context["form"]["idempotency_key"].value()
    assert token and f'value="{token}"' in page.content.decode()
    client = client_for(vera)
    first = client.post(f"/needs/new/?household={home.pk}", goods_form(idempotency_key=token))
    again = client.post(f"/needs/new/?household={home.pk}", goods_form(idempotency_key=token))
    need = Need.objects.get()
    assert first.url == again.url == f"/needs/{need.pk}/manage/"
    # A new page is a new need, even with the same contents.
    other = client_for(vera).get(f"/needs/new/?household={home.pk}")
    fresh = other.context["form"]["idempotency_key"].value()
    client.post(f"/needs/new/?household={home.pk}", goods_form(idempotency_key=fresh))
    assert Need.objects.count() == 2


# --- A cadre's households ---------------------------------------------------------------------

NOTHING_ASSIGNED = "No households are assigned to you yet; the township station assigns them."


def test_the_picker_lists_only_the_households_a_cadre_helps(cleo, home):
    factories.household(head="李四")
    response = client_for(cleo).get("/needs/new/")
    assert response.status_code == 200
    assert picked(response) == ["张建国"]
    assert NOTHING_ASSIGNED not in response.content.decode()


def test_a_cadre_with_no_household_is_told_who_assigns_them(cody, home):
    response = client_for(cody).get("/needs/new/")
    html = response.content.decode()
    assert response.status_code == 200
    assert NOTHING_ASSIGNED in html
    assert 'data-testid="pick-household"' not in html
    # A collective need of a village of his township is still his to post.
    assert 'data-testid="collective-form"' in html
    region = client_for(cody).get("/needs/region/")
    assert (region.status_code, NOTHING_ASSIGNED in region.content.decode()) == (200, True)


def test_a_cadre_posts_a_collective_need_for_a_village_of_their_township(cody):
    response = client_for(cody).post(
        f"/needs/new/?village={VILLAGE_A2}", goods_form(title="村口路灯", goods_category="other")
    )
    assert response.status_code == 302
    need = Need.objects.get()
    assert (need.household, need.village_id, need.posted_by) == (None, VILLAGE_A2, cody)
    assert client_for(cody).get(f"/needs/new/?village={VILLAGE_B1}").status_code == 404


def test_a_cadre_sees_the_needs_of_their_households_and_villages_only(cleo, home, tina, vera):
    other = factories.household(head="李四")
    factories.published(factories.goods_data(home, title="张家棉被"), reviewer=tina)
    factories.published(factories.goods_data(other, title="李家棉被"), reviewer=tina)
    lamp = factories.goods_data(None, village=factories.village(), title="村口路灯")
    posting.create_need(data=replace(lamp, category="other"), by=vera)
    response = client_for(cleo).get("/needs/region/")
    assert [need.title for need in response.context["page"]] == ["村口路灯", "张家棉被"]


def test_a_cadre_confirms_nothing_for_a_collective_need(cody, vera, tina, dora):
    lamp = factories.goods_data(None, village=factories.village(), title="村口路灯")
    need = factories.published(replace(lamp, category="other"), by=vera, reviewer=tina)
    pledge_ = pledges.pledge_goods(need=need, by=dora, quantity=1).pledge
    assert client_for(cody).get(f"/needs/{need.pk}/manage/").status_code == 200
    response = client_for(cody).post(
        f"/needs/pledges/{pledge_.pk}/confirm/", {"evidence": photo(), "note": "已收到"}
    )
    assert response.status_code == 403
    pledge_.refresh_from_db()
    assert (pledge_.status, bool(pledge_.evidence)) == (PledgeStatus.PLEDGED, False)


def test_a_cadre_whose_assignment_ended_confirms_nothing_for_the_household(cody, pledge):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assign(cody, pledge.need.household, until=yesterday)
    client = client_for(cody)
    assert client.get(f"/needs/{pledge.need_id}/manage/").status_code == 404
    response = client.post(
        f"/needs/pledges/{pledge.pk}/confirm/", {"evidence": photo(), "note": "已收到两床"}
    )
    assert response.status_code == 404
    pledge.refresh_from_db()
    assert (pledge.status, bool(pledge.evidence)) == (PledgeStatus.PLEDGED, False)
    assert Need.objects.get(pk=pledge.need_id).confirmed == 0
