"""Progress of long commands: a bar on a terminal, plain lines in a log or a pipe."""

import io

from django.core.management import call_command
from rich.console import Console
from rich.progress import Progress

from conftest import TEST_DATA_KEY
from tongxing import personal_data
from tongxing.progress import LineProgress, progress_display
from tongxing.registry.tests.factories import id_number, phone, register


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_line_comes_at_each_tenth_at_most_once_a_second_and_at_the_end():
    stream, clock = io.StringIO(), Clock()
    progress = LineProgress(stream, clock=clock)
    task = progress.add_task("Households", total=30_000)
    progress.advance(task, 3_000)  # a tenth, but within the first second: no line yet
    clock.now += 1.5
    progress.advance(task, 9_000)  # 40%
    progress.advance(task, 1)  # the same second
    clock.now += 0.5
    progress.advance(task, 2_999)  # 50%, but within a second of the last line
    clock.now += 12
    progress.advance(task, 1)  # no new tenth, but ten seconds have passed
    clock.now += 60
    progress.update(task, completed=30_000)
    progress.advance(task, 0)  # done already: no second line for the end
    assert stream.getvalue().splitlines() == [
        "Households: 12,000 / 30,000 (40%) 0:00:01",
        "Households: 15,001 / 30,000 (50%) 0:00:14",
        "Households: 30,000 / 30,000 (100%) 0:01:14",
    ]


def test_a_task_without_a_total_or_with_nothing_to_do_still_reads_plainly():
    stream, clock = io.StringIO(), Clock()
    progress = LineProgress(stream, clock=clock)
    empty = progress.add_task("Needs", total=0)
    progress.advance(empty, 0)
    endless = progress.add_task("Rows", total=None)
    clock.now += 3_725
    progress.advance(endless, 1_234_567)
    assert stream.getvalue().splitlines() == [
        "Needs: 0 / 0 (100%) 0:00:00",
        "Rows: 1,234,567 1:02:05",
    ]


def test_a_terminal_gets_a_bar_and_anything_else_gets_lines():
    terminal = Console(file=io.StringIO(), force_terminal=True)
    assert isinstance(progress_display(terminal), Progress)
    assert isinstance(progress_display(Console(file=io.StringIO())), LineProgress)


def test_a_rotation_writes_its_progress_as_lines_when_standard_error_is_not_a_terminal(
    vera, settings, capsys
):
    for n in range(3):
        register(by=vera, number=f"H-00{n}", head_id=id_number(n), head_phone=phone(n))
    capsys.readouterr()
    settings.TONGXING_DATA_KEY = personal_data.new_key()
    settings.TONGXING_DATA_OLD_KEYS = TEST_DATA_KEY
    call_command("datakey", "rotate")
    assert capsys.readouterr().err.splitlines() == ["Members: 3 / 3 (100%) 0:00:00"]
