"""The demo's region tree: fictional cities under a real province code.

The province code is real (42) so that the demo's ID numbers carry a valid province; the
city codes (4271 on) are not used by the national table, so no real place, and no real
person's ID number, can be among them.
"""

from django.utils.translation import gettext as _

from tongxing.regions.actions import import_regions
from tongxing.regions.codes import full_code

PROVINCE = "42"
FIRST_CITY = 71
SYLLABLES = (
    "青禾安平和丰泰康宁永兴福寿长乐清溪柳塘桃李杏花云山石桥松林梅竹"
    "金沙银湖龙泉凤岭白鹤红岩黄土绿水新华东升西坪南岗北营上河下湾中坝"
)
TOWNSHIP_SUFFIXES = ("镇", "乡", "镇", "街道")
# Shares of villages with each tag, roughly as in the reference report's city.
TAG_SHARES = {"key_poor_village": 0.22, "relocation_village": 0.02, "provincial_key_village": 0.01}


def place_name(rng, taken: set[str], length: int = 2) -> str:
    while True:
        name = "".join(rng.choice(SYLLABLES) for _ in range(length))
        if name not in taken:
            taken.add(name)
            return name


def region_rows(ctx) -> list[dict]:
    rng = ctx.rng("regions")
    scale = ctx.scale
    rows = []
    taken: set[str] = set()
    if scale.cities > 1:
        rows.append({"code": full_code(PROVINCE), "name": "示范省"})
    for c in range(1, scale.cities + 1):
        city = f"{PROVINCE}{FIRST_CITY + c - 1:02d}"
        rows.append({"code": full_code(city), "name": place_name(rng, taken) + "市"})
        for k in range(1, scale.counties_per_city + 1):
            county = f"{city}{k:02d}"
            suffix = "区" if k == 1 else "县"
            rows.append({"code": full_code(county), "name": place_name(rng, taken) + suffix})
            for t in range(1, scale.townships_per_county + 1):
                township = f"{county}{t:03d}"
                name = place_name(rng, taken) + rng.choice(TOWNSHIP_SUFFIXES)
                rows.append({"code": full_code(township), "name": name})
                for v in range(1, scale.villages_per_township + 1):
                    tags = [tag for tag, share in TAG_SHARES.items() if rng.random() < share]
                    rows.append(
                        {
                            "code": f"{township}{v:03d}",
                            "name": place_name(rng, taken, 3) + "村",
                            "tags": " ".join(tags),
                        }
                    )
    return rows


def build(ctx) -> None:
    rows = region_rows(ctx)
    with ctx.step(_("Regions"), len(rows)) as advance:
        result = import_regions(rows=list(enumerate(rows, start=2)), by=None, progress=advance)
    if not result.ok:  # the generator is ours: a bad row is a bug, not an input error
        raise RuntimeError(f"demo regions are invalid: {result.errors[:3]}")
