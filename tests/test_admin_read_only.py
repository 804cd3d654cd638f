"""The Django admin changes nothing beside the actions: every model in it is read-only,
even for a superuser, because our models change only through the actions (which check
rights and write the audit log); the one thing it adds, an account, it adds through
`create_user`."""

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


def test_no_admin_changes_or_deletes_and_only_accounts_are_added(root):
    request = RequestFactory().get("/admin/")
    request.user = root
    writable = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label != "auth"
        and (
            (model is not User and model_admin.has_add_permission(request))
            or model_admin.has_change_permission(request, root if model is User else None)
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
    assert superuser_client.get(f"/admin/accounts/user/{bea.pk}/password/").status_code == 403
    assert superuser_client.post(f"/admin/accounts/user/{bea.pk}/delete/").status_code == 403


def test_posting_a_region_rename_in_the_admin_is_refused(superuser_client):
    response = superuser_client.post(f"/admin/regions/region/{CITY}/change/", {"name": "X"})
    assert response.status_code == 403
    assert Region.objects.get(code=CITY).name != "X"


def test_an_account_added_in_the_admin_is_made_by_the_action(superuser_client, root):
    response = superuser_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "zhou",
            "usable_password": "false",
            "role": Role.VILLAGE_ADMIN,
            "region": TOWNSHIP_A,
            "display_name": "周",
        },
    )
    assert response.status_code == 200  # the action's own check: a village admin, a village
    assert "cannot be scoped to a township" in response.content.decode()
    assert not User.objects.filter(username="zhou").exists()
    response = superuser_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "zhou",
            "usable_password": "false",
            "role": Role.TOWNSHIP_ADMIN,
            "region": TOWNSHIP_A,
            "display_name": "周",
        },
    )
    assert response.status_code == 302
    zhou = User.objects.get(username="zhou")
    assert not zhou.has_usable_password()
    event = AuditEvent.objects.get(action="account.create", object_id=str(zhou.pk))
    assert (event.actor, event.after["role"]) == (root, Role.TOWNSHIP_ADMIN)
