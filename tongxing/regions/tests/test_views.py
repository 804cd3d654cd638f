"""The region tree page: who may open it, and what each person sees."""

import pytest

from conftest import TOWNSHIP_A, TOWNSHIP_B, client_for


def test_anonymous_visitors_are_sent_to_the_login_page(tree):
    response = client_for(None).get(f"/regions/{TOWNSHIP_A}/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_a_donor_is_refused(dora, tree):
    assert client_for(dora).get(f"/regions/{TOWNSHIP_A}/").status_code == 403


def test_staff_land_on_their_own_region(tina):
    response = client_for(tina).get("/regions/")
    assert response.status_code == 302 and response.url == f"/regions/{TOWNSHIP_A}/"


def test_a_township_admin_sees_their_villages_with_counts_and_nothing_else(tina):
    response = client_for(tina).get(f"/regions/{TOWNSHIP_A}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "桃李村" in html and "杏花村" in html
    assert "松林乡" not in html and "梅竹村" not in html
    assert "青禾市" not in html  # the city above the scope is not theirs to open
    assert response.context["counts"]["villages"] == 2


def test_another_township_is_404(tom):
    assert client_for(tom).get(f"/regions/{TOWNSHIP_A}/").status_code == 404
    assert client_for(tom).get(f"/regions/{TOWNSHIP_B}/").status_code == 200


def test_htmx_gets_only_the_children(alice):
    response = client_for(alice).get("/regions/590101000000/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "柳塘镇" in html and "松林乡" in html


@pytest.mark.parametrize("code", ["abc", "5901", "../../etc"])
def test_nonsense_codes_are_404(alice, code):
    assert client_for(alice).get(f"/regions/{code}/").status_code == 404
