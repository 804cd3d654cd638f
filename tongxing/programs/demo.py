"""The pairing programmes of the demo city, built through the actions (entry: `build(ctx)`).

For each city of the demo: an enterprise–village programme (百企联百村) over every tagged
village, each paired with a private enterprise of its own township where there is one,
with a few gaps (a village never paired, a pairing ended before the year's end), pledges
and disbursements (some of materials, a few beyond the pledge with a reason); a paired
county (对口帮扶) helped by city departments with funds and materials; designated
assistance (定点帮扶) of provincial key and key poor villages by departments; a school
pairing with teacher exchanges; and labour cooperation with partner regions and job fairs.

The demo's towns have no neighbours at the small and city scales, so the paired county
and the partner regions are the city's own last counties there; at the province scale the
partner regions are the next cities. A second run adds nothing.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing.programs import actions
from tongxing.programs.models import DisbursementKind, Kind, Programme
from tongxing.queries import prefix_q
from tongxing.regions.codes import Level
from tongxing.regions.models import TAGS, Region
from tongxing.registry.models import Organisation, OrganisationKind

NAMES = {
    Kind.ENTERPRISE_VILLAGE: "百企联百村",
    Kind.PAIRED_COUNTY: "对口帮扶",
    Kind.DESIGNATED_UNIT: "省直单位定点帮扶",
    Kind.SCHOOL_PAIRING: "城乡教育结对",
    Kind.LABOUR_COOPERATION: "劳务协作",
}
# Shares of the enterprise–village targets left without a helper at the year's end.
NEVER_PAIRED = 0.03
ENDED_EARLY = 0.04


def build(ctx) -> None:
    rng = ctx.rng("programs")
    cities = list(Region.objects.filter(level=Level.CITY).order_by("code"))
    with ctx.step(_("Pairing programmes, city by city"), len(cities)) as advance:
        for city in cities:
            partners = [c for c in cities if c.code != city.code][:2]
            with transaction.atomic():
                CityProgrammes(ctx, rng, city, partners).build()
            advance()


class CityProgrammes:
    def __init__(self, ctx, rng, city: Region, partners: list[Region]) -> None:
        self.rng = rng
        self.city = city
        self.partners = partners
        self.today = timezone.localdate()
        self.year = ctx.year

    def day(self, month: int, day: int = 1) -> datetime.date:
        """A day of the demo year, never after today (the actions refuse the future)."""
        return min(datetime.date(self.year, month, day), self.today)

    def programme(self, kind: str, starts_on: datetime.date) -> Programme | None:
        """The programme, made now; None if a run before made it."""
        name = f"{self.year}年{NAMES[kind]}"
        if Programme.objects.filter(region=self.city, name=name).exists():
            return None
        return actions.create_programme(
            kind=kind, name=name, starts_on=starts_on, region=self.city, by=None
        )

    def orgs(self, kind: str) -> list[Organisation]:
        return list(
            Organisation.objects.filter(prefix_q("region__code", self.city.prefix), kind=kind)
            .select_related("region")
            .order_by("pk")
        )

    def build(self) -> None:
        self.enterprise_village()
        counties = list(
            Region.objects.filter(prefix_q("code", self.city.prefix), level=Level.COUNTY).order_by(
                "code"
            )
        )
        departments = self.orgs(OrganisationKind.GOVERNMENT_DEPARTMENT)
        if counties and departments:
            self.paired_county(counties[-1], departments[:3])
            self.designated_units(departments[3:13])
        self.schools()
        partners = self.partners or counties[-2:]
        if partners:
            self.labour(partners)

    # --- 百企联百村 ----------------------------------------------------------------------------

    def enterprise_village(self) -> None:
        programme = self.programme(Kind.ENTERPRISE_VILLAGE, self.day(3))
        if programme is None:
            return
        for tag in TAGS:
            actions.add_targets_by_tag(programme=programme, tag=tag, by=None)
        enterprises: dict[str, list[Organisation]] = {}
        for enterprise in self.orgs(OrganisationKind.PRIVATE_ENTERPRISE):
            enterprises.setdefault(enterprise.region_id[:9], []).append(enterprise)
        every = [e for group in enterprises.values() for e in group]
        if not every:
            return
        used: dict[str, int] = {}
        targets = programme.targets.select_related("region").order_by("region_id")
        for target in targets:
            if self.rng.random() < NEVER_PAIRED:
                continue
            township = target.region_id[:9]
            own = enterprises.get(township) or every
            helper = own[used.get(township, 0) % len(own)]
            used[township] = used.get(township, 0) + 1
            since = self.day(3, self.rng.randint(1, 28))
            pairing = actions.pair(target=target, helper=helper, since=since, by=None)
            self.money(pairing, since)
            if self.rng.random() < ENDED_EARLY:
                until = max(self.day(11, 30), since)
                actions.end_pairing(pairing=pairing, until=until, by=None)

    def money(self, pairing, since: datetime.date) -> None:
        pledged = self.rng.randint(5, 60) * 10_000_00  # ¥50,000 to ¥600,000
        actions.record_pledge(
            pairing=pairing,
            amount_fen=pledged,
            purpose=self.rng.choice(("修建村道", "发展特色种植", "产业扶持资金", "助学金")),
            pledged_on=since,
            by=None,
        )
        share = self.rng.choice((0.4, 0.6, 0.8, 1.0))
        funds = int(pledged * share) // 100 * 100
        if funds:
            actions.record_disbursement(
                pairing=pairing,
                kind=DisbursementKind.FUNDS,
                amount_fen=funds,
                disbursed_on=self.day(6, self.rng.randint(1, 28)),
                by=None,
            )
        if self.rng.random() < 0.2:
            # Materials on top: sometimes beyond what was pledged, with the reason.
            actions.record_disbursement(
                pairing=pairing,
                kind=DisbursementKind.MATERIALS,
                amount_fen=self.rng.randint(1, 5) * 10_000_00,
                description=self.rng.choice(("化肥 20 吨", "冬衣 300 件", "课桌椅 80 套")),
                disbursed_on=self.day(9, self.rng.randint(1, 28)),
                excess_reason="企业追加的物资捐赠",
                by=None,
            )

    # --- 对口帮扶, 定点帮扶 --------------------------------------------------------------------

    def paired_county(self, county: Region, departments: list[Organisation]) -> None:
        programme = self.programme(Kind.PAIRED_COUNTY, self.day(1))
        if programme is None:
            return
        target = actions.add_target(programme=programme, region=county, by=None)
        for department in departments:
            pairing = actions.pair(target=target, helper=department, since=self.day(1), by=None)
            pledged = self.rng.randint(50, 200) * 10_000_00
            actions.record_pledge(
                pairing=pairing,
                amount_fen=pledged,
                purpose="对口帮扶资金和物资",
                pledged_on=self.day(2),
                by=None,
            )
            actions.record_disbursement(
                pairing=pairing,
                kind=DisbursementKind.FUNDS,
                amount_fen=pledged * 3 // 4,
                disbursed_on=self.day(5),
                by=None,
            )
            actions.record_disbursement(
                pairing=pairing,
                kind=DisbursementKind.MATERIALS,
                amount_fen=pledged // 5,
                description="防疫和生活物资",
                disbursed_on=self.day(10),
                by=None,
            )

    def designated_units(self, departments: list[Organisation]) -> None:
        villages = list(
            Region.objects.filter(
                prefix_q("code", self.city.prefix), level=Level.VILLAGE, provincial_key_village=True
            ).order_by("code")
        ) or list(
            Region.objects.filter(
                prefix_q("code", self.city.prefix), level=Level.VILLAGE, key_poor_village=True
            ).order_by("code")[: len(departments)]
        )
        if not villages or not departments:
            return
        programme = self.programme(Kind.DESIGNATED_UNIT, self.day(1))
        if programme is None:
            return
        for village, unit in zip(villages, departments, strict=False):
            target = actions.add_target(programme=programme, region=village, by=None)
            actions.pair(target=target, helper=unit, since=self.day(1), by=None)

    # --- 教育结对, 劳务协作 --------------------------------------------------------------------

    def schools(self) -> None:
        schools = self.orgs(OrganisationKind.SCHOOL)
        half = len(schools) // 2
        if half == 0:
            return
        programme = self.programme(Kind.SCHOOL_PAIRING, self.day(2))
        if programme is None:
            return
        # The schools of the city's first townships help those of its last ones.
        for helper, school in zip(schools[:half], reversed(schools[half:]), strict=False):
            target = actions.add_target(programme=programme, organisation=school, by=None)
            pairing = actions.pair(target=target, helper=helper, since=self.day(2), by=None)
            for month, direction in ((4, "to_target"), (10, "to_helper")):
                actions.record_exchange(
                    pairing=pairing,
                    people=self.rng.randint(2, 6),
                    exchanged_on=self.day(month, 15),
                    direction=direction,
                    note="骨干教师交流",
                    by=None,
                )

    def labour(self, partners: list[Region]) -> None:
        programme = self.programme(Kind.LABOUR_COOPERATION, self.day(1))
        if programme is None:
            return
        for partner in partners:
            target = actions.add_target(programme=programme, region=partner, by=None)
            for month in (2, 5, 8, 11):
                actions.record_labour_activity(
                    target=target,
                    kind="job_fair",
                    held_on=self.day(month, 10),
                    people_placed=self.rng.randint(20, 120),
                    note="春风行动专场招聘会" if month == 2 else "",
                    by=None,
                )
