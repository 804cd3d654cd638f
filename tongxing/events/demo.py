"""The demo city's events, exemplars, publicity and policies, built through the actions:
e-commerce trainings with attendance lists (a first session in every township) and the
income gains after them, the e-commerce service centre and its resident companies, free
clinics at three sites, a speech contest with its winners, the five award categories with
nominations and selections, stories, publicity items and a policy library with the year's
compendium.

The entry is `build(ctx)`; it is not among the demo's PARTS yet. Running it again changes
nothing: a city that has its demo events already is left as it is.
"""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing.events.actions import events as ev
from tongxing.events.actions import exemplars as ex
from tongxing.events.actions import publicity as pub
from tongxing.events.models import DEFAULT_KEYS, Event, EventKind, Topic
from tongxing.regions.codes import Level
from tongxing.regions.models import Region
from tongxing.registry.models import (
    Household,
    HouseholdStatus,
    Member,
    Organisation,
    OrganisationKind,
    Person,
    Position,
)

# Attendees of each township's first e-commerce training, from its registered households.
TRAINEES = 30
OUTLETS = [
    ("人民日报", "national"),
    ("新华网", "national"),
    ("省日报", "provincial"),
    ("省广播电视台", "provincial"),
    ("市日报", "city"),
    ("市广播电视台", "city"),
    ("区融媒体中心", "county"),
]
POLICIES = [
    ("关于进一步做好兜底保障工作的实施意见", "social_security", "市民政局"),
    ("困难群众基本生活救助办法", "social_security", "市民政局"),
    ("健康扶贫“三保障”实施方案", "health", "市卫生健康委"),
    ("家庭医生签约服务工作方案", "health", "市卫生健康委"),
    ("农村特困老人集中供养办法", "elderly_care", "市民政局"),
    ("电子商务进农村综合示范实施方案", "information", "市商务局"),
    ("产业扶贫项目资金管理办法", "industry", "市农业农村局"),
    ("消费扶贫行动方案", "industry", "市发展改革委"),
    ("教育资助政策汇编", "education", "市教育局"),
    ("雨露计划实施细则", "education", "市扶贫办"),
]


def _day(year: int, month: int, day: int) -> datetime.date:
    """A day of the demo's year, never after today (the actions refuse future dates)."""
    return min(datetime.date(year, month, day), timezone.localdate())


def build(ctx) -> None:
    for city in Region.objects.filter(level=Level.CITY).order_by("code"):
        if Event.objects.filter(region=city).exists():
            continue
        rng = ctx.rng(f"events:{city.code}")
        townships = list(
            Region.objects.filter(level=Level.TOWNSHIP, code__startswith=city.prefix).order_by(
                "code"
            )
        )
        with ctx.step(_("E-commerce trainings"), len(townships) + 1) as advance:
            for township in townships:
                _training(ctx, rng, township)
                advance()
            _city_training(ctx, rng, city, townships)
            advance()
        with ctx.step(_("Events, exemplars, publicity and policies"), 5) as advance:
            _centre(ctx, rng, city)
            advance()
            _clinics_and_contest(ctx, rng, city)
            advance()
            _exemplars(ctx, rng, city)
            advance()
            _publicity(ctx, rng, city)
            advance()
            _policies(ctx, city)
            advance()


def _training(ctx, rng, township: Region) -> None:
    villages = list(Region.objects.filter(level=Level.VILLAGE, code__startswith=township.prefix))
    if not villages:
        return
    day = _day(ctx.year, rng.randint(3, 9), rng.randint(1, 28))
    event = ev.create_event(
        data=ev.EventData(
            kind=EventKind.TRAINING,
            topic=Topic.ECOMMERCE,
            title=_("E-commerce training, first session: %(name)s") % {"name": township.name},
            starts_on=day,
            ends_on=day,
            region=township,
            sites=[(rng.choice(villages), "村委会")],
        ),
        by=None,
    )
    adults = Member.objects.filter(
        household__village__code__startswith=township.prefix,
        household__status__in=(HouseholdStatus.REGISTERED_POOR, HouseholdStatus.EXITED),
        relation__in=("head", "spouse"),
    ).order_by("id")
    pool = list(adults.values_list("id", flat=True)[: TRAINEES * 4])
    chosen = rng.sample(pool, min(TRAINEES, len(pool)))
    members = list(Member.objects.filter(pk__in=chosen).select_related("household"))
    ev.set_attendance(event=event, members=members, by=None)
    ev.record_outcomes(event=event, participants=len(members) + rng.randint(5, 40), by=None)
    gain_day = min(day + datetime.timedelta(days=90), timezone.localdate())
    for member in members[: len(members) // 3]:
        ev.record_income_gain(
            event=event,
            household=member.household,
            amount_fen=rng.randint(5, 60) * 100_00,
            recorded_on=gain_day,
            by=None,
        )


def _city_training(ctx, rng, city: Region, townships: list[Region]) -> None:
    """The city office's own first session, held in a village of half of its townships at
    once, as the annual report tells it (the townships' own sessions count in its totals)."""
    reached = townships[: max(1, len(townships) // 2)]
    sites, members = [], []
    for township in reached:
        villages = Region.objects.filter(level=Level.VILLAGE, code__startswith=township.prefix)
        village = villages.order_by("code").first()
        if village is None:
            continue
        sites.append((village, "村委会"))
        adults = Member.objects.filter(
            household__village=village,
            household__status__in=(HouseholdStatus.REGISTERED_POOR, HouseholdStatus.EXITED),
            relation__in=("head", "spouse"),
        ).order_by("id")
        members.extend(adults[:4])
    if not sites:
        return
    day = _day(ctx.year, 4, 16)
    event = ev.create_event(
        data=ev.EventData(
            kind=EventKind.TRAINING,
            topic=Topic.ECOMMERCE,
            title=_("E-commerce into the villages: live-selling class, first session"),
            starts_on=day,
            ends_on=day,
            region=city,
            sites=sites,
        ),
        by=None,
    )
    ev.set_attendance(event=event, members=members, by=None)
    ev.record_outcomes(event=event, participants=len(members) + rng.randint(60, 120), by=None)


def _centre(ctx, rng, city: Region) -> None:
    centre = ev.create_centre(name=_("E-commerce public service centre"), region=city, by=None)
    companies = Organisation.objects.filter(
        kind=OrganisationKind.ECOMMERCE_COMPANY, region=city
    ).order_by("id")
    for company in companies[:8]:
        ev.add_resident(
            centre=centre,
            organisation=company,
            since=_day(ctx.year - rng.randint(0, 2), rng.randint(1, 6), 1),
            people=rng.randint(5, 30),
            by=None,
        )


def _clinics_and_contest(ctx, rng, city: Region) -> None:
    hospitals = list(
        Organisation.objects.filter(
            kind=OrganisationKind.HOSPITAL, region__code__startswith=city.prefix
        ).order_by("id")[:4]
    )
    villages = list(
        Region.objects.filter(level=Level.VILLAGE, code__startswith=city.prefix).order_by("code")
    )
    sites = rng.sample(villages, min(3, len(villages)))
    day = _day(ctx.year, 10, 17)
    clinic = ev.create_event(
        data=ev.EventData(
            kind=EventKind.FREE_CLINIC,
            topic=Topic.HEALTH,
            title=_("Large free clinic on Poverty Alleviation Day"),
            starts_on=day,
            ends_on=day,
            region=city,
            sites=[(site, "村委会") for site in sites],
            organisers=hospitals[:1],
            participating=hospitals[1:],
        ),
        by=None,
    )
    ev.record_outcomes(event=clinic, people_served=rng.randint(300, 900), by=None)
    contest_day = _day(ctx.year, 9, 20)
    contest = ev.create_event(
        data=ev.EventData(
            kind=EventKind.CONTEST,
            title=_("Speech contest on assistance work: final"),
            starts_on=contest_day,
            ends_on=contest_day,
            region=city,
            sites=[(city, "市文化中心")],
        ),
        by=None,
    )
    ev.record_outcomes(event=contest, participants=rng.randint(200, 400), by=None)
    speakers = Person.objects.filter(
        region__code__startswith=city.prefix, position=Position.FIRST_SECRETARY
    ).order_by("id")[:6]
    prizes = ["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖"]
    for prize, person in zip(prizes, speakers, strict=False):
        ev.award_prize(event=contest, prize=prize, person=person, by=None)


def _exemplars(ctx, rng, city: Region) -> None:
    categories = {
        c.key: c for c in ex.create_default_categories(year=ctx.year, region=city, by=None)
    }
    if set(categories) != set(DEFAULT_KEYS):
        return
    in_city = Q(region__code__startswith=city.prefix)
    households = (
        Member.objects.filter(
            household__village__code__startswith=city.prefix,
            household__status=HouseholdStatus.EXITED,
            relation="head",
        )
        .order_by("id")
        .values_list("household", flat=True)[:15]
    )
    nominees = {
        "hardworking_household": [
            {"household": h} for h in Household.objects.filter(pk__in=list(households))
        ],
        "village_team_member": [
            {"person": p}
            for p in Person.objects.filter(in_city, position=Position.WORK_TEAM_MEMBER).order_by(
                "id"
            )[:8]
        ],
        "pairing_cadre": [
            {"person": p}
            for p in Person.objects.filter(in_city, position=Position.ASSIGNED_CADRE).order_by(
                "id"
            )[:8]
        ],
        "city_department": [
            {"organisation": o}
            for o in Organisation.objects.filter(
                in_city, kind=OrganisationKind.GOVERNMENT_DEPARTMENT
            ).order_by("id")[:6]
        ],
        "market_entity": [
            {"organisation": o}
            for o in Organisation.objects.filter(
                in_city, kind=OrganisationKind.PRIVATE_ENTERPRISE
            ).order_by("id")[:8]
        ],
    }
    decided = _day(ctx.year, 12, 1)
    for key, people in nominees.items():
        for n, nominee in enumerate(people):
            nomination = ex.nominate(
                category=categories[key], reason="事迹突出，群众认可。", by=None, **nominee
            )
            ex.decide_nomination(
                nomination=nomination,
                selected=n % 3 != 2,
                reason="经评审委员会评议。" if n % 3 != 2 else "名额所限。",
                on=decided,
                by=None,
            )
    villages = list(
        Region.objects.filter(level=Level.VILLAGE, code__startswith=city.prefix).order_by("code")
    )
    for n in range(40):
        story = ex.submit_story(
            campaign="最美帮扶人",
            title=f"驻村日记（{n + 1}）",
            author=f"作者{n + 1}",
            text="他走遍了村里的每一户，记下每一家的难处，也记下每一份改变。",
            region=rng.choice(villages),
            submitted_on=_day(ctx.year, rng.randint(4, 11), rng.randint(1, 28)),
            by=None,
        )
        if n % 4 == 0:
            ex.review_story(story=story, accepted=True, reason="", by=None)


def _publicity(ctx, rng, city: Region) -> None:
    for n in range(60):
        outlet, level = rng.choice(OUTLETS)
        pub.record_publicity(
            title=f"社会帮扶工作纪实（{n + 1}）",
            outlet=outlet,
            outlet_level=level,
            published_on=_day(ctx.year, rng.randint(1, 11), rng.randint(1, 28)),
            link=f"https://news.example.org/{ctx.year}/{n + 1}",
            region=city,
            by=None,
        )


def _policies(ctx, city: Region) -> None:
    compendium = pub.create_compendium(
        year=ctx.year, title=f"{ctx.year}年度社会帮扶政策选编", region=city, by=None
    )
    for n, (title, category, body) in enumerate(POLICIES):
        pub.add_policy(
            title=title,
            category=category,
            issuing_body=body,
            in_force_from=datetime.date(ctx.year - 1 - n % 3, 1 + n, 1),
            compendium=compendium,
            region=city,
            by=None,
        )
    pub.publish_compendium(compendium=compendium, published_on=_day(ctx.year, 11, 20), by=None)
