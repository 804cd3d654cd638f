from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tongxing.needs import selectors
from tongxing.needs.actions import masking
from tongxing.needs.models import Need

# Where a finding stands, as the list names it.
PLACES = {"need": "{field}", "pledge": "pledge {id} {field}", "feedback": "thanks {id}"}


class Command(BaseCommand):
    help = (
        "List the personal data (ID, phone and bank card numbers, the full names of a "
        "household's members) in the text the public and donors read: the title, story, "
        "place and unit of the needs on the board, pledges' notes and end reasons, thanks. "
        "Each finding is shown masked, never in full. With --fix, mask them, and their "
        "copies in the needs' audit events (audited)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="mask what is found, and its copies in the log"
        )

    def handle(self, *args, fix: bool, **options):
        needs: list[int] = []
        count = 0
        for item in selectors.personal_data_in_public_text(progress=self.scanned):
            count += 1
            if not needs or needs[-1] != item.need_id:
                needs.append(item.need_id)
            place = PLACES[item.model].format(id=item.object_id, field=item.field)
            self.stdout.write(
                f"need {item.need_id}\t{place}\t{item.finding.label}\t{item.finding.masked}"
            )
        self.stdout.write(
            _("Found %(count)d pieces of personal data in %(needs)d needs.")
            % {"count": count, "needs": len(needs)}
        )
        if not fix:
            return
        for done, need_id in enumerate(needs, start=1):
            masking.mask_public_text(need=Need.objects.get(pk=need_id), by=None)
            if done % 100 == 0 or done == len(needs):
                # On standard error, like the scan's: standard output stays a plain list.
                self.stderr.write(
                    _("Masked %(done)s of %(total)s needs…")
                    % {"done": f"{done:,}", "total": f"{len(needs):,}"}
                )
        self.stdout.write(_("Masked them in %(needs)d needs.") % {"needs": len(needs)})

    def scanned(self, done: int, total: int) -> None:
        self.stderr.write(
            _("Scanned %(done)s of %(total)s needs…") % {"done": f"{done:,}", "total": f"{total:,}"}
        )
