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

from tongxing.progress import progress_display
from tongxing.queries import refresh_statistics

PARTS = [
    "tongxing.regions.demo",
    "tongxing.accounts.demo",
    "tongxing.registry.demo",
    "tongxing.programs.demo",
    "tongxing.needs.demo",
    "tongxing.visits.demo",
    "tongxing.events.demo",
    "tongxing.commerce.demo",
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
    progress: object | None = None  # a rich Progress or a LineProgress (tongxing.progress)
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


def build(
    *, seed: int, scale: str, year: int, console: Console | None = None, progress=None
) -> DemoContext:
    """Build (or bring up to date) the demo for a seed, scale and year.

    With a console, each step shows its progress there (a bar on a terminal, plain lines
    otherwise); a caller may pass its own `progress` instead. Each step counts what its
    label says, and its count reaches its total exactly.
    """
    if progress is None and console is not None:
        progress = progress_display(console)
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
