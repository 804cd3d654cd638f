"""The forms of the app's pages. They check the shape of what is typed; the actions check
the rest, and their refusals come back beside these fields (`pages.show_errors`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxing.events.models import (
    EventKind,
    NominationStatus,
    OutletLevel,
    PolicyCategory,
    Topic,
)
from tongxing.registry.forms import DateInput, blank, region_choices

LARGEST = 10**9
SITE_ROWS = 3


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=blank(_("Every kind")) + EventKind.choices
    )
    topic = forms.ChoiceField(
        label=_("Topic"), required=False, choices=blank(_("Every topic")) + Topic.choices
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.ChoiceField(label=_("Topic"), required=False, choices=blank("—") + Topic.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput)
    region = forms.ChoiceField(label=_("Region the event belongs to"))
    organisers = forms.MultipleChoiceField(
        label=_("Organisers"), required=False, widget=forms.CheckboxSelectMultiple
    )
    participating = forms.MultipleChoiceField(
        label=_("Participating institutions"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, regions=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(regions)
        choices = [(str(o.pk), o.name) for o in organisations]
        self.fields["organisers"].choices = choices
        self.fields["participating"].choices = choices
        for row in range(SITE_ROWS):
            self.fields[f"site_region_{row}"] = forms.ChoiceField(
                label=_("Site %(n)s: region") % {"n": row + 1},
                required=False,
                choices=blank("—") + region_choices(regions),
            )
            self.fields[f"site_address_{row}"] = forms.CharField(
                label=_("Site %(n)s: address") % {"n": row + 1}, required=False, max_length=200
            )


class OutcomesForm(forms.Form):
    participants = forms.IntegerField(
        label=_("Participants"), required=False, min_value=0, max_value=LARGEST
    )
    registered_attendees = forms.IntegerField(
        label=_("Attendees from registered households"),
        required=False,
        min_value=0,
        max_value=LARGEST,
        help_text=_("Counted from the attendance list when one is kept."),
    )
    viewers = forms.IntegerField(
        label=_("Live-stream viewers"), required=False, min_value=0, max_value=LARGEST
    )
    orders = forms.IntegerField(
        label=_("Live-stream orders"), required=False, min_value=0, max_value=LARGEST
    )
    people_served = forms.IntegerField(
        label=_("People served"), required=False, min_value=0, max_value=LARGEST
    )


class AttendanceForm(forms.Form):
    id_numbers = forms.CharField(
        label=_("ID numbers of attendees, one a line"),
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off"}),
        max_length=200_000,
        help_text=_("Each is matched to a member of a registered household of your region."),
    )


class GainForm(forms.Form):
    amount_yuan = forms.DecimalField(
        label=_("Income gain (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )
    recorded_on = forms.DateField(label=_("Date"), widget=DateInput)
    registry_number = forms.CharField(
        label=_("Household registry number"),
        required=False,
        max_length=32,
        help_text=_("Empty: a gain in total for the event."),
    )


class PrizeForm(forms.Form):
    prize = forms.CharField(label=_("Prize"), max_length=100)
    organisation = forms.ChoiceField(label=_("Winning organisation"), required=False)
    person = forms.ChoiceField(label=_("Winning person"), required=False)

    def __init__(self, *args, organisations=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = blank("—") + [
            (str(o.pk), o.name) for o in organisations
        ]
        self.fields["person"].choices = blank("—") + [(str(p.pk), p.name) for p in people]


class DefaultsForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class NominationForm(forms.Form):
    category = forms.ChoiceField(label=_("Award category"))
    registry_number = forms.CharField(
        label=_("Household registry number"), required=False, max_length=32
    )
    person = forms.ChoiceField(label=_("Person"), required=False)
    organisation = forms.ChoiceField(label=_("Department or enterprise"), required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, categories=(), people=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(str(c.pk), str(c)) for c in categories]
        self.fields["person"].choices = blank("—") + [(str(p.pk), p.name) for p in people]
        self.fields["organisation"].choices = blank("—") + [
            (str(o.pk), o.name) for o in organisations
        ]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (NominationStatus.SELECTED, _("Select")),
            (NominationStatus.NOT_SELECTED, _("Do not select")),
        ],
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class NominationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=blank(_("Every status")) + NominationStatus.choices,
    )


class StoryForm(forms.Form):
    campaign = forms.CharField(label=_("Campaign"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=200)
    author = forms.CharField(label=_("Author"), max_length=50)
    text = forms.CharField(label=_("Story"), widget=forms.Textarea(attrs={"rows": 8}))
    region = forms.ChoiceField(label=_("Region"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(regions)


class StoryReviewForm(forms.Form):
    accept = forms.ChoiceField(
        label=_("Decision"), choices=[("yes", _("Accept")), ("no", _("Reject"))]
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class PublicityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    outlet = forms.CharField(label=_("Outlet"), max_length=100)
    outlet_level = forms.ChoiceField(label=_("Outlet level"), choices=OutletLevel.choices)
    published_on = forms.DateField(label=_("Date"), widget=DateInput)
    link = forms.CharField(label=_("Link"), required=False, max_length=500)
    file = forms.FileField(label=_("File"), required=False)
    region = forms.ChoiceField(label=_("Region"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(regions)


class PolicyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=PolicyCategory.choices)
    issuing_body = forms.CharField(label=_("Issuing body"), max_length=100)
    in_force_from = forms.DateField(label=_("In force from"), widget=DateInput)
    in_force_until = forms.DateField(label=_("In force until"), required=False, widget=DateInput)
    compendium = forms.ChoiceField(label=_("Compendium"), required=False)
    file = forms.FileField(label=_("File"), required=False)
    region = forms.ChoiceField(label=_("Region"))

    def __init__(self, *args, regions=(), compendia=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(regions)
        self.fields["compendium"].choices = blank("—") + [(str(c.pk), str(c)) for c in compendia]


class CompendiumForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    region = forms.ChoiceField(label=_("Region"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(regions)


class PublishForm(forms.Form):
    published_on = forms.DateField(label=_("Published on"), widget=DateInput)


class AttendanceFileForm(forms.Form):
    file = forms.FileField(
        label=_("Attendance list (.xlsx, .xls or .csv)"),
        help_text=_("Columns: ID number (身份证号) and, if you have it, name (姓名)."),
    )
