"""The demo's registry: households with members, organisations of every kind, and the
people who help — leaders of every level, first secretaries, work teams and a cadre for
every household registered in need. Households come in as a roster, through the same
import the offices use; the rest through the registry's actions.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from tongxing.access import Role
from tongxing.accounts.models import User
from tongxing.regions.codes import Level, prefix_of
from tongxing.regions.models import Region
from tongxing.registry.actions import (
    assign_helper,
    create_organisation,
    create_person,
    import_households,
)
from tongxing.registry.models import (
    HardshipCause,
    Household,
    HouseholdStatus,
    Organisation,
    OrganisationKind,
    Person,
    Position,
)
from tongxing.registry.validators import make_credit_code, make_id_number

# Households per village by scale; the city has 500 villages, so about 30,000 households.
HOUSEHOLDS_PER_VILLAGE = {"small": 5, "city": 60, "province": 60}
STATUS_SHARES = [
    (HouseholdStatus.EXITED, 0.62),
    (HouseholdStatus.REGISTERED_POOR, 0.18),
    (HouseholdStatus.UNDER_MONITORING, 0.12),
    (HouseholdStatus.NOT_POOR, 0.08),
]
STATUS_WORD = {
    HouseholdStatus.EXITED: "脱贫户",
    HouseholdStatus.REGISTERED_POOR: "建档立卡户",
    HouseholdStatus.UNDER_MONITORING: "监测户",
    HouseholdStatus.NOT_POOR: "一般户",
}
CAUSE_WORD = {
    HardshipCause.ILLNESS: "因病",
    HardshipCause.DISABILITY: "因残",
    HardshipCause.EDUCATION: "因学",
    HardshipCause.LACK_OF_LABOUR: "缺劳力",
    HardshipCause.LACK_OF_FUNDS: "缺资金",
    HardshipCause.LACK_OF_SKILLS: "缺技术",
}
# Organisations of each kind per township, and per city (the city's own departments, media).
ORGS_PER_TOWNSHIP = {
    OrganisationKind.PRIVATE_ENTERPRISE: 8,
    OrganisationKind.COOPERATIVE: 3,
    OrganisationKind.SCHOOL: 2,
    OrganisationKind.HOSPITAL: 1,
}
ORGS_PER_CITY = {
    OrganisationKind.GOVERNMENT_DEPARTMENT: 40,
    OrganisationKind.ECOMMERCE_COMPANY: 12,
    OrganisationKind.SOCIAL_ORGANISATION: 10,
    OrganisationKind.MEDIA_OUTLET: 4,
}
ORG_NAME_ENDINGS = {
    OrganisationKind.PRIVATE_ENTERPRISE: (
        "实业有限公司",
        "农业科技有限公司",
        "食品有限公司",
        "建材有限公司",
    ),
    OrganisationKind.COOPERATIVE: ("种植专业合作社", "养殖专业合作社"),
    OrganisationKind.SCHOOL: ("中心小学", "初级中学"),
    OrganisationKind.HOSPITAL: ("卫生院",),
    OrganisationKind.GOVERNMENT_DEPARTMENT: ("局",),
    OrganisationKind.ECOMMERCE_COMPANY: ("电子商务有限公司",),
    OrganisationKind.SOCIAL_ORGANISATION: ("慈善协会", "志愿者协会", "商会"),
    OrganisationKind.MEDIA_OUTLET: ("日报社", "广播电视台"),
}
DEPARTMENTS = (
    "教育",
    "卫生健康",
    "民政",
    "农业农村",
    "人力资源和社会保障",
    "住房和城乡建设",
    "交通运输",
    "水利",
    "商务",
    "文化和旅游",
    "自然资源",
    "生态环境",
    "应急管理",
    "市场监督管理",
    "统计",
    "财政",
    "审计",
    "司法",
    "公安",
    "医疗保障",
    "退役军人事务",
    "乡村振兴",
    "林业",
    "供销",
    "工信",
    "发改",
    "科技",
    "体育",
    "税务",
    "邮政",
    "气象",
    "档案",
    "机关事务",
    "信访",
    "粮食",
    "人防",
    "城管",
    "残联",
    "妇联",
    "团委",
)


def build(ctx) -> None:
    from tongxing.accounts.demo import person_name

    rng = ctx.rng("registry")
    villages = list(Region.objects.filter(level=Level.VILLAGE).order_by("code"))
    townships = list(Region.objects.filter(level=Level.TOWNSHIP).order_by("code"))
    cities = list(Region.objects.filter(level=Level.CITY).order_by("code"))
    build_households(ctx, rng, villages, person_name)
    build_organisations(ctx, rng, cities, townships)
    build_people(ctx, rng, cities, townships, villages, person_name)


def build_households(ctx, rng, villages, person_name) -> None:
    per_village = HOUSEHOLDS_PER_VILLAGE[ctx.scale.name]
    # The demo's last day: the year's end, or today in this year (nothing is dated later).
    year_end = min(datetime.date(ctx.year, 12, 31), timezone.localdate())
    rows = []
    used: dict[tuple, int] = {}

    def new_id(county: str, born: datetime.date, sex: str) -> str:
        key = (county, born, sex)
        used[key] = used.get(key, 0) + 1
        return make_id_number(region_code=county, birth_date=born, sequence=used[key], sex=sex)

    def birthday(age_from: int, age_to: int) -> datetime.date:
        return year_end - datetime.timedelta(days=rng.randint(age_from * 365, age_to * 365))

    for village in villages:
        county = prefix_of(village.code, Level.COUNTY)
        for n in range(1, per_village + 1):
            number = f"{village.code}{n:04d}"
            status = rng.choices([s for s, _ in STATUS_SHARES], [w for _, w in STATUS_SHARES])[0]
            since = min(
                datetime.date(rng.randint(2014, ctx.year), rng.randint(1, 12), rng.randint(1, 28)),
                year_end,
            )
            causes = "、".join(rng.sample(list(CAUSE_WORD.values()), rng.choice((1, 1, 2))))
            head_sex = "male" if rng.random() < 0.8 else "female"
            head_name = person_name(rng, head_sex)
            surname = head_name[0]
            common = {
                "户编号": number,
                "村代码": village.code,
                "户类型": STATUS_WORD[status],
                "状态起始日期": since.isoformat(),
                "致贫原因": causes,
                "大病": "是" if rng.random() < 0.1 else "否",
                "独居老人": "否",
            }
            members = [
                ("户主", head_name, head_sex, birthday(35, 75), "普通劳动力"),
            ]
            size = rng.choice((1, 2, 3, 3, 3, 4, 4, 5))
            if size == 1 and members[0][3].year < ctx.year - 65:
                common["独居老人"] = "是"
            if size >= 2:
                spouse_sex = "female" if head_sex == "male" else "male"
                members.append(
                    (
                        "配偶",
                        person_name(rng, spouse_sex),
                        spouse_sex,
                        birthday(33, 72),
                        "弱劳动力或半劳动力",
                    )
                )
            for _child in range(size - 2):
                sex = rng.choice(("male", "female"))
                members.append(
                    ("子女", surname + person_name(rng, sex)[1:], sex, birthday(3, 17), "无劳动力")
                )
            for relation, name, sex, born, labour in members:
                child = relation == "子女"
                rows.append(
                    {
                        **common,
                        "姓名": name,
                        "与户主关系": relation,
                        "身份证号": new_id(county, born, sex),
                        "联系电话": f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}"
                        if not child
                        else "",
                        "留守儿童": "是" if child and rng.random() < 0.15 else "否",
                        "在校生": "是" if child and born.year < ctx.year - 6 else "否",
                        "残疾": "是" if rng.random() < 0.03 else "否",
                        "劳动能力": labour,
                    }
                )
    from tongxing.registry.roster_columns import COLUMN_ALIASES
    from tongxing.tabular import clean

    lookup = {alias: column for column, aliases in COLUMN_ALIASES.items() for alias in aliases}
    table = [
        (i, {lookup[k]: clean(v) for k, v in row.items()}) for i, row in enumerate(rows, start=2)
    ]
    # The import reports its progress in roster rows, one a member.
    with ctx.step(_("Household members"), len(table)) as advance:
        result = import_households(rows=table, by=None, progress=advance)
    if not result.ok:  # the generator is ours: a bad row is a bug, not an input error
        raise RuntimeError(f"demo households are invalid: {result.errors[:3]}")


def build_organisations(ctx, rng, cities, townships) -> None:
    existing = set(Organisation.objects.values_list("credit_code", flat=True))
    plan = []
    for city in cities:
        for kind, count in ORGS_PER_CITY.items():
            plan += [(city, kind, i) for i in range(count)]
    for township in townships:
        for kind, count in ORGS_PER_TOWNSHIP.items():
            plan += [(township, kind, i) for i in range(count)]
    with ctx.step(_("Organisations"), len(plan)) as advance:
        for serial, (region, kind, i) in enumerate(plan, start=1):
            code = make_credit_code(region_code=prefix_of(region.code, Level.COUNTY), serial=serial)
            name = _org_name(rng, region, kind, i)  # drawn for every one, so names stay stable
            if code not in existing:
                create_organisation(name=name, kind=kind, region=region, credit_code=code, by=None)
            advance()


def _org_name(rng, region, kind, i) -> str:
    place = region.name.rstrip("市县区镇乡街道")
    if kind == OrganisationKind.GOVERNMENT_DEPARTMENT:
        return f"{region.name}{DEPARTMENTS[i % len(DEPARTMENTS)]}局"
    ending = rng.choice(ORG_NAME_ENDINGS[kind])
    if kind in (OrganisationKind.SCHOOL, OrganisationKind.HOSPITAL):
        return f"{region.name}{ending}" if i == 0 else f"{region.name}第{i + 1}{ending}"
    from tongxing.regions.demo import SYLLABLES

    return f"{place}{''.join(rng.choice(SYLLABLES) for _ in range(2))}{ending}"


def build_people(ctx, rng, cities, townships, villages, person_name) -> None:
    existing = set(Person.objects.values_list("region_id", "position", "name"))
    departments = list(Organisation.objects.filter(kind=OrganisationKind.GOVERNMENT_DEPARTMENT))
    plan = [(city, Position.CITY_PARTY_SECRETARY, None) for city in cities]
    plan += [(t, Position.TOWNSHIP_PARTY_SECRETARY, None) for t in townships]
    plan += [(v, Position.VILLAGE_PARTY_SECRETARY, None) for v in villages]
    for village in villages:
        if village.key_poor_village or village.provincial_key_village:
            unit = rng.choice(departments) if departments else None
            plan.append((village, Position.FIRST_SECRETARY, unit))
            plan += [(village, Position.WORK_TEAM_MEMBER, unit)] * 2
    poor = list(
        Household.objects.filter(status=HouseholdStatus.REGISTERED_POOR)
        .select_related("village")
        .order_by("registry_number")
    )
    # One assigned cadre for every five households registered in need, in their township.
    by_township: dict[str, list[Household]] = {}
    for household in poor:
        by_township.setdefault(prefix_of(household.village_id, Level.TOWNSHIP), []).append(
            household
        )
    cadre_plan = []
    for prefix, households in sorted(by_township.items()):
        township = next(t for t in townships if t.prefix == prefix)
        for start in range(0, len(households), 5):
            unit = rng.choice(departments) if departments else None
            cadre_plan.append((township, households[start : start + 5], unit))
    since = datetime.date(ctx.year, 1, 1)
    # Each township's cadre login (accounts.demo) is its first assigned cadre, so that it
    # has households to help: a cadre acts only for the households assigned to them.
    logins = {}
    for account in User.objects.filter(role=Role.CADRE, person__isnull=True).order_by("username"):
        logins.setdefault(account.region_id, account)
    with ctx.step(_("People"), len(plan) + len(cadre_plan)) as advance:
        for region, position, unit in plan:
            _person(rng, region, position, unit, existing, person_name)
            advance()
        for township, households, unit in cadre_plan:
            login = logins.pop(township.code, None)
            cadre = _person(
                rng, township, Position.ASSIGNED_CADRE, unit, existing, person_name, login
            )
            for household in households:
                assign_helper(person=cadre, household=household, since=since, by=None)
            advance()


def _person(rng, region, position, unit, existing, person_name, account=None) -> Person:
    name = person_name(rng)
    phone = f"13{rng.randint(0, 999999999):09d}"  # drawn for every one, so the rest stay stable
    key = (region.code, position, name)
    if key in existing:
        return Person.objects.filter(region=region, position=position, name=name).first()
    existing.add(key)
    return create_person(
        name=name,
        position=position,
        region=region,
        organisation=unit,
        phone=phone,
        account=account,
        by=None,
    )
