from django import forms
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy

from tongxing.access import REGION_EDITORS, REGION_SCOPED_ROLES, allow
from tongxing.pages import read_upload
from tongxing.regions import actions, selectors
from tongxing.tabular import read_table


@allow(REGION_SCOPED_ROLES)
def tree(request, code: str | None = None):
    """Show a region of the user's scope with its children and their counts."""
    if code is None:
        return redirect("regions:region", code=request.user.region_id)
    region = selectors.access_region_by_code(request.user, code)
    context = {
        "region": region,
        "path": selectors.path_visible_to(request.user, region),
        "counts": selectors.subtree_counts(region),
        "children": selectors.children_with_counts(region),
    }
    template = (
        "regions/_children.html" if request.headers.get("HX-Request") else "regions/tree.html"
    )
    return render(request, template, context)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Region file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


@allow(REGION_EDITORS)
def import_file(request):
    """Load regions from an uploaded file: all rows or, with any bad row, none."""
    form = ImportForm(request.POST or None, request.FILES or None)
    result = table = None
    if request.method == "POST" and form.is_valid():
        # Checks the size, the rows and what an .xlsx unpacks to before reading a row.
        table = read_upload(
            form,
            lambda upload: read_table(
                upload,
                filename=upload.name,
                aliases=actions.COLUMN_ALIASES,
                required=("code", "name"),
            ),
        )
        if table is not None:
            result = actions.import_regions(rows=table.rows, by=request.user)
    columns = table.columns if table else {}
    errors = (
        [(e.row, columns.get(e.column, e.column), e.message) for e in result.errors]
        if result
        else []
    )
    context = {"form": form, "result": result, "errors": errors}
    status = 400 if request.method == "POST" and (form.errors or not result.ok) else 200
    return render(request, "regions/import.html", context, status=status)
