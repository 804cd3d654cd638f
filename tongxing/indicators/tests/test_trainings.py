"""One e-commerce training's figures (ecommerce.training.<id>.*): the townships its sites
reached, its trainees, and those of registered households; in the command, the API, the
drill-down and the report, each training said once."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import CITY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, client_for
from tongxing.events.actions import events as ev
from tongxing.events.models import Topic
from tongxing.events.tests import factories as f
from tongxing.indicators import engine
from tongxing.indicators.catalogue import indicator_of
from tongxing.regions.models import Region
from tongxing.registry.models import HouseholdStatus
from tongxing.reports.generate import generate

TODAY = timezone.localdate()
YEAR = TODAY.year
START = datetime.date(YEAR, 1, 1)


@pytest.fixture
def trainings(tree):
    """Two e-commerce trainings this year (the first at sites in two townships, its
    attendance listed), one last year, and one on farming this year."""
    day = START
    first = f.event(
        title="抖音启航班",
        region=f.region(CITY),
        starts_on=day,
        ends_on=day,
        sites=[
            (f.region(VILLAGE_A1), "村委会"),
            (f.region(VILLAGE_A2), ""),
            (f.region(VILLAGE_B1), ""),
        ],
    )
    poor = [f.household(f"TR-{i}", 40 + i) for i in range(2)]
    better_off = f.household("TR-9", 49, status=HouseholdStatus.NOT_POOR)
    ev.set_attendance(event=first, members=[h.members.get() for h in [*poor, better_off]], by=None)
    ev.record_outcomes(event=first, participants=60, by=None)
    second = f.event(
        title="创业人才培训",
        region=f.region(TOWNSHIP_B),
        sites=[(f.region(VILLAGE_B1), "")],
        starts_on=day,
        ends_on=day,
    )
    ev.record_outcomes(event=second, participants=25, registered_attendees=10, by=None)
    last_year = datetime.date(YEAR - 1, 6, 1)
    f.event(title="去年的培训", starts_on=last_year, ends_on=last_year)
    f.event(title="种植培训", topic=Topic.AGRICULTURE, starts_on=day, ends_on=day)
    return first, second


def codes(event) -> dict:
    return {
        part: f"ecommerce.training.{event.pk}.{part}"
        for part in ("townships", "trainees", "poor_trainees")
    }


def test_each_training_of_the_year_has_its_own_figures(trainings):
    first, second = trainings
    found = engine.trainings("5901", START, TODAY)

    assert [(t.id, t.title) for t in found] == [
        (first.pk, "抖音启航班"),
        (second.pk, "创业人才培训"),
    ]
    values = {code: figure.value for t in found for code, figure in t.figures.items()}
    assert values == {
        # A1 and A2 are township A's, B1 township B's: two townships
        codes(first)["townships"]: 2,
        codes(first)["trainees"]: 60,
        # the attendance list: two members of registered households, one better off
        codes(first)["poor_trainees"]: 2,
        codes(second)["townships"]: 1,
        codes(second)["trainees"]: 25,
        codes(second)["poor_trainees"]: 10,
    }
    # Township A sees only what belongs to it: neither training is its own.
    assert engine.trainings(TOWNSHIP_A[:9], START, TODAY) == []
    assert [t.id for t in engine.trainings(TOWNSHIP_B[:9], START, TODAY)] == [second.pk]


def test_a_trainings_drill_down_lists_what_its_figure_counted(trainings):
    first, _second = trainings
    townships = engine.records(codes(first)["townships"], "5901", START, TODAY)
    assert sorted(townships.values_list("code", flat=True)) == [TOWNSHIP_A, TOWNSHIP_B]
    trainees = engine.records(codes(first)["trainees"], "5901", START, TODAY)
    assert list(trainees.values_list("pk", flat=True)) == [first.pk]


def test_an_unknown_training_or_part_is_no_code(trainings):
    first, _second = trainings
    farming = f.event(title="种植", topic=Topic.AGRICULTURE)
    for code in (
        "ecommerce.training.999999.trainees",
        f"ecommerce.training.{first.pk}.viewers",
        f"ecommerce.training.{farming.pk}.trainees",
    ):
        with pytest.raises(KeyError):
            indicator_of(code)


def test_the_command_and_the_api_give_each_trainings_codes(trainings, alice):
    first, second = trainings
    out = io.StringIO()
    call_command("indicators", "--region", CITY, "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed[codes(first)["trainees"]] == {
        "value": 60,
        "display": "60",
        "unit": "people",
        "state": "computed",
    }
    assert printed[codes(second)["poor_trainees"]]["value"] == 10

    answer = client_for(alice).get("/api/v1/indicators", {"region": CITY})
    assert answer.status_code == 200
    assert answer.json()[codes(first)["townships"]]["value"] == 2
    records = client_for(alice).get(
        f"/api/v1/indicators/{codes(first)['townships']}/records", {"region": CITY}
    )
    assert records.status_code == 200 and len(records.json()["items"]) == 2
    unknown = client_for(alice).get(
        "/api/v1/indicators/ecommerce.training.999999.trainees/records", {"region": CITY}
    )
    assert unknown.status_code == 404


def report_text(lang: str, code: str = CITY) -> str:
    content, _name = generate(
        region=Region.objects.get(code=code), year=YEAR, lang=lang, format="md", today=TODAY
    )
    return content.decode()


def test_the_report_says_each_training_of_its_office_once(trainings):
    text = report_text("zh-hans")
    day = f"{YEAR}年1月1日"
    assert text.count(f"{day}，“抖音启航班”在2个乡镇开班，培训60人，其中困难户家庭成员2人。") == 1
    # Township B's own training counts in the city's totals; its own report tells it.
    assert "创业人才培训" not in text
    assert "去年的培训" not in text and "种植培训" not in text and "{{" not in text
    township = report_text("zh-hans", TOWNSHIP_B)
    assert f"{day}，“创业人才培训”在1个乡镇开班，培训25人，其中困难户家庭成员10人。" in township

    english = report_text("en")
    assert (
        f'On 1 January {YEAR}, the training "抖音启航班" opened in 2 townships and trained 60 '
        "people, 2 of them from households in difficulty." in english
    )


def test_a_year_without_trainings_leaves_the_sentence_out(tree):
    text = report_text("zh-hans")
    assert "开班" not in text and "ecommerce.training" not in text
