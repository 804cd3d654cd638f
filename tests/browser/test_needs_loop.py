"""The whole loop of the needs board on phones: a village admin posts a need for a household,
the township approves it, a donor pledges from the public board, the village admin confirms
receipt with a photo and thanks the donor, and the donor reads the thanks.

Each person has a browser context of their own (their own phone). Elements are found by
names, ids and data-testid, not by their (translated) text.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD, TOWNSHIP_A, VILLAGE_A1, make_user
from tests.browser.fixtures import PHONE, TIMEOUT_MS
from tongxing.access import Role
from tongxing.needs.models import Need, Pledge, PledgeStatus, Status
from tongxing.needs.tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def phones(browser: Browser) -> Iterator:
    """Open a phone (a fresh browser context) per person; each records its page errors."""
    contexts = []
    errors: list[str] = []

    def open_phone() -> Page:
        context = browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    open_phone.errors = errors
    yield open_phone
    for context in contexts:
        context.close()


def log_in(page: Page, base_url: str, username: str, *, lands_on: str = "/workspace/") -> None:
    page.goto(f"{base_url}/accounts/login/")
    fill_login(page, username)
    page.wait_for_url(f"{base_url}{lands_on}")


def fill_login(page: Page, username: str) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")


def test_a_need_goes_from_the_village_to_a_donor_and_back_with_thanks(
    live_server, tree, phones, tmp_path
):
    base = live_server.url
    make_user("vera", Role.VILLAGE_ADMIN, VILLAGE_A1, password=PASSWORD)
    make_user("tina", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, password=PASSWORD)
    make_user("dora", Role.DONOR, password=PASSWORD)
    home = factories.household(head="张建国")

    # 1. The village admin posts a goods need for the household and submits it.
    vera = phones()
    log_in(vera, base, "vera")
    expect(vera.locator("html")).to_have_attribute("lang", "zh-hans")
    vera.click('nav.menu a[href="/needs/region/"]')
    vera.click('[data-testid="post-need"]')
    vera.fill("input[name=q]", "张建国")
    vera.press("input[name=q]", "Enter")
    vera.click(f'[data-testid="pick-household"][data-household="{home.pk}"]')
    form = vera.locator('[data-testid="need-form"]')
    # Until a kind is chosen, no kind's inputs show; then only the chosen kind's.
    expect(form.locator("input[name=quantity]")).to_be_hidden()
    form.locator("input[name=kind][value=goods]").check()
    expect(form.locator("input[name=quantity]")).to_be_visible()
    expect(form.locator("input[name=target_yuan]")).to_be_hidden()
    form.locator("input[name=title]").fill("过冬棉被")
    form.locator("textarea[name=story]").fill("家中老人怕冷，缺少厚棉被。")
    form.locator("select[name=goods_category]").select_option("clothing")
    form.locator("input[name=quantity]").fill("3")
    form.locator("select[name=unit]").select_option("床")
    # The typed unit shows only for "other".
    expect(form.locator("input[name=unit_other]")).to_be_hidden()
    form.locator("input[name=unit_value_yuan]").fill("150")
    form.locator('[data-testid="submit-for-review"]').click()
    vera.wait_for_url(re.compile(r"/needs/\d+/manage/$"))
    need = Need.objects.get()
    expect(vera.locator('[data-testid="need-status"]')).to_have_attribute(
        "data-status", "submitted"
    )
    assert (need.title, need.target, need.value_fen, need.posted_by.username) == (
        "过冬棉被",
        3,
        450_00,
        "vera",
    )

    # 2. The township admin approves it in the review queue.
    tina = phones()
    log_in(tina, base, "tina")
    tina.click('nav.menu a[href="/needs/review/"]')
    item = tina.locator(f'[data-testid="review-item"][data-need="{need.pk}"]')
    item.locator('[data-testid="approve"]').click()
    # Nothing is published on that tap: the question comes in place of the buttons.
    confirm = item.locator('[data-testid="confirm-publish"]')
    expect(confirm).to_contain_text("过冬棉被")
    expect(confirm).to_contain_text("家中老人怕冷，缺少厚棉被。")
    need.refresh_from_db()
    assert need.status == Status.SUBMITTED
    confirm.locator('[data-testid="confirm-publish-button"]').click()
    tina.wait_for_url(f"{base}/needs/review/")
    expect(tina.locator(f'[data-testid="review-item"][data-need="{need.pk}"]')).to_have_count(0)
    need.refresh_from_db()
    assert need.status == Status.PUBLISHED

    # 3. A caring person finds it on the public board, logs in from it and pledges.
    dora = phones()
    dora.goto(f"{base}/needs/")
    card = dora.locator(f'[data-testid="need-card"][data-need="{need.pk}"]')
    expect(card).to_contain_text("张** · 柳塘镇桃李村")
    assert "张建国" not in dora.content()
    card.locator("a").click()
    dora.wait_for_url(f"{base}/needs/{need.pk}/")
    dora.click('[data-testid="login-to-help"]')
    fill_login(dora, "dora")
    dora.wait_for_url(f"{base}/needs/{need.pk}/")
    pledge_form = dora.locator('[data-testid="pledge-form"]')
    pledge_form.locator("input[name=quantity]").fill("2")
    pledge_form.locator("input[name=deliver_by]").fill(factories.in_days(5).isoformat())
    pledge_form.locator("textarea[name=note]").fill("两床棉被，周五送到村委会")
    pledge_form.locator('[data-testid="pledge-submit"]').click()
    dora.wait_for_url(f"{base}/needs/my-pledges/")
    pledge = Pledge.objects.get()
    expect(dora.locator(f'[data-testid="pledge"][data-pledge="{pledge.pk}"]')).to_be_visible()
    assert (pledge.quantity, pledge.donor.username) == (2, "dora")

    # 4. The village admin confirms receipt with a photo, then thanks the donor.
    photo = tmp_path / "delivery.png"
    photo.write_bytes(factories.png())
    vera.goto(f"{base}/needs/{need.pk}/manage/")
    vera.locator(f'[data-testid="manage-pledge"][data-pledge="{pledge.pk}"]').locator(
        '[data-testid="confirm"]'
    ).click()
    vera.set_input_files("input[name=evidence]", str(photo))
    vera.fill("textarea[name=note]", "已收到两床棉被")
    vera.click('[data-testid="pledge-action-submit"]')
    vera.wait_for_url(f"{base}/needs/{need.pk}/manage/")
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.CONFIRMED
    # Kept re-encoded, without metadata: the same picture, not the same bytes.
    stored = Path(pledge.evidence.path).read_bytes()
    assert factories.picture(stored) == factories.picture(factories.png())
    # The photo shows on the staff page, served by the app, not from a public folder.
    expect(vera.locator("img.evidence")).to_have_js_property("naturalWidth", 1)
    vera.locator(f'[data-testid="manage-pledge"][data-pledge="{pledge.pk}"]').locator(
        '[data-testid="thank"]'
    ).click()
    vera.locator("input[name=rating][value='5']").check()
    vera.fill("textarea[name=thanks]", "谢谢您，老人家盖上了新棉被！")
    vera.click('[data-testid="pledge-action-submit"]')
    vera.wait_for_url(f"{base}/needs/{need.pk}/manage/")

    # 5. The donor sees the thanks on My pledges, and the unread notifications.
    dora.goto(f"{base}/needs/my-pledges/")
    thanks = dora.locator(
        f'[data-testid="pledge"][data-pledge="{pledge.pk}"] [data-testid="thanks"]'
    )
    expect(thanks).to_contain_text("谢谢您，老人家盖上了新棉被！")
    expect(thanks).to_contain_text("★★★★★")
    expect(dora.locator('[data-testid="unread-count"]')).to_have_text("2")
    response = dora.request.get(f"{base}/needs/pledges/{pledge.pk}/photo/")
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    assert phones.errors == []


def test_the_board_filters_in_place_on_a_phone(live_server, tree, phones):
    home = factories.household()
    factories.published(factories.goods_data(home))
    factories.published(factories.funds_data(home))
    page = phones()
    page.goto(f"{live_server.url}/needs/")
    cards = page.locator('[data-testid="need-card"]')
    expect(cards).to_have_count(2)
    page.evaluate("window.notReloaded = true")
    page.select_option("select[name=kind]", "funds")
    expect(cards).to_have_count(1)
    # htmx pushed the filters into the address, so Back and a shared link keep them.
    expect(page).to_have_url(re.compile(r"/needs/\?.*kind=funds"))
    assert page.evaluate("window.notReloaded") is True
    assert phones.errors == []
