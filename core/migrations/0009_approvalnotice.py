import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0008_user_approval_email'),
    ]

    operations = [
        migrations.CreateModel(
            name='ApprovalNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('kind', models.CharField(choices=[('reply', 'Reply to a family'), ('quote', 'Quote'), ('report', 'Report')], max_length=10)),
                ('title', models.CharField(max_length=300)),
                ('path', models.CharField(max_length=300)),
                ('state', models.CharField(choices=[('pending', 'Pending'), ('digest', 'Waiting for the daily digest'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=10)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['created_at'],
            },
        ),
        migrations.AddField(
            model_name='approvalnotice',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.organisation'),
        ),
        migrations.AddField(
            model_name='approvalnotice',
            name='recipient',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='approvalnotice',
            index=models.Index(fields=['state', 'created_at'], name='core_approv_state_1030b9_idx'),
        ),
    ]
