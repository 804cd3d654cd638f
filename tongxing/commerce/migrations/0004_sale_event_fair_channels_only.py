from django.db import migrations, models


class Migration(migrations.Migration):
    # Apart from the fairs named in 0003: PostgreSQL alters no table with updates of the
    # same transaction still to check.

    dependencies = [
        ("commerce", "0003_name_the_fairs_of_earlier_sales"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="sale",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("event__isnull", False), ("channel__in", ("fair_online", "fair_offline"))
                    ),
                    models.Q(
                        ("event__isnull", True),
                        models.Q(("channel__in", ("fair_online", "fair_offline")), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="sale_event_fair_channels_only",
            ),
        ),
    ]
