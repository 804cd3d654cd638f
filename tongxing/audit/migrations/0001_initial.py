"""The audit log moves from the accounts app to its own, beneath the regions: the model
only. The table keeps its name and its indexes, so no row is copied."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("accounts", "0003_audit_actor_at_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='when')),
                        ('action', models.CharField(max_length=60, verbose_name='what')),
                        ('object_type', models.CharField(max_length=60, verbose_name='object type')),
                        ('object_id', models.CharField(max_length=64, verbose_name='object')),
                        ('region_code', models.CharField(blank=True, db_index=True, max_length=12, verbose_name='region')),
                        ('before', models.JSONField(blank=True, null=True, verbose_name='before')),
                        ('after', models.JSONField(blank=True, null=True, verbose_name='after')),
                        ('actor', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='who')),
                    ],
                    options={
                        'verbose_name': 'audit event',
                        'verbose_name_plural': 'audit log',
                        'db_table': 'accounts_auditevent',
                        'ordering': ['-at', '-id'],
                        'indexes': [models.Index(fields=['object_type', 'object_id'], name='audit_object'), models.Index(fields=['action', 'at'], name='audit_action_at'), models.Index(fields=['actor', 'at'], name='audit_actor_at'), models.Index(fields=['action', 'region_code'], name='audit_action_region', opclasses=['varchar_pattern_ops', 'varchar_pattern_ops'])],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
