"""The demo's needs board: a year of needs in every state, made through the needs' actions.

About 50,000 needs in the city, in two parts. Most needs of the year lived and ended
before its last weeks (closed with thanks, expired, rejected, cancelled): they are planned
as histories, every step with its person and moment, and recorded in bulk by
`records.record_needs`, which leaves the rows and audit events the single actions would.
The rest, a few a village, are replayed step by step through the single actions, as
described below: every need still open on the board, and one of each way a need can go,
notifications and all.

Each need gets a fate when the year is planned (closed with thanks, expired and escalated,
rejected, still open on the board, …), and every step of that fate is an action called by
the person who would take it: the village admin posts on the household's behalf, the
township station reviews its queue, donors pledge, contribute and deliver, the village
admin confirms receipt with a note and passes on the household's thanks, the daily sweep
expires what ran out and returns or moves the money of all-or-nothing funds.

The actions stamp their records with `timezone.now()`. Rather than rewriting those stamps
afterwards (the audit log is append-only, and a rewrite would have to keep a dozen columns
of six tables consistent), the demo replays the steps in time order on a clock of its own
(`demo_clock`): each action runs at the moment its step was planned for. Every record then
carries its day of the demo year, the rules check deadlines against that day, and the
order of the dates (posted ≤ submitted ≤ published ≤ matched ≤ confirmed) follows from the
order of the steps. Needs still open when the year ends get deadlines after the day the
demo is built, as far as the rule of a year on the board at most allows, so that the board
is live and the real sweep leaves them alone.
"""

import datetime
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import groupby
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing.access import Role
from tongxing.accounts.models import User
from tongxing.needs import records
from tongxing.needs.actions import common, deadlines, delivery, pledges, posting, review, rules
from tongxing.needs.models import (
    BannedTerm,
    Category,
    FundingPolicy,
    Kind,
    Need,
    Pledge,
    PledgeStatus,
    Status,
    Urgency,
)
from tongxing.regions.codes import Level, ancestor_code, prefix_of
from tongxing.regions.models import Region
from tongxing.registry.actions import create_person, link_household_account
from tongxing.registry.models import (
    Household,
    HouseholdStatus,
    Member,
    Organisation,
    OrganisationKind,
    Person,
    Position,
)
from tongxing.registry.selectors import households_visible_to

# Needs posted per village over the year: about 50,000 in the city, as the needs issue
# asks. Most of them lived and ended before the year's last weeks; they are recorded in
# bulk through `records.record_needs` (each with every step's person, moment and audit
# event). The rest, every need still open and one of each way a need can go, are replayed
# step by step through the single actions, notifications and all (about 45 ms a need).
NEEDS_PER_VILLAGE = {"small": 12, "city": 100, "province": 100}
REPLAYED_PER_VILLAGE = {"small": 3, "city": 4, "province": 4}
# What became of the recorded needs (in percent).
RECORDED_FATES = {"closed": 84.0, "expired": 7.0, "rejected": 5.0, "cancelled": 4.0}
RECORDED_BATCH = 2000  # histories a call of record_needs
# Needs still in progress when the year ends were posted in its last weeks.
LIVE_DAYS = 35
REVIEW_HOUR = 16  # the station goes through its queue in the afternoon

# What becomes of a need, with its share of the year's needs (in percent).
FATES = {
    "closed": 60.0,  # fully pledged, delivered, confirmed; most thanked
    "expired": 8.0,  # unmatched at its deadline: expired and escalated by the sweep
    "expired_closed": 3.0,  # expired with part pledged, which then arrived: closed
    "rejected": 3.0,
    "cancelled": 2.5,
    "open": 4.0,  # on the board, nothing pledged yet
    "partial": 5.5,
    "matched": 3.0,  # fully pledged, waiting for delivery
    "delivered": 3.0,  # delivered, waiting for the household's confirmation
    "submitted": 3.0,  # waiting for review
    "draft": 1.5,
    "reopened": 0.5,  # expired, then put back on the board by the office
}
LIVE_FATES = {"open", "partial", "matched", "delivered", "submitted", "draft", "reopened"}
# One of each, first, so that even the small demo shows every state: (fate, kind, how).
SHOWCASE = [
    ("closed", Kind.GOODS, {"thank": True}),
    ("closed", Kind.FUNDS, {"thank": True}),
    ("closed", Kind.SERVICE, {}),
    ("closed", Kind.WISH, {"thank": True}),
    ("closed", Kind.GOODS, {"over_cap": True}),  # published over the cap, with a reason
    ("expired", Kind.GOODS, {"share": 0.0}),
    # All or nothing, expiring late in the year while other funds are open: of its two
    # contributions one is returned, the other (its donor agreed) moved to another need.
    (
        "expired",
        Kind.FUNDS,
        {
            "policy": FundingPolicy.ALL_OR_NOTHING,
            "parts": [200_00, 300_00],
            "consents": [False, True],
            "expires_before_end": 9,
        },
    ),
    ("expired_closed", Kind.GOODS, {}),
    ("expired_closed", Kind.FUNDS, {}),  # keep what is raised: released at expiry
    ("rejected", Kind.GOODS, {"flagged": False}),
    ("rejected", Kind.GOODS, {"flagged": True}),
    ("cancelled", Kind.GOODS, {"when": "published"}),  # its pledge is withdrawn
    ("cancelled", Kind.FUNDS, {"when": "published"}),  # its contribution is returned
    ("cancelled", Kind.SERVICE, {"when": "draft"}),
    ("open", Kind.FUNDS, {"day": -30, "target_fen": 20_000_00}),
    ("partial", Kind.GOODS, {"withdrawn": True}),  # a donor withdraws, another pledges
    ("matched", Kind.SERVICE, {}),
    ("delivered", Kind.GOODS, {}),
    ("submitted", Kind.GOODS, {}),
    ("draft", Kind.GOODS, {}),
    ("reopened", Kind.GOODS, {}),
]
KIND_SHARES = {Kind.GOODS: 55, Kind.FUNDS: 15, Kind.SERVICE: 15, Kind.WISH: 15}
COLLECTIVE_SHARE = 0.03  # needs of the village itself, not of one household
HOUSEHOLD_WEIGHTS = {
    HouseholdStatus.REGISTERED_POOR: 6,
    HouseholdStatus.UNDER_MONITORING: 4,
    HouseholdStatus.EXITED: 1,
    HouseholdStatus.NOT_POOR: 0.2,
}

# The demo's words (what households need, their stories, the reviewers' and donors' notes)
# are data, in demo_data/: read once, as tuples, each category a Category.
DEMO_DATA = Path(__file__).resolve().parent / "demo_data"


def _tuples(value):
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    return value


def _table(file: str, name: str):
    """A table of a data file: rows as tuples, a table by category keyed by Category."""
    with (DEMO_DATA / f"{file}.json").open(encoding="utf-8") as data:
        value = json.load(data)[name]
    if isinstance(value, dict):
        return {Category(key): _tuples(rows) for key, rows in value.items()}
    return _tuples(value)


def _with_category(rows):
    return tuple((*row[:-1], Category(row[-1])) for row in rows)


# Goods (物品): title, unit, value of one in yuan (from, to), quantity (from, to).
GOODS = _table("needs", "goods")
COLLECTIVE_GOODS = _table("needs", "collective_goods")
# Funds (资金): title, target in yuan (from, to).
FUNDS = _table("needs", "funds")
COLLECTIVE_FUNDS = _table("needs", "collective_funds")
# Services (服务): title, places (from, to), estimated value in yuan.
SERVICES = _table("needs", "services")
COLLECTIVE_SERVICES = _table("needs", "collective_services")
# Micro-wishes (微心愿) of left-behind children: title, value in yuan (from, to).
WISHES = _table("needs", "wishes")
STORIES = _table("needs", "stories")
WISH_STORIES = _table("needs", "wish_stories")
# What the review rules catch: the city office's caps and flagged words, and the needs
# that break them (title, unit, value of one in yuan, category).
VALUE_CAPS = _table("review", "value_caps")
BANNED_TERMS = _table("review", "banned_terms")
# Over the cap, and published all the same: the station gives its reason.
FAIR_OVER_CAP = _with_category(_table("review", "fair_over_cap"))
FLAGGED_GOODS = _with_category(_table("review", "flagged_goods"))
REJECTIONS = _table("review", "rejections")
FLAGGED_REJECTION = _table("review", "flagged_rejection")
OVERRIDES = _table("review", "overrides")
CANCELLATIONS = _table("steps", "cancellations")
WITHDRAWALS = _table("steps", "withdrawals")
DELIVERY_NOTES = _table("steps", "delivery_notes")
CONFIRMATIONS = _table("steps", "confirmations")
THANKS = _table("steps", "thanks")


@dataclass
class Gift:
    """A pledge or contribution as planned, and the pledge once it is made."""

    donor: str  # a username, resolved to the account before the year is replayed
    quantity: int
    at: datetime.datetime
    consent_to_move: bool = False
    withdraw_at: datetime.datetime | None = None
    pledge: Pledge | None = None


@dataclass
class Plan:
    """One need: its fate, what it asks for, and the need once it is posted."""

    fate: str
    village: Region
    data: posting.NeedData
    poster: User
    how: dict
    posted_at: datetime.datetime
    rejection: str = ""
    gifts: list[Gift] = field(default_factory=list)
    need: Need | None = None


@dataclass(order=True)
class Step:
    at: datetime.datetime
    seq: int  # steps planned for the same moment run in the order they were planned
    run: Callable[[], object] = field(compare=False)


class Clock:
    """The moment the actions see as now while the demo replays its year."""

    def __init__(self, moment: datetime.datetime) -> None:
        self.moment = moment

    def now(self) -> datetime.datetime:
        return self.moment


@contextmanager
def demo_clock(moment: datetime.datetime) -> Iterator[Clock]:
    """Run the enclosed code with `timezone.now()` reading the demo's clock.

    Django's auto_now fields, `timezone.localdate()` and the actions' `current_moment()` all look
    `timezone.now` up when they run, so replacing the module's function reaches every
    stamp. The demo runs alone in its process, and the real clock is back on exit.
    """
    clock = Clock(moment)
    real_now = timezone.now
    timezone.now = clock.now
    try:
        yield clock
    finally:
        timezone.now = real_now


def build(ctx) -> None:
    Year(ctx).build()


class Year:
    """Plans the demo year's needs, then replays every step in time order."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.rng = ctx.rng("needs")
        now = timezone.localtime()
        self.today = now.date()
        self.start = timezone.make_aware(datetime.datetime(ctx.year, 1, 1))
        self.end = min(timezone.make_aware(datetime.datetime(ctx.year, 12, 31, 22)), now)
        self.days = max((self.end - self.start).days, 1)
        self.last = self.days - 1  # the index of the year's last full day
        self.steps: list[Step] = []
        self.plans: list[Plan] = []
        self.histories: list[records.NeedHistory] = []  # recorded in bulk
        self.reviews: dict[tuple[str, int], list[Plan]] = defaultdict(list)
        self.used: set[tuple[int, str]] = set()  # (household, category) with a need this year
        self.wished: set[int] = set()  # children with a wish this year
        self.donors: dict[str, User | None] = {}  # every giver's account, by username

    def build(self) -> None:
        if Need.objects.filter(created_at__gte=self.start, created_at__lte=self.end).exists():
            self.name_demo_logins()
            return  # the year is built: a second run adds nothing
        self.load()
        if not self.villages:
            return
        self.plan()
        with demo_clock(self.moment(0, 8)):
            self.set_rules()
        self.record()
        self.steps.sort()
        with (
            self.ctx.step(_("Needs board, steps replayed"), len(self.steps)) as advance,
            demo_clock(self.start) as clock,
        ):
            # One transaction a day: the actions' own blocks become savepoints, and each
            # day's notifications go out (and leave memory) when the day commits.
            for _day, steps in groupby(self.steps, key=lambda step: step.at.date()):
                with transaction.atomic():
                    for step in steps:
                        clock.moment = step.at
                        step.run()
                        advance()
        self.name_demo_logins()

    def load(self) -> None:
        regions = Region.objects.filter(level__in=(Level.CITY, Level.TOWNSHIP, Level.VILLAGE))
        regions = list(regions.order_by("code"))
        self.villages = [region for region in regions if region.level == Level.VILLAGE]
        self.townships = {
            region.code: region for region in regions if region.level == Level.TOWNSHIP
        }
        self.cities = {region.code: region for region in regions if region.level == Level.CITY}
        staff = User.objects.filter(
            role__in=(Role.VILLAGE_ADMIN, Role.TOWNSHIP_ADMIN, Role.CADRE, Role.CITY_ADMIN),
            is_active=True,
        ).select_related("region")
        self.staff = {}
        for user in staff.order_by("username"):
            self.staff.setdefault((user.role, user.region_id), user)
        self.helped = {
            user.pk: set(households_visible_to(user).values_list("pk", flat=True))
            for (role, _region), user in self.staff.items()
            if role == Role.CADRE
        }
        self.households: dict[str, list[Household]] = defaultdict(list)
        for household in Household.objects.select_related("village").order_by("registry_number"):
            self.households[household.village_id].append(household)
        self.children: dict[str, list[Member]] = defaultdict(list)
        children = Member.objects.filter(left_behind_child=True).select_related(
            "household__village"
        )
        for child in children.order_by("household__registry_number", "pk"):
            self.children[child.household.village_id].append(child)
        self.donor_count = User.objects.filter(
            role=Role.DONOR, username__startswith="donor-0"
        ).count()

    # --- Planning ----------------------------------------------------------------------------

    def plan(self) -> None:
        self.plan_demo_logins()
        per_village = REPLAYED_PER_VILLAGE[self.ctx.scale.name]
        fates, shares = list(FATES), list(FATES.values())
        for index, village in enumerate(self.villages):
            showcase = SHOWCASE[index :: len(self.villages)]
            for n in range(per_village):
                if n < len(showcase):
                    fate, kind, how = showcase[n]
                else:
                    fate, kind, how = self.rng.choices(fates, shares)[0], None, {}
                self.plan_need(village, fate, kind, dict(how))
        for (_township, day), plans in sorted(self.reviews.items(), key=lambda item: item[0]):
            self.at(self.moment(day, REVIEW_HOUR), lambda plans=plans: self.review(plans))
        for day in range(1, self.days + 1):
            date = self.moment(day, 1).date()
            self.at(self.moment(day, 1), lambda date=date: deadlines.sweep(today=date))
        usernames = sorted(self.donors)
        for start in range(0, len(usernames), 5000):
            for user in User.objects.filter(username__in=usernames[start : start + 5000]):
                self.donors[user.username] = user

    def plan_recorded(self, village: Region) -> None:
        """Plan a need whose whole life ended before the year's last weeks."""
        rng = self.rng
        fate = rng.choices(list(RECORDED_FATES), list(RECORDED_FATES.values()))[0]
        kind = rng.choices(list(KIND_SHARES), list(KIND_SHARES.values()))[0]
        over_cap = fate == "closed" and kind == Kind.GOODS and rng.random() < 0.01
        how = {"over_cap": True} if over_cap else {}
        urgency = rng.choices(list(Urgency.values), (60, 30, 10))[0]
        span = {Urgency.VERY_URGENT: (15, 20), Urgency.URGENT: (25, 40)}.get(urgency, (45, 90))
        days_given = rng.randint(*span)
        latest = self.last - LIVE_DAYS - 10 - (days_given + 2 if fate == "expired" else 0)
        day = rng.randint(0, max(latest, 0))
        posted = self.moment(day, rng.randint(8, 17), rng.randint(0, 59))
        deadline = posted.date() + datetime.timedelta(days=days_given)
        data = self.need_data(village, kind, fate, urgency, deadline, how)
        history = records.NeedHistory(
            data=data, poster=self.poster(village, data), posted_at=posted, outcome=fate
        )
        self.histories.append(history)
        if fate == "cancelled":  # the poster thinks better of it before review
            history.submitted = rng.random() < 0.5
            history.reason = rng.choice(CANCELLATIONS)
            history.ended_at = self.later(posted, 2, 72)
            return
        review_day = min(day + rng.choice((1, 1, 1, 2, 3)), self.last)
        history.reviewer = self.staff[(Role.TOWNSHIP_ADMIN, township_of(village.code))]
        history.reviewed_at = self.moment(review_day, REVIEW_HOUR, rng.randint(0, 59))
        if fate == "rejected":
            flagged = data.title in {title for title, *_rest in FLAGGED_GOODS}
            history.reason = FLAGGED_REJECTION if flagged else rng.choice(REJECTIONS)
        elif fate == "expired":
            history.ended_at = self.moment((deadline - self.start.date()).days + 1, 1)
        else:
            if how:
                history.override_reason = rng.choice(OVERRIDES)
            history.confirmer = self.staff[(Role.VILLAGE_ADMIN, village.code)]
            self.plan_recorded_gifts(history)

    def plan_recorded_gifts(self, history: records.NeedHistory) -> None:
        """Pledges filling a recorded need, delivered, confirmed and mostly thanked."""
        rng, data = self.rng, history.data
        funds = data.kind == Kind.FUNDS
        start = history.reviewed_at
        deadline = timezone.make_aware(datetime.datetime.combine(data.deadline, datetime.time(20)))
        end = min(deadline - datetime.timedelta(days=2), start + datetime.timedelta(days=14))
        target = {Kind.FUNDS: data.target_fen, Kind.WISH: 1}.get(data.kind, data.quantity)
        parts = self.split(target, money=funds)
        span = (end - start).total_seconds()
        moments = sorted(
            start + datetime.timedelta(seconds=rng.uniform(0.05, 1) * span) for _part in parts
        )
        released = self.later(moments[-1], 24, 96)  # funds: confirmed once they are released
        for part, moment in zip(parts, moments, strict=True):
            gift = records.GiftHistory(
                donor=self.donor(), quantity=part, pledged_at=moment, confirmed_at=released
            )
            if funds:
                gift.payment_reference = self.transfer_reference()
                gift.consent_to_move = rng.random() < 0.3
                gift.confirmation_note = CONFIRMATIONS[3]
            else:
                if rng.random() < 0.9:  # a few donors forget to say they delivered
                    gift.delivered_at = moment = self.later(moment, 24, 144)
                    gift.delivery_note = rng.choice(DELIVERY_NOTES)
                gift.confirmed_at = self.later(moment, 2, 96)
                gift.confirmation_note = rng.choice(CONFIRMATIONS)
            if rng.random() < (0.6 if funds else 0.7):
                gift.rating = rng.choice((5, 5, 5, 4, 4, 3))
                gift.thanks = rng.choice(THANKS)
                gift.thanked_at = self.later(gift.confirmed_at, 1, 48)
            history.gifts.append(gift)

    def record(self) -> None:
        """Plan and record the needs whose lives ended before the year's last weeks, in
        bulk, a batch of villages at a time (the province's half million stay off memory)."""
        per_village = NEEDS_PER_VILLAGE[self.ctx.scale.name]
        per_village -= REPLAYED_PER_VILLAGE[self.ctx.scale.name]
        villages_a_batch = max(1, RECORDED_BATCH // max(per_village, 1))
        with (
            self.ctx.step(_("Needs on record"), per_village * len(self.villages)) as advance,
            demo_clock(self.end),
        ):
            for start in range(0, len(self.villages), villages_a_batch):
                self.histories = []
                for village in self.villages[start : start + villages_a_batch]:
                    for _n in range(per_village):
                        self.plan_recorded(village)
                names = {gift.donor for h in self.histories for gift in h.gifts}
                donors = {user.username: user for user in User.objects.filter(username__in=names)}
                histories = []
                for history in self.histories:
                    for gift in history.gifts:
                        gift.donor = donors.get(gift.donor)
                    if all(gift.donor is not None for gift in history.gifts):
                        histories.append(history)
                histories.sort(key=lambda history: history.posted_at)
                records.record_needs(histories=histories, by=None)
                advance(len(self.histories))

    def at(self, moment: datetime.datetime, run: Callable[[], object]) -> None:
        self.steps.append(Step(moment, len(self.steps), run))

    def moment(self, day: int, hour: int, minute: int = 0) -> datetime.datetime:
        return self.start + datetime.timedelta(days=day, hours=hour, minutes=minute)

    def day_of(self, moment: datetime.datetime) -> int:
        return (moment - self.start).days

    def later(self, moment: datetime.datetime, low_hours: float, high_hours: float):
        """A moment some hours after another, moved into the working day (8:00–20:00)."""
        moment += datetime.timedelta(hours=self.rng.uniform(low_hours, high_hours))
        hour = timezone.localtime(moment).hour
        if hour < 8:
            moment += datetime.timedelta(hours=8 - hour)
        elif hour >= 20:
            moment += datetime.timedelta(hours=32 - hour)
        return min(moment, self.end)

    def plan_need(self, village: Region, fate: str, kind: str | None, how: dict) -> None:
        rng = self.rng
        kind = kind or rng.choices(list(KIND_SHARES), list(KIND_SHARES.values()))[0]
        if fate == "partial" and kind == Kind.WISH:
            kind = Kind.GOODS  # a wish is one gift, never partly pledged
        if fate == "expired_closed" and kind == Kind.FUNDS:
            how.setdefault("policy", FundingPolicy.KEEP_WHAT_IS_RAISED)
        if fate == "closed" and kind == Kind.GOODS and rng.random() < 0.01:
            how.setdefault("over_cap", True)
        urgency = rng.choices(list(Urgency.values), (60, 30, 10))[0]
        span = {Urgency.VERY_URGENT: (15, 20), Urgency.URGENT: (25, 40)}.get(urgency, (45, 90))
        days_given = rng.randint(*span)
        day = self.posting_day(fate, days_given, how)
        posted = self.moment(day, rng.randint(8, 17), rng.randint(0, 59))
        deadline = posted.date() + datetime.timedelta(days=days_given)
        if fate in LIVE_FATES and fate != "reopened":
            # Still open when the demo is built: a deadline after that day, within a year.
            after_today = self.today + datetime.timedelta(days=rng.randint(20, 60))
            deadline = min(max(deadline, after_today), posted.date() + common.LONGEST_DEADLINE)
        data = self.need_data(village, kind, fate, urgency, deadline, how)
        plan = Plan(
            fate=fate,
            village=village,
            data=data,
            poster=how.get("poster") or self.poster(village, data),
            how=how,
            posted_at=posted,
        )
        self.plans.append(plan)
        self.schedule(plan)

    def posting_day(self, fate: str, days_given: int, how: dict) -> int:
        last = self.last
        if "day" in how:
            day = how["day"] if how["day"] >= 0 else last + how["day"]
            return max(0, min(day, last))
        if "expires_before_end" in how:
            return max(0, last - how["expires_before_end"] - days_given)
        if fate == "draft":
            low, high = last - 20, last
        elif fate == "submitted":
            low, high = last - 2, last
        elif fate == "reopened":
            low = high = last - 20 - days_given
        elif fate in LIVE_FATES:
            low, high = last - LIVE_DAYS, last - 12
        elif fate.startswith("expired"):
            low, high = 0, last - days_given - 20
        else:
            low, high = 0, last - 45
        high = max(high, 0)
        return self.rng.randint(max(0, min(low, high)), high)

    def poster(self, village: Region, data: posting.NeedData) -> User:
        cadre = self.staff.get((Role.CADRE, township_of(village.code)))
        if cadre is not None and self.rng.random() < 0.15:
            # The township's assigned helpers post for their households too, and for the
            # village as a whole; for a household they do not help, the village admin does.
            household = data.child.household if data.child is not None else data.household
            if household is None or household.pk in self.helped.get(cadre.pk, ()):
                return cadre
        return self.staff[(Role.VILLAGE_ADMIN, village.code)]

    def need_data(self, village, kind, fate, urgency, deadline, how) -> posting.NeedData:
        rng = self.rng
        common = {"kind": kind, "urgency": urgency, "deadline": deadline}
        if kind == Kind.WISH:
            child = self.child_in(village)
            if child is None:  # every left-behind child here has a wish: goods instead
                return self.need_data(village, Kind.GOODS, fate, urgency, deadline, how)
            category = rng.choice(list(WISHES))
            title, (low, high) = rng.choice(WISHES[category])
            return posting.NeedData(
                **common,
                category=category,
                title=title,
                story=rng.choice(WISH_STORIES),
                child=child,
                value_fen=rng.randint(low, high) * 100,
            )
        household = how.get("household")
        if household is None and rng.random() >= COLLECTIVE_SHARE:
            household = self.household_in(village)
        item = how.get("item")
        if kind == Kind.GOODS:
            flagged = how.get("flagged")
            if flagged is None:
                flagged = fate == "rejected" and rng.random() < 0.4
            if flagged:
                title, unit, value, category = rng.choice(FLAGGED_GOODS)
                low = high = value
                quantities = (1, 1)
            elif how.get("over_cap"):
                title, unit, value, category = rng.choice(FAIR_OVER_CAP)
                low = high = value
                quantities = (1, 1)
            elif household is None:
                category = Category.OTHER
                title, unit, (low, high), quantities = rng.choice(COLLECTIVE_GOODS)
            else:
                category = self.free_category(household, GOODS, item)
                title, unit, (low, high), quantities = rng.choice(GOODS.get(category, [None]))
            values = {
                "quantity": rng.randint(*quantities),
                "unit": unit,
                "unit_value_fen": rng.randint(low, high) * 100,
            }
        elif kind == Kind.FUNDS:
            if household is None:
                category = Category.OTHER
                title, (low, high) = rng.choice(COLLECTIVE_FUNDS)
            else:
                category = self.free_category(household, FUNDS, item)
                title, (low, high) = rng.choice(FUNDS.get(category, [None]))
            values = {
                "target_fen": how.get("target_fen")
                or rng.randint(low // 100, high // 100) * 100_00,
                "funding_policy": how.get("policy") or rng.choice(FundingPolicy.values),
            }
        else:
            if household is None:
                category = Category.OTHER
                title, places, value = rng.choice(COLLECTIVE_SERVICES)
            else:
                category = self.free_category(household, SERVICES, item)
                title, places, value = rng.choice(SERVICES.get(category, [None]))
            township = self.townships.get(township_of(village.code))
            values = {
                "quantity": rng.randint(*places),
                "place": f"{township.name if township else ''}{village.name}",
                "value_fen": value * 100,
            }
        data = posting.NeedData(
            **common,
            **values,
            category=category,
            title=title,
            story=rng.choice(STORIES.get(category, STORIES[Category.OTHER])),
            household=household,
            village=village,
        )
        if item:
            data = replace(data, **item)
        if household is not None:
            self.used.add((household.pk, data.category))
        return data

    def household_in(self, village: Region) -> Household | None:
        households = self.households.get(village.code)
        if not households:
            return None
        weights = [HOUSEHOLD_WEIGHTS[household.status] for household in households]
        return self.rng.choices(households, weights)[0]

    def free_category(self, household: Household, table: dict, item: dict | None) -> str:
        """A category the household has no need of yet this year: one open need each."""
        if item and "category" in item:
            return item["category"]
        free = [category for category in table if (household.pk, category) not in self.used]
        return self.rng.choice(free or list(table))

    def child_in(self, village: Region) -> Member | None:
        free = [c for c in self.children.get(village.code, ()) if c.pk not in self.wished]
        if not free:
            return None
        child = self.rng.choice(free)
        self.wished.add(child.pk)
        return child

    def donor(self) -> str:
        """A donor's username: most gifts come from a core of regular donors."""
        if self.donor_count == 0:
            return "donor-demo"
        regular = max(1, self.donor_count // 40)
        top = regular if self.rng.random() < 0.6 else self.donor_count
        return f"donor-{self.rng.randint(1, top):07d}"

    # --- A need's life, step by step ---------------------------------------------------------

    def schedule(self, plan: Plan) -> None:
        rng, fate, how = self.rng, plan.fate, plan.how
        when = how.get("when")
        if fate == "cancelled" and when is None:
            when = rng.choices(("draft", "submitted", "published"), (3, 3, 4))[0]
        self.at(plan.posted_at, lambda: self.post(plan, submit=fate != "draft" and when != "draft"))
        if fate in ("draft", "submitted"):
            return
        if when in ("draft", "submitted"):  # the poster thinks better of it before review
            self.at(self.later(plan.posted_at, 2, 72), lambda: self.cancel(plan))
            return
        review_day = min(self.day_of(plan.posted_at) + rng.choice((1, 1, 1, 2, 3)), self.last)
        self.reviews[(prefix_of(plan.village.code, Level.TOWNSHIP), review_day)].append(plan)
        if fate == "rejected":
            plan.rejection = rng.choice(REJECTIONS)
            return
        reviewed = self.moment(review_day, REVIEW_HOUR, 30)
        deadline = timezone.make_aware(
            datetime.datetime.combine(plan.data.deadline, datetime.time(20))
        )
        if fate == "open":
            return
        if fate == "cancelled":  # published, pledged in part, then cancelled
            gifts = self.gifts(plan, reviewed, self.later(reviewed, 24, 96), share=0.4)
            last = max((gift.at for gift in gifts), default=reviewed)
            self.at(self.later(last, 24, 72), lambda: self.cancel(plan))
            return
        if fate in ("expired", "expired_closed", "reopened"):
            share = rng.uniform(0.2, 0.8) if rng.random() < 0.65 else 0.0
            if fate == "expired_closed":
                share = rng.uniform(0.3, 0.8)
            elif fate == "reopened":
                share = 0.0
            share = how.get("share", share)
            self.gifts(plan, reviewed, deadline - datetime.timedelta(days=3), share=share)
            expiry = self.moment(self.day_of(deadline) + 1, 1)  # the night's sweep
            if fate == "reopened":
                self.at(self.later(expiry, 30, 60), lambda: self.reopen(plan))
            elif fate == "expired_closed":
                self.settle(plan, after=expiry)
            return
        window = datetime.timedelta(days=5 if fate in LIVE_FATES else 14)
        end = min(deadline - datetime.timedelta(days=2), reviewed + window)
        share = rng.uniform(0.2, 0.8) if fate == "partial" else 1.0
        gifts = self.gifts(plan, reviewed, end, share=share)
        if fate in ("partial", "matched") or not gifts:
            return
        if fate == "delivered":
            if plan.data.kind != Kind.FUNDS:  # money is delivered when the target is met
                for gift in gifts:
                    moment = self.later(gift.at, 24, 72)
                    self.at(moment, lambda gift=gift: self.deliver(gift))
            return
        self.settle(plan, after=max(gift.at for gift in gifts))

    def gifts(self, plan, start, end, *, share) -> list[Gift]:
        """Plan pledges adding up to a share of the need between two moments."""
        rng, how, kind = self.rng, plan.how, plan.data.kind
        if "parts" in how:
            parts = list(how["parts"])
        else:
            target = {Kind.FUNDS: plan.data.target_fen, Kind.WISH: 1}.get(kind, plan.data.quantity)
            amount = target if share >= 1 else int(target * share)
            if kind == Kind.FUNDS:
                amount -= amount % 100  # whole yuan
            parts = self.split(amount, money=kind == Kind.FUNDS) if amount > 0 else []
        if not parts or end <= start:
            return []
        span = (end - start).total_seconds()
        moments = sorted(
            start + datetime.timedelta(seconds=rng.uniform(0.05, 1) * span) for _part in parts
        )
        if how.get("withdrawn") or (kind == Kind.GOODS and not how and rng.random() < 0.05):
            # A donor pledges, thinks better of it and withdraws, before the others come.
            first = moments[0]
            withdrawn = Gift(
                donor=how.get("withdrawn_by") or self.donor(),
                quantity=parts[0],
                at=start + (first - start) / 3,
                withdraw_at=start + (first - start) * 2 / 3,
            )
            self.donors[withdrawn.donor] = None
            self.at(withdrawn.at, lambda: self.pledge(plan, withdrawn))
            self.at(withdrawn.withdraw_at, lambda: self.withdraw(withdrawn))
        donors = list(how.get("donors", ()))
        consents = list(how.get("consents", ()))
        gifts = []
        for part, moment in zip(parts, moments, strict=True):
            gift = Gift(
                donor=donors.pop(0) if donors else self.donor(),
                quantity=part,
                at=min(moment, self.end),
                consent_to_move=consents.pop(0) if consents else rng.random() < 0.3,
            )
            gifts.append(gift)
            self.donors[gift.donor] = None  # the account is looked up once the year is planned
            self.at(gift.at, lambda gift=gift: self.pledge(plan, gift))
        plan.gifts += gifts
        return gifts

    def split(self, amount: int, *, money: bool) -> list[int]:
        """Split an amount into donors' parts: a few pieces each, or round sums of yuan."""
        rng = self.rng
        unit = 100_00 if money and amount >= 1_000_00 else 1  # ¥100 steps for larger sums
        steps = amount // unit
        count = min(steps, rng.choice((1, 1, 1, 2, 2, 3) if not money else (1, 2, 2, 3, 3, 4)))
        if count <= 1:
            return [amount]
        cuts = sorted(rng.sample(range(1, steps), count - 1))
        parts = [(b - a) * unit for a, b in zip([0, *cuts], [*cuts, steps], strict=True)]
        parts[-1] += amount - steps * unit
        return parts

    def settle(self, plan: Plan, *, after: datetime.datetime) -> None:
        """Deliver, confirm and thank every gift of a need, some time after a moment."""
        rng, thank = self.rng, plan.how.get("thank", False)
        if plan.data.kind == Kind.FUNDS:
            confirmed = self.later(after, 24, 96)
            self.at(confirmed, lambda: self.confirm_funds(plan))
            for gift in plan.gifts:
                if thank or rng.random() < 0.6:
                    self.at(self.later(confirmed, 2, 48), lambda gift=gift: self.thank(plan, gift))
            return
        for gift in plan.gifts:
            moment = max(after, gift.at)
            if thank or rng.random() < 0.9:  # a few donors forget to say they delivered
                moment = self.later(moment, 24, 144)
                self.at(moment, lambda gift=gift: self.deliver(gift))
            moment = self.later(moment, 2, 96)
            self.at(moment, lambda gift=gift: self.confirm(plan, gift))
            if thank or rng.random() < 0.7:
                self.at(self.later(moment, 1, 48), lambda gift=gift: self.thank(plan, gift))

    # --- The steps: each one action, by the person who takes it --------------------------------

    def set_rules(self) -> None:
        """The city office's review rules: value caps and flagged words."""
        for city in self.cities.values():
            office = self.staff.get((Role.CITY_ADMIN, city.code))
            for category, cap in VALUE_CAPS.items():
                rules.set_value_cap(region=city, category=category, cap_fen=cap * 100, by=office)
            flagged = set(BannedTerm.objects.filter(region=city).values_list("term", flat=True))
            for term, note in BANNED_TERMS:
                if term not in flagged:
                    rules.add_banned_term(region=city, term=term, note=note, by=office)

    def post(self, plan: Plan, *, submit: bool) -> None:
        plan.need = posting.create_need(data=plan.data, by=plan.poster, submit=submit)

    def review(self, plans: list[Plan]) -> None:
        """The station's afternoon: the day's queue, approved in one go where it can be."""
        waiting = [p for p in plans if p.need is not None and p.need.status == Status.SUBMITTED]
        if not waiting:
            return
        station = self.staff[(Role.TOWNSHIP_ADMIN, township_of(waiting[0].need.village_id))]
        fine = [p for p in waiting if not p.rejection and not p.need.rule_findings]
        if fine:
            published = review.review_needs(needs=[p.need for p in fine], by=station, approve=True)
            for plan, need in zip(fine, published, strict=True):
                plan.need = need
        for plan in waiting:
            if plan.rejection:
                reason = FLAGGED_REJECTION if plan.need.rule_findings else plan.rejection
                plan.need = review.review_need(
                    need=plan.need, by=station, approve=False, reason=reason
                )
            elif plan.need.rule_findings:
                plan.need = review.review_need(
                    need=plan.need,
                    by=station,
                    approve=True,
                    override_reason=self.rng.choice(OVERRIDES),
                )

    def pledge(self, plan: Plan, gift: Gift) -> None:
        donor = self.donors.get(gift.donor)
        if donor is None or plan.need is None:
            return
        try:
            gift.pledge = self.give(plan.need, donor, gift)
        except ValidationError:
            # Money returned from another need may have been moved here and filled it:
            # give what is still needed, if anything is.
            need = Need.objects.get(pk=plan.need.pk)
            if need.status != Status.PUBLISHED or need.remaining <= 0:
                return
            gift.quantity = min(gift.quantity, need.remaining)
            gift.pledge = self.give(need, donor, gift)

    def give(self, need: Need, donor: User, gift: Gift) -> Pledge:
        if need.kind != Kind.FUNDS:
            return pledges.pledge_goods(need=need, by=donor, quantity=gift.quantity).pledge
        return pledges.contribute(
            need=need,
            by=donor,
            amount_fen=gift.quantity,
            payment_reference=self.transfer_reference(),
            consent_to_move=gift.consent_to_move,
            idempotency_key=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
        ).pledge

    def transfer_reference(self) -> str:
        if self.rng.random() < 0.7:
            return f"4200{self.rng.randrange(10**24):024d}"  # a WeChat Pay transfer
        return f"6222{self.rng.randrange(10**15):015d}"  # a bank transfer

    def withdraw(self, gift: Gift) -> None:
        if gift.pledge is not None and gift.pledge.status == PledgeStatus.PLEDGED:
            gift.pledge = pledges.withdraw_pledge(
                pledge=gift.pledge, by=gift.pledge.donor, reason=self.rng.choice(WITHDRAWALS)
            )

    def deliver(self, gift: Gift) -> None:
        if gift.pledge is not None and gift.pledge.status == PledgeStatus.PLEDGED:
            gift.pledge = delivery.deliver_pledge(
                pledge=gift.pledge, by=gift.pledge.donor, note=self.rng.choice(DELIVERY_NOTES)
            )

    def confirm(self, plan: Plan, gift: Gift) -> None:
        if gift.pledge is not None and gift.pledge.status in (
            PledgeStatus.PLEDGED,
            PledgeStatus.DELIVERED,
        ):
            gift.pledge = delivery.confirm_pledge(
                pledge=gift.pledge, by=self.proxy(plan), note=self.rng.choice(CONFIRMATIONS)
            )

    def confirm_funds(self, plan: Plan) -> None:
        """Confirm each contribution the household received, moved-in ones too."""
        mine = {gift.pledge.pk: gift for gift in plan.gifts if gift.pledge is not None}
        released = Pledge.objects.filter(need=plan.need, status=PledgeStatus.DELIVERED)
        for pledge in released.select_related("donor").order_by("pk"):
            confirmed = delivery.confirm_pledge(
                pledge=pledge, by=self.proxy(plan), note=CONFIRMATIONS[3]
            )
            if pledge.pk in mine:
                mine[pledge.pk].pledge = confirmed

    def thank(self, plan: Plan, gift: Gift) -> None:
        if gift.pledge is not None and gift.pledge.status == PledgeStatus.CONFIRMED:
            delivery.give_feedback(
                pledge=gift.pledge,
                by=self.proxy(plan),
                rating=self.rng.choice((5, 5, 5, 4, 4, 3)),
                thanks=self.rng.choice(THANKS),
            )

    def proxy(self, plan: Plan) -> User:
        """Who confirms and thanks for the household: the village admin, with a note."""
        return self.staff[(Role.VILLAGE_ADMIN, plan.need.village_id)]

    def cancel(self, plan: Plan) -> None:
        plan.need = posting.cancel_need(
            need=plan.need, by=plan.poster, reason=self.rng.choice(CANCELLATIONS)
        )

    def reopen(self, plan: Plan) -> None:
        need = Need.objects.get(pk=plan.need.pk)
        if need.status != Status.EXPIRED:
            return
        office = self.staff[(Role.CITY_ADMIN, city_of(need.village_id))]
        today = timezone.localdate()
        deadline = min(
            max(today, self.today) + datetime.timedelta(days=30), today + common.LONGEST_DEADLINE
        )
        plan.need = review.reopen_need(need=need, by=office, deadline=deadline)

    # --- The printed logins ----------------------------------------------------------------

    def plan_demo_logins(self) -> None:
        """Needs that give the printed donor, enterprise and household logins a history.

        They belong to the printed village admin's village. The household login is linked
        to one of its households, which has a delivery waiting for its confirmation.
        """
        village = self.villages[0]
        homes = self.households.get(village.code, [])
        account = User.objects.filter(username="household-demo", role=Role.HOUSEHOLD).first()
        if len(homes) < 5:
            return
        home = homes[0]
        linked = Household.objects.filter(account=account).first() if account else None
        if linked is not None and linked.pk != home.pk:
            account = None  # linked to another household already: the village admin posts
        elif account is not None and linked is None:
            admin = self.staff[(Role.VILLAGE_ADMIN, village.code)]
            self.at(
                self.moment(self.last - LIVE_DAYS - 5, 10),
                lambda: link_household_account(household=home, account=account, by=admin),
            )
        self.at(self.moment(0, 8), self.speak_for_enterprise)
        donor, enterprise = ["donor-demo"], ["enterprise-demo"]
        stories = [
            # The household login's: delivered by donor-demo, waiting for its confirmation;
            # and one it posted itself, waiting for review.
            (
                "delivered",
                Kind.GOODS,
                home,
                {"parts": [2], "donors": donor, "day": -20},
                goods("冬季棉被", "床", 2, 160, Category.CLOTHING),
            ),
            (
                "submitted",
                Kind.GOODS,
                home,
                {"day": -1, "poster": account},
                goods("电饭煲", "台", 1, 220, Category.APPLIANCE),
            ),
            # The donor login's: thanked, a contribution, a withdrawal (and a wish, below).
            (
                "closed",
                Kind.GOODS,
                homes[1],
                {"parts": [1], "donors": donor, "thank": True, "day": -34},
                goods("电暖器", "台", 1, 260, Category.APPLIANCE),
            ),
            (
                "partial",
                Kind.FUNDS,
                homes[2],
                {
                    "parts": [500_00, 300_00, 1_000_00],
                    "donors": donor,
                    "day": -25,
                    "target_fen": 8_000_00,
                    "policy": FundingPolicy.KEEP_WHAT_IS_RAISED,
                },
                {"category": Category.MEDICAL_BILLS},
            ),
            (
                "partial",
                Kind.GOODS,
                homes[3],
                {"parts": [2], "withdrawn": True, "withdrawn_by": "donor-demo", "day": -24},
                goods("大米", "袋", 6, 80, Category.FOOD),
            ),
            # The enterprise login's: for its organisation.
            (
                "partial",
                Kind.FUNDS,
                homes[4],
                {
                    "parts": [10_000_00],
                    "donors": enterprise,
                    "day": -26,
                    "target_fen": 30_000_00,
                    "policy": FundingPolicy.ALL_OR_NOTHING,
                },
                {"category": Category.HOUSING, "title": "危房改造"},
            ),
            (
                "closed",
                Kind.GOODS,
                homes[1],
                {"parts": [10], "donors": enterprise, "thank": True, "day": -36},
                goods("复合肥", "袋", 10, 150, Category.FARMING),
            ),
            (
                "matched",
                Kind.SERVICE,
                homes[2],
                {"parts": [2], "donors": enterprise, "day": -21},
                {"title": "就近务工岗位", "quantity": 2, "category": Category.JOB},
            ),
            # Last: a left-behind child's wish for the donor to deliver (goods if the
            # village has no child left without a wish).
            ("matched", Kind.WISH, None, {"parts": [1], "donors": donor, "day": -22}, None),
        ]
        for fate, kind, household, how, item in stories:
            if household is not None:
                how["household"] = household
            if item:
                how["item"] = item
            if "poster" in how and how["poster"] is None:
                del how["poster"]  # no household login of its own: the village admin posts
            self.plan_need(village, fate, kind, how)

    def speak_for_enterprise(self) -> None:
        """Make the enterprise login its organisation's representative: a person record."""
        account = User.objects.filter(username="enterprise-demo", role=Role.ORG_REP).first()
        if account is None or Person.objects.filter(account=account).exists():
            return
        township = township_of(self.villages[0].code)
        organisation = (
            Organisation.objects.filter(kind=OrganisationKind.PRIVATE_ENTERPRISE)
            .filter(region_id=township)
            .order_by("pk")
            .first()
            or Organisation.objects.order_by("pk").first()
        )
        if organisation is None:
            return
        create_person(
            name=account.display_name or account.username,
            # The positions name people of the assistance network; an enterprise's contact
            # comes closest to a volunteer of it.
            position=Position.VOLUNTEER,
            region=organisation.region,
            organisation=organisation,
            account=account,
            by=None,
        )

    def name_demo_logins(self) -> None:
        """Print the household's village and the enterprise's name beside their logins."""
        home = Household.objects.filter(account__username="household-demo")
        home = home.select_related("village").first()
        if home is not None:
            self.ctx.logins[Role.HOUSEHOLD] = ("household-demo", home.village.name)
        person = Person.objects.filter(account__username="enterprise-demo")
        person = person.select_related("organisation").first()
        if person is not None and person.organisation is not None:
            self.ctx.logins[Role.ORG_REP] = ("enterprise-demo", person.organisation.name)


def goods(title: str, unit: str, quantity: int, yuan: int, category: str) -> dict:
    return {
        "title": title,
        "unit": unit,
        "quantity": quantity,
        "unit_value_fen": yuan * 100,
        "category": category,
    }


def township_of(code: str) -> str:
    return ancestor_code(code, Level.TOWNSHIP)


def city_of(code: str) -> str:
    return ancestor_code(code, Level.CITY)
