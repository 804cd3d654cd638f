"""Validators of the identifiers people and organisations bring to the office.

Resident ID numbers (GB 11643-1999), mainland mobile numbers and unified social credit
codes (GB 32100-2015). Pure functions: no database, no models. Each `normalize_*` folds what
people type or paste (spaces, full-width characters, Excel cells) into the canonical form;
each `validate_*` also checks it and raises `ValidationError` with a message a clerk can act on.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DIGITS = "0123456789"

# Characters that are not whitespace to str.split() but arrive in pasted text: zero-width
# spaces and joiners from web pages, and the byte-order mark at the start of a CSV file.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def _fold(raw: object) -> str:
    """Return the text with compatibility forms folded and every space removed."""
    if raw is None:
        return ""
    # NFKC turns full-width digits and letters (０-９, Ａ-Ｚ), the ideographic space U+3000
    # and the no-break space U+00A0 into their ASCII forms.
    text = unicodedata.normalize("NFKC", str(raw)).translate(_INVISIBLE)
    text = "".join(text.split())
    # A leading apostrophe is how spreadsheets and CSV exports force a number to stay text.
    text = text.removeprefix("'")
    if text.endswith(".0"):  # a number cell read from Excel
        text = text[:-2]
    return text


def _mask_other(value: str) -> str:
    """Mask a value of unexpected length entirely but for its last 2 characters."""
    if len(value) <= 2:
        return "*" * len(value)
    return "*" * (len(value) - 2) + value[-2:]


# ---------------------------------------------------------------------------------------------
# Resident ID numbers, GB 11643-1999
# ---------------------------------------------------------------------------------------------

ID_LENGTH = 18

# GB 11643-1999: the region code's first two digits are the province-level division of
# GB/T 2260. These are all of them, Taiwan (71), Hong Kong (81) and Macao (82) included.
PROVINCE_CODES = frozenset(
    {
        *map(str, range(11, 16)),
        *map(str, range(21, 24)),
        *map(str, range(31, 38)),
        *map(str, range(41, 47)),
        *map(str, range(50, 55)),
        *map(str, range(61, 66)),
        "71",
        "81",
        "82",
    }
)

# GB 11643-1999 (ISO 7064 MOD 11-2): weight i is 2^(18-i) mod 11; the check character's
# value (X = 10) added to the weighted sum of the first 17 leaves 1 modulo 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"

EARLIEST_BIRTH_DATE = date(1900, 1, 1)

# Excel shows an 18-digit number as 4.20981E+17 and keeps only 15 significant digits, so
# the number cannot be recovered from the cell: the clerk has to type it again.
_SCIENTIFIC = re.compile(r"\d(\.\d+)?E\+?\d+", re.IGNORECASE)

Sex = Literal["male", "female"]


@dataclass(frozen=True, slots=True)
class IdNumber:
    """A valid resident ID number and what it says about its holder."""

    value: str
    region_code: str
    birth_date: date
    sex: Sex


def _id_check_char(body: str) -> str:
    """Return the check character of the first 17 digits of an ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(body, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def normalize_id_number(raw: object) -> str:
    """Return the ID number as typed or pasted, without spaces, in ASCII, with a capital X."""
    text = _fold(raw)
    # GB 11643-1999 writes the check character 10 as a capital X; people type x.
    if text.endswith("x"):
        text = text[:-1] + "X"
    return text


def validate_id_number(raw: object, *, today: date | None = None) -> IdNumber:
    """Return the ID number's parts, or raise ValidationError saying what is wrong with it."""
    value = normalize_id_number(raw)
    if not value:
        raise ValidationError(_("The ID number is empty."), code="empty")
    if _SCIENTIFIC.fullmatch(value):
        raise ValidationError(
            _(
                "Excel has shortened this number to %(value)s and lost its last digits. "
                "Format the column as text and type the ID number again."
            ),
            code="excel_scientific",
            params={"value": value},
        )
    if len(value) == 15 and value.isascii() and value.isdigit():
        # First-generation cards (15 digits, no century, no check digit) stopped being
        # valid on 1 January 2013; their holders have 18-digit numbers now.
        raise ValidationError(
            _(
                "This is an old 15-digit ID number, which is no longer valid. "
                "Ask for the 18-digit number on the person's current ID card."
            ),
            code="old_15_digit",
        )
    if len(value) != ID_LENGTH:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(count)d."),
            code="length",
            params={"count": len(value)},
        )
    for position, char in enumerate(value, start=1):
        if char not in DIGITS and not (position == ID_LENGTH and char == "X"):
            raise ValidationError(
                _(
                    "An ID number has 17 digits followed by a digit or X; character "
                    '%(position)d is "%(char)s".'
                ),
                code="characters",
                params={"position": position, "char": char},
            )
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("The first two digits, %(code)s, are not the code of a province."),
            code="province",
            params={"code": value[:2]},
        )
    if value[2:6] == "0000":
        # Digits 1-6 name the county-level division of GB/T 2260 where the number was
        # issued, never a province alone.
        raise ValidationError(
            _("Digits 3 to 6 are the city and county where the number was issued: not 0000."),
            code="region",
        )
    digits = value[6:14]
    try:
        birth_date = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise ValidationError(
            _("Digits 7 to 14 are the birth date, but %(digits)s is not a real date."),
            code="birth_date",
            params={"digits": digits},
        ) from None
    if birth_date < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            _("The birth date %(date)s is before 1900."),
            code="birth_date_too_early",
            params={"date": birth_date.isoformat()},
        )
    if birth_date > (today or date.today()):
        raise ValidationError(
            _("The birth date %(date)s is in the future."),
            code="birth_date_future",
            params={"date": birth_date.isoformat()},
        )
    expected = _id_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("The check digit is wrong: the last character should be %(expected)s."),
            code="check_digit",
            params={"expected": expected},
        )
    # GB 11643-1999: the order code's last digit (the 17th) is odd for men, even for women.
    sex: Sex = "male" if int(value[16]) % 2 else "female"
    return IdNumber(value=value, region_code=value[:6], birth_date=birth_date, sex=sex)


def make_id_number(*, region_code: str, birth_date: date, sequence: int, sex: str) -> str:
    """Build a valid ID number: sequence 0-499 picks an order code of the sex's parity."""
    if not (len(region_code) == 6 and region_code.isascii() and region_code.isdigit()):
        raise ValueError(f"The region code must be 6 digits, not {region_code!r}.")
    # Hold the builder to what validate_id_number accepts, so that every number it makes
    # validates (the demo's own province 59 is not a real one, so it cannot be used here).
    if region_code[:2] not in PROVINCE_CODES or region_code[2:] == "0000":
        raise ValueError(f"{region_code} is not the code of a county in a real province.")
    if birth_date < EARLIEST_BIRTH_DATE:
        raise ValueError(f"The birth date {birth_date} is before 1900.")
    if not 0 <= sequence <= 499:
        raise ValueError(f"The sequence must be 0 to 499, not {sequence}.")
    if sex not in ("male", "female"):
        raise ValueError(f'The sex must be "male" or "female", not {sex!r}.')
    # GB 11643-1999: an odd order code for a man, an even one for a woman.
    order = 2 * sequence + (1 if sex == "male" else 0)
    body = f"{region_code}{birth_date:%Y%m%d}{order:03d}"
    return body + _id_check_char(body)


def mask_id_number(value: str) -> str:
    """Show the first 6 and last 4 characters of an ID number and hide the 8 between them."""
    value = normalize_id_number(value)
    if len(value) != ID_LENGTH:
        return _mask_other(value)
    # The 8 hidden characters are exactly the birth date, the part that identifies a person.
    return value[:6] + "*" * 8 + value[-4:]


# ---------------------------------------------------------------------------------------------
# Mainland mobile phone numbers
# ---------------------------------------------------------------------------------------------

PHONE_LENGTH = 11

# Hyphen-minus and the dashes people paste from word processors (NFKC has already turned the
# full-width hyphen U+FF0D into "-"), and the brackets of "(+86)".
_PHONE_SEPARATORS = dict.fromkeys(map(ord, "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212()"))


def normalize_phone(raw: object) -> str:
    """Return the phone number as digits only, without the +86, 0086 or 86 country prefix."""
    text = _fold(raw).translate(_PHONE_SEPARATORS)
    # +86 and 0086 are unambiguous; a bare 86 is the country code only when 11 digits follow.
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            return text[len(prefix) :]
    if text.startswith("86") and len(text) == 2 + PHONE_LENGTH and text.isdigit():
        return text[2:]
    return text


def validate_phone(raw: object) -> str:
    """Return the mobile number as 11 digits, or raise ValidationError saying what is wrong."""
    value = normalize_phone(raw)
    if not value:
        raise ValidationError(_("The phone number is empty."), code="empty")
    if value.startswith("+"):
        raise ValidationError(
            _("Only mainland China mobile numbers (+86) can be used."), code="foreign"
        )
    for char in value:
        if char not in DIGITS:
            raise ValidationError(
                _('A mobile number has only digits; this one has "%(char)s".'),
                code="characters",
                params={"char": char},
            )
    if value.startswith("0"):
        # Mobile numbers are dialled without a trunk prefix; a leading 0 starts an area code.
        raise ValidationError(
            _("This looks like a landline number (it starts with 0). Please give a mobile number."),
            code="landline",
        )
    if len(value) != PHONE_LENGTH:
        raise ValidationError(
            _("A mobile number has 11 digits; this one has %(count)d."),
            code="length",
            params={"count": len(value)},
        )
    # The numbering plan gives mobile networks the 13x to 19x blocks only.
    if not re.fullmatch(r"1[3-9]\d{9}", value):
        raise ValidationError(
            _("This is not a mobile number: they start with 13 to 19, this one with %(start)s."),
            code="not_mobile",
            params={"start": value[:2]},
        )
    return value


def mask_phone(value: str) -> str:
    """Show the first 3 and last 4 digits of a mobile number and hide the 4 between them."""
    value = normalize_phone(value)
    if len(value) != PHONE_LENGTH:
        return _mask_other(value)
    return value[:3] + "****" + value[-4:]


# ---------------------------------------------------------------------------------------------
# Unified social credit codes, GB 32100-2015
# ---------------------------------------------------------------------------------------------

CREDIT_CODE_LENGTH = 18

# GB 32100-2015: digits and the capital letters but I, O, S, V and Z, which are too
# easily taken for 1, 0, 5, U and 2. A character's value is its index here (A = 10, Y = 30).
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# GB 32100-2015 table 1: registration authority (1st character) and the organisation types
# (2nd character) it registers, with the authorities given codes after 2015 (2-4, 6-8, A, N).
CREDIT_CODE_KINDS = {
    "1": "1239",  # staffing offices: organs, public institutions, mass organisations, other
    "2": "19",  # foreign affairs: foreign press offices, other
    "3": "123459",  # justice: law firms, notaries, legal services, forensics, arbitration, other
    "4": "19",  # culture: foreign cultural centres, other
    "5": "1239",  # civil affairs: social groups, private non-enterprise units, foundations, other
    "6": "129",  # tourism: offices of foreign and of Hong Kong, Macao, Taiwan tourism bodies
    "7": "129",  # religious affairs: places of worship, religious schools, other
    "8": "19",  # trade unions: grassroots unions, other
    "9": "123",  # market regulation: enterprises, individual businesses, farmers' cooperatives
    "A": "19",  # the Central Military Commission's staffing office: army institutions, other
    "N": "1239",  # agriculture: rural collectives of a group, a village, a township, other
    "Y": "1",  # other authorities
}

# GB 32100-2015: weight i is 3^(i-1) mod 31; the check character's value added to the
# weighted sum of the first 17 makes a multiple of 31.
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB 11714-1997: the 9-character organisation code (characters 9-17) carries its own check
# character; here letters count A = 10 to Z = 35, whatever the credit code's charset.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# The letters a credit code never has, and the digit each is usually a misreading of.
_LOOKALIKES = {"I": "1", "O": "0", "Z": "2", "S": "5"}


def _org_check_char(body: str) -> str:
    """Return the GB 11714 check character of an organisation code's first 8 characters."""
    total = sum(int(char, 36) * weight for char, weight in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _credit_check_char(body: str) -> str:
    """Return the GB 32100 check character of a credit code's first 17 characters."""
    total = sum(
        CREDIT_CODE_CHARSET.index(char) * weight
        for char, weight in zip(body, _CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def normalize_credit_code(raw: object) -> str:
    """Return the credit code without spaces, in ASCII capitals."""
    return _fold(raw).upper()


def validate_credit_code(raw: object) -> str:
    """Return the credit code as 18 characters, or raise ValidationError saying what is wrong."""
    value = normalize_credit_code(raw)
    if not value:
        raise ValidationError(_("The credit code is empty."), code="empty")
    if len(value) != CREDIT_CODE_LENGTH:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d."),
            code="length",
            params={"count": len(value)},
        )
    for position, char in enumerate(value, start=1):
        if char in CREDIT_CODE_CHARSET:
            continue
        if char in _LOOKALIKES:
            raise ValidationError(
                _(
                    "Character %(position)d is the letter %(char)s, which credit codes never "
                    "use; it is probably the digit %(digit)s."
                ),
                code="characters",
                params={"position": position, "char": char, "digit": _LOOKALIKES[char]},
            )
        raise ValidationError(
            _(
                'Character %(position)d, "%(char)s", is not used in credit codes: they have '
                "only digits and capital letters other than I, O, S, V and Z."
            ),
            code="characters",
            params={"position": position, "char": char},
        )
    authority, kind = value[0], value[1]
    if authority not in CREDIT_CODE_KINDS:
        raise ValidationError(
            _("The first character, %(char)s, is not the code of a registration authority."),
            code="authority",
            params={"char": authority},
        )
    if kind not in CREDIT_CODE_KINDS[authority]:
        raise ValidationError(
            _(
                "The second character, %(char)s, is not an organisation type of codes "
                "starting with %(authority)s."
            ),
            code="kind",
            params={"char": kind, "authority": authority},
        )
    region = value[2:8]
    if not region.isdigit():
        raise ValidationError(
            _("Characters 3 to 8 are the region code and must be digits, not %(region)s."),
            code="region",
            params={"region": region},
        )
    expected = _org_check_char(value[8:16])
    if value[16] != expected:
        raise ValidationError(
            _("The organisation code check is wrong: the 17th character should be %(expected)s."),
            code="org_check",
            params={"expected": expected},
        )
    expected = _credit_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("The check character is wrong: the last character should be %(expected)s."),
            code="check_char",
            params={"expected": expected},
        )
    return value


def make_credit_code(
    *, region_code: str, serial: int, authority: str = "9", kind: str = "1"
) -> str:
    """Build a valid credit code whose organisation code is the serial in 8 digits."""
    if kind not in CREDIT_CODE_KINDS.get(authority, ""):
        raise ValueError(f"{authority}{kind} is not a registration authority and type.")
    if not (len(region_code) == 6 and region_code.isascii() and region_code.isdigit()):
        raise ValueError(f"The region code must be 6 digits, not {region_code!r}.")
    if not 0 <= serial <= 99_999_999:
        raise ValueError(f"The serial must be 0 to 99999999, not {serial}.")
    org_body = f"{serial:08d}"
    body = f"{authority}{kind}{region_code}{org_body}{_org_check_char(org_body)}"
    return body + _credit_check_char(body)
