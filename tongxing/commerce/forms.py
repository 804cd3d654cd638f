"""The forms of the commerce pages: they read what was typed; the actions judge it."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tongxing.commerce.models import Category, Channel, Criterion

DATE = forms.DateInput(attrs={"type": "date"})


def _fen(yuan: Decimal | None) -> int | None:
    return None if yuan is None else int(yuan * 100)


class YuanField(forms.DecimalField):
    """An amount typed in yuan with up to two decimals; the actions take fen."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(max_digits=14, decimal_places=2, **kwargs)


class SupplierForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Enterprise or cooperative"), queryset=None, required=False
    )
    registry_number = forms.CharField(
        label=_("or a household's registry number"), max_length=32, required=False
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class CertifyForm(forms.Form):
    criterion = forms.ChoiceField(label=_("Criterion"), choices=Criterion.choices)
    certified_on = forms.DateField(label=_("Certified on"), widget=DATE)


class RevokeForm(forms.Form):
    revoked_on = forms.DateField(label=_("Revoked from"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    unit = forms.CharField(label=_("Unit"), max_length=20, help_text=_("斤, 箱, 瓶…"))
    price = YuanField(label=_("Price (yuan)"))
    certified_on = forms.DateField(label=_("Product certified on"), widget=DATE, required=False)

    def price_fen(self) -> int:
        return _fen(self.cleaned_data["price"])


class ListingForm(forms.Form):
    day = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date", "aria-label": _("Date")}),
    )


class SaleForm(forms.Form):
    seller = forms.ModelChoiceField(label=_("Seller"), queryset=None)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    sold_on = forms.DateField(label=_("Date"), widget=DATE)
    amount = YuanField(label=_("Amount (yuan)"))
    orders = forms.IntegerField(label=_("Orders"), min_value=0, initial=0, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, initial=0, required=False)
    buyer = forms.ModelChoiceField(
        label=_("Budget unit (procurement only)"), queryset=None, required=False
    )
    event = forms.ModelChoiceField(label=_("Fair (fair sales only)"), queryset=None, required=False)

    def __init__(self, *args, sellers, buyers, fairs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seller"].queryset = sellers
        self.fields["buyer"].queryset = buyers
        self.fields["event"].queryset = fairs

    def amount_fen(self) -> int:
        return _fen(self.cleaned_data["amount"])


class SalesFilterForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("Every channel")), *Channel.choices], required=False
    )
    month = forms.RegexField(
        label=_("Month"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )


class SalesImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx, .xls or .csv)"))
    dry_run = forms.BooleanField(label=_("Check only; import nothing"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "At most %(mb)s MB and %(rows)s rows; a file of more than %(background)s rows is "
            "imported in the background."
        ) % {
            "mb": f"{settings.TONGXING_UPLOAD_MAX_MB:,}",
            "rows": f"{settings.TONGXING_IMPORT_MAX_ROWS:,}",
            "background": f"{settings.TONGXING_BACKGROUND_ROWS:,}",
        }


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)


class TargetForm(forms.Form):
    budget_unit = forms.ModelChoiceField(label=_("Budget unit"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    canteen_spending = YuanField(label=_("Canteen spending (yuan)"))
    reserved_share = forms.DecimalField(
        label=_("Reserved share (%)"), min_value=0, max_value=100, decimal_places=2
    )

    def __init__(self, *args, budget_units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_unit"].queryset = budget_units

    def spending_fen(self) -> int:
        return _fen(self.cleaned_data["canteen_spending"])

    def share_bp(self) -> int:
        return int(self.cleaned_data["reserved_share"] * 100)
