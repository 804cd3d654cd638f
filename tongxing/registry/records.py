"""A household and a member as entered, and the checks of their own fields.

Actions and the roster's parser both start from these: the form, the API and a row of a
file give raw text, and `clean_household`/`clean_member` say what is wrong with it before
anything is written.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tongxing.regions.codes import Level
from tongxing.regions.models import Region
from tongxing.registry import protection
from tongxing.registry.models import HardshipCause, HouseholdStatus, LabourAbility, Relation, Sex
from tongxing.registry.validators import validate_id_number, validate_phone
from tongxing.text import clean_text

# The values of each choice, once: Django builds TextChoices.values anew on every call, a
# cost an import of 100,000 rows pays several times a row.
VALUES = {
    choices: frozenset(choices.values)
    for choices in (HouseholdStatus, HardshipCause, Relation, Sex, LabourAbility)
}


@dataclass
class MemberData:
    """A member as entered: raw text is fine, the action validates and normalizes it."""

    name: str
    relation: str
    id_number: str = ""
    birth_date: datetime.date | None = None
    sex: str = ""
    phone: str = ""
    left_behind_child: bool = False
    student: bool = False
    disabled: bool = False
    labour_ability: str = ""


@dataclass
class HouseholdData:
    registry_number: str
    village: Region
    status: str
    status_since: datetime.date
    hardship_causes: list[str] = field(default_factory=list)
    disability: bool = False
    serious_illness: bool = False
    left_behind_children: bool = False
    elderly_living_alone: bool = False


def clean_household(data: HouseholdData) -> dict[str, list[str]]:
    """Return the errors of a household's own fields, by field name."""
    errors: dict[str, list[str]] = {}
    number = clean_text(data.registry_number, max_length=32, field="registry_number", errors=errors)
    if not number and not errors:
        errors["registry_number"] = [_("The registry number is empty.")]
    if data.village is None or data.village.level != Level.VILLAGE:
        errors["village"] = [_("Choose a village.")]
    if data.status not in VALUES[HouseholdStatus]:
        errors["status"] = [_("Choose a status.")]
    if data.status_since is None:
        errors["status_since"] = [_("Give the date the status began.")]
    elif data.status_since > datetime.date.today():
        errors["status_since"] = [_("The date lies in the future.")]
    unknown = [cause for cause in data.hardship_causes if cause not in VALUES[HardshipCause]]
    if unknown:
        errors["hardship_causes"] = [
            _("Unknown cause of hardship: %(causes)s.") % {"causes": "、".join(unknown)}
        ]
    return errors


def clean_member(data: MemberData) -> tuple[dict, dict[str, list[str]]]:
    """Validate a member; return the model's values (with protected columns) and errors."""
    errors: dict[str, list[str]] = {}
    name = clean_text(data.name, max_length=50, field="name", errors=errors)
    if not name and not errors:
        errors["name"] = [_("The name is empty.")]
    if data.relation not in VALUES[Relation]:
        errors["relation"] = [_("Choose the relation to the head of household.")]
    values = {
        "name": name,
        "relation": data.relation,
        "birth_date": data.birth_date,
        "sex": data.sex or "",
        "left_behind_child": bool(data.left_behind_child),
        "student": bool(data.student),
        "disabled": bool(data.disabled),
        "labour_ability": data.labour_ability or "",
    }
    id_value = ""
    if data.id_number not in (None, ""):
        try:
            parsed = validate_id_number(data.id_number)
        except ValidationError as exc:
            errors["id_number"] = list(exc.messages)
        else:
            id_value = parsed.value
            # The ID number carries the birth date and sex; a different entry is a typo.
            if data.birth_date and data.birth_date != parsed.birth_date:
                errors["birth_date"] = [
                    _("The ID number gives the birth date %(date)s.") % {"date": parsed.birth_date}
                ]
            if data.sex and data.sex != parsed.sex:
                errors["sex"] = [
                    _("The ID number gives the sex %(sex)s.") % {"sex": Sex(parsed.sex).label}
                ]
            values["birth_date"] = parsed.birth_date
            values["sex"] = parsed.sex
    if values["sex"] and values["sex"] not in VALUES[Sex]:
        errors["sex"] = [_("Choose male or female.")]
    if values["birth_date"] and values["birth_date"] > datetime.date.today():
        errors["birth_date"] = [_("The date lies in the future.")]
    if values["labour_ability"] and values["labour_ability"] not in VALUES[LabourAbility]:
        errors["labour_ability"] = [_("Choose a labour ability.")]
    phone_value = ""
    if data.phone:
        try:
            phone_value = validate_phone(data.phone)
        except ValidationError as exc:
            errors["phone"] = list(exc.messages)
    values.update(protection.id_number_columns(id_value))
    values.update(protection.phone_columns(phone_value))
    return values, errors
