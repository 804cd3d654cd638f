"""The one text cleaner and the check of public free text for personal data."""

import pytest
from django.core.exceptions import ValidationError

from tongxing.text import (
    check_public_text,
    clean_text,
    find_personal_data,
    mask_personal_data,
    masked_name,
    search_text,
)

ID = "427101198001011234"  # 18 characters; whether the check digit is right does not matter


@pytest.mark.parametrize(
    "bad",
    ["a\x00b", "bell\x07", "evil\u202etxt", "zero\u200bwidth", "joined\u200dhere", "\ufeffbom"],
)
def test_it_refuses_control_and_invisible_characters(bad):
    with pytest.raises(ValidationError) as caught:
        clean_text(bad, max_length=100, field="name")
    assert "U+" in caught.value.message_dict["name"][0]


def test_it_refuses_a_lone_surrogate():
    with pytest.raises(ValidationError):
        clean_text("x\ud800", max_length=100)


def test_it_keeps_line_breaks_only_in_text_of_several_lines():
    assert clean_text(" one \r\n two\t\n", max_length=100, multiline=True) == "one\n two"
    assert clean_text(" one \r\n two\t\n", max_length=100) == "one two"


def test_it_refuses_over_long_text_with_a_message_instead_of_cutting_it():
    errors: dict[str, list[str]] = {}
    text = clean_text("字" * 101, max_length=100, field="title", errors=errors)
    assert text == "字" * 101
    assert errors == {"title": ["Keep it to 100 characters (this has 101)."]}


def test_it_finds_id_numbers_in_every_form_people_type_them():
    forms = [
        ID,
        "42710119800101123X",
        "42710119800101123x",
        "４２７１０１１９８００１０１１２３４",
        "427101 19800101 1234",
        "4271-0119-8001-0112-34",
    ]
    for form in forms:
        findings = find_personal_data(f"户主朱阳，身份证{form}，家住村东头")
        assert [f.kind for f in findings] == ["id_number"], form
        assert findings[0].text == form


def test_it_finds_mobiles_landlines_and_bank_cards():
    text = "电话138 1234 5678，座机0731-84567890，卡号6222 0212 3456 7890 123，+86 13912345678"
    kinds = [f.kind for f in find_personal_data(text)]
    assert kinds == ["mobile", "landline", "bank_card", "mobile"]


def test_it_leaves_dates_amounts_and_short_numbers_alone():
    text = "2020-01-05 起，需要 3 床棉被，每床 150 元，共 450 元，编号 12345。"
    assert find_personal_data(text) == []


def test_it_finds_the_full_names_it_is_given_but_not_a_surname_alone():
    findings = find_personal_data(
        "朱阳和朱小明都需要棉被，朱家很困难", names=["朱阳", "朱小明", "朱"]
    )
    assert [(f.kind, f.text) for f in findings] == [("name", "朱阳"), ("name", "朱小明")]


def test_it_masks_what_it_finds_as_the_registry_does():
    text = f"户主朱阳，身份证{ID}，电话13812345678"
    assert mask_personal_data(text, names=["朱阳"]) == (
        "户主朱**，身份证427101********1234，电话138****5678"
    )
    assert masked_name("欧阳修") == "欧阳**"


def test_the_public_text_check_names_the_words_to_remove():
    errors: dict[str, list[str]] = {}
    check_public_text(f"身份证{ID}", field="story", errors=errors)
    assert ID in errors["story"][0]
    with pytest.raises(ValidationError):
        check_public_text("电话13812345678", field="story")
    assert check_public_text("需要三床棉被", field="story") == []


def test_search_words_are_folded_or_find_nothing():
    assert search_text("  张  建国 ") == "张 建国"
    assert search_text(None) == ""
    assert search_text("张\x00") is None
    assert search_text("张\u200b建国") is None
