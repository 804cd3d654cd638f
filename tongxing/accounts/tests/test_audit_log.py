"""The audit log as people read it: each action a sentence in the page's language, its
changes field by field, filters by who, what, which object and which days, and who may
read it (`audit.events`, the page `/accounts/audit/` and `GET /api/v1/audit`).

A month of work in township A, made through the actions: Vera (village A1) registers a
household and posts its needs, Tina (township A) reviews them and keeps the directory,
Dora gives, Alice (the city office) sets rules, exports and manages accounts.
"""

import ast
import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from conftest import TOWNSHIP_A, VILLAGE_A1, api_client_for, client_for, make_user
from tongxing.access import Role
from tongxing.accounts import actions as account_actions
from tongxing.accounts.selectors import audit_events_visible_to
from tongxing.audit import events
from tongxing.audit.log import record, record_history
from tongxing.audit.models import AuditEvent
from tongxing.needs.actions import deadlines, delivery, pledges, posting, review, rules
from tongxing.needs.models import FundingPolicy
from tongxing.needs.tests import factories as f
from tongxing.regions.actions import update_region
from tongxing.regions.models import Region
from tongxing.registry import actions as registry_actions
from tongxing.registry import records as registry_records
from tongxing.registry.models import Household, Relation
from tongxing.registry.tests.factories import id_number, register

PACKAGE = Path(__file__).resolve().parents[2]


@pytest.fixture
def month(alice, tina, vera, dora):
    """A month of work; returns the objects made and the first event of the month."""
    first = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    village, township = Region.objects.get(code=VILLAGE_A1), Region.objects.get(code=TOWNSHIP_A)
    home = register(number="4201-0001", head="朱阳", by=vera)
    spouse = registry_actions.add_member(
        household=home,
        data=registry_records.MemberData(
            name="李梅", relation=Relation.SPOUSE, id_number=id_number(77, sex="female")
        ),
        by=vera,
    )
    registry_actions.update_member(
        member=spouse,
        data=registry_records.MemberData(name="李梅", relation=Relation.SPOUSE, disabled=True),
        by=vera,
    )
    registry_actions.reveal_member(member=spouse, by=vera)
    registry_actions.update_household(
        household=home,
        data=registry_records.HouseholdData(
            registry_number="4201-0001",
            village=village,
            status="under_monitoring",
            status_since=datetime.date(2026, 1, 5),
            hardship_causes=["illness", "lack_of_funds"],
            disability=True,
        ),
        by=vera,
    )
    org = registry_actions.create_organisation(
        name="青禾农业合作社", kind="cooperative", region=village, by=tina
    )
    registry_actions.update_organisation(
        organisation=org, name="青禾合作社", kind="cooperative", region=village, by=tina
    )
    helper = registry_actions.create_person(
        name="李帮扶", position="assigned_cadre", region=village, by=tina
    )
    assignment = registry_actions.assign_helper(
        person=helper, household=home, since=datetime.date(2026, 1, 5), by=vera
    )
    registry_actions.end_assignment(assignment=assignment, until=datetime.date(2026, 2, 1), by=vera)
    login = make_user("zhuyang", Role.HOUSEHOLD)
    registry_actions.link_household_account(household=home, account=login, by=vera)
    registry_actions.export_households(
        households=Household.objects.all(), by=alice, full_numbers=True, reason="年度核查"
    )
    update_region(region=village, by=alice, name="桃李新村")
    victor = account_actions.create_user(
        username="victor", role=Role.VIEWER, region=township, display_name="Victor", by=alice
    )
    account_actions.update_user(user=victor, by=alice, is_active=False)
    _raw, token = account_actions.issue_token(user=alice)
    account_actions.revoke_token(token=token)

    quilts = f.published(f.goods_data(home), by=vera, reviewer=tina)
    pledge = pledges.pledge_goods(need=quilts, by=dora, quantity=3, note="周末送到").pledge
    delivery.deliver_pledge(pledge=pledge, by=dora)
    delivery.confirm_pledge(pledge=pledge, by=vera, note="已当面交给户主")
    delivery.give_feedback(pledge=pledge, by=vera, rating=5, thanks="谢谢")
    job = f.published(f.service_data(home), by=vera, reviewer=tina)
    taken = pledges.pledge_goods(need=job, by=dora, quantity=1).pledge
    pledges.withdraw_pledge(pledge=taken, by=dora)
    posting.cancel_need(need=job, by=vera, reason="户主已搬迁")
    rice = posting.create_need(
        data=f.goods_data(home, category="food", title="大米"), by=vera, submit=True
    )
    review.review_need(need=rice, by=tina, approve=False, reason="请写明数量")
    bills = f.published(
        f.funds_data(home, target_fen=500_00, policy=FundingPolicy.KEEP_WHAT_IS_RAISED),
        by=vera,
        reviewer=tina,
    )
    pledges.contribute(
        need=bills, by=dora, amount_fen=500_00, payment_reference="T9", idempotency_key="a"
    )
    pot = f.published(f.goods_data(home, category="daily", title="锅"), by=vera, reviewer=tina)
    deadlines.expire_need(need_id=pot.pk, today=pot.deadline + datetime.timedelta(days=1))
    review.reopen_need(need=pot, by=tina, deadline=f.in_days(40))
    rules.set_value_cap(region=township, category="appliance", cap_fen=2000_00, by=alice)
    rules.set_value_cap(region=township, category="appliance", cap_fen=None, by=alice)
    term = rules.add_banned_term(region=township, term="彩票", note="不资助", by=alice)
    rules.remove_banned_term(banned=term, by=alice)
    return {
        "first": first,
        "home": home,
        "spouse": spouse,
        "quilts": quilts,
        "job": job,
        "rice": rice,
        "bills": bills,
        "pot": pot,
        "pledge": pledge,
        "taken": taken,
    }


def month_events(month, viewer):
    found = audit_events_visible_to(viewer).filter(id__gt=month["first"]).select_related("actor")
    return events.describe_events(reversed(list(found)), viewer)


# --- Sentences ------------------------------------------------------------------------------


def test_every_action_of_the_month_reads_as_a_sentence(month, alice):
    m = month
    q, j, r, b, p = (m[k].pk for k in ("quilts", "job", "rice", "bills", "pot"))
    assert [(d.event.action, d.summary) for d in month_events(month, alice)] == [
        ("household.create", "Vera registered the household 4201-0001 in 桃李新村."),
        ("member.create", "Vera added the member 朱** to the household 4201-0001."),
        ("member.create", "Vera added the member 李** to the household 4201-0001."),
        ("member.update", "Vera changed the member 李** of the household 4201-0001."),
        ("member.reveal", "Vera viewed the full ID and phone numbers of the member 李**."),
        ("household.update", "Vera changed the household 4201-0001."),
        ("organisation.create", "Tina registered the organisation 青禾合作社 in 桃李新村."),
        ("organisation.update", "Tina changed the organisation 青禾合作社."),
        ("person.create", "Tina added 李帮扶 to the people of 桃李新村."),
        (
            "household.assign_helper",
            "Vera made 李帮扶 the assigned helper of the household 4201-0001 from Jan. 5, 2026.",
        ),
        (
            "household.end_helper",
            "Vera ended the assignment of 李帮扶 for household 4201-0001 on Feb. 1, 2026.",
        ),
        ("household.link_account", "Vera gave the household 4201-0001 its own login, Zhuyang."),
        (
            "household.export_full",
            "Alice exported 1 household with full ID and phone numbers (reason: 年度核查).",
        ),
        ("region.update", "Alice changed the region 桃李新村."),
        ("account.create", "Alice created the account Victor (Viewer)."),
        ("account.update", "Alice changed the account Victor."),
        ("account.token_issue", "Alice signed in to the API (a new token)."),
        ("account.token_revoke", "Alice signed out of the API (the token is revoked)."),
        ("need.created", f"Vera posted the need “棉被” (#{q})."),
        ("need.submitted", f"Vera submitted the need “棉被” (#{q}) for review."),
        ("need.published", f"Tina approved and published the need “棉被” (#{q})."),
        (
            "need.pledged",
            f"Dora pledged 3 pieces of bedding (worth ¥450) to the need “棉被” (#{q}).",
        ),
        ("need.matched", f"The need “棉被” (#{q}) became fully pledged."),
        (
            "need.delivered",
            f"Dora marked a pledge (#{m['pledge'].pk}) to the need “棉被” (#{q}) as delivered.",
        ),
        (
            "need.confirmed",
            f"Vera confirmed for the household that the help for the need “棉被” (#{q}) arrived.",
        ),
        ("need.closed", f"The need “棉被” (#{q}) is closed."),
        (
            "need.thanked",
            f"Vera thanked the donor of the need “棉被” (#{q}) and rated the help 5/5.",
        ),
        ("need.created", f"Vera posted the need “就近务工岗位” (#{j})."),
        ("need.submitted", f"Vera submitted the need “就近务工岗位” (#{j}) for review."),
        ("need.published", f"Tina approved and published the need “就近务工岗位” (#{j})."),
        ("need.pledged", f"Dora pledged 1 place to the need “就近务工岗位” (#{j})."),
        ("need.matched", f"The need “就近务工岗位” (#{j}) became fully pledged."),
        (
            "need.pledge_withdrawn",
            f"Dora withdrew a pledge (#{m['taken'].pk}) from the need “就近务工岗位” (#{j}).",
        ),
        (
            "need.cancelled",
            f"Vera cancelled the need “就近务工岗位” (#{j}) (reason: 户主已搬迁).",
        ),
        ("need.created", f"Vera posted the need “大米” (#{r})."),
        ("need.submitted", f"Vera submitted the need “大米” (#{r}) for review."),
        ("need.rejected", f"Tina rejected the need “大米” (#{r}) (reason: 请写明数量)."),
        ("need.created", f"Vera posted the need “住院费用” (#{b})."),
        ("need.submitted", f"Vera submitted the need “住院费用” (#{b}) for review."),
        ("need.published", f"Tina approved and published the need “住院费用” (#{b})."),
        ("need.contributed", f"Dora contributed ¥500 to the need “住院费用” (#{b})."),
        ("need.matched", f"The need “住院费用” (#{b}) became fully pledged."),
        (
            "need.funds_released",
            f"¥500 raised for the need “住院费用” (#{b}) went to the household.",
        ),
        ("need.created", f"Vera posted the need “锅” (#{p})."),
        ("need.submitted", f"Vera submitted the need “锅” (#{p}) for review."),
        ("need.published", f"Tina approved and published the need “锅” (#{p})."),
        (
            "need.expired",
            f"The need “锅” (#{p}) expired with 3 pieces of bedding still lacking "
            "and went to the assistance office.",
        ),
        (
            "need.reopened",
            f"Tina put the need “锅” (#{p}) back on the board until {date_format(f.in_days(40))}.",
        ),
        ("rule.cap_set", "Alice set the value cap of household appliances in 柳塘镇 to ¥2,000."),
        ("rule.cap_removed", "Alice removed a value cap of ¥2,000 in 柳塘镇."),
        ("rule.term_added", "Alice flagged the word “彩票” in 柳塘镇."),
        ("rule.term_removed", "Alice stopped flagging the word “彩票” in 柳塘镇."),
    ]


def test_a_change_reads_field_by_field_with_labels_and_values_in_words(month, alice):
    described = {d.event.action: d for d in month_events(month, alice)}
    assert described["household.update"].changes == [
        events.Change("status", "registered in need", "under monitoring"),
        events.Change("status since", "March 1, 2019", "Jan. 5, 2026"),
        events.Change("causes of hardship", "—", "illness, lack of funds"),
        events.Change("disability", "No", "Yes"),
    ]
    assert described["member.update"].changes == [events.Change("disabled", "No", "Yes")]
    # A creation lists what was set; the masked numbers stay masked.
    assert described["member.create"].changes == [
        events.Change("name", None, "李梅"),
        events.Change("relation to head", None, "spouse"),
        events.Change("ID number", None, "420981********1544"),
        events.Change("birth date", None, "May 17, 1970"),
        events.Change("sex", None, "female"),
    ]
    funds = [d for d in month_events(month, alice) if d.event.action == "need.created"][3]
    assert funds.changes[-4:] == [
        events.Change("funding policy", None, "keep what is raised"),
        events.Change("quantity needed", None, "¥500"),
        events.Change("estimated value", None, "¥500"),
        events.Change("posted on the household's behalf", None, "Yes"),
    ]
    assert described["need.confirmed"].changes == [
        events.Change("pledge", None, f"#{month['pledge'].pk}"),
        events.Change("note", None, "已当面交给户主"),
    ]
    assert described["rule.term_added"].changes == [events.Change("why", None, "不资助")]
    # What the sentence says is not listed again.
    assert described["need.rejected"].changes == []


def test_no_value_reads_as_a_python_repr(alice):
    record(
        actor=alice,
        action="household.update",
        target=alice,
        region_code=alice.region_id,
        before={"account": None, "hardship_causes": [], "disability": False, "big": 1234567},
        after={"account": None, "hardship_causes": ["other"], "disability": True, "big": None},
    )
    described = events.describe_events(audit_events_visible_to(alice)[:1], alice)[0]
    text = " ".join(f"{c.label} {c.before} {c.after}" for c in described.changes)
    assert events.Change("big", "1,234,567", "—") in described.changes
    for repr_ in ("None", "True", "False", "[", "{"):
        assert repr_ not in text


def test_an_action_nobody_registered_reads_as_a_generic_sentence(alice, tree):
    home = register(number="4201-0002", by=None)
    record(actor=alice, action="household.archived", target=home, region_code=VILLAGE_A1)
    record(actor=None, action="nightly.cleanup", target="registry.household")
    found = audit_events_visible_to(alice).filter(action__in=["household.archived"])
    described = events.describe_events(found, alice)[0]
    assert described.summary == "Alice: “household.archived” on household 4201-0002."
    assert str(described.sentence) == (
        f'Alice: “household.archived” on <a href="/registry/households/{home.pk}/">'
        "household 4201-0002</a>."
    )
    assert (described.known, described.action) == (False, "household.archived")
    orphan = AuditEvent.objects.get(action="nightly.cleanup")
    assert events.describe_events([orphan], alice)[0].summary == (
        "The system: “nightly.cleanup” on households."
    )


def test_objects_link_to_their_pages_only_for_a_reader_who_may_open_them(month, alice, tom):
    need = month["quilts"]
    published = AuditEvent.objects.get(action="need.published", object_id=str(need.pk))
    for_alice = events.describe_events([published], alice)[0]
    assert str(for_alice.sentence) == (
        f'Tina approved and published the need <a href="/needs/{need.pk}/manage/">'
        f"“棉被” (#{need.pk})</a>."
    )
    # Tom (township B) may not open township A's need: no link, no title.
    for_tom = events.describe_events([published], tom)[0]
    assert for_tom.summary == f"Tina approved and published the need #{need.pk}."
    assert "<a " not in str(for_tom.sentence)
    member = AuditEvent.objects.get(action="member.update")
    assert events.describe_events([member], tom)[0].summary == (
        f"Vera changed the member #{month['spouse'].pk} of the household #{month['home'].pk}."
    )


def test_text_in_a_sentence_is_escaped_and_numbers_in_titles_are_masked(alice, vera, tree):
    home = register(number="4201-0003", by=vera)
    record(
        actor=vera,
        action="need.rejected",
        target=home,
        region_code=VILLAGE_A1,
        after={"reason": '<script>alert("x")</script> 电话13812345678'},
    )
    found = audit_events_visible_to(alice).filter(action="need.rejected")
    html = str(events.describe_events(found, alice)[0].sentence)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_sentences_follow_the_readers_language(month, alice):
    need = month["quilts"]
    published = AuditEvent.objects.get(action="need.published", object_id=str(need.pk))
    update = AuditEvent.objects.get(action="household.update")
    with translation.override("zh-hans"):
        described = events.describe_events([published, update], alice)
        expected = gettext("%(actor)s approved and published the need %(object)s.") % {
            "actor": "Tina",
            "object": gettext("“%(title)s” (#%(id)s)") % {"title": "棉被", "id": need.pk},
        }
        assert described[0].summary == expected
        assert described[1].changes[0] == events.Change(gettext("status"), "建档立卡户", "监测对象")
        assert described[1].changes[1].after == "2026年1月5日"
        assert described[1].changes[2].after.startswith("因病")


def test_a_chinese_page_shows_no_code_no_python_value_and_no_dict(month, alice):
    client = client_for(alice)
    for page in (1, 2):
        response = client.get(f"/accounts/audit/?page={page}", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200
        assert response.headers["Content-Language"] == "zh-hans"
        html = response.content.decode()
        main = html[html.index("<main>") : html.index("</main>")]
        # What a reader sees: the text between the tags (attributes carry codes for tests).
        text = re.sub(r"<[^>]+>", " ", main)
        assert "监测对象" in text or page == 2
        codes = re.findall(r"\b(?:need|household|member|account|rule|region)\.[a-z_]+", text)
        assert codes == []
        for repr_ in ("None", "True", "False", "{", "}", "[", "]"):
            assert repr_ not in text, repr_


def test_every_action_the_code_writes_has_its_words():
    """Every audit code written anywhere in the code base is registered with a sentence.

    A new action adds its words to its app's `audit_texts.py`; until it does, its events
    read as a generic sentence that names the code, and this test says which one.
    """
    written = set()
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                value = keyword.value.value if isinstance(keyword.value, ast.Constant) else None
                if keyword.arg == "action" and isinstance(value, str) and "." in value:
                    written.add(value)
            # The needs board writes need.<step> through `_event(by, "step", …)`.
            name = getattr(node.func, "id", "")
            if name in ("_event", "event") and len(node.args) >= 3:
                step = node.args[1] if name == "_event" else node.args[2]
                for constant in ast.walk(step):
                    if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
                        written.add(f"need.{constant.value}")
    assert {"need.published", "need.rejected", "need.pledged", "account.create"} <= written
    assert sorted(code for code in written if not events.known_action(code)) == []


# --- The page and its filters -------------------------------------------------------------


def listed(response) -> list[str]:
    return [d.event.action for d in response.context["described"]]


def test_the_page_shows_the_newest_events_as_cards_with_their_changes(month, alice):
    response = client_for(alice).get("/accounts/audit/")
    html = response.content.decode()
    assert response.context["count"] == f"{audit_events_visible_to(alice).count()} events"
    assert listed(response)[0] == "rule.term_removed"
    assert "Alice stopped flagging the word “彩票” in" in html
    assert '<details class="changes">' in html
    assert "<table" not in html


def test_the_page_filters_by_actor(month, alice, vera):
    response = client_for(alice).get("/accounts/audit/?actor=tina")
    assert response.status_code == 200
    assert set(listed(response)) == {
        "organisation.create",
        "organisation.update",
        "person.create",
        "need.published",
        "need.rejected",
        "need.reopened",
    }
    assert response.context["count"] == "9 events"
    assert {d.event.actor.username for d in response.context["described"]} == {"tina"}


def test_the_page_filters_by_action_from_a_list_in_words(month, alice):
    response = client_for(alice).get("/accounts/audit/?action=need.published")
    assert listed(response) == ["need.published"] * 4
    assert response.context["count"] == "4 events"
    choices = dict(response.context["form"].fields["action"].choices)
    assert ("need.published", "approved and published") in choices["Needs"]
    assert ("household.export_full", "exported with full numbers") in choices["Households"]


def test_the_page_shows_the_history_of_one_object(month, alice):
    home = month["home"]
    response = client_for(alice).get(
        f"/accounts/audit/?object_type=registry.household&object_id={home.pk}"
    )
    assert listed(response) == ["household.link_account", "household.update", "household.create"]
    html = client_for(alice).get("/accounts/audit/?action=household.update").content.decode()
    assert f'href="/accounts/audit/?object_type=registry.household&amp;object_id={home.pk}"' in html
    assert "History of this household" in html


def test_the_page_filters_by_days(alice, vera, tree):
    home = register(number="4201-0004", by=vera)
    moment = timezone.make_aware(datetime.datetime(2026, 3, 10, 23, 30))
    record_history(
        [
            (
                moment - datetime.timedelta(days=1),
                vera,
                "household.update",
                home,
                VILLAGE_A1,
                {},
                {},
            ),
            (moment, vera, "household.update", home, VILLAGE_A1, {}, {"disability": True}),
            (
                moment + datetime.timedelta(hours=1),
                vera,
                "household.update",
                home,
                VILLAGE_A1,
                {},
                {},
            ),
        ]
    )
    response = client_for(alice).get("/accounts/audit/?since=2026-03-10&until=2026-03-10")
    assert [d.event.at for d in response.context["described"]] == [moment]
    assert response.context["count"] == "1 event"
    # An action over some days is counted another way (see the selector): the same answer.
    for action, count in (("household.update", "1 event"), ("household.create", "0 events")):
        query = f"action={action}&since=2026-03-09&until=2026-03-09"
        response = client_for(alice).get(f"/accounts/audit/?{query}")
        assert response.context["count"] == count
        assert len(response.context["described"]) == int(count[0])
    response = client_for(alice).get("/accounts/audit/?since=2026-03-10")
    assert (
        response.context["count"]
        == f"{audit_events_visible_to(alice).filter(at__gte=moment).count()} events"
    )


def test_the_count_keeps_the_offices_own_events_outside_its_region(alice, carl):
    record(actor=alice, action="household.export_full", target="registry.household", after={})
    record(actor=carl, action="household.export_full", target="registry.household", after={})
    response = client_for(alice).get("/accounts/audit/?action=household.export_full")
    assert (listed(response), response.context["count"]) == (["household.export_full"], "1 event")
    response = client_for(alice).get("/accounts/audit/?actor=carl")
    assert (listed(response), response.context["count"]) == ([], "0 events")


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("since=2026-03-10&until=2026-03-01", "until", "The last day comes before the first."),
        ("object_id=12", "object_type", "Choose the kind of object as well."),
        ("action=need.dreamt", "action", "Select a valid choice."),
        ("since=2026-02-30", "since", "Enter a valid date."),
    ],
)
def test_bad_filters_are_named_field_by_field(alice, query, field, message):
    response = client_for(alice).get(f"/accounts/audit/?{query}")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert [e for e in errors[field] if e.startswith(message)], errors
    assert response.context["page"] is None


def test_a_null_character_in_a_filter_is_refused_with_its_name(alice):
    # Refused where every query string passes (tongxing.middleware), before the page.
    response = client_for(alice).get("/accounts/audit/?actor=a%00b&action=need.created")
    assert response.status_code == 400
    html = response.content.decode()
    assert "actor: Remove the invisible or control characters (U+0000) from this text." in html
    assert 'href="/accounts/audit/?action=need.created"' in html


def test_an_unknown_username_finds_nothing(month, alice):
    response = client_for(alice).get("/accounts/audit/?actor=nobody")
    assert (response.status_code, listed(response), response.context["count"]) == (
        200,
        [],
        "0 events",
    )
    assert "No events match these filters." in response.content.decode()


# --- The API --------------------------------------------------------------------------------


def test_the_api_gives_each_event_its_sentence_in_the_callers_language(month, alice):
    need = month["rice"]
    url = f"/api/v1/audit?action=need.rejected&object_type=needs.need&object_id={need.pk}"
    item = api_client_for(alice).get(url).json()["items"][0]
    assert item["summary"] == f"Tina rejected the need “大米” (#{need.pk}) (reason: 请写明数量)."
    assert (item["actor"], item["action"], item["after"]["reason"]) == (
        "tina",
        "need.rejected",
        "请写明数量",
    )
    response = api_client_for(alice).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.headers["Content-Language"] == "zh-hans"
    with translation.override("zh-hans"):
        expected = gettext("%(actor)s rejected the need %(object)s (reason: %(reason)s).") % {
            "actor": "Tina",
            "object": gettext("“%(title)s” (#%(id)s)") % {"title": "大米", "id": need.pk},
            "reason": "请写明数量",
        }
    assert response.json()["items"][0]["summary"] == expected


def test_the_api_takes_the_pages_filters(month, alice, vera):
    client = api_client_for(alice)
    body = client.get("/api/v1/audit?actor=tina&action=need.published").json()
    assert (body["count"], {i["action"] for i in body["items"]}) == (4, {"need.published"})
    home = month["home"]
    body = client.get(f"/api/v1/audit?object_type=registry.household&object_id={home.pk}").json()
    assert [i["action"] for i in body["items"]] == [
        "household.link_account",
        "household.update",
        "household.create",
    ]
    today = timezone.localdate()
    body = client.get(f"/api/v1/audit?since={today}&until={today}&actor=vera").json()
    assert body["count"] == audit_events_visible_to(alice).filter(actor=vera).count() > 20
    tomorrow = today + datetime.timedelta(days=1)
    assert client.get(f"/api/v1/audit?since={tomorrow}").json() == {"items": [], "count": 0}


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("since=2026-03-10&until=2026-03-01", 400, "until"),
        ("object_id=12", 400, "object_type"),
        ("action=DROP%20TABLE", 400, "action"),
        ("actor=a%00b", 400, "actor"),
        ("actor=" + "x" * 151, 400, "actor"),
        ("since=2026-02-30", 422, "query.since"),
    ],
)
def test_the_api_names_a_bad_filter(alice, query, status, field):
    response = api_client_for(alice).get(f"/api/v1/audit?{query}")
    assert response.status_code == status
    assert field in {error["field"] for error in response.json()["errors"]}


# --- Who may read it ------------------------------------------------------------------------

READERS = [
    ("anonymous", None, None, 302, 401),
    ("donor", Role.DONOR, None, 403, 403),
    ("org_rep", Role.ORG_REP, None, 403, 403),
    ("household", Role.HOUSEHOLD, None, 403, 403),
    ("viewer", Role.VIEWER, TOWNSHIP_A, 403, 403),
    ("cadre", Role.CADRE, VILLAGE_A1, 403, 403),
    ("village", Role.VILLAGE_ADMIN, VILLAGE_A1, 403, 403),
    ("township", Role.TOWNSHIP_ADMIN, TOWNSHIP_A, 403, 403),
    ("city", Role.CITY_ADMIN, "590100000000", 200, 200),
]


@pytest.mark.parametrize(("name", "role", "region", "page", "api"), READERS)
def test_only_the_city_office_reads_the_log(tree, name, role, region, page, api):
    reader = make_user(f"reader-{name}", role, region) if role else None
    before = AuditEvent.objects.count()
    assert client_for(reader).get("/accounts/audit/").status_code == page
    assert api_client_for(reader).get("/api/v1/audit").status_code == api
    # Reading writes nothing (a token issued for the API call is its own event).
    assert AuditEvent.objects.exclude(action="account.token_issue").count() == before


def test_the_city_office_reads_only_its_own_region(month, alice, carl):
    record(actor=carl, action="region.update", target=carl, region_code=carl.region_id)
    theirs = client_for(carl).get("/accounts/audit/")
    assert {d.event.region_code for d in theirs.context["described"]} == {carl.region_id}
    ours = api_client_for(alice).get("/api/v1/audit?actor=carl").json()
    assert ours == {"items": [], "count": 0}
    response = client_for(alice).get("/accounts/audit/")
    assert response.status_code == 200
    assert "Carl" not in response.content.decode()


def test_a_households_page_leads_the_city_office_to_its_history(month, alice, vera):
    home = month["home"]
    link = f'href="/accounts/audit/?object_type=registry.household&amp;object_id={home.pk}"'
    assert link in client_for(alice).get(f"/registry/households/{home.pk}/").content.decode()
    # The village may open the household, not the log.
    page = client_for(vera).get(f"/registry/households/{home.pk}/")
    assert page.status_code == 200
    assert "/accounts/audit/" not in page.content.decode()


def test_a_rotation_of_the_data_key_reads_as_two_sentences(alice, tree):
    from tongxing.registry.actions import rotate_data_key

    register(number="4201-0005", by=None)
    rotate_data_key(by=None, reindex=True)
    found = AuditEvent.objects.filter(action__startswith="datakey.").order_by("id")
    assert [d.summary for d in events.describe_events(found, alice)] == [
        "The system started re-encrypting and re-indexing the ID and phone numbers "
        "(members: 1, people: 0).",
        "The system finished re-encrypting the ID and phone numbers "
        "(members: 0, people: 0, left: 0, registered twice: 0).",
    ]


def test_a_background_jobs_file_and_its_sweep_read_as_sentences(vera, alice, settings):
    from tongxing.jobs import actions as job_actions
    from tongxing.jobs.tests.test_jobs import queued_import

    job = job_actions.run_job(job=queued_import(vera, settings))
    job_actions.open_job_file(job=job, by=vera)
    record(actor=None, action="job.delete_old", target="jobs.job", after={"jobs": 3, "days": 7})
    found = AuditEvent.objects.filter(action__startswith="job.").order_by("id")
    described = events.describe_events(found, alice)
    size = found[0].after["bytes"]
    assert [d.summary for d in described] == [
        f"Vera downloaded “roster-checked.xlsx”, made in the background (job #{job.pk}).",
        "The system deleted 3 background jobs finished more than 7 days ago, with their files.",
    ]
    assert described[0].changes == [events.Change("size", None, f"{size:,} bytes")]
