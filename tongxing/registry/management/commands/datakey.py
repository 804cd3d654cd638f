from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import Progress

from tongxing import personal_data
from tongxing.registry import protection
from tongxing.registry.models import Member, Person

COLUMNS = {"id_number": protection.id_number_columns, "phone": protection.phone_columns}

BATCH = 2000


class Command(BaseCommand):
    help = (
        "`datakey new` prints a new key for TONGXING_DATA_KEY. `datakey rotate` re-encrypts "
        "and re-hashes every ID and phone number with the current key; put the previous key "
        "in TONGXING_DATA_OLD_KEYS first, and remove it once the rotation has finished."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["new", "rotate"])

    def handle(self, *args, action, **options):
        if action == "new":
            self.stdout.write(personal_data.new_key())
            return
        try:
            personal_data.keys()
        except personal_data.DataKeyError as exc:
            raise CommandError(str(exc)) from exc
        console = Console(stderr=True)
        with Progress(console=console, transient=True) as progress:
            members = rotate(Member, ("id_number", "phone"), progress)
            people = rotate(Person, ("phone",), progress)
        self.stdout.write(
            _("Re-encrypted %(members)d members and %(people)d people with the current key.")
            % {"members": members, "people": people}
        )


def rotate(model, kinds: tuple[str, ...], progress) -> int:
    """Re-encrypt the rows not yet written with the current key, batch by batch."""
    fields = [f"{kind}_{suffix}" for kind in kinds for suffix in ("ciphertext", "hash", "masked")]
    task = progress.add_task(model._meta.verbose_name_plural, total=model.objects.count())
    done = 0
    last = 0
    while True:
        with transaction.atomic():
            rows = list(
                model.objects.select_for_update().filter(pk__gt=last).order_by("pk")[:BATCH]
            )
            if not rows:
                return done
            changed = []
            for row in rows:
                stale = False
                for kind in kinds:
                    token = getattr(row, f"{kind}_ciphertext")
                    if token and not personal_data.is_current(token):
                        columns = COLUMNS[kind](personal_data.decrypt(token))
                        for name, value in columns.items():
                            setattr(row, name, value)
                        stale = True
                if stale:
                    changed.append(row)
            model.objects.bulk_update(changed, fields)
        done += len(changed)
        last = rows[-1].pk
        progress.advance(task, len(rows))
