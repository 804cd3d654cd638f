from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tongxing import personal_data
from tongxing.progress import progress_display
from tongxing.registry.actions import RotationRefused, rotate_data_key


class Command(BaseCommand):
    help = (
        "`datakey new` prints a new key (for TONGXING_DATA_KEY or TONGXING_INDEX_KEY). "
        "`datakey index-key` prints the index key in use, for TONGXING_INDEX_KEY. "
        "`datakey rotate` re-encrypts every ID and phone number still on an old key with the "
        "current one; put the previous key in TONGXING_DATA_OLD_KEYS first, and remove it "
        "once the rotation has finished. Interrupted, it goes on where it stopped when run "
        "again. `datakey reindex` makes every keyed hash again with the index key."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["new", "index-key", "rotate", "reindex"])

    def handle(self, *args, action, **options):
        if action == "new":
            self.stdout.write(personal_data.new_key())
            return
        try:
            personal_data.keys()
        except personal_data.DataKeyError as exc:
            raise CommandError(str(exc)) from exc
        if action == "index-key":
            self.stdout.write(personal_data.index_key_text())
            return
        with progress_display(transient=True) as display:
            tasks = {}

            def advance(label: str, rows: int, total: int) -> None:
                if label not in tasks:
                    tasks[label] = display.add_task(label, total=total)
                display.advance(tasks[label], rows)

            try:
                result = rotate_data_key(by=None, reindex=action == "reindex", progress=advance)
            except RotationRefused as exc:
                raise CommandError(str(exc)) from exc
            except KeyboardInterrupt:
                raise CommandError(
                    _("Interrupted. The batches done are kept: run it again to go on.")
                ) from None
        self.stdout.write(
            _("Wrote %(members)s members and %(people)s people again with the current keys.")
            % {"members": f"{result.members:,}", "people": f"{result.people:,}"}
        )
        for member, other in result.duplicates:
            self.stdout.write(
                _(
                    "Member %(member)s holds the ID number of member %(other)s: it was left "
                    "as it was. Merge the two entries."
                )
                % {"member": member, "other": other if other is not None else "?"}
            )
        if result.duplicates:
            raise CommandError(
                _(
                    "%(count)s members hold an ID number registered to another member (listed "
                    "above) and were left as they were: merge each pair, then run this again. "
                    "Keep the old key in TONGXING_DATA_OLD_KEYS until then."
                )
                % {"count": f"{len(result.duplicates):,}"}
            )
        if result.left:
            raise CommandError(
                _(
                    "%(left)s rows are still on an old key (written meanwhile by a server that "
                    "has not been given the new key?): run this again."
                )
                % {"left": f"{result.left:,}"}
            )
        self.stdout.write(_("Done: the old keys may now be removed from TONGXING_DATA_OLD_KEYS."))
