"""The words of the background jobs' audit events (see `audit.events`)."""

from django.utils.translation import gettext_lazy, ngettext

from tongxing.audit import events
from tongxing.audit.events import Action, Key


def _size(value, data: dict) -> str:
    if not isinstance(value, int):
        return str(value)
    return ngettext("%(n)s byte", "%(n)s bytes", value) % {"n": events.number(value)}


def _deleted(data: dict):
    count = data.get("jobs") if isinstance(data.get("jobs"), int) else 0
    return ngettext(
        "%(actor)s deleted %(jobs)s background job finished more than %(days)s days ago, "
        "with its files.",
        "%(actor)s deleted %(jobs)s background jobs finished more than %(days)s days ago, "
        "with their files.",
        count,
    )


def register() -> None:
    _ = gettext_lazy
    events.register_family("job", _("Background jobs"), object_type="jobs.job")
    events.register_object_type(
        "jobs.job",
        keys={
            "file": Key(_("file")),
            "bytes": Key(_("size"), _size),
            "jobs": Key(_("jobs")),
            "days": Key(_("days")),
        },
    )
    events.register_actions(
        Action(
            "job.download",
            _("file of a background job downloaded"),
            _("%(actor)s downloaded “%(file)s”, made in the background (job %(object)s)."),
            # The kind is a code ("household_export"); the file's name says what it holds.
            hide=("kind",),
        ),
        Action("job.delete_old", _("old background jobs deleted"), _deleted),
    )
