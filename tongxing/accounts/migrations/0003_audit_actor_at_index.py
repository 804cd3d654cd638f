"""One account's log, newest first: (actor, at) in place of the actor's own index.

PostgreSQL walked the index of `at` backwards for a busy account's fifty newest events,
expecting them among the newest of all, and read some 200,000 events when they were not
(77 ms); (actor, at) reads fifty. It also answers what the actor's own index did (the
count of the office's own events, the check before an account is deleted), so that one is
dropped, by name: AlterField would copy the whole log into a new table on SQLite.
See docs/benchmarks.md, part 8.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ACTOR_INDEX = "accounts_auditevent_actor_id_179eee89"


def gather_statistics(apps, schema_editor):
    schema_editor.execute("ANALYZE accounts_auditevent")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_audit_filter_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor", "at"], name="audit_actor_at"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="who",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=[f'DROP INDEX IF EXISTS "{ACTOR_INDEX}"'],
                    reverse_sql=[
                        f'CREATE INDEX "{ACTOR_INDEX}" ON "accounts_auditevent" ("actor_id")'
                    ],
                ),
            ],
        ),
        migrations.RunPython(gather_statistics, migrations.RunPython.noop, elidable=True),
    ]
