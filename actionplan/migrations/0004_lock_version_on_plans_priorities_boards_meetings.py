"""Plans, priorities, boards and meetings are edited from staff pages: each carries a lock_version (core.concurrency)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actionplan', '0003_action_unique_reference'),
    ]

    operations = [
        migrations.AddField(
            model_name='board',
            name='lock_version',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Raised by one on every edit, so a save based on an older page is refused.'),
        ),
        migrations.AddField(
            model_name='meeting',
            name='lock_version',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Raised by one on every edit, so a save based on an older page is refused.'),
        ),
        migrations.AddField(
            model_name='plan',
            name='lock_version',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Raised by one on every edit, so a save based on an older page is refused.'),
        ),
        migrations.AddField(
            model_name='priority',
            name='lock_version',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Raised by one on every edit, so a save based on an older page is refused.'),
        ),
    ]
