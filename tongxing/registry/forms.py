"""Forms of the registry's pages. They check the shape of what was typed (a date, a choice);
the actions check everything the domain asks and name each field at fault.
"""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from tongxing.registry.models import (
    HardshipCause,
    Household,
    HouseholdStatus,
    LabourAbility,
    Member,
    OrganisationKind,
    Position,
    Relation,
    Sex,
)
from tongxing.registry.selectors import HOUSEHOLD_FLAGS

MEMBER_FLAGS = ("left_behind_child", "student", "disabled")
# Browsers' own autofill would offer one household's numbers on another's form.
NO_AUTOFILL = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # An <input type="date"> sends and expects ISO dates whatever the page's language.
        super().__init__(attrs, format="%Y-%m-%d")


def flag_choices() -> list[tuple[str, str]]:
    return [
        (flag, capfirst(Household._meta.get_field(flag).verbose_name)) for flag in HOUSEHOLD_FLAGS
    ]


def village_choices(villages) -> list:
    """Group the villages by township, as a clerk looks for them."""
    groups: dict[str, list] = {}
    for village in villages:
        township = village.parent.name if village.parent_id else ""
        groups.setdefault(township, []).append((village.code, village.name))
    if len(groups) == 1:
        return next(iter(groups.values()))
    return list(groups.items())


def blank(label) -> list[tuple[str, str]]:
    return [("", label)]


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, registry or ID number"),
                "aria-label": _("Search"),
                **NO_AUTOFILL,
            }
        ),
    )
    village = forms.ChoiceField(
        label=_("Village"), required=False, widget=forms.Select(attrs={"aria-label": _("Village")})
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=blank(_("Any status")) + HouseholdStatus.choices,
        widget=forms.Select(attrs={"aria-label": _("Status")}),
    )
    flag = forms.MultipleChoiceField(
        label=_("Only households with"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = blank(_("All villages")) + village_choices(villages)
        self.fields["flag"].choices = flag_choices()


class HouseholdForm(forms.Form):
    registry_number = forms.CharField(label=_("Registry number"), max_length=32)
    village = forms.ChoiceField(label=_("Village"))
    status = forms.ChoiceField(label=_("Status"), choices=HouseholdStatus.choices)
    status_since = forms.DateField(label=_("Status since"), widget=DateInput)
    hardship_causes = forms.MultipleChoiceField(
        label=_("Causes of hardship"),
        required=False,
        choices=HardshipCause.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    disability = forms.BooleanField(label=_("Disability"), required=False)
    serious_illness = forms.BooleanField(label=_("Serious illness"), required=False)
    left_behind_children = forms.BooleanField(label=_("Left-behind children"), required=False)
    elderly_living_alone = forms.BooleanField(label=_("Elderly living alone"), required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = blank("—") + village_choices(villages)


class MemberForm(forms.Form):
    """A member; as the head of a new household (`head=True`) without the relation."""

    name = forms.CharField(label=_("Name"), max_length=50)
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=Relation.choices)
    id_number = forms.CharField(
        label=_("ID number"),
        required=False,
        max_length=30,
        help_text=_("18 characters. The birth date and sex are read from it."),
        widget=forms.TextInput(attrs=NO_AUTOFILL),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", **NO_AUTOFILL}),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty when the ID number is given."),
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=blank("—") + Sex.choices,
        help_text=_("Leave empty when the ID number is given."),
    )
    labour_ability = forms.ChoiceField(
        label=_("Labour ability"), required=False, choices=blank("—") + LabourAbility.choices
    )
    left_behind_child = forms.BooleanField(label=_("Left-behind child"), required=False)
    student = forms.BooleanField(label=_("Student"), required=False)
    # Not "Disabled": the catalogues already use that word for accounts switched off.
    disabled = forms.BooleanField(label=_("Has a disability"), required=False)

    def __init__(self, *args, head: bool = False, on_file: Member | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if head:
            # The head's birth date and sex come from the ID number; the rest can wait for
            # the edit page, so the first form stays short on a phone.
            for name in ("relation", "birth_date", "sex"):
                del self.fields[name]
        if on_file is not None:
            self.keep_numbers_on_file(on_file)

    def keep_numbers_on_file(self, member: Member) -> None:
        """Leave the number inputs empty: the full numbers never go into a page."""
        if member.id_number_masked:
            self.fields["id_number"].help_text = _(
                "On file: %(masked)s. Leave empty to keep it; type a new number to replace it."
            ) % {"masked": member.id_number_masked}
        if member.phone_masked:
            self.fields["phone"].help_text = _(
                "On file: %(masked)s. Leave empty to keep it; type a new number to replace it."
            ) % {"masked": member.phone_masked}


class HelperForm(forms.Form):
    person = forms.ChoiceField(label=_("Helper"))
    since = forms.DateField(label=_("Since"), widget=DateInput)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = blank("—") + [
            (str(person.pk), str(person)) for person in people
        ]


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Organisation name"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Organisation name"),
                "aria-label": _("Organisation name"),
            }
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=blank(_("All kinds")) + OrganisationKind.choices,
        widget=forms.Select(attrs={"aria-label": _("Kind")}),
    )


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=blank("—") + OrganisationKind.choices)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        required=False,
        max_length=30,
        help_text=_("18 characters, on the business licence. Optional."),
        widget=forms.TextInput(attrs=NO_AUTOFILL),
    )
    region = forms.ChoiceField(label=_("Region"))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = blank("—") + region_choices(regions)


class PersonFilterForm(forms.Form):
    position = forms.ChoiceField(
        label=_("Position"),
        required=False,
        choices=blank(_("All positions")) + Position.choices,
        widget=forms.Select(attrs={"aria-label": _("Position")}),
    )


def account_choices(accounts) -> list[tuple[str, str]]:
    return blank(_("None")) + [
        (str(a.pk), f"{a.username} · {a.display_name or a.get_role_display()}") for a in accounts
    ]


def account_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Login account"),
        required=False,
        help_text=_(
            "The account this person logs in with. A cadre's login then reaches the "
            "households the person is assigned to help."
        ),
    )


class PersonAccountForm(forms.Form):
    account = account_field()

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = account_choices(accounts)


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    position = forms.ChoiceField(label=_("Position"), choices=blank("—") + Position.choices)
    region = forms.ChoiceField(label=_("Region"))
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)
    phone = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", **NO_AUTOFILL}),
    )
    account = account_field()

    def __init__(self, *args, regions, organisations, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = account_choices(accounts)
        self.fields["region"].choices = blank("—") + region_choices(regions)
        self.fields["organisation"].choices = blank(_("None")) + [
            (str(o.pk), o.name) for o in organisations
        ]


def region_choices(regions) -> list[tuple[str, str]]:
    return [(r.code, f"{r.name} · {r.get_level_display()}") for r in regions]
