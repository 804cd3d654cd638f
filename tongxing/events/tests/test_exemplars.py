"""Exemplars: award categories of a year, nominations by what each category takes, their
selection with reasons; stories for a campaign, checked for personal data, and reviewed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import CITY, TOWNSHIP_A, VILLAGE_A1, VILLAGE_B1
from tongxing.events.actions import exemplars as actions
from tongxing.events.models import DEFAULT_KEYS, AwardCategory, Nomination, StorySubmission
from tongxing.events.selectors import nominations_visible_to, stories_visible_to
from tongxing.events.tests import factories as f
from tongxing.registry.models import OrganisationKind


@pytest.fixture
def categories(alice):
    made = actions.create_default_categories(year=2020, region=f.region(CITY), by=alice)
    return {category.key: category for category in made}


def test_the_five_categories_of_the_report_are_made_once_a_year(alice, categories):
    assert tuple(categories) == DEFAULT_KEYS
    assert actions.create_default_categories(year=2020, region=f.region(CITY), by=alice) == []
    assert AwardCategory.objects.count() == 5


def test_only_the_city_office_keeps_the_categories(tina, tree):
    with pytest.raises(PermissionDenied):
        actions.create_category(
            year=2020, key="x", name="X", takes="person", region=f.region(TOWNSHIP_A), by=tina
        )


def test_a_township_nominates_a_household_of_its_township_and_the_city_selects(
    tina, alice, categories
):
    home = f.household("H-1", 1)
    nomination = actions.nominate(
        category=categories["hardworking_household"], household=home, reason="勤劳致富", by=tina
    )
    assert nomination.region_id == VILLAGE_A1
    assert list(nominations_visible_to(tina)) == [nomination]
    with pytest.raises(PermissionDenied):
        actions.decide_nomination(nomination=nomination, selected=True, reason="好", by=tina)
    decided = actions.decide_nomination(
        nomination=nomination,
        selected=True,
        reason="事迹突出",
        by=alice,
        on=datetime.date(2020, 10, 17),
    )
    assert (decided.status, decided.decided_on) == ("selected", datetime.date(2020, 10, 17))
    with pytest.raises(ValidationError) as refused:
        actions.decide_nomination(nomination=nomination, selected=False, reason="改", by=alice)
    assert "status" in refused.value.message_dict


def test_a_nominee_must_be_what_the_category_takes(tina, categories):
    home = f.household("H-1", 1)
    shop = f.organisation("柳塘超市", OrganisationKind.PRIVATE_ENTERPRISE, TOWNSHIP_A)
    with pytest.raises(ValidationError) as refused:
        actions.nominate(
            category=categories["city_department"], organisation=shop, reason="好", by=tina
        )
    assert refused.value.message_dict == {"nominee": ["This category takes a department."]}
    with pytest.raises(ValidationError):
        actions.nominate(category=categories["market_entity"], household=home, reason="好", by=tina)
    actions.nominate(category=categories["market_entity"], organisation=shop, reason="好", by=tina)
    with pytest.raises(ValidationError):
        actions.nominate(
            category=categories["market_entity"], organisation=shop, reason="又", by=tina
        )
    assert Nomination.objects.count() == 1


def test_no_one_nominates_outside_their_region(tina, vera, categories):
    elsewhere = f.household("H-9", 9, village=VILLAGE_B1)
    for who in (tina, vera):
        with pytest.raises(PermissionDenied):
            actions.nominate(
                category=categories["hardworking_household"],
                household=elsewhere,
                reason="好",
                by=who,
            )
    assert not Nomination.objects.exists()


def test_a_story_with_a_phone_number_is_refused_and_kept_nowhere(vera):
    with pytest.raises(ValidationError) as refused:
        actions.submit_story(
            campaign="最美帮扶人",
            title="好人",
            author="李老师",
            text="联系电话 13812345678",
            region=f.region(VILLAGE_A1),
            by=vera,
        )
    assert "text" in refused.value.message_dict
    assert not StorySubmission.objects.exists()


def test_a_village_sends_a_story_and_its_township_reviews_it(vera, tina, tom):
    story = actions.submit_story(
        campaign="最美帮扶人",
        title="驻村三年",
        author="李老师",
        text="他走遍了每一户。",
        region=f.region(VILLAGE_A1),
        by=vera,
    )
    assert list(stories_visible_to(tina)) == [story]
    assert list(stories_visible_to(tom)) == []
    with pytest.raises(PermissionDenied):
        actions.review_story(story=story, accepted=True, reason="", by=tom)
    with pytest.raises(PermissionDenied):
        actions.review_story(story=story, accepted=True, reason="", by=vera)
    with pytest.raises(ValidationError) as refused:
        actions.review_story(story=story, accepted=False, reason="", by=tina)
    assert "reason" in refused.value.message_dict
    reviewed = actions.review_story(story=story, accepted=True, reason="", by=tina)
    assert reviewed.status == "accepted"
