"""The demo's accounts: staff of every role at every level, and the public's donors."""

from django.utils.translation import gettext as _

from tongxing.access import Role
from tongxing.accounts.actions import DonorRow, create_donors_in_bulk, create_user
from tongxing.accounts.models import User
from tongxing.demo import DEMO_PASSWORD
from tongxing.regions.codes import Level
from tongxing.regions.models import Region

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# Characters of given names, by the sex they are usual for (no character in both lists),
# so that a member's name fits the sex the registry records.
MALE_GIVEN = "伟强磊军洋勇杰涛明超刚鹏辉建国海东志斌宇浩凯健俊帆帅旭阳飞亮峰成"
FEMALE_GIVEN = "芳娜敏静丽艳娟秀霞桂英玉兰萍红燕梅欣怡佳雪琳婷慧丹莉倩颖"
GIVEN = {"male": MALE_GIVEN, "female": FEMALE_GIVEN, None: MALE_GIVEN + FEMALE_GIVEN}
DONOR_BATCH = 5000

# Which roles each level of the tree gets, and the username prefix of each.
STAFF_BY_LEVEL = {
    Level.PROVINCE: [(Role.CITY_ADMIN, "office"), (Role.VIEWER, "viewer")],
    Level.CITY: [(Role.CITY_ADMIN, "office"), (Role.VIEWER, "viewer")],
    Level.COUNTY: [(Role.CITY_ADMIN, "office"), (Role.VIEWER, "viewer")],
    Level.TOWNSHIP: [
        (Role.TOWNSHIP_ADMIN, "station"),
        (Role.CADRE, "cadre"),
        (Role.VIEWER, "viewer"),
    ],
    Level.VILLAGE: [(Role.VILLAGE_ADMIN, "village"), (Role.CADRE, "cadre")],
}


def person_name(rng, sex: str | None = None) -> str:
    """A surname and a given name of one or two characters usual for the sex, if given."""
    given = GIVEN[sex]
    return rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))


def build(ctx) -> None:
    rng = ctx.rng("accounts")
    regions = list(Region.objects.order_by("level", "code"))
    existing = set(User.objects.values_list("username", flat=True))
    # The first region of each level gets the printed logins, with a password.
    printed_regions = {}
    for region in regions:
        printed_regions.setdefault(region.level, region)
    top = regions[0]
    staff = [
        (region, role, prefix)
        for region in regions
        for role, prefix in STAFF_BY_LEVEL[region.level]
    ]
    with ctx.step(_("Staff and demo accounts"), len(staff) + 2) as advance:
        for region, role, prefix in staff:
            username = f"{prefix}-{region.prefix}"
            display_name = person_name(rng)  # drawn for every account, so names stay stable
            printed = role not in ctx.logins and (
                region == printed_regions[region.level] and _printed_level(role, region, top)
            )
            if printed:
                ctx.logins[role] = (username, region.name)
            if username not in existing:
                create_user(
                    username=username,
                    role=role,
                    region=region,
                    password=DEMO_PASSWORD if printed else None,
                    display_name=display_name,
                    by=None,
                )
            advance()
        for role, username in (
            (Role.ORG_REP, "enterprise-demo"),
            (Role.HOUSEHOLD, "household-demo"),
        ):
            ctx.logins[role] = (username, "—")
            if username not in existing:
                create_user(
                    username=username,
                    role=role,
                    password=DEMO_PASSWORD,
                    display_name=person_name(rng),
                    by=None,
                )
            advance()
    build_donors(ctx, rng, existing)


def _printed_level(role: str, region: Region, top: Region) -> bool:
    # The city office login is the top region's; the viewer too, so it sees everything.
    if role in (Role.CITY_ADMIN, Role.VIEWER):
        return region == top
    return True


def build_donors(ctx, rng, existing: set[str]) -> None:
    total = ctx.scale.donors
    with ctx.step(_("Donors"), total + 1) as advance:  # and the printed login
        if "donor-demo" not in existing:
            create_user(
                username="donor-demo",
                role=Role.DONOR,
                password=DEMO_PASSWORD,
                display_name=person_name(rng),
                by=None,
            )
        ctx.logins[Role.DONOR] = ("donor-demo", "—")
        advance()
        for start in range(1, total + 1, DONOR_BATCH):
            numbers = range(start, min(start + DONOR_BATCH, total + 1))
            names = [person_name(rng) for _ in numbers]
            rows = [
                DonorRow(username=f"donor-{n:07d}", display_name=name)
                for n, name in zip(numbers, names, strict=True)
                if f"donor-{n:07d}" not in existing
            ]
            if rows:
                create_donors_in_bulk(rows=rows, by=None)
            advance(len(numbers))
