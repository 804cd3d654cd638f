"""Forms of the needs board's pages. They check the shape of what was typed (a number, a
date, a choice) and turn yuan into fen; the actions check everything the domain asks and
name each field at fault, which the views put back beside the field (see `ERROR_FIELDS`).
"""

import datetime
import uuid
from decimal import Decimal

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from tongxing.needs.amounts import amount_text, yuan
from tongxing.needs.models import (
    CATEGORIES_BY_KIND,
    Category,
    FundingPolicy,
    Kind,
    Need,
    Status,
    Urgency,
)
from tongxing.needs.selectors import BOARD_QUERY_LENGTH
from tongxing.needs.units import OTHER, UNITS, unit_choices
from tongxing.registry.forms import DateInput, blank, village_choices

YUAN = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}
MONEY_INPUT = {"inputmode": "decimal", "step": "0.01", "min": "0"}
COUNT_INPUT = {"inputmode": "numeric", "min": "1"}
SORTS = [
    ("urgency", _("Most urgent first")),
    ("deadline", _("Deadline soonest")),
    ("progress", _("Nearly complete")),
    ("newest", _("Newest")),
]


class QuickSelect(forms.Select):
    """A select written out in Python.

    Django renders every option of a select through its own template; the board's filters
    hold about seventy options, and rendering them that way was most of the page's time.
    The markup is the same as Django's.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            html = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (
                        option["value"],
                        mark_safe(" selected") if option["selected"] else "",
                        option["label"],
                    )
                    for option in options
                ),
            )
            if group_name:
                html = format_html('<optgroup label="{}">{}</optgroup>', group_name, html)
            groups.append(html)
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(groups)),
        )


def fen(amount: Decimal | None) -> int | None:
    """Yuan as typed (12.5) to fen (1250); None stays None."""
    return None if amount is None else int((amount * 100).to_integral_value())


def yuan_of(fen_value: int | None) -> Decimal | None:
    return None if fen_value is None else Decimal(fen_value) / 100


def new_token() -> str:
    """An idempotency key for one rendering of a form: a second submit reuses it."""
    return uuid.uuid4().hex


def grouped_categories() -> list:
    """Every category under its kind, as a select's groups."""
    return [
        (Kind(kind).label, [(c, Category(c).label) for c in categories])
        for kind, categories in CATEGORIES_BY_KIND.items()
    ]


def category_choices(kind: str) -> list[tuple[str, str]]:
    return [(c, Category(c).label) for c in CATEGORIES_BY_KIND[kind]]


# --- The public board -----------------------------------------------------------------------


class BoardFilterForm(forms.Form):
    # Its length is the selector's to check (one message, the API's too); the browser stops
    # typing at it.
    q = forms.CharField(
        label=_("Search the board"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "maxlength": BOARD_QUERY_LENGTH,
                "type": "search",
                "placeholder": _("What is needed, or a village or township"),
                "autocomplete": "off",
                "enterkeyhint": "search",
            }
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=blank(_("All kinds")) + Kind.choices,
        widget=QuickSelect(attrs={"aria-label": _("Kind")}),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        widget=QuickSelect(attrs={"aria-label": _("Category")}),
    )
    # A code, chosen in the select or typed into the address: any level, any length the
    # codes module accepts; the selector checks it.
    region = forms.CharField(
        label=_("Where"),
        required=False,
        max_length=20,
        widget=QuickSelect(attrs={"aria-label": _("Where")}),
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgency"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=blank(_("Any urgency"))
        + [(Urgency.URGENT, _("Urgent or very urgent")), (Urgency.VERY_URGENT, _("Very urgent"))],
        widget=QuickSelect(attrs={"aria-label": _("Urgency")}),
    )
    min_yuan = forms.DecimalField(
        label=_("Value from (¥)"),
        required=False,
        **YUAN,
        widget=forms.NumberInput(attrs={**MONEY_INPUT, "placeholder": _("from ¥")}),
    )
    max_yuan = forms.DecimalField(
        label=_("Value up to (¥)"),
        required=False,
        **YUAN,
        widget=forms.NumberInput(attrs={**MONEY_INPUT, "placeholder": _("up to ¥")}),
    )
    deadline_before = forms.DateField(label=_("Deadline by"), required=False, widget=DateInput)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=SORTS,
        widget=QuickSelect(attrs={"aria-label": _("Sort")}),
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = blank(_("All categories")) + grouped_categories()
        choices = blank(_("Anywhere")) + regions
        typed = (self.data.get("region") or "").strip()
        known = {code for _group, options in regions for code, _label in options}
        if typed and typed not in known:
            # A code typed into the address stays selected, so the next change keeps it.
            choices.append((typed, typed))
        self.fields["region"].widget.choices = choices
        self.fields["region"].widget.attrs.pop("maxlength", None)

    # What a phone shows at once; the rest folds away under "More filters".
    MAIN = ("kind", "category", "region", "sort")

    def main_fields(self):
        return [self[name] for name in self.MAIN]

    def more_fields(self):
        return [field for field in self if field.name not in (*self.MAIN, "q")]

    def clean(self):
        data = super().clean()
        low, high = data.get("min_yuan"), data.get("max_yuan")
        if low is not None and high is not None and low > high:
            self.add_error("max_yuan", _("The upper value is below the lower one."))
        return data


# --- Pledges --------------------------------------------------------------------------------


class TokenForm(forms.Form):
    """A form whose submission must count once: it carries the key of its rendering."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = new_token()

    def full_clean(self):
        super().full_clean()
        if self.is_bound:
            # Shown again (with errors) it gets a fresh key: the refused attempt made
            # nothing, so there is nothing for the next one to collide with.
            self.data = self.data.copy()
            self.data["idempotency_key"] = self.fields["idempotency_key"].initial


class GoodsPledgeForm(TokenForm):
    """Goods, or places of a service: how many, by when, and a word to the household."""

    quantity = forms.IntegerField(
        label=_("How many will you give?"),
        min_value=1,
        max_value=10_000,
        widget=forms.NumberInput(attrs=COUNT_INPUT),
    )
    deliver_by = forms.DateField(label=_("I will deliver by"), required=False, widget=DateInput)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, need: Need, **kwargs):
        super().__init__(*args, **kwargs)
        quantity = self.fields["quantity"]
        if need.kind == Kind.SERVICE:
            quantity.label = _("How many places will you offer?")
        remaining = max(need.remaining, 1)
        quantity.initial = remaining
        quantity.widget.attrs["max"] = remaining
        quantity.help_text = _("Still needed: %(amount)s") % {
            "amount": amount_text(need, need.remaining)
        }
        self.fields["deliver_by"].widget.attrs["min"] = timezone.localdate().isoformat()


class WishPledgeForm(TokenForm):
    """A micro-wish is taken whole by one donor."""

    deliver_by = forms.DateField(label=_("I will deliver by"), required=False, widget=DateInput)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, need: Need, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deliver_by"].widget.attrs["min"] = timezone.localdate().isoformat()


class ContributionForm(TokenForm):
    amount_yuan = forms.DecimalField(
        label=_("Amount (¥)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("1"),
        widget=forms.NumberInput(attrs={**MONEY_INPUT, "min": "1"}),
    )
    payment_reference = forms.CharField(
        label=_("Reference of your transfer"),
        max_length=64,
        help_text=_(
            "Transfer the amount to the assistance office's account, then give the "
            "reference the bank or WeChat shows."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    consent_to_move = forms.BooleanField(
        label=_("If the target is not met, my money may go to another need of the township"),
        required=False,
    )

    def __init__(self, *args, need: Need, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount_yuan"].help_text = _("Still needed: %(amount)s") % {
            "amount": yuan(need.remaining)
        }
        if need.funding_policy != FundingPolicy.ALL_OR_NOTHING:
            del self.fields["consent_to_move"]


def pledge_form_for(need: Need, data=None) -> forms.Form:
    form_class = {
        Kind.FUNDS: ContributionForm,
        Kind.WISH: WishPledgeForm,
    }.get(need.kind, GoodsPledgeForm)
    return form_class(data, need=need)


class DeliverForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=300)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=300)


# --- Posting a need -------------------------------------------------------------------------


class HouseholdSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find the household"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Head's name or registry number"),
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )


class CollectiveForm(forms.Form):
    village = forms.ChoiceField(label=_("Or a need of the whole village"))

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = blank("—") + village_choices(villages)


# Which form field shows an action's error, by kind: the form has one input per kind where
# the action has one name for several (the category, a quantity, a value).
ERROR_FIELDS = {
    Kind.GOODS: {"category": "goods_category", "unit_value_fen": "unit_value_yuan"},
    Kind.FUNDS: {"category": "funds_category", "target_fen": "target_yuan"},
    Kind.SERVICE: {
        "category": "service_category",
        "quantity": "places",
        "value_fen": "service_value_yuan",
    },
    Kind.WISH: {"category": "wish_category", "value_fen": "wish_value_yuan"},
}
# The fields of each kind, for the template's groups (and the CSS that shows one group).
KIND_FIELDS = {
    Kind.GOODS: ("goods_category", "quantity", "unit", "unit_other", "unit_value_yuan"),
    Kind.FUNDS: ("funds_category", "target_yuan", "funding_policy"),
    Kind.SERVICE: ("service_category", "places", "place", "service_value_yuan"),
    Kind.WISH: ("wish_category", "child", "wish_value_yuan"),
}
COMMON_FIELDS = ("title", "story", "urgency", "deadline")


class NeedForm(TokenForm):
    """A need of any kind. Every kind's inputs are on the page; the chosen kind's count.
    Its token makes a double-tapped "Submit" post the need once."""

    kind = forms.ChoiceField(
        label=_("What kind of help?"), choices=Kind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(
        label=_("What is needed"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. two warm quilts")}),
    )
    story = forms.CharField(
        label=_("The story (optional)"),
        required=False,
        max_length=2000,
        help_text=_("Why it is needed. No names, ID or phone numbers: the board is public."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgency"), coerce=int, choices=Urgency.choices, initial=Urgency.NORMAL
    )
    deadline = forms.DateField(label=_("Needed by"), widget=DateInput)
    # Goods
    goods_category = forms.ChoiceField(
        label=_("Category"), required=False, choices=category_choices(Kind.GOODS)
    )
    quantity = forms.IntegerField(
        label=_("How many"),
        required=False,
        min_value=1,
        max_value=10_000,
        widget=forms.NumberInput(attrs=COUNT_INPUT),
    )
    # A common measure word from the list (named in the page's language), or one typed.
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    unit_other = forms.CharField(
        label=_("The unit, if not in the list"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 筐 (basket)")}),
    )
    unit_value_yuan = forms.DecimalField(
        label=_("Estimated value of one (¥)"),
        required=False,
        **YUAN,
        widget=forms.NumberInput(attrs=MONEY_INPUT),
    )
    # Funds
    funds_category = forms.ChoiceField(
        label=_("Category"), required=False, choices=category_choices(Kind.FUNDS)
    )
    target_yuan = forms.DecimalField(
        label=_("Amount to raise (¥)"),
        required=False,
        **YUAN,
        widget=forms.NumberInput(attrs=MONEY_INPUT),
    )
    funding_policy = forms.ChoiceField(
        label=_("If the target is not reached by the deadline"),
        required=False,
        choices=[
            (FundingPolicy.ALL_OR_NOTHING, _("return the money (all or nothing)")),
            (FundingPolicy.KEEP_WHAT_IS_RAISED, _("keep what is raised")),
        ],
        initial=FundingPolicy.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )
    # Services
    service_category = forms.ChoiceField(
        label=_("Category"), required=False, choices=category_choices(Kind.SERVICE)
    )
    places = forms.IntegerField(
        label=_("How many places"),
        required=False,
        min_value=1,
        max_value=1000,
        initial=1,
        widget=forms.NumberInput(attrs=COUNT_INPUT),
    )
    place = forms.CharField(label=_("Where"), required=False, max_length=100)
    service_value_yuan = forms.DecimalField(
        label=_("Estimated value (¥, optional)"),
        required=False,
        **YUAN,
        widget=forms.NumberInput(attrs=MONEY_INPUT),
    )
    # Micro-wishes
    wish_category = forms.ChoiceField(
        label=_("Category"), required=False, choices=category_choices(Kind.WISH)
    )
    child = forms.TypedChoiceField(
        label=_("Whose wish"), required=False, coerce=int, empty_value=None
    )
    wish_value_yuan = forms.DecimalField(
        label=_("Value of the wish (¥)"),
        required=False,
        **YUAN,
        widget=forms.NumberInput(attrs=MONEY_INPUT),
    )

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        # A page rendered before the token existed still posts (without the protection).
        self.fields["idempotency_key"].required = False
        self.children = {child.pk: child for child in children}
        if self.children:
            self.fields["child"].choices = blank("—") + [
                (child.pk, child.name) for child in children
            ]
        else:
            # A collective need, or a household without a left-behind child: no wishes.
            self.fields["kind"].choices = [c for c in Kind.choices if c[0] != Kind.WISH]
            for name in KIND_FIELDS[Kind.WISH]:
                del self.fields[name]
        self.fields["unit"].choices = (
            blank("—") + unit_choices() + [(OTHER, _("other (type it below)"))]
        )
        self.fields["deadline"].widget.attrs["min"] = timezone.localdate().isoformat()
        if not self.is_bound and "deadline" not in self.initial:
            self.initial["deadline"] = timezone.localdate() + datetime.timedelta(days=30)

    def clean(self):
        data = super().clean()
        # The other kinds' inputs are on the page too (hidden): what they hold is ignored.
        kind = data.get("kind")
        for other, names in KIND_FIELDS.items():
            if kind and other != kind:
                for name in names:
                    self._errors.pop(name, None)
        if kind == Kind.GOODS and data.get("unit") == OTHER and not data.get("unit_other"):
            self.add_error("unit_other", _("Type the unit, or choose one from the list."))
        return data

    def groups(self):
        """The kind-specific inputs, each kind's in its group."""
        return [
            (kind, Kind(kind).label, [self[name] for name in names if name in self.fields])
            for kind, names in KIND_FIELDS.items()
            if kind in dict(self.fields["kind"].choices)
        ]

    def common(self):
        return [self[name] for name in COMMON_FIELDS]

    def action_values(self) -> dict:
        """The NeedData arguments of the cleaned form, in the actions' units (fen)."""
        data = self.cleaned_data
        kind = data["kind"]
        values = {
            "kind": kind,
            "title": data["title"],
            "story": data["story"],
            "urgency": data["urgency"],
            "deadline": data["deadline"],
            "category": data.get(f"{kind}_category") or "",
        }
        if kind == Kind.GOODS:
            unit = data["unit_other"] if data["unit"] == OTHER else data["unit"]
            values.update(
                quantity=data["quantity"],
                unit=unit,
                unit_value_fen=fen(data["unit_value_yuan"]) or 0,
            )
        elif kind == Kind.FUNDS:
            values.update(
                target_fen=fen(data["target_yuan"]), funding_policy=data["funding_policy"]
            )
        elif kind == Kind.SERVICE:
            values.update(
                quantity=data["places"],
                place=data["place"],
                value_fen=fen(data["service_value_yuan"]) or 0,
            )
        else:
            values.update(
                child=self.children.get(data["child"]), value_fen=fen(data["wish_value_yuan"])
            )
        return values

    @staticmethod
    def initial_of(need: Need) -> dict:
        initial = {
            "kind": need.kind,
            "title": need.title,
            "story": need.story,
            "urgency": need.urgency,
            "deadline": need.deadline,
            f"{need.kind}_category": need.category,
        }
        if need.kind == Kind.GOODS:
            listed = need.unit in UNITS
            initial.update(
                quantity=need.target,
                unit=need.unit if listed or not need.unit else OTHER,
                unit_other="" if listed else need.unit,
                unit_value_yuan=yuan_of(need.unit_value_fen),
            )
        elif need.kind == Kind.FUNDS:
            initial.update(target_yuan=yuan_of(need.target), funding_policy=need.funding_policy)
        elif need.kind == Kind.SERVICE:
            initial.update(
                places=need.target, place=need.place, service_value_yuan=yuan_of(need.value_fen)
            )
        else:
            initial.update(child=need.child_id, wish_value_yuan=yuan_of(need.value_fen))
        return initial


# --- Staff decisions ------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class ApproveForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Why publish it despite the findings"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ApproveManyForm(forms.Form):
    """The needs ticked in the review queue (its form's check boxes): still in the queue."""

    need = forms.ModelMultipleChoiceField(
        queryset=Need.objects.none(),
        error_messages={
            "required": _("Tick the needs to approve."),
            "invalid_choice": _(
                "A need you ticked no longer waits for your review: look at the queue again."
            ),
            "invalid_pk_value": _("A need you ticked no longer waits for your review."),
        },
    )

    # The queue shows 100 needs: no more can be ticked at once.
    MOST = 100

    def __init__(self, *args, queue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = queue

    def clean_need(self):
        needs = self.cleaned_data["need"]
        if len(needs) > self.MOST:
            raise forms.ValidationError(
                _("Approve at most %(n)s needs at once.") % {"n": self.MOST}
            )
        return needs


class ReopenForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].widget.attrs["min"] = timezone.localdate().isoformat()
        if not self.is_bound:
            self.initial["deadline"] = timezone.localdate() + datetime.timedelta(days=30)


class ConfirmForm(forms.Form):
    evidence = forms.FileField(
        label=_("Photo of the delivery"),
        required=False,
        help_text=_("Take a photo of the goods at the household (JPEG, PNG, WebP or GIF)."),
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. received 2 quilts")}),
    )

    def __init__(self, *args, on_behalf: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if on_behalf:
            self.fields["evidence"].help_text = _(
                "Confirming for the household: add a photo, or at least a note."
            )
        else:
            del self.fields["evidence"]


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was the help?"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    thanks = forms.CharField(
        label=_("A word of thanks"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- Review rules ---------------------------------------------------------------------------


class ValueCapForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"))
    cap_yuan = forms.DecimalField(
        label=_("Highest value (¥)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("Leave empty to remove the cap."),
        widget=forms.NumberInput(attrs=MONEY_INPUT),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = blank("—") + grouped_categories()


class BannedTermForm(forms.Form):
    term = forms.CharField(label=_("Word to flag"), max_length=40)
    note = forms.CharField(label=_("Why (optional)"), required=False, max_length=100)


# --- Staff list -----------------------------------------------------------------------------


class RegionNeedsFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Title"), "aria-label": _("Search")}
        ),
    )
    status = forms.ChoiceField(
        label=pgettext_lazy("need", "Status"),
        required=False,
        widget=forms.Select(attrs={"aria-label": pgettext_lazy("need", "Status")}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=blank(_("All kinds")) + Kind.choices,
        widget=QuickSelect(attrs={"aria-label": _("Kind")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = blank(pgettext("need", "Any status")) + Status.choices
