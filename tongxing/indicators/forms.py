"""The region and period an indicators page asks for, one form for all of them.

The address reads `?region=…&year=…` or `?region=…&from=…&to=…`, as the figures link to
their records; by default the caller's own region, this year to today. A period that cannot
be read puts its refusal on the field at fault (`year`, `from` or `to`).
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxing.indicators import engine
from tongxing.regions.codes import Level
from tongxing.regions.selectors import regions_visible_to

# The levels a table's rows may be: a province's cities, a region's townships or villages.
LEVELS = {"city": Level.CITY, "township": Level.TOWNSHIP, "village": Level.VILLAGE}


def default_level(region) -> str:
    """The rows a table of the region has unless asked: a province's cities, else townships."""
    return "city" if region.level == Level.PROVINCE else "township"


class PeriodForm(forms.Form):
    region = forms.RegexField(
        r"^\d{12}$",
        required=False,
        label=_("Region"),
        error_messages={"invalid": _("A region code has 12 digits.")},
    )
    year = forms.IntegerField(
        required=False,
        label=_("Year"),
        error_messages={"invalid": _("Give a year from 2000 to this year.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The address says ?from=…&to=…, words Python keeps for itself.
        for name, label in (("from", _("From")), ("to", _("To"))):
            self.fields[name] = forms.DateField(
                required=False,
                label=label,
                input_formats=["%Y-%m-%d"],
                widget=forms.DateInput(attrs={"type": "date"}),
                error_messages={"invalid": _("Give a date as YYYY-MM-DD.")},
            )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # A refusal names its field (year, from or to): the form puts it there.
        data["period"] = engine.period_of(
            year=data.get("year"),
            start=data.get("from"),
            end=data.get("to"),
            today=timezone.localdate(),
        )
        return data

    @property
    def period(self) -> engine.Period | None:
        """The period asked for; None when the form is refused."""
        return self.cleaned_data.get("period") if self.is_valid() else None


class TableForm(PeriodForm):
    """A statistical table's: the period, and the level of its rows."""

    level = forms.ChoiceField(
        required=False,
        choices=[(key, level.label) for key, level in LEVELS.items()],
    )


class ApprovalForm(PeriodForm):
    """An approval's: the city or a township of the caller's scope, and the period."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = regions_visible_to(user).filter(level__in=[Level.CITY, Level.TOWNSHIP])
        self.fields["region"].widget = forms.Select(
            choices=[(region.code, region.name) for region in choices.order_by("code")]
        )
