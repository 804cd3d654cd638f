"""Programmes, their targets, and pairings kept as history; coverage on a day."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import CITY, TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from tongxing.audit.models import AuditEvent
from tongxing.programs import actions, selectors
from tongxing.programs.models import Kind, Pairing, ProgrammeTarget
from tongxing.programs.tests import factories as f
from tongxing.regions.models import Region

D = datetime.date


def test_villages_are_added_by_tag_once_and_by_hand(alice):
    prog = f.programme()
    added = actions.add_targets_by_tag(programme=prog, tag="key_poor_village", by=alice)
    assert [t.region_id for t in added] == [VILLAGE_A1, VILLAGE_A2]
    # A2 is also a relocation village: it stays one target.
    again = actions.add_targets_by_tag(programme=prog, tag="relocation_village", by=alice)
    assert again == []
    actions.add_target(programme=prog, region=Region.objects.get(code=VILLAGE_B1), by=alice)
    assert list(prog.targets.values_list("region_code", flat=True)) == [
        VILLAGE_A1,
        VILLAGE_A2,
        VILLAGE_B1,
    ]
    assert AuditEvent.objects.filter(action="programme.targets_added").count() == 2


def test_a_village_programme_refuses_a_township_as_target(alice):
    prog = f.programme()
    with pytest.raises(ValidationError) as exc:
        actions.add_target(programme=prog, region=Region.objects.get(code=TOWNSHIP_A), by=alice)
    assert "region" in exc.value.message_dict


def test_a_paired_county_outside_the_city_is_scoped_to_the_office_that_runs_it(alice, carl):
    prog = f.programme(kind=Kind.PAIRED_COUNTY, name="对口帮扶")
    far = Region.objects.create(code="590201000000", name="远县", level=3, parent_id="590200000000")
    target = actions.add_target(programme=prog, region=far, by=alice)
    assert target.region_code == CITY


def test_a_township_station_may_not_create_a_programme(tina):
    with pytest.raises(PermissionDenied):
        actions.create_programme(
            kind=Kind.ENTERPRISE_VILLAGE,
            name="百企联百村",
            starts_on=f.START,
            region=Region.objects.get(code=CITY),
            by=tina,
        )


def test_the_programme_is_refused_field_by_field(alice):
    with pytest.raises(ValidationError) as exc:
        actions.create_programme(
            kind="bogus",
            name="\x07",
            starts_on=D(2026, 5, 1),
            ends_on=D(2026, 4, 1),
            region=Region.objects.get(code=VILLAGE_A1),
            by=alice,
        )
    assert set(exc.value.message_dict) == {"kind", "name", "ends_on", "region"}


def test_ending_a_pairing_keeps_it_as_history(alice):
    prog = f.programme()
    helper = f.enterprise()
    pairing = f.pairing(prog, VILLAGE_A1, helper)
    actions.end_pairing(pairing=pairing, until=D(2026, 6, 30), by=alice)
    pairing.refresh_from_db()
    assert (pairing.since, pairing.until) == (D(2026, 3, 1), D(2026, 6, 30))
    with pytest.raises(ValidationError):
        actions.end_pairing(pairing=pairing, until=D(2026, 7, 30), by=alice)


def test_changing_the_helper_closes_the_pairing_and_opens_a_new_one(alice):
    prog = f.programme()
    first, second = f.enterprise(), f.enterprise("松林建材公司", serial=12)
    old = f.pairing(prog, VILLAGE_A1, first)
    new = actions.change_pairing(pairing=old, on=D(2026, 7, 1), helper=second, by=alice)
    old.refresh_from_db()
    assert old.until == D(2026, 6, 30)
    assert (new.helper, new.since, new.until, new.replaces) == (second, D(2026, 7, 1), None, old)
    assert new.target_id == old.target_id
    assert list(Pairing.objects.values_list("helper__name", "since", "until")) == [
        ("青禾食品有限公司", D(2026, 3, 1), D(2026, 6, 30)),
        ("松林建材公司", D(2026, 7, 1), None),
    ]
    event = AuditEvent.objects.get(action="pairing.changed")
    assert event.before["helper"] == first.pk and event.after["helper"] == second.pk


def test_a_pairing_is_not_changed_on_its_first_day_nor_into_itself(alice):
    prog = f.programme()
    helper = f.enterprise()
    old = f.pairing(prog, VILLAGE_A1, helper)
    with pytest.raises(ValidationError) as exc:
        actions.change_pairing(pairing=old, on=f.START, helper=f.enterprise("乙", 12), by=alice)
    assert "on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.change_pairing(pairing=old, on=D(2026, 5, 1), helper=helper, by=alice)
    assert "helper" in exc.value.message_dict
    assert Pairing.objects.count() == 1


def test_one_helper_is_not_paired_twice_with_the_same_target_at_once(alice):
    prog = f.programme()
    helper = f.enterprise()
    f.pairing(prog, VILLAGE_A1, helper)
    with pytest.raises(ValidationError) as exc:
        f.pairing(prog, VILLAGE_A1, helper, since=D(2026, 4, 1))
    assert "helper" in exc.value.message_dict


def test_coverage_lists_the_targets_with_no_pairing_active_on_the_day(alice):
    prog = f.programme()
    actions.add_targets_by_tag(programme=prog, tag="key_poor_village", by=alice)
    actions.add_target(programme=prog, region=Region.objects.get(code=VILLAGE_B1), by=alice)
    a1 = f.pairing(prog, VILLAGE_A1, f.enterprise())
    f.pairing(prog, VILLAGE_B1, f.enterprise("乙", 12), since=D(2026, 5, 1))
    actions.end_pairing(pairing=a1, until=D(2026, 8, 31), by=alice)

    def gaps(day):
        return sorted(
            selectors.uncovered_targets(prog.targets.all(), day).values_list("region_id", flat=True)
        )

    assert gaps(D(2026, 4, 1)) == [VILLAGE_A2, VILLAGE_B1]
    assert gaps(D(2026, 8, 31)) == [VILLAGE_A2]
    assert gaps(D(2026, 9, 1)) == [VILLAGE_A1, VILLAGE_A2]


def test_a_township_station_sees_the_programme_through_its_own_targets_only(alice, tina, tom):
    prog = f.programme()
    actions.add_target(programme=prog, region=Region.objects.get(code=VILLAGE_A1), by=alice)
    assert list(selectors.programmes_visible_to(tina)) == [prog]
    assert list(selectors.programmes_visible_to(tom)) == []
    assert list(selectors.targets_visible_to(tina).values_list("region_id", flat=True)) == [
        VILLAGE_A1
    ]
    assert not selectors.targets_visible_to(tom).exists()
    assert ProgrammeTarget.objects.count() == 1


def test_only_the_city_office_of_the_programme_pairs(alice, tina, carl):
    prog = f.programme()
    target = actions.add_target(
        programme=prog, region=Region.objects.get(code=VILLAGE_A1), by=alice
    )
    helper = f.enterprise()
    for outsider in (tina, carl):
        with pytest.raises(PermissionDenied):
            actions.pair(target=target, helper=helper, since=f.START, by=outsider)
    assert not Pairing.objects.exists()
