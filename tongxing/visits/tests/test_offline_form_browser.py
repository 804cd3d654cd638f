"""The visit form on a phone whose network drops: what was typed stays on the phone, is sent
when the network is back, and is saved exactly once (a real headless Chromium)."""

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD, TOWNSHIP_A, make_user
from tongxing.access import Role
from tongxing.needs.tests import factories as nf
from tongxing.registry.tests.factories import assign
from tongxing.visits.models import Visit, VisitDelivery

pytestmark = pytest.mark.browser


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/workspace/")


@pytest.fixture
def cleo(tree):
    home = nf.household(head="张建国")
    account = make_user("cleo", Role.CADRE, TOWNSHIP_A, password=PASSWORD)
    assign(account, home)
    return account, home


def test_a_visit_typed_offline_is_sent_when_the_network_is_back_and_saved_once(
    live_server, cleo, page, page_errors
):
    account, home = cleo
    base = live_server.url
    log_in(page, base, "cleo")
    page.goto(f"{base}/visits/new/")
    status = page.locator("[data-offline-status]")

    page.context.set_offline(True)
    page.select_option("select[name=household]", str(home.pk))
    page.locator("[data-field=purpose] label").first.click()
    page.fill("input[name=clothing_pieces]", "3")
    page.fill("input[name=grain_oil_jin]", "25")
    page.fill("textarea[name=findings]", "屋顶漏雨")
    page.click('[data-testid="send-visit"]')
    expect(page.locator('[data-testid="waiting-visit"]')).to_have_count(1)
    assert Visit.objects.count() == 0

    # A reload while offline is not possible; what was queued is still on the phone.
    queued = page.evaluate(
        f"JSON.parse(localStorage.getItem('tongxing.visits.queue.{account.pk}'))"
    )
    assert len(queued) == 1

    page.context.set_offline(False)
    expect(page.locator('[data-testid="waiting-visit"]')).to_have_count(0, timeout=15_000)
    expect(status).to_have_attribute("data-sent", queued[0]["key"])
    assert Visit.objects.count() == 1
    visit = Visit.objects.get()
    assert (visit.household_id, visit.findings, visit.client_key) == (
        home.pk,
        "屋顶漏雨",
        queued[0]["key"],
    )
    assert sorted(VisitDelivery.objects.values_list("kind", "quantity")) == [
        ("clothing", 3),
        ("grain_oil", 25),
    ]
    # The queue is empty and a reload sends nothing again.
    assert page.evaluate(f"localStorage.getItem('tongxing.visits.queue.{account.pk}')") == "[]"
    page.reload()
    page.wait_for_timeout(500)
    assert Visit.objects.count() == 1
    assert page_errors == []


def test_what_was_typed_survives_a_reload_and_the_form_fits_a_phone(
    live_server, cleo, page, page_errors
):
    account, home = cleo
    base = live_server.url
    log_in(page, base, "cleo")
    page.goto(f"{base}/visits/new/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.select_option("select[name=household]", str(home.pk))
    page.fill("textarea[name=findings]", "孩子上学路远")
    key = page.input_value("input[name=client_key]")
    page.reload()
    expect(page.locator("textarea[name=findings]")).to_have_value("孩子上学路远")
    expect(page.locator("select[name=household]")).to_have_value(str(home.pk))
    # The same filling of the form keeps its key: sent after the reload, it is one visit.
    assert page.input_value("input[name=client_key]") == key
    assert Visit.objects.count() == 0
    assert page_errors == []


def test_a_visit_sent_twice_because_its_answer_was_lost_is_saved_once(
    live_server, cleo, page, page_errors
):
    """The server saves the visit but the phone never hears back (the network dropped on the
    way back): the phone sends it again, and the key makes it one visit."""
    account, home = cleo
    base = live_server.url
    log_in(page, base, "cleo")
    dropped = []

    def lose_first_answer(route):
        response = route.fetch()
        if not dropped:
            dropped.append(response.status)
            route.abort("internetdisconnected")
        else:
            route.fulfill(response=response)

    page.route(
        "**/visits/new/",
        lambda route: (
            lose_first_answer(route) if route.request.method == "POST" else route.continue_()
        ),
    )
    page.goto(f"{base}/visits/new/")
    page.select_option("select[name=household]", str(home.pk))
    page.locator("[data-field=purpose] label").first.click()
    page.click('[data-testid="send-visit"]')
    expect(page.locator('[data-testid="waiting-visit"]')).to_have_count(0, timeout=15_000)
    assert dropped == [201]
    assert Visit.objects.count() == 1
    assert page_errors == []


def test_a_visit_sent_after_the_session_ended_stays_on_the_phone(
    live_server, cleo, page, page_errors
):
    """Signed out meanwhile, the server answers with the login page: that is no saved visit,
    and the visit waits on the phone."""
    account, home = cleo
    base = live_server.url
    log_in(page, base, "cleo")
    page.goto(f"{base}/visits/new/")
    page.context.clear_cookies()
    page.select_option("select[name=household]", str(home.pk))
    page.locator("[data-field=purpose] label").first.click()
    page.click('[data-testid="send-visit"]')
    expect(page.locator('[data-testid="waiting-visit"]')).to_have_count(1)
    page.wait_for_timeout(1000)
    queue = page.evaluate(f"localStorage.getItem('tongxing.visits.queue.{account.pk}')")
    assert '"household"' in queue
    assert Visit.objects.count() == 0
    assert page_errors == []
