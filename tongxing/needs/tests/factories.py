"""Needs and pledges for the tests, made through the actions.

`published_need` posts as the village admin of A1 (Vera's village) and publishes as the
city office, so a test starts from a need on the board in one line.
"""

import datetime
import io
import itertools

from django.utils import timezone
from PIL import Image

from conftest import VILLAGE_A1
from tongxing.access import Role
from tongxing.needs.actions import posting, review
from tongxing.needs.models import FundingPolicy, Kind
from tongxing.regions.models import Region
from tongxing.registry import records as registry_records
from tongxing.registry.models import Relation
from tongxing.registry.tests.factories import id_number, register

_numbers = itertools.count(1)


def png(color=(255, 0, 0), size=(1, 1)) -> bytes:
    """A photo as a PNG file: one colour (red by default), one pixel by default."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def picture(content: bytes) -> tuple[str, tuple[int, int], tuple]:
    """What a stored photo shows: its format, size and first pixel (not its bytes, which
    the re-encoding that drops metadata changes)."""
    with Image.open(io.BytesIO(content)) as image:
        return image.format, image.size, image.convert("RGB").getpixel((0, 0))


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def household(*, village: str = VILLAGE_A1, head: str = "张建国", child: str | None = None):
    """Register a household (with a left-behind child when named)."""
    n = next(_numbers)
    # The counter runs across the whole session; ID sequences stop at 499. Each test starts
    # from an empty database, so numbers may repeat between tests, never within one.
    seq = n % 300
    others = []
    if child:
        others.append(
            registry_records.MemberData(
                name=child,
                relation=Relation.CHILD,
                id_number=id_number(seq, born=datetime.date(2015, 6, 1)),
                left_behind_child=True,
            )
        )
    return register(
        number=f"N-{n:04d}",
        village=village,
        head=head,
        head_id=id_number(200 + seq),
        head_phone=f"1370000{n:04d}",
        others=others,
    )


def goods_data(home, **changes) -> posting.NeedData:
    values = dict(
        kind=Kind.GOODS,
        category="clothing",
        title="棉被",
        story="冬天快到了，家里缺棉被。",
        deadline=in_days(30),
        household=home,
        quantity=3,
        unit="床",
        unit_value_fen=150_00,
    )
    values.update(changes)
    return posting.NeedData(**values)


def funds_data(home, *, target_fen=1000_00, policy=FundingPolicy.ALL_OR_NOTHING, **changes):
    values = dict(
        kind=Kind.FUNDS,
        category="medical_bills",
        title="住院费用",
        story="孩子住院，需要筹集医疗费用。",
        deadline=in_days(30),
        household=home,
        target_fen=target_fen,
        funding_policy=policy,
    )
    values.update(changes)
    return posting.NeedData(**values)


def service_data(home, **changes) -> posting.NeedData:
    values = dict(
        kind=Kind.SERVICE,
        category="job",
        title="就近务工岗位",
        deadline=in_days(30),
        household=home,
        quantity=1,
        place="柳塘镇",
    )
    values.update(changes)
    return posting.NeedData(**values)


def wish_data(home, **changes) -> posting.NeedData:
    child = home.members.get(relation=Relation.CHILD)
    values = dict(
        kind=Kind.WISH,
        category="study",
        title="一个新书包",
        deadline=in_days(30),
        child=child,
        value_fen=80_00,
    )
    values.update(changes)
    return posting.NeedData(**values)


def published(data: posting.NeedData, *, by=None, reviewer=None):
    """Post a need, submit it and publish it (overriding any rule it breaks)."""
    need = posting.create_need(data=data, by=by, submit=True)
    return review.review_need(need=need, by=reviewer, approve=True, override_reason="test")


def village(code: str = VILLAGE_A1) -> Region:
    return Region.objects.get(code=code)


__all__ = ["Role"]
