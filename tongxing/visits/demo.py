"""The demo city's year of visits (about 200,000 at city scale), heaviest on 17 October, the
campaign day: recorded in bulk through `actions.record_visits`, which checks each visit as
the single action does.

Who visits whom, in the year:
- each household registered poor, by its assigned cadre, about once a month;
- every household registered poor, under monitoring or exited, by its village's party
  secretary, first secretary or work-team members, about four times;
- three in four of the poor households (registered or monitored), once, by their township's
  party secretary;
- on 17 October, six in ten of those households, by their cadre or their village's staff,
  with clothing, grain and oil, sometimes cash;
- about forty visits of the city party secretary to key poor villages, a few on 17 October.

Its entry is `build(ctx)`; the demo command does not run it yet.
"""

import datetime
import itertools
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing.regions.codes import Level, ancestor_code
from tongxing.regions.models import Region
from tongxing.registry.models import HelperAssignment, Household, HouseholdStatus, Person, Position
from tongxing.visits import actions
from tongxing.visits.actions import DeliveryLine, RecordedVisit, VisitData
from tongxing.visits.models import DEFAULT_CAMPAIGN_MONTH_DAY, DeliveryKind, Purpose, Visit

VISITED = (
    HouseholdStatus.REGISTERED_POOR,
    HouseholdStatus.UNDER_MONITORING,
    HouseholdStatus.EXITED,
)
POOR = (HouseholdStatus.REGISTERED_POOR, HouseholdStatus.UNDER_MONITORING)
VILLAGE_STAFF = (
    Position.VILLAGE_PARTY_SECRETARY,
    Position.FIRST_SECRETARY,
    Position.WORK_TEAM_MEMBER,
)
PURPOSES = [
    (Purpose.CONDOLENCE, 5),
    (Purpose.SURVEY, 3),
    (Purpose.POLICY_EXPLANATION, 3),
    (Purpose.CLINIC_FOLLOW_UP, 1),
    (Purpose.OTHER, 1),
]
FINDINGS = [
    "",
    "",
    "",
    "家中老人身体尚好，按时服药。",
    "屋顶有漏雨，需要修缮。",
    "孩子上学情况良好。",
    "冬季取暖用品不足。",
    "务工收入稳定。",
    "医疗报销已办理。",
]
# Visits recorded a transaction at a time: a writer holds SQLite's one lock that long.
BATCH = 5000


def build(ctx) -> None:
    """Record the year's visits of the demo city (nothing when the year has them already)."""
    start = datetime.date(ctx.year, 1, 1)
    last = min(datetime.date(ctx.year, 12, 31), timezone.localdate())
    if last < start or Visit.objects.filter(visited_on__gte=start, visited_on__lte=last).exists():
        return
    planned = Planner(ctx, start, last).plan()
    with ctx.step(_("Visits"), len(planned)) as advance:
        for offset in range(0, len(planned), BATCH):
            batch = planned[offset : offset + BATCH]
            actions.record_visits(visits=batch, by=None)
            advance(len(batch))


class Planner:
    def __init__(self, ctx, start: datetime.date, last: datetime.date) -> None:
        self.rng = ctx.rng("visits")
        self.year = ctx.year
        self.start, self.last = start, last
        self.days = (last - start).days + 1
        self.campaign_day = datetime.date(ctx.year, *DEFAULT_CAMPAIGN_MONTH_DAY)
        self.visits: list[RecordedVisit] = []
        self.zone = timezone.get_current_timezone()
        self.now = timezone.now()  # today's visits are recorded by now, not this evening
        # Drawn from cumulative weights: `choices` would add the weights up at every draw.
        self.purposes, weights = zip(*PURPOSES, strict=True)
        self.purpose_weights = list(itertools.accumulate(weights))

    def load(self) -> None:
        self.households = list(
            Household.objects.filter(status__in=VISITED)
            .select_related("village")
            .order_by("registry_number")
        )
        self.cadre_of: dict[int, Person] = {}
        assignments = HelperAssignment.objects.filter(until__isnull=True).select_related(
            "person__region"
        )
        for assignment in assignments.order_by("household_id", "pk"):
            self.cadre_of.setdefault(assignment.household_id, assignment.person)
        self.staff_of: dict[str, list[Person]] = defaultdict(list)
        self.secretary_of: dict[str, Person] = {}
        self.city_secretaries: list[Person] = []
        people = Person.objects.filter(
            position__in=(
                *VILLAGE_STAFF,
                Position.TOWNSHIP_PARTY_SECRETARY,
                Position.CITY_PARTY_SECRETARY,
            )
        ).select_related("region")
        for person in people.order_by("pk"):
            if person.position in VILLAGE_STAFF:
                self.staff_of[person.region_id].append(person)
            elif person.position == Position.TOWNSHIP_PARTY_SECRETARY:
                self.secretary_of.setdefault(person.region_id, person)
            else:
                self.city_secretaries.append(person)
        self.key_villages = list(
            Region.objects.filter(level=Level.VILLAGE, key_poor_village=True).order_by("code")
        )

    def plan(self) -> list[RecordedVisit]:
        self.load()
        rng = self.rng
        on_campaign_day = self.start <= self.campaign_day <= self.last
        for household in self.households:
            cadre = self.cadre_of.get(household.pk)
            staff = self.staff_of.get(household.village_id, [])
            if cadre is not None and household.status == HouseholdStatus.REGISTERED_POOR:
                for _n in range(rng.randint(9, 14)):
                    self.add(cadre, household, self.any_day())
            for _n in range(rng.randint(3, 5) if staff else 0):
                self.add(rng.choice(staff), household, self.any_day())
            if household.status in POOR:
                township = ancestor_code(household.village_id, Level.TOWNSHIP)
                secretary = self.secretary_of.get(township)
                if secretary is not None and rng.random() < 0.75:
                    self.add(secretary, household, self.any_day())
            if on_campaign_day and rng.random() < 0.6:
                who = cadre if cadre is not None and rng.random() < 0.7 else None
                who = who or (rng.choice(staff) if staff else None)
                if who is not None:
                    self.add(who, household, self.campaign_day, lines=self.gifts())
        for secretary in self.city_secretaries:
            for village in rng.sample(self.key_villages, min(40, len(self.key_villages))):
                day = self.campaign_day if on_campaign_day and rng.random() < 0.1 else None
                self.add(secretary, None, day or self.any_day(), village=village)
        self.visits.sort(key=lambda item: (item.data.visited_on, item.key))
        return self.visits

    def any_day(self) -> datetime.date:
        return self.start + datetime.timedelta(days=self.rng.randrange(self.days))

    def gifts(self) -> list[DeliveryLine]:
        rng = self.rng
        lines = []
        if rng.random() < 0.7:
            lines.append(DeliveryLine(DeliveryKind.CLOTHING, rng.randint(1, 5)))
        if rng.random() < 0.8:
            lines.append(DeliveryLine(DeliveryKind.GRAIN_OIL, rng.choice((10, 20, 25, 30, 50))))
        if rng.random() < 0.3:
            lines.append(DeliveryLine(DeliveryKind.CASH, rng.choice((200, 300, 500, 1000)) * 100))
        return lines

    def add(self, visitor, household, day, *, village=None, lines=()) -> None:
        rng = self.rng
        purposes, weights = zip(*PURPOSES, strict=True)
        purpose = (
            Purpose.CONDOLENCE if day == self.campaign_day else rng.choices(purposes, weights)[0]
        )
        data = VisitData(
            visitor=visitor,
            visited_on=day,
            purpose=purpose,
            household=household,
            village=village,
            findings=rng.choice(FINDINGS),
            deliveries=list(lines),
        )
        # The office's zone is a zoneinfo zone, for which this is what make_aware does.
        moment = datetime.datetime.combine(
            day, datetime.time(rng.randint(17, 21), rng.randint(0, 59)), tzinfo=self.zone
        )
        moment = min(moment, self.now)
        self.visits.append(
            RecordedVisit(data=data, recorded_at=moment, key=f"demo-{self.year}-{len(self.visits)}")
        )
