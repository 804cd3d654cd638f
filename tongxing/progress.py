"""Progress of a long command: a bar on a terminal, plain lines in a log or a pipe.

`progress_display()` returns a rich `Progress` when standard error is a terminal. Otherwise
(cron, systemd, `make demo > log`, a CI job) a bar would only be drawn once, at the end, so
it returns a `LineProgress`, which offers the part of `Progress` the commands use
(`add_task`, `advance`, `update`, `start`, `stop`, and `with`) and writes a plain line to
standard error as a task moves on: at each tenth of its total (at most one a second), at
least every ten seconds while it moves, and when it completes:

    Households: 12,000 / 30,000 (40%) 0:01:12

Counts carry thousands separators in both forms.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

# A line at least this often while a task moves, and at most one a second before that.
LINE_EVERY_SECONDS = 10.0
LINE_AT_MOST_EVERY_SECONDS = 1.0


class CountColumn(ProgressColumn):
    """`12,000/30,000`: rich's MofNCompleteColumn with thousands separators."""

    def render(self, task) -> Text:
        total = "?" if task.total is None else f"{int(task.total):,}"
        return Text(f"{int(task.completed):,}/{total}", style="progress.download")


@dataclass
class LineTask:
    description: str
    total: float | None
    started: float
    completed: float = 0
    last_line: float = 0.0
    last_tenth: int = 0
    finished: bool = False


class LineProgress:
    """Progress as plain lines on a stream, for output that is not a terminal."""

    def __init__(
        self, stream: TextIO | Callable[[], TextIO], *, clock: Callable[[], float] = time.monotonic
    ):
        # A callable gives the stream of the moment (sys.stderr may be replaced meanwhile).
        self._stream = stream
        self.clock = clock
        self.tasks: dict[int, LineTask] = {}

    def __enter__(self) -> "LineProgress":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def add_task(self, description: str, total: float | None = 100, **_fields) -> int:
        task_id = len(self.tasks)
        now = self.clock()
        self.tasks[task_id] = LineTask(description, total, started=now, last_line=now)
        return task_id

    def advance(self, task_id: int, advance: float = 1) -> None:
        self.update(task_id, advance=advance)

    def update(
        self,
        task_id: int,
        *,
        total: float | None = None,
        completed: float | None = None,
        advance: float | None = None,
        description: str | None = None,
        **_fields,
    ) -> None:
        task = self.tasks[task_id]
        if total is not None:
            task.total = total
        if completed is not None:
            task.completed = completed
        if advance is not None:
            task.completed += advance
        if description is not None:
            task.description = description
        self._report(task)

    def _report(self, task: LineTask) -> None:
        if task.finished:
            return
        now = self.clock()
        done = task.total is not None and task.completed >= task.total
        tenth = int(10 * task.completed / task.total) if task.total else 0
        if (
            done
            or now - task.last_line >= LINE_EVERY_SECONDS
            or (tenth > task.last_tenth and now - task.last_line >= LINE_AT_MOST_EVERY_SECONDS)
        ):
            task.finished = done
            task.last_line, task.last_tenth = now, tenth
            self._write(self.line(task, now))

    @staticmethod
    def line(task: LineTask, now: float) -> str:
        seconds = int(now - task.started)
        elapsed = f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        if task.total is None:
            return f"{task.description}: {int(task.completed):,} {elapsed}"
        share = f"{int(100 * task.completed / task.total)}%" if task.total else "100%"
        return (
            f"{task.description}: {int(task.completed):,} / {int(task.total):,} ({share}) {elapsed}"
        )

    def _write(self, line: str) -> None:
        stream = self._stream() if callable(self._stream) else self._stream
        stream.write(line + "\n")
        stream.flush()


def progress_display(console: Console | None = None, *, transient: bool = False):
    """Return a rich Progress on a terminal, a LineProgress (to the same stream) otherwise."""
    console = console or Console(stderr=True)
    if console.is_terminal:
        return Progress(
            TextColumn("{task.description:<28}"),
            BarColumn(),
            CountColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=transient,
        )
    return LineProgress(lambda: console.file)
