"""What the import benchmark needs: the demo's region tree, and a roster to import into it.

    import_setup.py regions            migrate DATABASE_URL and build the city demo's regions
    import_setup.py roster FILE.xlsx   write the roster: 100,000 rows, one per member

The roster is the same for the same seed: about 33,000 households of the city demo's
villages, with Chinese headers, valid ID numbers (under the demo's county codes, which no
real person's number carries) and registry numbers "B<village code><5 digits>", which the
demo's own households (<village code><4 digits>) never take. Its ID numbers use order codes
500 and up (sequence 250-499), which the demo's own members never reach either, so the
roster could also be imported into a full city demo.
"""

import argparse
import datetime
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_SEED = 2020  # the demo command's default seed: the same cities and villages
ROSTER_SEED = "bench:roster"
HEADERS = (
    "户编号",
    "村代码",
    "姓名",
    "与户主关系",
    "身份证号",
    "联系电话",
    "户类型",
    "状态起始日期",
    "致贫原因",
    "留守儿童",
    "在校生",
    "残疾",
    "劳动能力",
)
AS_OF = datetime.date(2025, 12, 31)  # the roster's "today": the same file on any day
FIRST_SEQUENCE = 250  # of make_id_number's 0-499: the demo's members use the low ones
HOUSEHOLD_SIZES = (1, 2, 2, 3, 3, 3, 4, 4, 5)  # 3 members on average: 33,000 households


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxing.settings")
    import django

    django.setup()


def demo_context():
    from tongxing.demo import SCALES, DemoContext

    return DemoContext(seed=DEMO_SEED, scale=SCALES["city"], year=datetime.date.today().year - 1)


def build_regions() -> None:
    from django.core.management import call_command

    from tongxing.regions import demo as regions_demo

    call_command("migrate", verbosity=0, interactive=False)
    regions_demo.build(demo_context())


def village_codes() -> list[str]:
    """The city demo's village codes, from the generator itself (no database needed)."""
    from tongxing.regions import demo as regions_demo
    from tongxing.regions.codes import Level, level_of

    rows = regions_demo.region_rows(demo_context())
    return [row["code"] for row in rows if level_of(row["code"]) == Level.VILLAGE]


def roster_rows(count: int):
    """Yield `count` roster rows (tuples in the order of HEADERS), household by household."""
    from tongxing.accounts.demo import person_name
    from tongxing.registry.demo import CAUSE_WORD, STATUS_SHARES, STATUS_WORD
    from tongxing.registry.validators import make_id_number

    rng = random.Random(ROSTER_SEED)
    villages = village_codes()
    used: dict[tuple, int] = {}

    def new_id(county: str, born: datetime.date, sex: str) -> str:
        key = (county, born, sex)
        used[key] = used.get(key, FIRST_SEQUENCE - 1) + 1
        return make_id_number(region_code=county, birth_date=born, sequence=used[key], sex=sex)

    def birthday(age_from: int, age_to: int) -> datetime.date:
        return AS_OF - datetime.timedelta(days=rng.randint(age_from * 365, age_to * 365))

    def phone() -> str:
        return f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}"

    statuses = [status for status, _share in STATUS_SHARES]
    shares = [share for _status, share in STATUS_SHARES]
    written = 0
    household = 0
    while written < count:
        village = villages[household % len(villages)]
        household += 1
        number = f"B{village}{household:05d}"
        status = STATUS_WORD[rng.choices(statuses, shares)[0]]
        since = datetime.date(rng.randint(2014, AS_OF.year), rng.randint(1, 12), 1).isoformat()
        causes = "、".join(rng.sample(list(CAUSE_WORD.values()), rng.choice((1, 1, 2))))
        head_sex = "male" if rng.random() < 0.8 else "female"
        head = person_name(rng)
        members = [("户主", head, head_sex, birthday(30, 80), "普通劳动力")]
        size = rng.choice(HOUSEHOLD_SIZES)
        if size >= 2:
            spouse_sex = "female" if head_sex == "male" else "male"
            members.append(
                ("配偶", person_name(rng), spouse_sex, birthday(28, 78), "弱劳动力或半劳动力")
            )
        for _child in range(size - 2):
            sex = rng.choice(("male", "female"))
            name = head[0] + person_name(rng)[1:]  # the head's surname
            members.append(("子女", name, sex, birthday(1, 25), "无劳动力"))
        for relation, name, sex, born, labour in members[: count - written]:
            child = relation == "子女"
            age = AS_OF.year - born.year
            yield (
                number,
                village,
                name,
                relation,
                new_id(village[:6], born, sex),
                "" if child else phone(),
                status,
                since,
                causes,
                "是" if child and age < 16 and rng.random() < 0.15 else "否",
                "是" if child and 6 <= age <= 22 else "否",
                "是" if rng.random() < 0.03 else "否",
                labour,
            )
            written += 1


def write_roster(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(HEADERS)
    for row in roster_rows(rows):
        sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("regions", help="migrate and build the city demo's region tree")
    roster = commands.add_parser("roster", help="write the roster as .xlsx")
    roster.add_argument("file", type=Path)
    roster.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    setup_django()
    if args.command == "regions":
        build_regions()
    else:
        write_roster(args.file, args.rows)


if __name__ == "__main__":
    main()
