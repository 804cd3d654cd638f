"""Units and numbers on the needs board: a measure word typed in Chinese reads in English on
English pages, stays itself on Chinese ones, and every count carries thousands separators."""

import pytest
from django.utils import translation

from conftest import client_for
from tongxing.needs.actions import pledges, posting
from tongxing.needs.amounts import amount_text
from tongxing.needs.models import Need
from tongxing.needs.tests import factories
from tongxing.needs.tests.test_views_staff import goods_form
from tongxing.needs.units import COMMON_UNITS, quantity_text
from tongxing.numbers import thousands


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (999, "999"),
        (1000, "1,000"),
        (30_000, "30,000"),
        (1_234_567, "1,234,567"),
        (-12_345, "-12,345"),
        ("30000", "30,000"),
        (None, ""),
        ("—", "—"),
    ],
)
def test_thousands_separates_every_three_digits(value, text):
    assert thousands(value) == text


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("en", ["1 unit", "3 pieces of bedding", "1,200 pieces", "2 pairs", "2 筐", "1 head"]),
        ("zh-hans", ["1 台", "3 床", "1,200 件", "2 双", "2 筐", "1 头"]),
        ("zh-hant", ["1 台", "3 床", "1,200 件", "2 雙", "2 筐", "1 頭"]),
    ],
)
def test_a_measure_word_is_named_in_the_pages_language(language, texts):
    quantities = [(1, "台"), (3, "床"), (1200, "件"), (2, "双"), (2, "筐"), (1, "頭")]
    with translation.override(language):
        assert [quantity_text(n, word) for n, word in quantities] == texts


def test_every_common_unit_has_an_english_name_and_counted_form():
    with translation.override("en"):
        for unit in COMMON_UNITS:
            one, many = quantity_text(1, unit.word), quantity_text(2_000, unit.word)
            assert one.startswith("1 ") and one.isascii(), unit.word
            assert many.startswith("2,000 ") and many.isascii(), unit.word
            assert str(unit.label).isascii()


@pytest.mark.parametrize(
    ("kind", "quantity", "english", "chinese"),
    [
        ("funds", 1_234_550, "¥12,345.50", "¥12,345.50"),
        ("service", 1_000, "1,000 places", None),
        ("wish", 1, "1 wish", "1 个心愿"),
    ],
)
def test_money_places_and_wishes_have_their_own_units(kind, quantity, english, chinese):
    need = Need(kind=kind, unit="")
    with translation.override("en"):
        assert amount_text(need, quantity) == english
    if chinese is not None:  # the places' counted form is new: its translation comes later
        with translation.override("zh-hans"):
            assert amount_text(need, quantity) == chinese


@pytest.fixture
def fridge(tree, tina):
    home = factories.household()
    return factories.published(
        factories.goods_data(
            home, title="冰箱", category="appliance", quantity=1, unit="台", unit_value_fen=1500_00
        ),
        reviewer=tina,
    )


def test_an_english_board_writes_the_unit_in_english(fridge):
    html = client_for(None).get("/needs/").content.decode()
    assert "<strong>0</strong> of 1 unit pledged · 1 unit still needed" in html
    assert "台" not in html


def test_a_chinese_board_writes_the_measure_word(fridge):
    client = client_for(None)
    html = client.get("/needs/", headers={"accept-language": "zh-hans"}).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "<strong>0</strong> 已认领（共需 1 台） · 还需 1 台" in html


def test_the_pledge_form_says_what_is_still_needed_in_the_pages_units(fridge, dora):
    html = client_for(dora).get(f"/needs/{fridge.pk}/").content.decode()
    assert "Still needed: 1 unit" in html


def test_large_quantities_carry_separators_on_the_board(tree, tina, dora):
    home = factories.household()
    factories.published(
        factories.goods_data(home, title="树苗", category="farming", quantity=2_500, unit="株"),
        reviewer=tina,
    )
    html = client_for(None).get("/needs/").content.decode()
    assert "<strong>0</strong> of 2,500 plants pledged · 2,500 plants still needed" in html


def test_a_refused_pledge_names_what_remains_in_the_pages_units(fridge, dora):
    pledges.pledge_goods(need=fridge, by=dora, quantity=1)
    need = factories.published(
        factories.goods_data(factories.household(), title="棉被", quantity=2_000),
        reviewer=None,
    )
    response = client_for(dora).post(
        f"/needs/{need.pk}/pledge/", {"quantity": "2001", "idempotency_key": "k1"}
    )
    assert response.status_code == 400
    assert "Only 2,000 pieces of bedding is still needed." in response.content.decode()


# --- The post form's list of units ------------------------------------------------------------


def test_the_post_form_offers_the_common_units_by_name_and_other(tree, vera):
    home = factories.household()
    form = client_for(vera).get(f"/needs/new/?household={home.pk}").context["form"]
    choices = form.fields["unit"].choices
    assert choices[0] == ("", "—")
    assert choices[1:5] == [
        ("件", "piece (clothing, goods)"),
        ("个", "item"),
        ("台", "unit (appliance, machine)"),
        ("床", "piece of bedding (quilt, blanket)"),
    ]
    assert choices[-1] == ("other", "other (type it below)")


def test_the_post_form_lists_the_measure_words_on_a_chinese_page(tree, vera):
    home = factories.household()
    response = client_for(vera).get(
        f"/needs/new/?household={home.pk}", headers={"accept-language": "zh-hans"}
    )
    assert response.context["form"].fields["unit"].choices[1:5] == [
        ("件", "件"),
        ("个", "个"),
        ("台", "台"),
        ("床", "床"),
    ]


def test_a_unit_not_in_the_list_is_typed(tree, vera):
    home = factories.household()
    response = client_for(vera).post(
        f"/needs/new/?household={home.pk}", goods_form(unit="other", unit_other="筐")
    )
    assert response.status_code == 302
    assert Need.objects.get().unit == "筐"


def test_other_without_a_typed_unit_is_refused_beside_it(tree, vera):
    home = factories.household()
    response = client_for(vera).post(
        f"/needs/new/?household={home.pk}", goods_form(unit="other", unit_other="")
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "unit_other": ["Type the unit, or choose one from the list."]
    }
    assert Need.objects.count() == 0


def test_a_unit_from_outside_the_list_is_refused(tree, vera):
    home = factories.household()
    response = client_for(vera).post(f"/needs/new/?household={home.pk}", goods_form(unit="筐"))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["unit"]
    assert Need.objects.count() == 0


def test_editing_a_need_with_a_typed_unit_starts_from_other(tree, vera):
    home = factories.household()
    draft = posting.create_need(data=factories.goods_data(home, unit="筐"), by=vera)
    form = client_for(vera).get(f"/needs/{draft.pk}/edit/").context["form"]
    assert (form.initial["unit"], form.initial["unit_other"]) == ("other", "筐")
