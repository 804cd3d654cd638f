from django import forms
from django.utils.translation import gettext_lazy as _

from tongxing.access import Role
from tongxing.accounts.passwords import password_rules


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=4096)


class LogoutForm(forms.Form):
    sign_out_apps = forms.BooleanField(
        label=_("Also sign out the apps that use my account"),
        required=False,
        help_text=_(
            "Apps and scripts that logged in with your username and password (API tokens) "
            "stop working on every device, this one included, until they log in again."
        ),
    )


class RegistrationForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ ; Chinese characters are fine."),
    )
    display_name = forms.CharField(
        label=_("Your name (shown when you give)"), max_length=100, required=False
    )
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=4096)
    password_again = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput, max_length=4096
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The rules before the first try; written now, in the page's language.
        self.fields["password"].help_text = password_rules()

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class NewUserForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Name"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Role"))
    region = forms.ChoiceField(label=_("Region"))
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput,
        max_length=4096,
        required=False,
    )

    def __init__(self, *args, roles: list[str], regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = "{rules} {empty}".format(
            rules=password_rules(),
            empty=_("Leave empty to create the account without a password."),
        )
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]
        self.fields["region"].choices = [(r.code, f"{r.name} · {r.code}") for r in regions]


class AuditFilterForm(forms.Form):
    """The audit log's filters: who, what, which object, which days."""

    actor = forms.CharField(label=_("Who (username)"), max_length=150, required=False)
    action = forms.ChoiceField(label=_("What"), required=False)
    object_type = forms.ChoiceField(label=_("Kind of object"), required=False)
    object_id = forms.CharField(label=_("Object number"), max_length=64, required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actions=(), object_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any action")), *actions]
        self.fields["object_type"].choices = [("", _("Any kind")), *object_types]
