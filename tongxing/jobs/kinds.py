"""What a kind of job does. An app that runs work in the background registers a runner for
each of its kinds (`@runner("household_import")`, in a module its AppConfig.ready imports);
the jobs app itself knows nothing of imports or exports.

A runner takes the job and its `Progress`, does its work through its app's actions as the
job's owner (so the actions check the owner's rights again, as they stand when it runs),
and returns an `Outcome`: a result for the page and the API, and perhaps a file.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass
class Outcome:
    result: dict = field(default_factory=dict)
    file: bytes | None = None
    filename: str = ""


# What a job may be doing, for the progress line: "Checking the rows: 12,000 of 100,000".
STAGES = {
    "queued": _("Waiting its turn: the worker runs one job at a time"),
    "starting": _("Starting"),
    "reading": _("Reading the rows"),
    "checking": _("Checking the rows against the registry"),
    "writing": _("Writing the file"),
    "saving": _("Saving the records"),
    "figures": _("Computing the figures from the records"),
    "wording": _("Filling the figures into the wording"),
}


class Progress:
    """Where a job stands: its stage, and how much of the stage's total is done."""

    def __init__(self) -> None:
        self.stage = "queued"
        self.done = 0
        self.total = 0

    def begin(self, stage: str, total: int) -> None:
        self.stage, self.done, self.total = stage, 0, total

    def advance(self, count: int) -> None:
        self.done += count

    def reach(self, done: int) -> None:
        self.done = done

    def as_dict(self) -> dict:
        return {"stage": self.stage, "done": self.done, "total": self.total}


Runner = Callable[..., Outcome]
RUNNERS: dict[str, Runner] = {}


def runner(kind: str) -> Callable[[Runner], Runner]:
    def register(function: Runner) -> Runner:
        RUNNERS[kind] = function
        return function

    return register
