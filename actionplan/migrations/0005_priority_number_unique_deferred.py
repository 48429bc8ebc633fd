"""Priority numbers stay unique per plan, checked at commit so reordering can swap two in one UPDATE."""

import django.db.models.constraints
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actionplan', '0004_lock_version_on_plans_priorities_boards_meetings'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='priority',
            name='priority_unique_number_in_plan',
        ),
        migrations.AddConstraint(
            model_name='priority',
            constraint=models.UniqueConstraint(deferrable=django.db.models.constraints.Deferrable['DEFERRED'], fields=('plan', 'number'), name='priority_unique_number_in_plan'),
        ),
    ]
