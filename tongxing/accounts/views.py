from django.contrib import auth, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tongxing.access import ACCOUNT_ADMIN_ROLES, AUDIT_READERS, Role, allow, public
from tongxing.accounts import actions, rights, selectors
from tongxing.accounts.forms import (
    AuditFilterForm,
    LoginForm,
    LogoutForm,
    NewUserForm,
    RegistrationForm,
)
from tongxing.accounts.models import User
from tongxing.addresses import client_address
from tongxing.audit import events
from tongxing.pages import show_errors
from tongxing.paging import page_of
from tongxing.regions.selectors import access_region_by_code, regions_visible_to

PAGE_SIZE = 50


@public
def login(request):
    form = LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.log_in(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                address=client_address(request),
            )
        except actions.LoginRefused:
            form.add_error(None, _("Too many failed logins. Try again in a quarter of an hour."))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            if user is None:
                form.add_error(None, _("The username or password is not right."))
            else:
                auth.login(request, user)
                safe = url_has_allowed_host_and_scheme(
                    next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                )
                return redirect(next_url if next_url and safe else "workspace")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@public
def logout(request):
    """Log out of this browser; on request, sign out the account's apps (all its tokens)."""
    if not request.user.is_authenticated:
        return redirect("home")
    form = LogoutForm(request.POST if request.method == "POST" else None)
    if not form.is_bound or not form.is_valid():
        return render(request, "accounts/logout.html", {"form": form})
    user = request.user
    revoked = actions.revoke_all_tokens(user=user) if form.cleaned_data["sign_out_apps"] else None
    auth.logout(request)
    if revoked is not None:
        messages.success(
            request,
            ngettext(
                "You are logged out, and %(n)s app was signed out.",
                "You are logged out, and %(n)s apps were signed out.",
                revoked,
            )
            % {"n": revoked},
        )
    return redirect("home")


@public
def register(request):
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and not form.is_valid() and form.cleaned_data.get("username"):
        # Tell everything at once: a taken name too, not only the mistyped password.
        try:
            actions.check_new_account(
                username=form.cleaned_data["username"],
                role=Role.DONOR,
                region=None,
                password=form.cleaned_data.get("password"),
                display_name=form.cleaned_data.get("display_name", ""),
            )
        except ValidationError as exc:
            show_errors(form, exc)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = actions.register_donor(
                username=data["username"],
                password=data["password"],
                display_name=data["display_name"],
                email=data["email"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to Tongxing. Thank you for caring."))
            return redirect("workspace")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/register.html", {"form": form}, status=status)


@allow(ACCOUNT_ADMIN_ROLES)
def user_list(request):
    role = request.GET.get("role") if request.GET.get("role") in Role.values else None
    errors, status = [], 200
    try:
        users = selectors.search_users(request.user, role=role, query=request.GET.get("q", ""))
    except ValidationError as exc:
        errors, status = exc.messages, 400
        users = User.objects.none()
    page = page_of(request, users, PAGE_SIZE)
    context = {"page": page, "roles": Role.choices, "role": role, "errors": errors}
    return render(request, "accounts/users.html", context, status=status)


@allow(ACCOUNT_ADMIN_ROLES)
def user_create(request):
    regions = regions_visible_to(request.user).order_by("code")
    form = NewUserForm(
        request.POST or None, roles=rights.grantable_roles(request.user), regions=regions
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = actions.create_user(
                username=data["username"],
                role=data["role"],
                region=access_region_by_code(request.user, data["region"]),
                password=data["password"] or None,
                display_name=data["display_name"],
                by=request.user,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        except PermissionDenied:
            form.add_error("role", _("You cannot give this role in this region."))
        else:
            messages.success(request, _("Account %(name)s created.") % {"name": user.username})
            return redirect("accounts:users")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/user_form.html", {"form": form}, status=status)


@allow(AUDIT_READERS)
def audit_log(request):
    """The log of the office's region, in sentences, newest first, narrowed by the filters."""
    form = AuditFilterForm(
        request.GET or None,
        actions=events.action_choices(),
        object_types=events.object_type_choices(),
    )
    filters = None
    if not form.is_bound:
        filters = selectors.AuditFilters()
    elif form.is_valid():
        try:
            filters = selectors.clean_audit_filters(selectors.AuditFilters(**form.cleaned_data))
        except ValidationError as exc:
            show_errors(form, exc)
    # The object and day filters stay unfolded while they are in use or at fault.
    more = any(
        request.GET.get(name) or form.errors.get(name)
        for name in ("object_type", "object_id", "since", "until")
    )
    if filters is None:
        context = {"form": form, "page": None, "more_filters": more}
        return render(request, "accounts/audit.html", context, status=400)
    found = selectors.audit_events_visible_to(request.user, filters).select_related("actor")
    # Counted the fast way (see the selector).
    count = selectors.count_audit_events_visible_to(request.user, filters)
    page = page_of(request, found, PAGE_SIZE, count=count)
    context = {
        "form": form,
        "page": page,
        "described": events.describe_events(page, request.user),
        "count": ngettext("%(count)s event", "%(count)s events", count)
        % {"count": events.number(count)},
        "filtered": filters != selectors.AuditFilters(),
        "more_filters": more,
    }
    return render(request, "accounts/audit.html", context)
