"""The demo city: one deterministic generator that every app adds its part to.

Each app that has records to show provides `<app>/demo.py` with `build(ctx)`, and builds
them through its own actions, as a user would. The parts run in the order of PARTS; a part
may read what earlier parts made. Running the demo again with the same seed changes nothing.
"""

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tongxing.queries import refresh_statistics

PARTS = [
    "tongxing.regions.demo",
    "tongxing.accounts.demo",
    "tongxing.registry.demo",
    "tongxing.needs.demo",
]
# The one password of the demo logins that the command prints.
DEMO_PASSWORD = "tongxing-demo"


@dataclass(frozen=True)
class Scale:
    name: str
    cities: int
    counties_per_city: int
    townships_per_county: int
    villages_per_township: int
    donors: int


SCALES = {
    "small": Scale("small", 1, 2, 2, 3, 50),
    "city": Scale("city", 1, 5, 5, 20, 200_000),
    "province": Scale("province", 10, 5, 5, 20, 2_000_000),
}


@dataclass
class DemoContext:
    seed: int
    scale: Scale
    year: int
    progress: Progress | None = None
    # What the demo prints at the end: role -> (username, region name).
    logins: dict[str, tuple[str, str]] = field(default_factory=dict)

    def rng(self, part: str) -> random.Random:
        """Return a generator of its own for each part, so parts don't shift each other."""
        return random.Random(f"{self.seed}:{part}")

    @contextmanager
    def step(self, description: str, total: int) -> Iterator[Callable[[int], None]]:
        if self.progress is None:
            yield lambda n=1: None
            return
        task = self.progress.add_task(description, total=total)
        yield lambda n=1: self.progress.advance(task, n)
        self.progress.update(task, completed=total)


def build(*, seed: int, scale: str, year: int, console: Console | None = None) -> DemoContext:
    """Build (or bring up to date) the demo for a seed, scale and year."""
    progress = None
    if console is not None:
        progress = Progress(
            TextColumn("{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
    ctx = DemoContext(seed=seed, scale=SCALES[scale], year=year, progress=progress)
    if progress is not None:
        progress.start()
    try:
        for part in PARTS:
            import_module(part).build(ctx)
        refresh_statistics()  # the planner's view of the tables just filled
    finally:
        if progress is not None:
            progress.stop()
    return ctx
