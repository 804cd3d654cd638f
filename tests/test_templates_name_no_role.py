"""Templates ask what an account may do (`can.review`), never which role it has: the rights
live beside the views' own role sets (`tongxing.navigation.RIGHTS`)."""

import re
from pathlib import Path

from tongxing.access import Role

PACKAGE = Path(__file__).resolve().parent.parent / "tongxing"


def test_no_template_spells_a_role():
    roles = "|".join(Role.values)
    spelled = re.compile(rf"""\.role\b|["']({roles})["']""")
    found = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if spelled.search(line.replace("get_role_display", ""))
    ]
    assert found == []
