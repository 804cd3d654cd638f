"""The indicators' pages."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongxing.access import FIGURE_APPROVERS, REGION_SCOPED_ROLES, allow
from tongxing.indicators import actions, approvals, engine, rights
from tongxing.indicators.forms import ApprovalForm
from tongxing.indicators.models import Approval
from tongxing.pages import show_errors
from tongxing.regions.codes import Level
from tongxing.regions.selectors import access_region_by_code

# --- Approvals: frozen figures beside live ones, approve and withdraw ------------------------


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,  # the action says why a reason is needed, in our words
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def period_query(region_code: str, period: engine.Period) -> str:
    return urlencode({"region": region_code, "from": period.start, "to": period.end})


@allow(REGION_SCOPED_ROLES)
def approvals_page(request):
    """A region's figures of a period: the approved values beside the live ones, the
    differences marked, and approve or withdraw for whoever may."""
    data = request.GET.copy()
    data.setdefault("region", request.user.region_id or "")
    form = ApprovalForm(data, user=request.user)
    region = access_region_by_code(request.user, data["region"])
    period = form.period
    if period is None:
        context = {"form": form, "region": region}
        return render(request, "indicators/approvals.html", context, status=400)
    return render_approvals(request, form, region, period)


def render_approvals(request, form, region, period, *, withdraw_form=None, status=200):
    user = request.user
    approval = approvals.approval_in_force(region.code, period)
    # An approval made to date is compared over its own days: what differs was edited since.
    approved = engine.Period(approval.start, approval.end) if approval else period
    live = engine.compute(region.prefix, approved.start, approved.end)
    frozen = approvals.frozen_figures(approval) if approval else None
    rows = approvals.comparison(live, frozen)
    missing = []
    if approval is None and region.level == Level.CITY:
        missing = approvals.townships_not_approved(region, period)
    context = {
        "form": form,
        "region": region,
        "period": period,
        "query": period_query(region.code, period),
        "approval": approval,
        "frozen_early": approval is not None and approval.end < period.end,
        "rows": rows,
        "differences": sum(row.differs for row in rows),
        "missing": missing,
        "may_approve": approval is None and not missing and rights.may_approve(user, region),
        "may_withdraw": approval is not None and rights.may_withdraw(user, region),
        "withdraw_form": withdraw_form or WithdrawForm(),
        "withdrawn": [
            old
            for old in approvals.approvals_visible_to(user).filter(
                region=region, **approvals.might_cover(period), withdrawn_at__isnull=False
            )
            if approvals.covers(old, period)
        ],
    }
    return render(request, "indicators/approvals.html", context, status=status)


@require_POST
@allow(FIGURE_APPROVERS)
def approve(request):
    """Approve a region's figures of a period; the refusal on the page, nothing written."""
    form = ApprovalForm(request.POST, user=request.user)
    region = access_region_by_code(request.user, request.POST.get("region", ""))
    period = form.period
    if period is None:
        return render(
            request, "indicators/approvals.html", {"form": form, "region": region}, status=400
        )
    try:
        actions.approve(region=region, period=period, by=request.user)
    except ValidationError as exc:
        show_errors(form, exc)
        return render_approvals(request, form, region, period, status=400)
    messages.success(request, _("The figures are approved."))
    return redirect(reverse("indicators:approvals") + "?" + period_query(region.code, period))


@require_POST
@allow(FIGURE_APPROVERS)
def withdraw(request, approval_id: int):
    """Withdraw an approval, with a reason; the refusal on the page, nothing written."""
    approval: Approval = approvals.access_approval(request.user, approval_id)
    period = engine.Period(approval.start, approval.end)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            actions.withdraw(approval=approval, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The approval is withdrawn."))
            query = period_query(approval.region_id, period)
            return redirect(reverse("indicators:approvals") + "?" + query)
    period_form = ApprovalForm(
        {"region": approval.region_id, "from": period.start, "to": period.end},
        user=request.user,
    )
    period_form.is_valid()
    return render_approvals(
        request, period_form, approval.region, period, withdraw_form=form, status=400
    )
