"""The history of changes to an action's due date, owner and other fields the board relies on."""

import django.db.models.constraints
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actionplan', '0005_priority_number_unique_deferred'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ActionChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('field', models.CharField(max_length=50)),
                ('label', models.CharField(max_length=100)),
                ('old_value', models.CharField(blank=True, max_length=300)),
                ('new_value', models.CharField(blank=True, max_length=300)),
                ('changed_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['-changed_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='actionchange',
            name='action',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='actionplan.action'),
        ),
        migrations.AddField(
            model_name='actionchange',
            name='changed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='actionchange',
            index=models.Index(fields=['action', 'changed_at'], name='actionplan__action__5aabdf_idx'),
        ),
    ]
