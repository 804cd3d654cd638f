"""Approval and freezing on the needs board's hand-built records: a township approves its
figures, the city after every township with records; an old record edited after the
approval leaves the frozen figures (and the records behind them) as approved, and the page
shows the difference; an approval is withdrawn, with a reason, to correct and approve again;
who may, and bad input that changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, api_client_for, client_for
from tongxing.audit.events import describe_event
from tongxing.audit.models import AuditEvent
from tongxing.indicators import actions, approvals, engine
from tongxing.indicators.catalogue import CATALOGUE_VERSION
from tongxing.indicators.models import Approval
from tongxing.needs.models import Need
from tongxing.needs.tests.test_figures import board  # noqa: F401 (the fixture)
from tongxing.regions.models import Region
from tongxing.reports import document

CITY_CODE = "590100000000"
A = TOWNSHIP_A[:9]


def this_year() -> engine.Period:
    return engine.period_of(year=timezone.localdate().year, today=timezone.localdate())


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def approve(code: str, by) -> Approval:
    return actions.approve(region=region(code), period=this_year(), by=by)


def move_out_of_the_period(need: Need) -> None:
    """Edit an old record behind the approval's back: it was published later after all."""
    Need.objects.filter(pk=need.pk).update(published_at=timezone.now() + datetime.timedelta(days=3))


def test_an_approval_freezes_the_figures_of_its_period(board, tina):  # noqa: F811
    period = this_year()
    approval = approve(TOWNSHIP_A, tina)

    assert (approval.approved_by, approval.catalogue_version) == (tina, CATALOGUE_VERSION)
    assert approval.figures["needs.goods.match_rate"] == {
        "value": 50.0,
        "state": "computed",
        "numerator": 1,
        "denominator": 2,
        "records": [board["done"].pk],
    }
    assert approval.figures["plans.target_attainment"]["state"] == "not_recorded"
    event = AuditEvent.objects.get(action="approval.approved")
    assert (event.actor, event.region_code) == (tina, TOWNSHIP_A)

    move_out_of_the_period(board["half"])

    assert engine.compute(A, period.start, period.end)["needs.goods.posted"].value == 1
    frozen = approvals.figures_for(A, period)
    assert frozen.frozen and frozen.approval == approval
    assert frozen.figures["needs.goods.posted"].value == 2
    assert frozen.figures["needs.goods.match_rate"].numerator == 1
    assert frozen.figures["platform.as_of"].value == period.end
    # Another period, or the city (not approved), is live.
    assert not approvals.figures_for(CITY_CODE[:4], period).frozen

    page = client_for(tina).get(
        "/indicators/approvals/",
        {"region": TOWNSHIP_A, "from": period.start, "to": period.end},
    )
    html = page.content.decode()
    assert page.status_code == 200
    row = html.split('data-code="needs.goods.posted"')[1].split("</tr>")[0]
    assert "<mark>2</mark>" in row and "<mark>1</mark>" in row
    assert 'class="differs"' in html.split('data-code="needs.goods.posted"')[0][-40:]
    assert "Withdraw the approval" in html


def test_the_records_behind_each_frozen_figure_are_kept(board, tina):  # noqa: F811
    approval = approve(TOWNSHIP_A, tina)
    period = this_year()
    assert sorted(approvals.frozen_record_ids(approval, "needs.goods.posted")) == sorted(
        [board["done"].pk, board["half"].pk]
    )
    for code, stored in approval.figures.items():
        if "records" in stored:
            assert stored["records"] == [
                pk if isinstance(pk, int) else str(pk)
                for pk in engine.record_ids(code, A, period.start, period.end)
            ]
    move_out_of_the_period(board["half"])
    approval.refresh_from_db()
    assert board["half"].pk in approvals.frozen_record_ids(approval, "needs.goods.posted")


def test_the_city_approves_after_every_township_with_records(board, alice, tina, tom):  # noqa: F811
    # A township without records need not approve.
    Region.objects.create(code="590101003000", name="空乡", level=4, parent_id=COUNTY)
    with pytest.raises(ValidationError) as refused:
        approve(CITY_CODE, alice)
    assert refused.value.message_dict["region"] == [
        "These townships have not approved their figures yet: 柳塘镇、松林乡."
    ]
    approve(TOWNSHIP_A, tina)
    page = client_for(alice).get("/indicators/approvals/", {"region": CITY_CODE})
    assert "松林乡" in page.content.decode().split('data-testid="missing-townships"')[1]
    assert "Approve these figures" not in page.content.decode()
    with pytest.raises(ValidationError, match="松林乡"):
        approve(CITY_CODE, alice)
    approve(TOWNSHIP_B, tom)
    city = approve(CITY_CODE, alice)
    assert approvals.figures_for("5901", this_year()).approval == city
    assert Approval.objects.filter(withdrawn_at__isnull=True).count() == 3


def test_withdraw_the_city_first_then_correct_and_approve_again(board, alice, tina, tom):  # noqa: F811
    township = approve(TOWNSHIP_A, tina)
    approve(TOWNSHIP_B, tom)
    city = approve(CITY_CODE, alice)

    with pytest.raises(ValidationError) as refused:
        actions.withdraw(approval=township, reason="错了", by=tina)
    assert "approval" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        actions.withdraw(approval=city, reason="  ", by=alice)
    assert "reason" in refused.value.message_dict
    assert Approval.objects.filter(withdrawn_at__isnull=True).count() == 3

    actions.withdraw(approval=city, reason="柳塘镇的数字要更正", by=alice)
    answer = client_for(tina).post(
        f"/indicators/approvals/{township.pk}/withdraw/", {"reason": "一条需求发布日期录错"}
    )
    assert answer.status_code == 302
    township.refresh_from_db()
    assert (township.withdrawn_by, township.withdraw_reason) == (tina, "一条需求发布日期录错")
    event = AuditEvent.objects.filter(action="approval.withdrawn").latest("pk")
    assert (event.actor, event.after) == (tina, {"withdraw_reason": "一条需求发布日期录错"})
    period = this_year()
    words = describe_event(event, alice)
    assert words.summary == (
        f"Tina withdrew the approval of the figures of 柳塘镇, {period.start} to {period.end}."
    )
    assert [change.label for change in words.changes] == ["reason"]
    assert not approvals.figures_for(A, this_year()).frozen

    move_out_of_the_period(board["half"])
    again = client_for(tina).post(
        "/indicators/approvals/approve/",
        {"region": TOWNSHIP_A, "from": this_year().start, "to": this_year().end},
    )
    assert again.status_code == 302
    assert approvals.figures_for(A, this_year()).figures["needs.goods.posted"].value == 1
    page = client_for(tina).get(again["Location"]).content.decode()
    assert "一条需求发布日期录错" in page
    # Withdrawn already: nothing more to withdraw.
    with pytest.raises(ValidationError):
        actions.withdraw(approval=township, reason="again", by=tina)


def test_only_the_office_of_the_level_approves(board, alice, tina, vera, dora, victor, tom):  # noqa: F811
    for user in (vera, dora, victor, alice):
        with pytest.raises(PermissionDenied):
            approve(TOWNSHIP_A, user)
    for user in (vera, dora, victor):
        answer = client_for(user).post(
            "/indicators/approvals/approve/", {"region": TOWNSHIP_A, "year": this_year().start.year}
        )
        assert answer.status_code == 403
    # Another township's station does not even learn the township exists.
    answer = client_for(tom).post(
        "/indicators/approvals/approve/", {"region": TOWNSHIP_A, "year": this_year().start.year}
    )
    assert answer.status_code == 404
    approval = approve(TOWNSHIP_A, tina)
    assert (
        client_for(tom)
        .post(f"/indicators/approvals/{approval.pk}/withdraw/", {"reason": "x"})
        .status_code
        == 404
    )
    assert (
        api_client_for(tom)
        .post(
            f"/api/v1/indicators/approvals/{approval.pk}/withdraw",
            {"reason": "x"},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    assert client_for(tom).get("/indicators/approvals/", {"region": TOWNSHIP_A}).status_code == 404
    # A viewer reads the page, with no button.
    page = client_for(victor).get("/indicators/approvals/", {"region": TOWNSHIP_A})
    assert page.status_code == 200
    assert "Withdraw the approval" not in page.content.decode()
    with pytest.raises(PermissionDenied):
        actions.withdraw(approval=approval, reason="x", by=victor)
    assert Approval.objects.get().in_force


def test_bad_input_changes_nothing(board, tina, alice):  # noqa: F811
    api = api_client_for(tina)
    year = timezone.localdate().year

    def post(payload):
        return api.post("/api/v1/indicators/approvals", payload, content_type="application/json")

    def fields(answer):
        return [error["field"] for error in answer.json()["errors"]]

    answer = post({"region": TOWNSHIP_A, "from": "2025-03-01", "to": "2025-02-01"})
    assert (answer.status_code, fields(answer)) == (400, ["from"])
    answer = post({"region": TOWNSHIP_A, "year": year + 1})
    assert (answer.status_code, fields(answer)) == (400, ["year"])
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    answer = post({"region": TOWNSHIP_A, "from": f"{year}-01-01", "to": future})
    assert (answer.status_code, fields(answer)) == (400, ["to"])
    assert post({"region": "599999999999", "year": year}).status_code == 404
    assert post({"region": "5901", "year": year}).status_code == 422
    answer = api_client_for(alice).post(
        "/api/v1/indicators/approvals",
        {"region": COUNTY, "year": year},
        content_type="application/json",
    )
    assert (answer.status_code, fields(answer)) == (400, ["region"])
    page = client_for(tina).post(
        "/indicators/approvals/approve/", {"region": TOWNSHIP_A, "year": "next year"}
    )
    assert page.status_code == 400
    assert "Give a year from 2000 to this year." in page.content.decode()
    page = client_for(tina).get(
        "/indicators/approvals/", {"from": "2025-03-01", "to": "2025-01-01"}
    )
    assert page.status_code == 400
    assert not Approval.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="approval.").exists()

    approved = post({"region": TOWNSHIP_A, "year": year})
    assert approved.status_code == 201
    assert approved.json()["approved_by"] == "tina"
    again = post({"region": TOWNSHIP_A, "year": year})
    assert (again.status_code, fields(again)) == (400, ["period"])
    answer = api.post(
        f"/api/v1/indicators/approvals/{approved.json()['id']}/withdraw",
        {"reason": ""},
        content_type="application/json",
    )
    assert (answer.status_code, fields(answer)) == (400, ["reason"])
    assert Approval.objects.get().in_force


def test_the_api_lists_the_approvals_of_my_scope(board, alice, tina, tom):  # noqa: F811
    approve(TOWNSHIP_A, tina)
    approve(TOWNSHIP_B, tom)
    approve(CITY_CODE, alice)

    def listed(user, **params):
        answer = api_client_for(user).get("/api/v1/indicators/approvals", params)
        assert answer.status_code == 200
        return sorted(item["region"] for item in answer.json())

    assert listed(alice) == [CITY_CODE, TOWNSHIP_A, TOWNSHIP_B]
    assert listed(tina) == [TOWNSHIP_A]
    assert listed(tom, in_force="false") == []
    answer = api_client_for(alice).post(
        f"/api/v1/indicators/approvals/{Approval.objects.get(region_id=CITY_CODE).pk}/withdraw",
        {"reason": "更正"},
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert (answer.json()["in_force"], answer.json()["withdrawn_by"]) == (False, "alice")
    assert listed(alice, in_force="false") == [CITY_CODE]


def test_the_records_page_and_the_report_of_an_approved_period_keep_the_approved_figures(
    board,  # noqa: F811
    tina,
):
    period = this_year()
    approve(TOWNSHIP_A, tina)
    move_out_of_the_period(board["half"])

    page = client_for(tina).get(
        "/indicators/needs.goods.posted/records/",
        {"region": TOWNSHIP_A, "from": period.start, "to": period.end},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "<strong>2</strong>" in html and '<span data-testid="count">2</span>' in html
    assert board["half"].title in html  # edited since, and still what the figure counted

    report = document.build(
        region=region(TOWNSHIP_A),
        year=period.end.year,
        start=period.start,
        end=period.end,
        lang="en",
    )
    shown = {ref.code: ref.value for section in report.sections for ref in section.figures}
    assert shown["needs.goods.posted"] == 2


def test_an_approval_made_to_date_holds_the_rest_of_its_year(board, alice, tina, tom):  # noqa: F811
    today = timezone.localdate()
    if today.timetuple().tm_yday == 1:
        pytest.skip("on 1 January no day of this year lies before today")
    yesterday = today - datetime.timedelta(days=1)
    start = datetime.date(today.year, 1, 1)
    # The townships approved "this year" yesterday: to date, frozen as of yesterday.
    for code, who in ((TOWNSHIP_A, tina), (TOWNSHIP_B, tom)):
        actions.approve(region=region(code), period=engine.Period(start, yesterday), by=who)
    Approval.objects.update(approved_at=timezone.now() - datetime.timedelta(days=1))
    township = Approval.objects.get(region_id=TOWNSHIP_A)

    # Today "this year" is a day longer, and the approval still holds it, to the year's end.
    assert approvals.approval_in_force(TOWNSHIP_A, this_year()) == township
    year_end = engine.Period(start, datetime.date(today.year, 12, 31))
    assert approvals.approval_in_force(TOWNSHIP_A, year_end) == township
    # Not the next year, nor a period of another start.
    into_next = engine.Period(start, datetime.date(today.year + 1, 1, 31))
    assert approvals.approval_in_force(TOWNSHIP_A, into_next) is None
    assert approvals.approval_in_force(TOWNSHIP_A, engine.Period(yesterday, today)) is None
    # Approving the year again is refused while the approval holds it.
    with pytest.raises(ValidationError, match="approved already"):
        approve(TOWNSHIP_A, tina)

    # The page says the figures stand as of yesterday, and compares them over those days.
    html = client_for(tina).get("/indicators/approvals/", {"region": TOWNSHIP_A}).content.decode()
    assert yesterday.isoformat() in html.split('data-testid="frozen-early"')[1].split("</p>")[0]
    assert "Withdraw the approval" in html and "differ from the live" not in html

    # The city, today, finds its townships approved; its report is as of yesterday for them.
    city = approve(CITY_CODE, alice)
    assert approvals.townships_not_approved(region(CITY_CODE), this_year()) == []
    report = document.build(
        region=region(TOWNSHIP_A), year=today.year, start=start, end=today, lang="en"
    )
    text = " ".join(
        document.text_of(paragraph)
        for section in report.sections
        for paragraph in section.paragraphs
    )
    assert f"By {yesterday.day} {yesterday:%B} {yesterday.year}," in text
    assert approvals.figures_for("5901", this_year()).approval == city


def test_an_approval_of_a_past_period_holds_that_period_only(board, tina):  # noqa: F811
    today = timezone.localdate()
    if today.timetuple().tm_yday == 1:
        pytest.skip("on 1 January no day of this year lies before today")
    start = datetime.date(today.year, 1, 1)
    yesterday = today - datetime.timedelta(days=1)
    # Approved today, of days that ended before: a closed period, such as a past quarter.
    closed = actions.approve(
        region=region(TOWNSHIP_A), period=engine.Period(start, yesterday), by=tina
    )
    assert approvals.approval_in_force(TOWNSHIP_A, engine.Period(start, yesterday)) == closed
    assert approvals.approval_in_force(TOWNSHIP_A, this_year()) is None
    assert not approvals.figures_for(A, this_year()).frozen
