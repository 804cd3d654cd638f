import pytest

from tongxing.regions.codes import CodeError, Level, level_of, normalize, parent_code_of, prefix_of


@pytest.mark.parametrize(
    ("code", "level", "prefix", "parent"),
    [
        ("590000000000", Level.PROVINCE, "59", None),
        ("590100000000", Level.CITY, "5901", "590000000000"),
        ("590101000000", Level.COUNTY, "590101", "590100000000"),
        ("590101001000", Level.TOWNSHIP, "590101001", "590101000000"),
        ("590101001001", Level.VILLAGE, "590101001001", "590101001000"),
        # A city that governs townships directly (no county): the township's parent is the city.
        ("441900003000", Level.TOWNSHIP, "441900003", "441900000000"),
    ],
)
def test_a_code_tells_its_level_prefix_and_parent(code, level, prefix, parent):
    assert level_of(code) == level
    assert prefix_of(code) == prefix
    assert parent_code_of(code) == parent


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 590101001001 ", "590101001001"),
        ("５９０１０１００１００１", "590101001001"),  # full-width digits
        ("590101001001.0", "590101001001"),  # a number cell from Excel
        (590101001001, "590101001001"),
        ("590101", "590101000000"),  # the significant prefix alone
    ],
)
def test_it_normalizes_codes_as_people_type_them(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "59010100100", "5901010010011", "59010100100X", "000000000000", "59-01-01"]
)
def test_it_rejects_codes_that_are_not_12_digits_of_a_region(raw):
    with pytest.raises(CodeError):
        level_of(normalize(raw))
