"""The public pages of the needs board: the board itself and a need's page."""

import pytest

from conftest import VILLAGE_A2, VILLAGE_B1, client_for
from tongxing.needs.actions import delivery, pledges, posting, review
from tongxing.needs.models import Kind, Need, Urgency
from tongxing.needs.tests import factories
from tongxing.registry.tests.factories import id_number, register

HEAD_ID = id_number(77)
HEAD_PHONE = "13912345678"


def persona(request, name):
    return request.getfixturevalue(name) if name else None


def cards(response) -> list[str]:
    return [need.title for need in response.context["page"]]


@pytest.fixture
def home(tree):
    """A household of village A1 whose head's numbers the tests know."""
    return register(number="H-777", head="张建国", head_id=HEAD_ID, head_phone=HEAD_PHONE)


@pytest.fixture
def quilts(home, tina):
    """Three quilts for 张建国's household, on the board."""
    return factories.published(factories.goods_data(home), reviewer=tina)


# --- Who may open them -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", [None, "dora", "olga", "cody", "victor", "vera", "tina", "tom", "alice", "carl"]
)
def test_the_board_and_a_needs_page_are_open_to_everyone(request, quilts, who):
    client = client_for(persona(request, who))
    board = client.get("/needs/")
    assert board.status_code == 200
    assert cards(board) == ["棉被"]
    page = client.get(f"/needs/{quilts.pk}/")
    assert page.status_code == 200
    assert page.context["need"] == quilts


def test_a_need_not_yet_published_is_not_found(home, vera, dora, tom):
    draft = posting.create_need(data=factories.goods_data(home), by=vera)
    submitted = posting.create_need(
        data=factories.goods_data(home, title="大米", category="food"), by=vera, submit=True
    )
    for need in (draft, submitted):
        for user in (None, dora, tom):
            assert client_for(user).get(f"/needs/{need.pk}/").status_code == 404
    assert client_for(None).get("/needs/999999/").status_code == 404


def test_staff_who_see_a_need_off_the_board_are_sent_to_its_staff_page(home, vera, tina):
    # A notification of a rejection links the need's page: its poster must not meet a 404.
    need = posting.create_need(data=factories.goods_data(home), by=vera, submit=True)
    review.review_need(need=need, by=tina, approve=False, reason="价格过高")
    response = client_for(vera).get(f"/needs/{need.pk}/")
    assert response.status_code == 302 and response.url == f"/needs/{need.pk}/manage/"


def test_the_board_lists_only_published_needs_with_something_still_needed(home, vera, tina, dora):
    factories.published(factories.goods_data(home, title="棉被", quantity=1), reviewer=tina)
    posting.create_need(data=factories.goods_data(home, title="草稿", category="food"), by=vera)
    full = factories.published(
        factories.goods_data(home, title="电饭锅", category="appliance", quantity=1),
        reviewer=tina,
    )
    pledges.pledge_goods(need=full, by=dora, quantity=1)
    assert cards(client_for(None).get("/needs/")) == ["棉被"]


def passed(need, days: int = 1):
    """Let a need's deadline pass (as the days do) without the sweep expiring it."""
    Need.objects.filter(pk=need.pk).update(deadline=factories.in_days(-days))
    need.refresh_from_db()
    return need


def test_a_need_past_its_deadline_leaves_the_board_before_the_sweep_runs(quilts, dora):
    passed(quilts, days=7)
    assert quilts.status == "published"  # the sweep has not run
    assert cards(client_for(None).get("/needs/")) == []
    answer = client_for(None).get("/api/v1/needs").json()
    assert answer["count"] == 0
    shown = client_for(None).get("/api/v1/needs?open_only=false").json()["items"]
    assert [(need["title"], need["open_for_pledges"]) for need in shown] == [("棉被", False)]


def test_a_need_past_its_deadline_says_so_and_offers_no_pledge_form(quilts, dora):
    passed(quilts)
    response = client_for(dora).get(f"/needs/{quilts.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="deadline-passed"' in html
    assert 'data-testid="pledge-form"' not in html
    assert 'data-testid="fully-pledged"' not in html


# --- What a card and a page show ------------------------------------------------------------


def test_a_card_shows_title_kind_surname_place_progress_and_deadline(quilts, dora):
    pledges.pledge_goods(need=quilts, by=dora, quantity=1)
    html = client_for(None).get("/needs/").content.decode()
    assert "棉被" in html
    assert "goods" in html and "clothing and bedding" in html
    assert "张** · 柳塘镇桃李村" in html
    assert '<progress max="3" value="1"' in html
    assert "<strong>1</strong> of 3 pieces of bedding pledged" in html
    assert "pledged · 2 pieces of bedding still needed" in html
    assert f"Needed by {quilts.deadline:%Y-%m-%d}" in html


def test_a_needs_page_shows_the_story_and_the_three_progress_bars(quilts, dora, vera):
    pledge = pledges.pledge_goods(need=quilts, by=dora, quantity=2).pledge
    delivery.deliver_pledge(pledge=pledge, by=dora)
    html = client_for(None).get(f"/needs/{quilts.pk}/").content.decode()
    assert "冬天快到了，家里缺棉被。" in html
    assert "张** · 柳塘镇桃李村" in html
    assert "3 pieces of bedding · about ¥150 each" in html
    assert '<progress max="3" value="2" aria-label="Pledged">' in html
    assert '<progress class="delivered" max="3" value="2"' in html
    assert '<progress class="confirmed" max="3" value="0"' in html
    assert "1 pledge so far" in html


def test_the_board_and_a_needs_page_never_show_personal_data(request, home, quilts, dora):
    head = home.members.get(relation="head")
    secrets = [
        "张建国",
        HEAD_ID,
        head.id_number_masked,
        HEAD_PHONE,
        head.phone_masked,
        "H-777",
    ]
    assert all(secrets)
    for user in (None, dora):
        client = client_for(user)
        for url in ("/needs/", f"/needs/{quilts.pk}/", "/needs/?region=590101001001"):
            html = client.get(url).content.decode()
            leaked = [secret for secret in secrets if secret in html]
            assert leaked == [], (url, leaked)


def test_a_micro_wish_is_shown_by_the_childs_surname(tree, tina):
    home = factories.household(head="王大山", child="李小花")
    factories.published(factories.wish_data(home), reviewer=tina)
    html = client_for(None).get("/needs/").content.decode()
    assert "李** · 柳塘镇桃李村" in html
    assert "李小花" not in html and "王大山" not in html
    assert "Waiting for someone to take this wish." in html


# --- Filters and sorting --------------------------------------------------------------------


@pytest.fixture
def four_needs(tree, tina):
    a1 = factories.household()
    a2 = factories.household(village=VILLAGE_A2, head="李四")
    b1 = factories.household(village=VILLAGE_B1, head="王五")
    quilts = factories.published(
        factories.goods_data(a1, unit_value_fen=100_00, deadline=factories.in_days(20)),
        reviewer=tina,
    )  # ¥300
    rice = factories.published(
        factories.goods_data(
            a2,
            title="大米",
            category="food",
            quantity=10,
            unit="袋",
            unit_value_fen=50_00,
            urgency=Urgency.VERY_URGENT,
            deadline=factories.in_days(40),
        ),
        reviewer=tina,
    )  # ¥500
    fees = factories.published(
        factories.funds_data(b1, target_fen=2000_00, deadline=factories.in_days(10)),
        reviewer=None,
    )  # ¥2,000
    job = factories.published(
        factories.service_data(a1, urgency=Urgency.URGENT, deadline=factories.in_days(30)),
        reviewer=tina,
    )  # ¥0
    return {"quilts": quilts, "rice": rice, "fees": fees, "job": job}


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("", ["大米", "就近务工岗位", "住院费用", "棉被"]),
        ("?kind=goods", ["大米", "棉被"]),
        ("?kind=goods&category=food", ["大米"]),
        ("?category=medical_bills", ["住院费用"]),
        ("?region=590101001000", ["大米", "就近务工岗位", "棉被"]),
        ("?region=590101002001", ["住院费用"]),
        ("?region=590101001", ["大米", "就近务工岗位", "棉被"]),
        ("?urgency=2", ["大米", "就近务工岗位"]),
        ("?urgency=3", ["大米"]),
        ("?min_yuan=300&max_yuan=500", ["大米", "棉被"]),
        ("?max_yuan=299.99", ["就近务工岗位"]),
        (f"?deadline_before={factories.in_days(20)}", ["住院费用", "棉被"]),
        ("?sort=deadline", ["住院费用", "棉被", "就近务工岗位", "大米"]),
        ("?sort=newest", ["就近务工岗位", "住院费用", "大米", "棉被"]),
    ],
)
def test_the_board_filters_and_sorts(four_needs, query, titles):
    assert cards(client_for(None).get("/needs/" + query)) == titles


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("?q=大米", ["大米"]),
        ("?q=务工", ["就近务工岗位"]),
        ("?q=杏花村", ["大米"]),
        ("?q=柳塘镇", ["大米", "就近务工岗位", "棉被"]),
        ("?q=梅竹", ["住院费用"]),
        ("?q=柳塘镇+棉被", ["棉被"]),
        ("?q=++桃李村++岗位++", ["就近务工岗位"]),
        ("?q=松林乡+大米", []),
        ("?q=柳塘镇&kind=goods", ["大米", "棉被"]),
        ("?q=柳塘镇&sort=deadline", ["棉被", "就近务工岗位", "大米"]),
        ("?q=%25", []),
        ("?q=_", []),
        ("?q=", ["大米", "就近务工岗位", "住院费用", "棉被"]),
    ],
)
def test_the_board_searches_titles_and_places(four_needs, query, titles):
    response = client_for(None).get("/needs/" + query)
    assert response.status_code == 200
    assert response.context["form"].errors == {}
    assert cards(response) == titles


def test_the_board_search_finds_only_needs_on_the_board(tree, vera, tina, dora):
    home = factories.household()
    factories.published(factories.goods_data(home, title="棉被", quantity=1), reviewer=tina)
    posting.create_need(data=factories.goods_data(home, title="棉被草稿", category="food"), by=vera)
    full = factories.published(
        factories.goods_data(home, title="棉被已满", category="daily", quantity=1), reviewer=tina
    )
    pledges.pledge_goods(need=full, by=dora, quantity=1)
    assert cards(client_for(None).get("/needs/?q=棉被")) == ["棉被"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?q=" + "被" * 51, "Keep it to 50 characters (this has 51)."),
    ],
)
def test_a_bad_search_is_shown_beside_its_field_and_left_out(four_needs, query, message):
    response = client_for(None).get("/needs/" + query + "&kind=goods")
    assert response.status_code == 200
    assert response.context["form"].errors == {"q": [message]}
    assert cards(response) == ["大米", "棉被"]


def test_a_search_with_a_control_character_is_refused_with_a_way_back(four_needs):
    # Refused where every query string passes (tongxing.middleware), before the board.
    response = client_for(None).get("/needs/?q=棉%07被&kind=goods")
    assert response.status_code == 400
    html = response.content.decode()
    assert "q: Remove the invisible or control characters (U+0007) from this text." in html
    assert 'href="/needs/?kind=goods"' in html


def test_the_board_search_works_as_one_types(four_needs):
    html = client_for(None).get("/needs/").content.decode()
    assert 'type="search" name="q"' in html
    assert "input changed delay:400ms from:#id_q" in html
    fragment = client_for(None).get("/needs/?q=大米", headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()
    assert cards(fragment) == ["大米"]


def test_sorting_by_progress_puts_the_nearly_complete_first(four_needs, dora):
    pledges.pledge_goods(need=four_needs["rice"], by=dora, quantity=9)
    pledges.pledge_goods(need=four_needs["quilts"], by=dora, quantity=1)
    titles = cards(client_for(None).get("/needs/?sort=progress"))
    assert titles == ["大米", "棉被", "住院费用", "就近务工岗位"]


ALL_FOUR = ["住院费用", "大米", "就近务工岗位", "棉被"]


@pytest.mark.parametrize(
    ("query", "field", "titles"),
    [
        ("?kind=treadmill", "kind", ALL_FOUR),
        ("?kind=funds&category=clothing", "category", ["住院费用"]),
        ("?region=abc", "region", ALL_FOUR),
        ("?region=12345", "region", ALL_FOUR),
        ("?urgency=9", "urgency", ALL_FOUR),
        ("?min_yuan=-5", "min_yuan", ALL_FOUR),
        ("?max_yuan=lots", "max_yuan", ALL_FOUR),
        ("?min_yuan=500&max_yuan=100", "max_yuan", ["住院费用", "大米"]),
        ("?deadline_before=tomorrow", "deadline_before", ALL_FOUR),
        ("?sort=random", "sort", ALL_FOUR),
    ],
)
def test_a_bad_filter_is_shown_beside_its_field_and_left_out(four_needs, query, field, titles):
    response = client_for(None).get("/needs/" + query)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert sorted(cards(response)) == titles
    assert 'class="error" role="alert"' in response.content.decode()


def test_a_bad_filter_leaves_the_good_ones_in_force(four_needs):
    response = client_for(None).get("/needs/?kind=goods&urgency=9")
    assert list(response.context["form"].errors) == ["urgency"]
    assert cards(response) == ["大米", "棉被"]


def test_the_region_select_offers_the_townships_with_needs_on_the_board(four_needs):
    form = client_for(None).get("/needs/").context["form"]
    groups = [
        (label, [code for code, _name in options])
        for label, options in form.fields["region"].widget.choices[1:]
    ]
    # Townships by county: a city's hundreds of villages would swamp a phone's select.
    assert groups == [("安平区", ["590101001000", "590101002000"])]


def test_htmx_gets_only_the_results_and_the_page_varies_on_it(four_needs):
    response = client_for(None).get("/needs/?kind=funds", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "住院费用" in html and "棉被" not in html
    assert "HX-Request" in response["Vary"]
    assert "<html" in client_for(None).get("/needs/?kind=funds").content.decode()


def test_the_board_pages_by_twenty_and_keeps_the_filters(tree, tina):
    home = factories.household()
    for n in range(21):
        factories.published(
            factories.goods_data(home, title=f"物品{n:02d}", category="daily"), reviewer=tina
        )
    first = client_for(None).get("/needs/?kind=goods&sort=newest")
    assert len(first.context["page"]) == 20
    assert 'href="?kind=goods&amp;sort=newest&amp;page=2"' in first.content.decode()
    second = client_for(None).get("/needs/?kind=goods&sort=newest&page=2")
    assert cards(second) == ["物品00"]


# --- The pledge form on the page ------------------------------------------------------------


def test_an_anonymous_visitor_is_asked_to_log_in_or_sign_up_to_help(quilts):
    html = client_for(None).get(f"/needs/{quilts.pk}/").content.decode()
    assert f'href="/accounts/login/?next=/needs/{quilts.pk}/"' in html
    assert 'href="/accounts/register/"' in html
    assert 'data-testid="pledge-form"' not in html


@pytest.mark.parametrize(
    ("who", "has_form"),
    [("dora", True), ("olga", True), ("cody", False), ("victor", False), ("vera", False)],
)
def test_the_pledge_form_is_for_donors_and_organisations(request, quilts, who, has_form):
    response = client_for(persona(request, who)).get(f"/needs/{quilts.pk}/")
    assert ('data-testid="pledge-form"' in response.content.decode()) is has_form


def test_each_kind_has_its_own_pledge_form(tree, tina, dora):
    home = factories.household(child="张小明")
    forms = {}
    for data in (
        factories.goods_data(home),
        factories.funds_data(home),
        factories.service_data(home),
        factories.wish_data(home),
    ):
        need = factories.published(data, reviewer=tina)
        form = client_for(dora).get(f"/needs/{need.pk}/").context["form"]
        forms[need.kind] = sorted(form.fields)
    assert forms == {
        Kind.GOODS: ["deliver_by", "idempotency_key", "note", "quantity"],
        Kind.FUNDS: ["amount_yuan", "consent_to_move", "idempotency_key", "payment_reference"],
        Kind.SERVICE: ["deliver_by", "idempotency_key", "note", "quantity"],
        Kind.WISH: ["deliver_by", "idempotency_key", "note"],
    }


def test_each_showing_of_the_form_carries_a_new_key(quilts, dora):
    client = client_for(dora)
    keys = {client.get(f"/needs/{quilts.pk}/").context["form"]["idempotency_key"].value()}
    keys.add(client.get(f"/needs/{quilts.pk}/").context["form"]["idempotency_key"].value())
    assert len(keys) == 2 and all(len(key) == 32 for key in keys)


def test_staff_of_the_region_see_a_link_to_manage_the_need(quilts, vera, victor, tom, cody):
    link = f'href="/needs/{quilts.pk}/manage/"'
    for user, shown in ((vera, True), (victor, True), (tom, False), (cody, False)):
        response = client_for(user).get(f"/needs/{quilts.pk}/")
        assert (response.status_code, link in response.content.decode()) == (200, shown)


# --- The navigation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "entries"),
    [
        ("dora", ["/needs/", "/needs/my-pledges/"]),
        ("olga", ["/needs/", "/needs/my-pledges/"]),
        ("vera", ["/needs/", "/needs/region/"]),
        ("cody", ["/needs/", "/needs/region/"]),
        ("victor", ["/needs/", "/needs/region/"]),
        ("tina", ["/needs/", "/needs/region/", "/needs/review/"]),
        ("alice", ["/needs/", "/needs/region/", "/needs/review/"]),
    ],
)
def test_the_navigation_offers_each_role_its_needs_pages(request, tree, who, entries):
    items = client_for(persona(request, who)).get("/workspace/").context["nav_items"]
    assert [item["url"] for item in items if item["url"].startswith("/needs/")] == entries


def test_the_navigation_marks_the_most_specific_page_current(tree, tina):
    items = client_for(tina).get("/needs/review/").context["nav_items"]
    assert [item["url"] for item in items if item["active"]] == ["/needs/review/"]
    items = client_for(tina).get("/needs/").context["nav_items"]
    assert [item["url"] for item in items if item["active"]] == ["/needs/"]


def test_the_board_costs_six_queries_however_many_needs_then_one(
    tree, tina, django_assert_num_queries
):
    home = factories.household()
    for n in range(25):
        factories.published(factories.goods_data(home, title=f"物品{n}"), reviewer=tina)
    client = client_for(None)
    # The board's version, the count, the page of needs, their villages, their townships,
    # the region select.
    with django_assert_num_queries(6):
        assert client.get("/needs/").status_code == 200
    # Then the kept answer: the version alone.
    with django_assert_num_queries(1):
        assert client.get("/needs/").status_code == 200
