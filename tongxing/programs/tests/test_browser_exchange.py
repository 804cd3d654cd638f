"""On a phone: an organisation's representative records the teachers her school sent to
its paired school, and the city office accepts it in place; only then does it count."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from conftest import CITY, PASSWORD, make_user
from tests.browser.test_needs_loop import log_in
from tongxing import figures
from tongxing.access import Role
from tongxing.programs import actions
from tongxing.programs.figures import MEASURES
from tongxing.programs.models import Exchange, Kind, Review
from tongxing.programs.tests import factories as f
from tongxing.registry.tests.factories import organisation

pytestmark = pytest.mark.browser
PHONE_WIDTH = 390
YEAR = figures.window(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))


def fits_the_screen(page: Page) -> bool:
    # The phone's own width: an emulated phone's innerWidth grows to what overflows.
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def teachers_exchanged() -> int:
    return figures.evaluate(MEASURES, "5901", YEAR)["cooperation.education.teachers_exchanged"]


def test_a_rep_records_an_exchange_on_a_phone_and_the_city_office_accepts_it(
    live_server, tree, page, page_errors
):
    base = live_server.url
    olga = make_user("olga", Role.ORG_REP, password=PASSWORD)
    make_user("alice", Role.CITY_ADMIN, CITY, password=PASSWORD)
    vocational = organisation(name="青禾职业中学", kind="school", serial=41)
    village_school = organisation(name="桃李小学", kind="school", serial=43)
    f.speak_for(olga, vocational)
    schools = f.programme(kind=Kind.SCHOOL_PAIRING, name="教育结对")
    target = actions.add_target(programme=schools, organisation=village_school, by=None)
    pairing = actions.pair(target=target, helper=vocational, since=f.START, by=None)
    programme_url = f"{base}/programmes/{schools.pk}/"

    def record() -> None:
        log_in(page, base, "olga")
        page.goto(f"{base}/programmes/record/")
        assert fits_the_screen(page)
        page.locator(f"a[href='/programmes/{schools.pk}/#exchanges']").click()
        page.wait_for_url(f"{programme_url}#exchanges")
        assert fits_the_screen(page)
        form = page.locator(f"form[action='/programmes/{schools.pk}/exchanges/#exchanges']")
        # Her one pairing is chosen already.
        expect(form.locator("select[name=pairing]")).to_have_value(str(pairing.pk))
        form.locator("input[name=people]").fill("5")
        form.locator("input[name=exchanged_on]").fill("2026-03-20")
        form.locator("select[name=direction]").select_option("to_target")
        form.locator("input[name=note]").fill("骨干教师支教")
        form.locator("button[type=submit]").click()
        page.wait_for_url(f"{programme_url}#exchanges")
        # Back on the programme, her exchange waits for the office.
        expect(page.locator("#exchanges + ul .status")).to_have_count(1)

    record()
    recorded = Exchange.objects.get()
    assert (recorded.people, recorded.status) == (5, Review.PENDING)
    assert teachers_exchanged() == 0

    def accept() -> None:
        page.context.clear_cookies()
        log_in(page, base, "alice")
        page.goto(f"{base}/programmes/review/")
        assert fits_the_screen(page)
        page.evaluate("window.notReloaded = true")
        action = f"/programmes/review/exchanges/{recorded.pk}/"
        item = page.locator(".review-item", has=page.locator(f"form[action='{action}']"))
        item.locator("button[type=submit]").click()
        expect(page.locator(".review-item .status")).to_have_count(1)
        assert page.evaluate("window.notReloaded") is True  # answered in place

    accept()
    recorded.refresh_from_db()
    assert recorded.status == Review.ACCEPTED
    assert teachers_exchanged() == 5
    assert page_errors == []
