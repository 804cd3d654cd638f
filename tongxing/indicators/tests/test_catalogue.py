"""Every fixed code of indicators.md is declared once, with a unit, a display and a label."""

from tongxing.indicators.catalogue import BY_CODE, INDICATORS, Display, Unit

# The fixed codes of indicators.md, section by section (the templated codes,
# ecommerce.training.<id>.* and assessment.score.<unit>, come with their records).
SPEC_CODES = {
    1: "publicity.news_items policy.categories policy.compendium_year",
    2: "pairing.program_start_month pairing.villages.key_poor pairing.villages.relocation "
    "pairing.villages.provincial_key pairing.enterprises pairing.coverage_rate "
    "pairing.pledged_fen pairing.disbursed_fen",
    3: "awards.selected.hardworking_household awards.selected.village_team_member "
    "awards.selected.pairing_cadre awards.selected.city_department "
    "awards.selected.market_entity awards.stories_submitted events.contests",
    4: "wishes.children wishes.townships wishes.raised_fen wishes.fulfilled_children "
    "wishes.coverage_rate visits.city_secretary.count visits.city_secretary.villages "
    "visits.township_secretary.household_rate visits.day.visitors visits.day.households "
    "visits.day.clothing_pieces visits.day.grain_oil_jin",
    5: "cooperation.paired_county.funds_fen cooperation.paired_county.materials_fen "
    "cooperation.labor.partner_regions cooperation.education.teachers_exchanged "
    "cooperation.designated.units",
    6: "platform.as_of platform.donors_registered platform.households_registered "
    "platform.admins needs.goods.posted needs.goods.matched needs.goods.match_rate "
    "needs.funds.posted needs.funds.matched needs.funds.match_rate needs.delivered_rate",
    7: "ecommerce.center.companies ecommerce.center.people ecommerce.trainings.count "
    "ecommerce.trainings.poor_attendances ecommerce.trainings.income_gain_fen "
    "ecommerce.trainings.cumulative_trainees",
    8: "consumption.pavilion.suppliers consumption.pavilion.products "
    "consumption.sales.online_fen consumption.sales.offline_fen "
    "consumption.sales.household_own_fen consumption.sales.other_entities_fen "
    "consumption.procurement_fen fair.online_viewers fair.online_orders "
    "fair.online_sales_fen fair.offline_enterprises fair.offline_enterprise_sales_fen "
    "fair.townships fair.township_sales_fen fair.total_sales_fen",
    9: "health.clinics.events health.clinics.institutions health.clinics.sites "
    "health.clinics.people_served",
    10: "plans.target_attainment",
}
# The codes each app keeps the records of; the rest are "not recorded yet".
COMPUTED = {
    "wishes.children",
    "wishes.townships",
    "wishes.raised_fen",
    "wishes.fulfilled_children",
    "wishes.coverage_rate",
    "platform.as_of",
    "platform.donors_registered",
    "platform.donors_gave",
    "platform.households_registered",
    "platform.admins",
    "needs.goods.posted",
    "needs.goods.matched",
    "needs.goods.match_rate",
    "needs.funds.posted",
    "needs.funds.matched",
    "needs.funds.match_rate",
    "needs.delivered_rate",
}


BEYOND_SPEC = {"platform.donors_gave": 6}


def test_every_code_of_the_spec_is_declared_once_in_its_section():
    codes = [indicator.code for indicator in INDICATORS]
    assert len(codes) == len(set(codes))
    expected = {code: section for section, text in SPEC_CODES.items() for code in text.split()}
    assert len(expected) == 72
    # Beside a headline that can flatter, its honest companion (issue 11): not in the spec.
    expected |= BEYOND_SPEC
    assert {indicator.code: indicator.section for indicator in INDICATORS} == expected


PAIRING_AND_COOPERATION = {code for code in (SPEC_CODES[2] + " " + SPEC_CODES[5]).split()}
VISITS = {code for code in SPEC_CODES[4].split() if code.startswith("visits.")}
# The whole section, the fair's figures included (a fair's sales are its sales records).
CONSUMPTION = set(SPEC_CODES[8].split())
EVENTS = {code for section in (1, 3, 7, 9) for code in SPEC_CODES[section].split()}


def test_the_codes_with_records_are_those_of_the_apps_that_keep_them():
    recorded = {indicator.code for indicator in INDICATORS if indicator.recorded}
    assert recorded == COMPUTED | PAIRING_AND_COOPERATION | VISITS | CONSUMPTION | EVENTS


def test_no_code_of_the_sections_of_events_and_commerce_is_not_recorded():
    not_recorded = {
        indicator.code
        for indicator in INDICATORS
        if indicator.section in (1, 3, 7, 8, 9) and not indicator.recorded
    }
    assert not_recorded == set()


def test_units_and_displays_follow_the_code():
    for indicator in INDICATORS:
        assert str(indicator.label)
        if indicator.code.endswith("_fen"):
            assert indicator.unit == Unit.FEN
            assert indicator.display in (Display.WAN_YUAN, Display.YI_YUAN)
        if indicator.code.endswith("_rate") or indicator.unit == Unit.PERCENT:
            assert indicator.display == Display.PERCENT and not indicator.additive
    # The report shows the offline sales and the other entities' in 亿元.
    assert BY_CODE["consumption.sales.offline_fen"].display == Display.YI_YUAN
    assert BY_CODE["consumption.sales.other_entities_fen"].display == Display.YI_YUAN
    assert BY_CODE["pairing.pledged_fen"].display == Display.WAN_YUAN
