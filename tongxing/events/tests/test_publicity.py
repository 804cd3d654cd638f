"""Publicity items and the policy library with its yearly compendium."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import CITY, TOWNSHIP_A, TOWNSHIP_B
from tongxing.events.actions import publicity as actions
from tongxing.events.models import PolicyDocument, PublicityItem
from tongxing.events.selectors import policies_visible_to, publicity_visible_to
from tongxing.events.tests import factories as f


def test_a_publicity_item_is_recorded_with_its_link(alice):
    item = actions.record_publicity(
        title="青禾市社会帮扶纪实",
        outlet="人民日报",
        outlet_level="national",
        published_on=datetime.date(2020, 6, 1),
        link="https://example.org/a",
        region=f.region(CITY),
        by=alice,
    )
    assert item.outlet_level == "national"


def test_bad_publicity_is_refused_field_by_field(alice):
    with pytest.raises(ValidationError) as refused:
        actions.record_publicity(
            title="",
            outlet="报",
            outlet_level="village",
            published_on=datetime.date(2999, 1, 1),
            link="javascript:alert(1)",
            region=f.region(CITY),
            by=alice,
        )
    assert set(refused.value.message_dict) == {"title", "outlet_level", "published_on", "link"}
    assert not PublicityItem.objects.exists()


def test_a_file_that_is_neither_a_document_nor_a_photo_is_refused(alice):
    with pytest.raises(ValidationError) as refused:
        actions.record_publicity(
            title="报道",
            outlet="青禾日报",
            outlet_level="city",
            published_on=datetime.date(2020, 6, 1),
            file=SimpleUploadedFile("a.exe", b"MZ\x90\x00rest"),
            region=f.region(CITY),
            by=alice,
        )
    assert "file" in refused.value.message_dict


def test_a_policy_document_is_kept_with_its_file_and_read_by_the_townships(alice, tina, victor):
    document = actions.add_policy(
        title="关于兜底保障的意见",
        category="social_security",
        issuing_body="市民政局",
        in_force_from=datetime.date(2020, 1, 1),
        file=SimpleUploadedFile("p.pdf", b"%PDF-1.4 text"),
        region=f.region(CITY),
        by=alice,
    )
    assert document.file.read().startswith(b"%PDF-")
    assert list(policies_visible_to(tina)) == [document]
    assert list(policies_visible_to(victor)) == [document]


def test_a_township_keeps_its_own_policies_and_not_another_townships(tina, tree):
    actions.add_policy(
        title="乡镇政策",
        category="industry",
        issuing_body="柳塘镇",
        in_force_from=datetime.date(2020, 1, 1),
        region=f.region(TOWNSHIP_A),
        by=tina,
    )
    with pytest.raises(PermissionDenied):
        actions.add_policy(
            title="别的乡镇",
            category="industry",
            issuing_body="镇",
            in_force_from=datetime.date(2020, 1, 1),
            region=f.region(TOWNSHIP_B),
            by=tina,
        )
    with pytest.raises(PermissionDenied):
        actions.add_policy(
            title="市里的",
            category="industry",
            issuing_body="市",
            in_force_from=datetime.date(2020, 1, 1),
            region=f.region(CITY),
            by=tina,
        )
    assert PolicyDocument.objects.count() == 1


def test_a_policy_cannot_lapse_before_it_comes_into_force(alice):
    with pytest.raises(ValidationError) as refused:
        actions.add_policy(
            title="政策",
            category="health",
            issuing_body="市卫健委",
            in_force_from=datetime.date(2020, 5, 1),
            in_force_until=datetime.date(2020, 1, 1),
            region=f.region(CITY),
            by=alice,
        )
    assert "in_force_until" in refused.value.message_dict


def test_the_compendium_is_made_once_a_year_and_published(alice, tina):
    compendium = actions.create_compendium(year=2020, region=f.region(CITY), by=alice)
    with pytest.raises(ValidationError):
        actions.create_compendium(year=2020, region=f.region(CITY), by=alice)
    with pytest.raises(PermissionDenied):
        actions.publish_compendium(
            compendium=compendium, published_on=datetime.date(2020, 12, 1), by=tina
        )
    actions.publish_compendium(
        compendium=compendium, published_on=datetime.date(2020, 12, 1), by=alice
    )
    compendium.refresh_from_db()
    assert compendium.published_on == datetime.date(2020, 12, 1)


def test_publicity_reads_are_cut_to_the_region_and_above(alice, tina, tom):
    city = actions.record_publicity(
        title="市",
        outlet="青禾日报",
        outlet_level="city",
        published_on=datetime.date(2020, 6, 1),
        region=f.region(CITY),
        by=alice,
    )
    ours = actions.record_publicity(
        title="镇",
        outlet="区台",
        outlet_level="county",
        published_on=datetime.date(2020, 6, 1),
        region=f.region(TOWNSHIP_A),
        by=tina,
    )
    assert set(publicity_visible_to(tina)) == {city, ours}
    assert set(publicity_visible_to(tom)) == {city}
