"""The visits' forms: the visit form a cadre fills on a phone, the period filters of the
list and the coverage, and a campaign day the city office sets. Each record a form names
is found through the user's scope."""

import datetime
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxing.accounts.models import User
from tongxing.needs.actions.posting import NeedData
from tongxing.needs.models import CATEGORIES_BY_KIND, Category, FundingPolicy, Kind
from tongxing.registry import selectors as registry_selectors
from tongxing.registry.models import Household, Member
from tongxing.visits import rights, selectors
from tongxing.visits.actions import DeliveryLine, VisitData
from tongxing.visits.models import DeliveryKind, Purpose

# Above any visit; the action holds each kind of line to its own, smaller bound and says so.
FORM_LARGEST = 10**9
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
COUNT_INPUT = {"inputmode": "numeric", "min": "0", "step": "1"}
# The lines of the form, in order: the form's field of each kind's quantity.
LINE_FIELDS = (
    (DeliveryKind.CLOTHING, "clothing_pieces"),
    (DeliveryKind.GRAIN_OIL, "grain_oil_jin"),
    (DeliveryKind.CASH, "cash_yuan"),
    (DeliveryKind.OTHER, "other_quantity"),
)


class VisitForm(forms.Form):
    """A visit as a phone sends it. A cadre picks one of their households and visits as
    themselves; an office names the visitor and the household by its registry number, or a
    village for a visit to the whole village."""

    household = forms.TypedChoiceField(label=gettext_lazy("Household"), coerce=int, required=False)
    registry_number = forms.CharField(
        label=gettext_lazy("Household's registry number"), max_length=32, required=False
    )
    village = forms.ChoiceField(
        label=gettext_lazy("Or a visit to the whole village"), required=False
    )
    visitor = forms.TypedChoiceField(label=gettext_lazy("Visitor"), coerce=int, required=False)
    visited_on = forms.DateField(label=gettext_lazy("Day of the visit"), widget=DATE_INPUT)
    purpose = forms.ChoiceField(
        label=gettext_lazy("Purpose"), choices=Purpose.choices, widget=forms.RadioSelect
    )
    clothing_pieces = forms.IntegerField(
        label=gettext_lazy("Clothing (pieces)"),
        required=False,
        min_value=0,
        max_value=FORM_LARGEST,
        widget=forms.NumberInput(attrs=COUNT_INPUT),
    )
    grain_oil_jin = forms.IntegerField(
        label=gettext_lazy("Grain and oil (jin)"),
        required=False,
        min_value=0,
        max_value=FORM_LARGEST,
        widget=forms.NumberInput(attrs=COUNT_INPUT),
    )
    cash_yuan = forms.DecimalField(
        label=gettext_lazy("Cash (yuan)"),
        required=False,
        min_value=0,
        max_value=FORM_LARGEST,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "min": "0", "step": "0.01"}),
    )
    other_description = forms.CharField(
        label=gettext_lazy("Something else: what"), max_length=100, required=False
    )
    other_quantity = forms.IntegerField(
        label=gettext_lazy("Something else: how many"),
        required=False,
        min_value=0,
        max_value=FORM_LARGEST,
        widget=forms.NumberInput(attrs=COUNT_INPUT),
    )
    findings = forms.CharField(
        label=gettext_lazy("What was found"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photo = forms.FileField(
        label=gettext_lazy("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        help_text=gettext_lazy("Its location and camera data are removed."),
    )
    place = forms.CharField(
        label=gettext_lazy("Place"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Only what you write here is kept of where it was."),
    )
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    # Raising a need from the visit (optional): what the visit found, posted for review.
    need_kind = forms.ChoiceField(
        label=gettext_lazy("Kind of need"),
        required=False,
        choices=[
            ("", gettext_lazy("No need to raise")),
            (Kind.GOODS, Kind.GOODS.label),
            (Kind.FUNDS, Kind.FUNDS.label),
            (Kind.SERVICE, Kind.SERVICE.label),
            (Kind.WISH, Kind.WISH.label),
        ],
    )
    need_category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        required=False,
        choices=[
            ("", "—"),
            # Each category once, in the order of the kinds (`other` is every kind's).
            *(
                (category, Category(category).label)
                for category in dict.fromkeys(
                    category
                    for kind in (Kind.GOODS, Kind.FUNDS, Kind.SERVICE, Kind.WISH)
                    for category in CATEGORIES_BY_KIND[kind]
                )
            ),
        ],
    )
    need_title = forms.CharField(
        label=gettext_lazy("What is needed"), required=False, max_length=100
    )
    need_story = forms.CharField(
        label=gettext_lazy("Story (what was found, when left empty)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    need_deadline = forms.DateField(
        label=gettext_lazy("Deadline"), required=False, widget=DATE_INPUT
    )
    need_quantity = forms.IntegerField(
        label=gettext_lazy("Quantity (goods: pieces; service: places)"),
        required=False,
        min_value=0,
        max_value=FORM_LARGEST,
        widget=forms.NumberInput(attrs=COUNT_INPUT),
    )
    need_unit = forms.CharField(label=gettext_lazy("Unit (goods)"), required=False, max_length=10)
    need_unit_value_yuan = forms.DecimalField(
        label=gettext_lazy("Value of one, in yuan (goods)"),
        required=False,
        min_value=0,
        max_value=FORM_LARGEST,
        decimal_places=2,
    )
    need_target_yuan = forms.DecimalField(
        label=gettext_lazy("Amount to raise, in yuan (funds)"),
        required=False,
        min_value=0,
        max_value=FORM_LARGEST,
        decimal_places=2,
    )
    need_funding_policy = forms.ChoiceField(
        label=gettext_lazy("If the amount is not reached (funds)"),
        required=False,
        choices=[("", "—"), *FundingPolicy.choices],
    )
    need_place = forms.CharField(
        label=gettext_lazy("Where (service)"), required=False, max_length=100
    )
    # A micro-wish (微心愿) is a left-behind child's: a cadre picks one of the children of
    # their households; an office, who may reach thousands, types the child's name, found
    # among the members of the household named above.
    need_child = forms.CharField(
        label=gettext_lazy("The child's name (micro-wish)"), required=False, max_length=50
    )
    need_wish_value_yuan = forms.DecimalField(
        label=gettext_lazy("Value of the wish, in yuan (micro-wish)"),
        required=False,
        min_value=0,
        max_value=FORM_LARGEST,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "min": "0", "step": "0.01"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.cadre = rights.is_cadre(user)
        self.fields["visited_on"].initial = timezone.localdate()
        # A key for this filling of the form: sent twice (a double tap, a resend after the
        # network dropped), it is saved once.
        self.fields["client_key"].initial = uuid.uuid4().hex
        if self.cadre:
            households = registry_selectors.with_head(
                registry_selectors.households_visible_to(user).select_related("village")
            ).order_by("village_id", "registry_number")
            self.fields["household"].choices = [("", _("Choose the household"))] + [
                (h.pk, f"{h.head_name or ''} · {h.registry_number} · {h.village.name}")
                for h in households
            ]
            del self.fields["registry_number"]
            del self.fields["visitor"]
            self.children = {
                child.pk: child
                for child in Member.objects.filter(
                    household__in=registry_selectors.households_visible_to(user),
                    left_behind_child=True,
                )
                .select_related("household")
                .order_by("household__registry_number", "name")
            }
            self.fields["need_child"] = forms.TypedChoiceField(
                label=gettext_lazy("Whose wish (micro-wish)"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "—")]
                + [
                    (child.pk, f"{child.name} · {child.household.registry_number}")
                    for child in self.children.values()
                ],
            )
        else:
            del self.fields["household"]
            self.fields["visitor"].choices = [("", _("Choose who visited"))] + [
                (p.pk, f"{p.name} · {p.get_position_display()}")
                for p in selectors.visitors_for(user)
            ]
        self.fields["village"].choices = [("", "—")] + [
            (v.code, f"{v.parent.name} · {v.name}" if v.parent else v.name)
            for v in registry_selectors.villages_visible_to(user)
        ]

    def household_chosen(self) -> Household | None:
        """The household named, through the user's scope; None when none is named. A number
        outside the scope reads as unknown, and names nothing."""
        if self.cadre:
            pk = self.cleaned_data.get("household")
            if pk in (None, ""):
                return None
            household = registry_selectors.households_visible_to(self.user).filter(pk=pk).first()
            if household is None:
                self.add_error("household", _("Choose one of your households."))
            return household
        number = (self.cleaned_data.get("registry_number") or "").strip()
        if not number:
            return None
        household = (
            registry_selectors.households_visible_to(self.user)
            .filter(registry_number=number)
            .select_related("village")
            .first()
        )
        if household is None:
            self.add_error("registry_number", _("No household of your region has this number."))
        return household

    def visit_data(self) -> VisitData | None:
        """The action's data, or None with the faults on the form."""
        data = self.cleaned_data
        household = self.household_chosen()
        self.household = household  # the micro-wish's child is one of its members
        village = None
        if household is None and data.get("village"):
            village = registry_selectors.villages_visible_to(self.user).get(code=data["village"])
        if self.cadre:
            visitor = rights.own_person(self.user)
            if visitor is None:
                self.add_error(None, _("Your account is not linked to a person of the directory."))
        else:
            visitor = selectors.visitors_for(self.user).filter(pk=data.get("visitor")).first()
        if self.errors:
            return None
        return VisitData(
            visitor=visitor,
            visited_on=data["visited_on"],
            purpose=data["purpose"],
            household=household,
            village=village,
            notes=data.get("notes", ""),
            findings=data.get("findings", ""),
            place=data.get("place", ""),
            deliveries=self.lines(),
        )

    def lines(self) -> list[DeliveryLine]:
        """A line for each kind given a quantity (or, for something else, a description)."""
        data = self.cleaned_data
        self.line_fields: list[str] = []
        out = []
        for kind, name in LINE_FIELDS:
            value = data.get(name)
            if kind == DeliveryKind.CASH and value is not None:
                value = int((value * 100).to_integral_value()) if value else 0
            description = data.get("other_description", "") if kind == DeliveryKind.OTHER else ""
            if not value and not description:
                continue
            out.append(DeliveryLine(kind, value or 0, description))
            self.line_fields.append(name)
        return out

    NEED_FIELDS = (
        "need_kind",
        "need_category",
        "need_title",
        "need_story",
        "need_deadline",
        "need_quantity",
        "need_unit",
        "need_unit_value_yuan",
        "need_target_yuan",
        "need_funding_policy",
        "need_place",
        "need_child",
        "need_wish_value_yuan",
    )

    def need_fields(self) -> list:
        return [self[name] for name in self.NEED_FIELDS]

    def need_data(self) -> NeedData | None:
        """The need to raise from the visit, or None when none is asked for."""
        data = self.cleaned_data
        kind = data.get("need_kind")
        if not kind:
            return None
        target = data.get("need_target_yuan")
        unit_value = data.get("need_unit_value_yuan")
        wish_value = data.get("need_wish_value_yuan")
        child = self.wish_child() if kind == Kind.WISH else None
        return NeedData(
            kind=kind,
            category=data.get("need_category") or "",
            title=data.get("need_title") or "",
            # Entered once: what the visit found is the need's story unless one is given.
            story=data.get("need_story") or data.get("findings") or "",
            deadline=data.get("need_deadline"),
            quantity=data.get("need_quantity"),
            unit=data.get("need_unit") or "",
            unit_value_fen=int(unit_value * 100) if unit_value is not None else 0,
            target_fen=int(target * 100) if target is not None else None,
            place=data.get("need_place") or "",
            funding_policy=data.get("need_funding_policy") or "",
            child=child,
            value_fen=int((wish_value * 100).to_integral_value()) if wish_value is not None else 0,
        )

    def wish_child(self) -> Member | None:
        """The child a micro-wish is for; None when none is named (the action says so).
        A child of another household is handed on: the action refuses it on its field."""
        chosen = self.cleaned_data.get("need_child")
        if self.cadre:
            return self.children.get(chosen)
        household = getattr(self, "household", None)
        name = (chosen or "").strip()
        if household is None or not name:
            return None
        # A left-behind child first, if two members share the name.
        return household.members.filter(name=name).order_by("-left_behind_child", "pk").first()

    def error_fields(self) -> dict[str, str]:
        """The form's field of each field the action may name."""
        names = {"household": "household" if self.cadre else "registry_number"}
        for name in self.NEED_FIELDS:
            names[f"need.{name.removeprefix('need_')}"] = name
        names["need.unit_value_fen"] = "need_unit_value_yuan"
        names["need.target_fen"] = "need_target_yuan"
        names["need.household"] = names["household"]
        names["need.child"] = "need_child"
        names["need.value_fen"] = "need_wish_value_yuan"
        for index, name in enumerate(getattr(self, "line_fields", [])):
            names[f"deliveries.{index}.quantity"] = name
            names[f"deliveries.{index}.kind"] = name
            names[f"deliveries.{index}.description"] = (
                "other_description" if name == "other_quantity" else name
            )
        return names


class PeriodForm(forms.Form):
    """A period and the campaign-day filter of the visit list."""

    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE_INPUT)
    campaign = forms.BooleanField(label=gettext_lazy("Campaign days only"), required=False)
    purpose = forms.ChoiceField(
        label=gettext_lazy("Purpose"),
        required=False,
        choices=[("", gettext_lazy("Every purpose")), *Purpose.choices],
    )


class CoverageForm(forms.Form):
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The period asked for: 1 January to today by default, never beyond today."""
        today = timezone.localdate()
        data = getattr(self, "cleaned_data", {})
        end = min(data.get("end") or today, today)
        start = data.get("start") or datetime.date(end.year, 1, 1)
        return min(start, end), end


class CampaignDayForm(forms.Form):
    """A campaign day to set (or rename): the action checks the day's range and the name."""

    day = forms.DateField(label=gettext_lazy("Day"), widget=DATE_INPUT)
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. Poverty Relief Day")}),
    )
