"""The forms of the programme pages. They check the shape of what is typed; the rules are
the actions', whose refusals the views put back on these fields (`pages.show_errors`)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxing.programs.models import Direction, DisbursementKind, Kind, LabourKind
from tongxing.regions.models import Region
from tongxing.registry.forms import DateInput, blank

MONEY = {"inputmode": "decimal", "step": "0.01", "min": "0.01"}
TAG_CHOICES = [
    ("key_poor_village", Region._meta.get_field("key_poor_village").verbose_name),
    ("relocation_village", Region._meta.get_field("relocation_village").verbose_name),
    ("provincial_key_village", Region._meta.get_field("provincial_key_village").verbose_name),
]


def _choose(field, items, label) -> None:
    """Offer the items; where there is only one, it is chosen already (a rep on a phone
    usually has one pairing)."""
    items = list(items)
    field.choices = blank(label) + [(item.pk, str(item)) for item in items]
    if len(items) == 1:
        field.initial = items[0].pk


def fen(yuan: Decimal) -> int:
    return int((yuan * 100).to_integral_value())


class YuanField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Amount (¥)"))
        super().__init__(
            max_digits=12,
            decimal_places=2,
            min_value=Decimal("0.01"),
            widget=forms.NumberInput(attrs=MONEY),
            **kwargs,
        )


class ProgrammeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput)


class TagForm(forms.Form):
    tag = forms.ChoiceField(label=_("Villages tagged"), choices=TAG_CHOICES)


class TargetForm(forms.Form):
    region = forms.RegexField(
        label=_("Region code"),
        regex=r"^\d{12}$",
        help_text=_("The 12-digit code of a village, a county or a partner region."),
    )


class PairForm(forms.Form):
    target = forms.TypedChoiceField(label=_("Target"), coerce=int)
    helper = forms.TypedChoiceField(label=_("Helper"), coerce=int)
    since = forms.DateField(label=_("Since"), widget=DateInput)

    def __init__(self, *args, targets, helpers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = blank(_("Target")) + [(t.pk, str(t)) for t in targets]
        self.fields["helper"].choices = blank(_("Helper")) + [(o.pk, o.name) for o in helpers]


class EndForm(forms.Form):
    pairing = forms.TypedChoiceField(label=_("Pairing"), coerce=int)
    until = forms.DateField(label=_("Last day"), widget=DateInput)

    def __init__(self, *args, pairings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pairing"].choices = blank(_("Pairing")) + [(p.pk, str(p)) for p in pairings]


class ChangeForm(EndForm):
    until = None
    on = forms.DateField(label=_("From"), widget=DateInput)
    helper = forms.TypedChoiceField(label=_("New helper"), coerce=int)

    def __init__(self, *args, pairings, helpers, **kwargs):
        super().__init__(*args, pairings=pairings, **kwargs)
        self.fields["helper"].choices = blank(_("Helper")) + [(o.pk, o.name) for o in helpers]


class PledgeForm(forms.Form):
    pairing = forms.TypedChoiceField(label=_("Pairing"), coerce=int)
    amount = YuanField()
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    pledged_on = forms.DateField(label=_("Date"), widget=DateInput)

    def __init__(self, *args, pairings, **kwargs):
        super().__init__(*args, **kwargs)
        _choose(self.fields["pairing"], pairings, _("Pairing"))


class MultiplePhotos(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultiplePhotos(attrs={"accept": "image/*"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(item, initial) for item in files]


class DisbursementForm(forms.Form):
    pairing = forms.TypedChoiceField(label=_("Pairing"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), choices=DisbursementKind.choices)
    amount = YuanField(label=_("Amount or value (¥)"))
    description = forms.CharField(label=_("What was delivered"), max_length=200, required=False)
    disbursed_on = forms.DateField(label=_("Date"), widget=DateInput)
    evidence = PhotosField(label=_("Photos"), required=False)
    excess_reason = forms.CharField(
        label=_("Reason, if beyond the pledge"), max_length=200, required=False
    )

    def __init__(self, *args, pairings, **kwargs):
        super().__init__(*args, **kwargs)
        _choose(self.fields["pairing"], pairings, _("Pairing"))


class ReviewForm(forms.Form):
    accept = forms.TypedChoiceField(
        choices=[("1", _("Accept")), ("0", _("Reject"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx, .xls or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )


class DayForm(forms.Form):
    # The page shows it without a label (the button says what it does): a screen reader
    # still names it.
    on = forms.DateField(
        label=_("On"),
        required=False,
        widget=DateInput(attrs={"aria-label": _("The day of the coverage")}),
    )


class ProgrammeChangeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput)


class ExchangeForm(forms.Form):
    pairing = forms.TypedChoiceField(label=_("Pairing"), coerce=int)
    people = forms.IntegerField(label=_("People"), min_value=1, max_value=100_000)
    exchanged_on = forms.DateField(label=_("Date"), widget=DateInput)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, pairings, **kwargs):
        super().__init__(*args, **kwargs)
        _choose(self.fields["pairing"], pairings, _("Pairing"))


class LabourForm(forms.Form):
    target = forms.TypedChoiceField(label=_("Partner region"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), choices=LabourKind.choices)
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    people_placed = forms.IntegerField(
        label=_("People placed"), min_value=0, max_value=100_000, initial=0
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        _choose(self.fields["target"], targets, _("Partner region"))
