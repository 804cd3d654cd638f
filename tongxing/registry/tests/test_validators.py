from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tongxing.registry.validators import (
    IdNumber,
    make_credit_code,
    make_id_number,
    mask_id_number,
    mask_phone,
    normalize_credit_code,
    normalize_id_number,
    normalize_phone,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)

TODAY = date(2025, 6, 1)

# GB 11643-1999's own example: Beijing Chaoyang (110105), born 1949-12-31, order 002 (even:
# a woman). Digits × weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
# 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2; "10X98765432"[2] = X.
STANDARD_SAMPLE = "11010519491231002X"

# Built below with make_id_number: 420981, 1990-01-01, order 123 (odd: a man).
# 28+18+0+45+64+4+2+9+54+0+0+9+0+5+8+8+6 = 260; 260 mod 11 = 7; "10X98765432"[7] = 5.
BUILT_SAMPLE = "420981199001011235"


def rejection(validator, raw, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validator(raw, **kwargs)
    return caught.value


# --- Resident ID numbers ---------------------------------------------------------------------


def test_the_standards_own_sample_is_valid_and_tells_region_birth_date_and_sex():
    assert validate_id_number(STANDARD_SAMPLE, today=TODAY) == IdNumber(
        value=STANDARD_SAMPLE, region_code="110105", birth_date=date(1949, 12, 31), sex="female"
    )


def test_a_built_number_matches_the_check_digit_worked_out_by_hand():
    built = make_id_number(
        region_code="420981", birth_date=date(1990, 1, 1), sequence=61, sex="male"
    )
    assert built == BUILT_SAMPLE
    assert validate_id_number(built, today=TODAY) == IdNumber(
        value=BUILT_SAMPLE, region_code="420981", birth_date=date(1990, 1, 1), sex="male"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002x", STANDARD_SAMPLE),  # lowercase x
        ("１１０１０５１９４９１２３１００２Ｘ", STANDARD_SAMPLE),  # full-width digits and X
        ("１１０１０５１９４９１２３１００２ｘ", STANDARD_SAMPLE),  # full-width lowercase x
        ("110105 19491231 002X", STANDARD_SAMPLE),  # grouped as on the card
        ("110105\u300019491231\u3000002x", STANDARD_SAMPLE),  # ideographic spaces
        ("\u00a0110105194912310 02X\u00a0", STANDARD_SAMPLE),  # no-break spaces from a web page
        ("\ufeff11010519491231002X\u200b", STANDARD_SAMPLE),  # BOM and zero-width space
        ("\t420981199001011235", BUILT_SAMPLE),  # the tab a CSV export adds to keep it text
        ("'420981199001011235", BUILT_SAMPLE),  # the apostrophe that does the same
        ("420981199001011235.0", BUILT_SAMPLE),  # an Excel number cell read as text
        (420981199001011235, BUILT_SAMPLE),  # an int from a parsed cell
    ],
)
def test_it_reads_id_numbers_as_people_type_and_paste_them(raw, expected):
    assert normalize_id_number(raw) == expected
    assert validate_id_number(raw, today=TODAY).value == expected


def test_normalizing_nothing_gives_an_empty_string():
    assert normalize_id_number(None) == ""


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "empty", "The ID number is empty."),
        (None, "empty", "The ID number is empty."),
        ("   \u3000", "empty", "The ID number is empty."),
        (
            "110105491231002",
            "old_15_digit",
            "This is an old 15-digit ID number, which is no longer valid. "
            "Ask for the 18-digit number on the person's current ID card.",
        ),
        (
            "11010519491231002",
            "length",
            "An ID number has 18 characters; this one has 17.",
        ),
        (
            "1101051949123100211",
            "length",
            "An ID number has 18 characters; this one has 19.",
        ),
        (
            "42098119900A011235",
            "characters",
            'An ID number has 17 digits followed by a digit or X; character 12 is "A".',
        ),
        (
            "4209811990010112X5",
            "characters",
            'An ID number has 17 digits followed by a digit or X; character 17 is "X".',
        ),
        (
            "42098119900101123-",
            "characters",
            'An ID number has 17 digits followed by a digit or X; character 18 is "-".',
        ),
        (
            # Excel displays 18 digits in scientific notation and keeps 15 of them.
            4.20981199001011e17,
            "excel_scientific",
            "Excel has shortened this number to 4.20981199001011e+17 and lost its last "
            "digits. Format the column as text and type the ID number again.",
        ),
        (
            "4.20981E+17",
            "excel_scientific",
            "Excel has shortened this number to 4.20981E+17 and lost its last digits. "
            "Format the column as text and type the ID number again.",
        ),
        (
            "990105199001011234",
            "province",
            "The first two digits, 99, are not the code of a province.",
        ),
        (
            # The demo city's province 59 is not a real one either.
            "590101199001011234",
            "province",
            "The first two digits, 59, are not the code of a province.",
        ),
        (
            "110000199001011234",
            "region",
            "Digits 3 to 6 are the city and county where the number was issued: not 0000.",
        ),
        (
            "420981199002301234",
            "birth_date",
            "Digits 7 to 14 are the birth date, but 19900230 is not a real date.",
        ),
        (
            "420981199013011234",
            "birth_date",
            "Digits 7 to 14 are the birth date, but 19901301 is not a real date.",
        ),
        (
            "420981190002291234",  # 1900 was not a leap year
            "birth_date",
            "Digits 7 to 14 are the birth date, but 19000229 is not a real date.",
        ),
        (
            "420981189912311234",
            "birth_date_too_early",
            "The birth date 1899-12-31 is before 1900.",
        ),
        (
            # GB 11643-1999's second example, with a right check digit, born 1880.
            "440524188001010014",
            "birth_date_too_early",
            "The birth date 1880-01-01 is before 1900.",
        ),
        (
            "420981202506021234",
            "birth_date_future",
            "The birth date 2025-06-02 is in the future.",
        ),
        (
            "110105194912310021",
            "check_digit",
            "The check digit is wrong: the last character should be X.",
        ),
        (
            "420981199001011234",
            "check_digit",
            "The check digit is wrong: the last character should be 5.",
        ),
        (
            # Two neighbouring digits swapped (123 → 132): the check digit catches it.
            "420981199001011325",
            "check_digit",
            "The check digit is wrong: the last character should be 3.",
        ),
    ],
)
def test_it_rejects_bad_id_numbers_saying_what_is_wrong(raw, code, message):
    error = rejection(validate_id_number, raw, today=TODAY)
    assert error.code == code
    assert error.messages == [message]


def test_a_birth_date_of_today_is_fine_and_of_tomorrow_is_in_the_future():
    born_today = make_id_number(region_code="420981", birth_date=TODAY, sequence=0, sex="female")
    assert validate_id_number(born_today, today=TODAY).birth_date == TODAY
    assert rejection(validate_id_number, born_today, today=date(2025, 5, 31)).messages == [
        "The birth date 2025-06-01 is in the future."
    ]


def test_without_an_injected_today_it_compares_with_the_real_today():
    far_future = make_id_number(
        region_code="420981", birth_date=date(2999, 1, 1), sequence=0, sex="male"
    )
    assert rejection(validate_id_number, far_future).code == "birth_date_future"
    assert validate_id_number(STANDARD_SAMPLE).birth_date == date(1949, 12, 31)


@pytest.mark.parametrize("region_code", ["110105", "130102", "420981", "500101", "654326"])
@pytest.mark.parametrize("birth_date", [date(1900, 1, 1), date(2000, 2, 29), TODAY])
@pytest.mark.parametrize("sex", ["male", "female"])
def test_every_built_number_validates_and_gives_back_its_birth_date_and_sex(
    region_code, birth_date, sex
):
    built = {
        make_id_number(region_code=region_code, birth_date=birth_date, sequence=n, sex=sex)
        for n in range(500)
    }
    assert len(built) == 500
    for value in built:
        assert validate_id_number(value, today=TODAY) == IdNumber(
            value=value, region_code=region_code, birth_date=birth_date, sex=sex
        )


def test_the_sequence_sets_the_order_code_with_the_parity_of_the_sex():
    def order(sequence: int, sex: str) -> str:
        built = make_id_number(
            region_code="420981", birth_date=date(1990, 1, 1), sequence=sequence, sex=sex
        )
        return built[14:17]

    assert [order(0, "male"), order(0, "female")] == ["001", "000"]
    assert [order(499, "male"), order(499, "female")] == ["999", "998"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"region_code": "42098"}, "The region code must be 6 digits, not '42098'."),
        ({"region_code": "590101"}, "590101 is not the code of a county in a real province."),
        ({"region_code": "420000"}, "420000 is not the code of a county in a real province."),
        ({"birth_date": date(1899, 12, 31)}, "The birth date 1899-12-31 is before 1900."),
        ({"sequence": 500}, "The sequence must be 0 to 499, not 500."),
        ({"sequence": -1}, "The sequence must be 0 to 499, not -1."),
        ({"sex": "M"}, 'The sex must be "male" or "female", not \'M\'.'),
    ],
)
def test_building_refuses_what_would_not_validate(kwargs, message):
    arguments = {
        "region_code": "420981",
        "birth_date": date(1990, 1, 1),
        "sequence": 1,
        "sex": "male",
        **kwargs,
    }
    with pytest.raises(ValueError) as caught:
        make_id_number(**arguments)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (STANDARD_SAMPLE, "110105********002X"),
        (BUILT_SAMPLE, "420981********1235"),
        ("11010519491231002x", "110105********002X"),  # normalized first
        ("110105491231002", "*************02"),  # an old 15-digit number
        ("12345", "***45"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_masking_an_id_number_shows_the_region_and_the_last_four(value, masked):
    assert mask_id_number(value) == masked


# --- Mobile phone numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+86-138-0013-8000",
        "(+86) 13800138000",
        "0086-13800138000",
        "008613800138000",
        "8613800138000",
        "１３８００１３８０００",  # full-width digits
        "138\u30000013\u30008000",  # ideographic spaces
        "138－0013－8000",  # full-width hyphens
        "138–0013–8000",  # en dashes from a word processor
        13800138000,
        "13800138000.0",  # an Excel number cell read as text
        13800138000.0,
    ],
)
def test_it_reads_mobile_numbers_as_people_write_them(raw):
    assert normalize_phone(raw) == "13800138000"
    assert validate_phone(raw) == "13800138000"


@pytest.mark.parametrize("start", ["13", "14", "15", "16", "17", "18", "19"])
def test_every_mobile_block_from_13_to_19_is_accepted(start):
    assert validate_phone(f"{start}912345678") == f"{start}912345678"


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "empty", "The phone number is empty."),
        (None, "empty", "The phone number is empty."),
        ("138001380001", "length", "A mobile number has 11 digits; this one has 12."),
        ("1380013800", "length", "A mobile number has 11 digits; this one has 10."),
        ("+86 138 0013 800", "length", "A mobile number has 11 digits; this one has 10."),
        (
            "010-12345678",
            "landline",
            "This looks like a landline number (it starts with 0). Please give a mobile number.",
        ),
        (
            "0710-3456789",
            "landline",
            "This looks like a landline number (it starts with 0). Please give a mobile number.",
        ),
        (
            "12345678901",
            "not_mobile",
            "This is not a mobile number: they start with 13 to 19, this one with 12.",
        ),
        (
            "11800138000",
            "not_mobile",
            "This is not a mobile number: they start with 13 to 19, this one with 11.",
        ),
        (
            "23800138000",
            "not_mobile",
            "This is not a mobile number: they start with 13 to 19, this one with 23.",
        ),
        (
            "+852 9123 4567",
            "foreign",
            "Only mainland China mobile numbers (+86) can be used.",
        ),
        ("138O0138000", "characters", 'A mobile number has only digits; this one has "O".'),
        ("138.0013.8000", "characters", 'A mobile number has only digits; this one has ".".'),
    ],
)
def test_it_rejects_what_is_not_a_mainland_mobile_number(raw, code, message):
    error = rejection(validate_phone, raw)
    assert error.code == code
    assert error.messages == [message]


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("0710-345678", "********78"),
        ("1234", "**34"),
        ("", ""),
    ],
)
def test_masking_a_phone_number_shows_the_first_three_and_last_four(value, masked):
    assert mask_phone(value) == masked


# --- Unified social credit codes -------------------------------------------------------------

# Huawei Technologies Co., Ltd. (华为技术有限公司), worked out by hand:
# organisation code 19220382: 1·3 + 9·7 + 2·9 + 2·10 + 0·5 + 3·8 + 8·4 + 2·2 = 164;
# 164 mod 11 = 10; 11 - 10 = 1, the 17th character.
# 9·1 + 1·3 + 4·9 + 4·27 + 0·19 + 3·26 + 0·16 + 0·17 + 1·20 + 9·29 + 2·25 + 2·13 + 0·8
# + 3·24 + 8·10 + 2·30 + 1·28 = 831; 831 mod 31 = 25; 31 - 25 = 6, the 18th character.
HUAWEI = "914403001922038216"
PUBLISHED_CODES = [
    HUAWEI,
    "91440300708461136T",  # Shenzhen Tencent Computer Systems Co., Ltd. (深圳市腾讯计算机系统)
    "91330100716105852F",  # Alibaba (China) Co., Ltd. (阿里巴巴(中国)有限公司)
]

# Made below with make_credit_code(region_code="590101", serial=1):
# organisation code 00000001: 1·2 = 2; 11 - 2 = 9.
# 9·1 + 1·3 + 5·9 + 9·27 + 0·19 + 1·26 + 0·16 + 1·17 + 0·… + 1·30 + 9·28 = 625;
# 625 mod 31 = 5; 31 - 5 = 26, which is T in 0-9 A-H J-N P-R T U W-Y.
BUILT_CODE = "91590101000000019T"


@pytest.mark.parametrize("code", PUBLISHED_CODES)
def test_published_credit_codes_of_well_known_companies_are_valid(code):
    assert validate_credit_code(code) == code


def test_a_built_credit_code_matches_the_check_characters_worked_out_by_hand():
    assert make_credit_code(region_code="590101", serial=1) == BUILT_CODE
    assert validate_credit_code(BUILT_CODE) == BUILT_CODE


@pytest.mark.parametrize(
    ("authority", "kind"),
    [("1", "1"), ("1", "2"), ("5", "1"), ("5", "3"), ("9", "2"), ("9", "3"), ("N", "2")],
)
@pytest.mark.parametrize("serial", [0, 1, 7, 12345678, 99_999_999])
def test_every_built_credit_code_validates(authority, kind, serial):
    code = make_credit_code(region_code="590101", serial=serial, authority=authority, kind=kind)
    assert code[:8] == f"{authority}{kind}590101"
    assert code[8:16] == f"{serial:08d}"
    assert validate_credit_code(code) == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("91440300708461136t", "91440300708461136T"),  # lowercase
        ("９１３３０１００７１６１０５８５２Ｆ", "91330100716105852F"),  # full-width
        ("9133 0100 7161 0585 2f", "91330100716105852F"),  # grouped, with spaces
        ("\u00a0914403001922038216\u3000", HUAWEI),
    ],
)
def test_it_reads_credit_codes_as_people_type_and_paste_them(raw, expected):
    assert normalize_credit_code(raw) == expected
    assert validate_credit_code(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code", "message"),
    [
        ("", "empty", "The credit code is empty."),
        (
            "91440300192203821",
            "length",
            "A unified social credit code has 18 characters; this one has 17.",
        ),
        (
            # The old 15-digit business registration number (注册号) is not a credit code.
            "440301103097413",
            "length",
            "A unified social credit code has 18 characters; this one has 15.",
        ),
        (
            "91440300708461I36T",
            "characters",
            "Character 15 is the letter I, which credit codes never use; "
            "it is probably the digit 1.",
        ),
        (
            "9133O100716105852F",
            "characters",
            "Character 5 is the letter O, which credit codes never use; "
            "it is probably the digit 0.",
        ),
        (
            "91440300MA5D8L3BV0",
            "characters",
            'Character 17, "V", is not used in credit codes: they have only digits and '
            "capital letters other than I, O, S, V and Z.",
        ),
        (
            "B1440300192203821X",
            "authority",
            "The first character, B, is not the code of a registration authority.",
        ),
        (
            "94440300192203821X",
            "kind",
            "The second character, 4, is not an organisation type of codes starting with 9.",
        ),
        (
            "914403AB1922038216",
            "region",
            "Characters 3 to 8 are the region code and must be digits, not 4403AB.",
        ),
        (
            "914403001922038226",
            "org_check",
            "The organisation code check is wrong: the 17th character should be 1.",
        ),
        (
            # Letters count A = 10 … Z = 35 in the organisation code (GB 11714), not their
            # place in the credit code's charset: M·3 + A·7 + 5·9 + D·10 + 8·5 + L·8 + 3·4 + B·2
            # = 66 + 70 + 45 + 130 + 40 + 168 + 12 + 22 = 553; 553 mod 11 = 3; 11 - 3 = 8.
            "91440300MA5D8L3B0M",
            "org_check",
            "The organisation code check is wrong: the 17th character should be 8.",
        ),
        (
            "914403001922038217",
            "check_char",
            "The check character is wrong: the last character should be 6.",
        ),
        (
            "91440300708461136X",
            "check_char",
            "The check character is wrong: the last character should be T.",
        ),
    ],
)
def test_it_rejects_bad_credit_codes_saying_what_is_wrong(raw, code, message):
    error = rejection(validate_credit_code, raw)
    assert error.code == code
    assert error.messages == [message]


def test_an_organisation_code_with_letters_validates_when_both_checks_are_right():
    # 17th character 8 as worked out above; the 18th from the credit code's own check.
    assert validate_credit_code("91440300MA5D8L3B8M") == "91440300MA5D8L3B8M"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"authority": "9", "kind": "9"}, "99 is not a registration authority and type."),
        ({"authority": "B"}, "B1 is not a registration authority and type."),
        ({"region_code": "5901"}, "The region code must be 6 digits, not '5901'."),
        ({"serial": 100_000_000}, "The serial must be 0 to 99999999, not 100000000."),
    ],
)
def test_building_a_credit_code_refuses_bad_parts(kwargs, message):
    with pytest.raises(ValueError) as caught:
        make_credit_code(**{"region_code": "590101", "serial": 1, **kwargs})
    assert str(caught.value) == message
