"""The Django admin changes nothing: every model in it is read-only, even for a superuser,
because our models change only through the actions (which check rights and write the
audit log)."""

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory

from conftest import CITY, PASSWORD, TOWNSHIP_A, make_user
from tongxing.access import Role
from tongxing.accounts.models import User
from tongxing.audit.models import AuditEvent
from tongxing.regions.models import Region


@pytest.fixture
def root(tree):
    return User.objects.create_superuser("root", password=PASSWORD)


@pytest.fixture
def superuser_client(root):
    client = Client()
    client.force_login(root)
    return client


def test_no_admin_adds_changes_or_deletes(root):
    request = RequestFactory().get("/admin/")
    request.user = root
    writable = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label != "auth"
        and (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        )
    ]
    assert writable == []


def test_posting_an_account_change_in_the_admin_is_refused(superuser_client):
    bea = make_user("bea", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, password=PASSWORD)
    url = f"/admin/accounts/user/{bea.pk}/change/"
    assert superuser_client.get(url).status_code == 200  # it may be read
    events = AuditEvent.objects.count()
    response = superuser_client.post(
        url,
        {"username": "bea", "role": Role.CITY_ADMIN, "region": CITY, "is_active": ""},
    )
    assert response.status_code == 403
    bea.refresh_from_db()
    assert (bea.role, bea.region_id, bea.is_active) == (Role.TOWNSHIP_ADMIN, TOWNSHIP_A, True)
    assert AuditEvent.objects.count() == events


def test_posting_a_region_rename_or_a_new_account_in_the_admin_is_refused(superuser_client):
    response = superuser_client.post(f"/admin/regions/region/{CITY}/change/", {"name": "X"})
    assert response.status_code == 403
    assert Region.objects.get(code=CITY).name != "X"
    response = superuser_client.post(
        "/admin/accounts/user/add/", {"username": "mallory", "role": Role.CITY_ADMIN}
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="mallory").exists()
